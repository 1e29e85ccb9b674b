"""Database time of one list page by sort and depth: the paginator's queries, no template.

    .venv/bin/python bench/page_queries.py [--runs 15]

Against the database the environment names (SQLITE_PATH or DATABASE_URL), already imported,
with production settings. For each sort of the list, page 1, a quarter, the middle and the
last page through IdsFirstPaginator (numbered pages, as an old link or a typed address asks
them): the median of --runs of reading the page's ids and rows (the count is read once, as
the list reads it from the kept tallies).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import PRODUCTION  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()
    os.environ.update(PRODUCTION)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from tracker.core.models import Commitment
    from tracker.public.filters import SORTS
    from tracker.public.pagination import IdsFirstPaginator
    from tracker.public.views.commitments import PAGE_SIZE

    print(f"{connection.vendor} database, {arguments.runs} runs, ms per page (median)")
    print(f"{'sort':<10} {'page 1':>8} {'1/4':>8} {'middle':>8} {'last':>8}")
    for sort in SORTS:
        listed = Commitment.objects.published().for_list().order_by(*SORTS[sort])
        paginator = IdsFirstPaginator(listed, PAGE_SIZE)
        last = paginator.num_pages
        figures = []
        for number in (1, last // 4, last // 2, last):
            times = []
            for _ in range(arguments.runs):
                started = time.perf_counter()
                list(paginator.page(max(number, 1)))
                times.append((time.perf_counter() - started) * 1000)
            figures.append(statistics.median(times))
        print(f"{sort:<10} " + " ".join(f"{figure:>8.2f}" for figure in figures))


if __name__ == "__main__":
    main()
