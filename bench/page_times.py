"""Server time of public pages without the page cache, first page against deep pages.

    .venv/bin/python bench/page_times.py [--runs 7]

Against the database the environment names (SQLITE_PATH or DATABASE_URL), already imported.
Each page is asked through Django's test client with production settings, the rendered-page
cache emptied before every request, so the figure is the full render: median and max of
--runs (taken round by round over all the pages), and the number of queries. Three states:
"cold" empties the aggregate cache too, as after a save that moved a count (a status change,
a new commitment) or a restart: the tallies and the filter menus are computed again;
"saved" raises the data version as a save that moves no count does (a log entry, a wording
fix: most saves), so the tallies, kept under the counts token, stay; "warm" keeps every
count, as every other list address after a save does. "Deep" pages are
the middle and the last page of the list, asked by number (counted with OFFSET from the
nearer end, as an old link or a typed address does) and as the previous page's "next" link
asks them (from its last row, a keyset seek).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import PRODUCTION, collect_static  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    os.environ.update(PRODUCTION)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    collect_static()
    from django.db import connection, reset_queries, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # As a gunicorn worker starts: Django set up, the URLconf loaded, all of it frozen out of
    # the collector's full passes.
    import config.wsgi  # noqa: F401
    from tracker.core.data_version import data_version_bump
    from tracker.core.models import Commitment
    from tracker.public.caching import aggregate_cache, page_cache
    from tracker.public.filters import DEFAULT_SORT, SORTS
    from tracker.public.views.commitments import PAGE_SIZE

    # The collector's full passes during the requests (generation 2), timed: a pause of one
    # lands on whichever request meets it.
    full_passes: list[float] = []
    started_pass = [0.0]

    def timed(phase, info):
        if info["generation"] == 2:
            if phase == "start":
                started_pass[0] = time.perf_counter()
            else:
                full_passes.append((time.perf_counter() - started_pass[0]) * 1000)

    gc.callbacks.append(timed)
    published = Commitment.objects.published()
    total = published.count()
    last = max(1, -(-total // PAGE_SIZE))
    by_length = published.annotate(n=Count("log_entries")).order_by("-n", "pk")
    longest, typical = by_length[0], by_length[total // 2]  # typical: the median timeline
    search_total = None
    ordered = published.order_by(*SORTS[DEFAULT_SORT]).values_list("pk", flat=True)

    def keyset(number: int) -> str:
        """Return page NUMBER's address as its previous page's "next" link names it."""
        return f"/commitments/?page={number}&after={ordered[(number - 1) * PAGE_SIZE - 1]}"

    pages = [
        ("overview", "/"),
        ("list p1", "/commitments/"),
        (f"list p{last // 2} (numbered)", f"/commitments/?page={last // 2}"),
        (f"list p{last} (last, numbered)", f"/commitments/?page={last}"),
        (f"list p{last // 2} (next link)", keyset(last // 2)),
        (f"list p{last} (last, next link)", keyset(last)),
        ("list sorted by title, last page", f"/commitments/?sort=title&page={last}"),
        (f"list by target date, p{last // 2}", f"/commitments/?sort=target&page={last // 2}"),
        ("list 已延宕", "/commitments/?status=已延宕"),
        ("list category 醫療衛生", "/commitments/?category=醫療衛生"),
        ("list agency 衛生福利部", "/commitments/?agency=衛生福利部"),
        ("search 疫苗 p1", "/commitments/?q=疫苗"),
        ("search 電網 p1", "/commitments/?q=電網"),
        ("detail (longest timeline)", f"/commitments/{longest.uid}/"),
        ("detail (median timeline)", f"/commitments/{typical.uid}/"),
        # Pages outside issue 17's list whose cost grew with the table (bench/RESULTS.md).
        ("site feed", "/feed/"),
        ("agency 衛生福利部", "/agencies/衛生福利部/"),
        ("recent changes", "/recent/"),
        ("sitemap index", "/sitemap.xml"),
        ("sitemap, commitments p1", "/sitemap-commitments.xml"),
    ]
    client = Client()
    vendor = connection.vendor
    print(
        f"{vendor} database, {total} published commitments, {PAGE_SIZE} per page, "
        f"{arguments.runs} runs each, page cache emptied before every request"
    )
    print(
        f"{'page':<34} {'cold ms':>8} {'saved ms':>8} {'warm ms':>8} {'max ms':>8} "
        f"{'queries':>8} {'status':>7}"
    )
    # Round by round over every page (not one page's runs in a row), so that a slow minute
    # of a shared machine falls on every page alike instead of on one.
    modes = ("cold", "saved", "warm")
    times = {(path, mode): [] for _label, path in pages for mode in modes}
    queries, statuses = {}, {}
    for _ in range(arguments.runs):
        for _label, path in pages:
            # Always in this order: "warm" is warm only right after its own page (the overview
            # keeps other counts than the list). So "cold" also meets the database's pages for
            # this page first (on PostgreSQL, whose shared buffers hold a fraction of the 100x
            # database, a few milliseconds more than its counts alone).
            for mode in modes:
                page_cache.clear()
                if mode == "cold":
                    aggregate_cache.clear()
                elif mode == "saved":
                    with transaction.atomic():
                        data_version_bump()
                reset_queries()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path)
                    times[path, mode].append((time.perf_counter() - started) * 1000)
                queries[path], statuses[path] = len(captured), response.status_code
                if path == "/commitments/?q=疫苗":
                    found = re.search(r"([\d,]+) 項承諾", response.content.decode())
                    search_total = found.group(1) if found else "?"
    for label, path in pages:
        cold, saved, warm = (times[path, mode] for mode in modes)
        print(
            f"{label:<34} {statistics.median(cold):>8.1f} {statistics.median(saved):>8.1f} "
            f"{statistics.median(warm):>8.1f} {max(cold + saved + warm):>8.1f} "
            f"{queries[path]:>8} {statuses[path]:>7}"
        )
    if search_total is not None:
        print(f"(疫苗 matches {search_total} commitments)")
    if full_passes:
        print(
            f"full garbage collections: {len(full_passes)}, median "
            f"{statistics.median(full_passes):.1f} ms, max {max(full_passes):.1f} ms "
            f"({gc.get_freeze_count():,} objects frozen)"
        )


if __name__ == "__main__":
    main()
