"""Time (and optionally profile) single public pages without the page cache.

    .venv/bin/python bench/page_profile.py [--runs 15] [--profile N] PATH...

Against the database the environment names (SQLITE_PATH or DATABASE_URL), with production
settings, through Django's test client. For each PATH (DETAIL: the commitment with the
longest timeline): three requests to warm up, then --runs requests with the page cache
emptied before each (the aggregate counts stay warm, as for every page but the first after
a save). Prints the median wall time, the median and least CPU time of this process (the
SQLite database runs in it; PostgreSQL does not), the median time spent in SQL and the
number of queries. With --profile N, then prints cProfile's N costliest functions over 10
more requests, by cumulative time (PROFILE_SORT=tottime: by each function's own time).

To compare two checkouts on a noisy machine, run this in each in turn, several rounds
(bench/RESULTS.md has the loop), and compare the rounds' medians.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
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
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    arguments = parser.parse_args()
    os.environ.update(PRODUCTION)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    collect_static()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    # As a gunicorn worker starts: Django set up, the URLconf loaded, all of it frozen out of
    # the collector's full passes.
    import config.wsgi  # noqa: F401
    from tracker.core.models import Commitment
    from tracker.public.caching import page_cache

    paths = arguments.paths
    if "DETAIL" in paths:
        longest = (
            Commitment.objects.published()
            .annotate(n=Count("log_entries"))
            .order_by("-n", "pk")
            .first()
        )
        paths = [f"/commitments/{longest.uid}/" if path == "DETAIL" else path for path in paths]
    client = Client()
    in_sql: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql.append(time.perf_counter() - started)

    for path in paths:
        for _ in range(3):
            page_cache.clear()
            client.get(path)
        wall, cpu, sql, queries = [], [], [], 0
        for _ in range(arguments.runs):
            page_cache.clear()
            in_sql.clear()
            with connection.execute_wrapper(timed):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            sql.append(sum(in_sql) * 1000)
            queries = len(in_sql)
        print(
            f"{path}: {statistics.median(wall):.1f} ms, cpu {statistics.median(cpu):.1f} ms "
            f"(least {min(cpu):.1f}), sql {statistics.median(sql):.1f} ms, {queries} queries, "
            f"status {response.status_code}, {len(response.content)} bytes"
        )
        if arguments.profile:
            profile = cProfile.Profile()
            for _ in range(10):
                page_cache.clear()
                profile.enable()
                client.get(path)
                profile.disable()
            report = io.StringIO()
            order = os.environ.get("PROFILE_SORT", "cumulative")
            stats = pstats.Stats(profile, stream=report).sort_stats(order)
            stats.print_stats(arguments.profile)
            print(report.getvalue())


if __name__ == "__main__":
    main()
