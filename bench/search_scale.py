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
from django.test import Client  # noqa: E402

from tracker.core import search  # noqa: E402
from tracker.core.models import Commitment  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from scale_database import multiply  # noqa: E402


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
    multiply(FACTOR)
    print(
        f"{FACTOR}x corpus: {Commitment.objects.count():,} commitments "
        f"(copied and indexed in {time.perf_counter() - start:.0f} s), "
        f"database {database.stat().st_size / 1e6:,.0f} MB"
    )
    published = Commitment.objects.published()
    print(f"\n{'query':28} {'kind':10} {'matches':>8} {'count ms':>9} {'page ms':>8}")
    for text in ["疫苗", "電網", "台北", "衛福部 疫苗", "covid", "的"]:
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
