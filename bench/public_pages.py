"""Figures for the public pages on the real corpus: queries, gzip HTML bytes, server time.

Loads the corpus into a fresh SQLite database, then asks each page through Django's test
client (no network): the number of queries, the gzip-compressed HTML size, and the median
of 20 server times. Also compares the bytes a reader downloads before seeing the list
"已延宕 + 衛生福利部" with the upstream static site's approach (one index.json of every
commitment, loaded into the browser and filtered there).

    .venv/bin/python bench/public_pages.py [CORPUS_DIR]
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = Path(
    sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "commitments"
)
database = Path(tempfile.mkdtemp(prefix="bench-public-")) / "db.sqlite3"
os.environ["SQLITE_PATH"] = str(database)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # as measured so far: development settings
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from tracker.core.models import Commitment  # noqa: E402
from tracker.public.caching import page_cache  # noqa: E402

RUNS = 20


def _render_afresh() -> None:
    """Empty the rendered-page cache: the figures are for rendering, not for a cache hit."""
    page_cache.clear()


def measure(client: Client, url: str) -> dict:
    client.get(url)  # warm the template and query caches (and the filter menus' counts)
    _render_afresh()
    reset_queries()  # the import filled the debug log to its limit, which hides new queries
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content
    times = []
    for _ in range(RUNS):
        _render_afresh()
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "queries": len(queries),
        "html": len(html),
        "gzip": len(gzip.compress(html, 6)),
        "median_ms": statistics.median(times),
    }


def index_json_like() -> bytes:
    """Rebuild what the upstream site loads: every commitment's front matter in one file."""
    rows = []
    for commitment in Commitment.objects.published().select_related("source"):
        source = commitment.source
        rows.append(
            {
                "id": commitment.uid,
                "title": commitment.title,
                "category": commitment.category,
                "status": commitment.status,
                "target_date": commitment.target_date_text,
                "target_value": commitment.target_value,
                "responsible_agency": commitment.responsible_agency,
                "source": {
                    "document_id": source.document_id,
                    "term": source.term,
                    "session_period": source.session_period,
                    "ey_number": source.ey_number,
                    "url": source.url,
                },
                "created_at": commitment.created_date.isoformat(),
                "last_updated": commitment.last_updated.isoformat(),
                "path": commitment.file_path,
            }
        )
    return json.dumps(rows, ensure_ascii=False).encode()


def main() -> None:
    setup_test_environment()
    print(f"database: {database} (fresh), corpus: {CORPUS}")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("import_commitments", str(CORPUS), stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"import with search indexing: {time.perf_counter() - start:.1f} s")
    longest = (
        Commitment.objects.published()
        .annotate(n=Count("log_entries"))
        .order_by("-n", "pk")
        .values_list("uid", "n")
        .first()
    )
    client = Client()
    pages = {
        "list, no filter": "/commitments/",
        "list, search 疫苗": "/commitments/?" + urlencode({"q": "疫苗"}),
        f"detail, longest timeline ({longest[1]} entries)": f"/commitments/{longest[0]}/",
        "overview": "/",
    }
    print(f"\n{'page':44} {'queries':>7} {'HTML bytes':>10} {'gzip':>8} {'median ms':>10}")
    for name, url in pages.items():
        figures = measure(client, url)
        print(
            f"{name:44} {figures['queries']:>7} {figures['html']:>10,} {figures['gzip']:>8,} "
            f"{figures['median_ms']:>10.1f}"
        )

    filtered = "/commitments/?" + urlencode({"status": "已延宕", "agency": "衛生福利部"})
    response = client.get(filtered)
    html = gzip.compress(response.content, 6)
    css = Path(finders.find("css/site.css")).read_bytes()
    css_gz = gzip.compress(css, 6)
    index = index_json_like()
    index_gz = gzip.compress(index, 6)
    count = response.context["page"].paginator.count
    print(f"\nBefore seeing 已延宕 + 衛生福利部 ({count} commitments), a reader downloads:")
    print(f"  ours:     HTML {len(html):,} B gzip + CSS {len(css_gz):,} B gzip (no JavaScript)")
    print(f"            = {len(html) + len(css_gz):,} B ({len(response.content):,} B uncompressed)")
    print(
        f"  upstream: index.json of every commitment: {len(index):,} B "
        f"({len(index_gz):,} B gzip), plus the page, its script and styles"
    )
    print(
        f"  ratio:    index.json alone / ours = {len(index_gz) / (len(html) + len(css_gz)):.1f}x "
        f"gzip, {len(index) / (len(response.content) + len(css)):.1f}x uncompressed"
    )
    print(f"\n(DEBUG={settings.DEBUG}; times are Django's own, through the test client)")


if __name__ == "__main__":
    main()
