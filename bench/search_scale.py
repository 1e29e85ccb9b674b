"""How the public list and search scale: the real corpus multiplied N times (default 100).

Copies every source, commitment, log entry and search document N-1 more times with SQL
(new ids, same texts), so the search index holds N× the real text, then times the list
page's count and first page with and without a search, on the index and on the substring
fallback. A rough check of the design; the production issue runs the full load benchmark.

    .venv/bin/python bench/search_scale.py [N] [CORPUS_DIR]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FACTOR = int(sys.argv[1]) if len(sys.argv) > 1 else 100
CORPUS = Path(
    sys.argv[2] if len(sys.argv) > 2 else ROOT.parent / "shared" / "corpus" / "commitments"
)
database = Path(tempfile.mkdtemp(prefix="bench-scale-")) / "db.sqlite3"
os.environ["SQLITE_PATH"] = str(database)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # as measured so far: development settings
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from tracker.core import search  # noqa: E402
from tracker.core.models import Commitment  # noqa: E402

COPY = [
    # Sources, commitments, log entries and search documents, shifted by copy * step.
    """INSERT INTO tracker_source (id, document_id, term, session_period, ey_number, url,
       subject, reply_text, modified_at)
       SELECT id + %(shift)s, document_id || '-' || %(copy)s, term, session_period, ey_number, url,
       subject, reply_text, modified_at FROM tracker_source WHERE id <= %(step)s""",
    """INSERT INTO tracker_commitment (id, uid, title, category, status, target_date_text,
       target_date, target_value, responsible_agency, wording, shows_reply, file_path,
       created_date, last_updated, is_published, modified_at, source_id)
       SELECT id + %(shift)s, substr(uid, 1, 28) || printf('%%08d', %(copy)s), title, category,
       status, target_date_text, target_date, target_value, responsible_agency, wording,
       shows_reply, file_path || '.' || %(copy)s, created_date, last_updated, is_published,
       modified_at, source_id + %(shift)s FROM tracker_commitment WHERE id <= %(step)s""",
    """INSERT INTO tracker_trackinglog (commitment_id, position, entry_date, kind, shape, text,
       from_status, to_status, reason, source_type, document_number, document_url, summary,
       judgement, modified_at)
       SELECT commitment_id + %(shift)s, position, entry_date, kind, shape, text, from_status,
       to_status, reason, source_type, document_number, document_url, summary, judgement,
       modified_at FROM tracker_trackinglog WHERE commitment_id <= %(step)s""",
    """INSERT INTO tracker_searchdocument (commitment_id, source_id, part, tokens)
       SELECT commitment_id + %(shift)s, source_id + %(shift)s, part, tokens
       FROM tracker_searchdocument
       WHERE coalesce(commitment_id, source_id) <= %(step)s""",
]


def multiply() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max((SELECT max(id) FROM tracker_source),"
            " (SELECT max(id) FROM tracker_commitment))"
        )
        step = cursor.fetchone()[0]
        for copy in range(1, FACTOR):
            for statement in COPY:
                cursor.execute(statement, {"shift": copy * step, "copy": copy, "step": step})
        cursor.execute("ANALYZE")


def timed(function, runs=7) -> float:
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("import_commitments", str(CORPUS), stdout=open(os.devnull, "w"))  # noqa: SIM115
    start = time.perf_counter()
    multiply()
    print(
        f"{FACTOR}x corpus: {Commitment.objects.count():,} commitments "
        f"(copied and indexed in {time.perf_counter() - start:.0f} s), "
        f"database {database.stat().st_size / 1e6:,.0f} MB"
    )
    published = Commitment.objects.published()
    print(f"\n{'query':28} {'kind':10} {'matches':>8} {'count ms':>9} {'page ms':>8}")
    for text in ["疫苗", "電網", "衛福部 疫苗", "covid", "的"]:
        query = search.parse_query(text)
        for kind in (search.index_kind(), "substring"):
            matching = published.filter(search.matching(query, kind))
            count = matching.count()
            count_ms = timed(matching.count, runs=3)
            ordered = matching.alias(rank=search.relevance(query, kind)).order_by(
                "rank", "-last_updated", "title", "pk"
            )
            page_ms = timed(lambda ordered=ordered: list(ordered[:20]), runs=3)
            print(f"{text:28} {kind:10} {count:>8,} {count_ms:>9.1f} {page_ms:>8.1f}")
    client = Client()
    print(f"\n{'page':40} {'median ms':>10}")
    for url in ["/commitments/", "/commitments/?q=疫苗", "/commitments/?q=電網", "/"]:
        print(f"{url:40} {timed(lambda url=url: client.get(url), runs=5):>10.1f}")


if __name__ == "__main__":
    main()
