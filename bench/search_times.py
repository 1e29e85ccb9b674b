"""Server time of the public list's search pages without the page cache, per query.

    .venv/bin/python bench/search_times.py [--runs 5] [--rounds 1] [--before DIR]
    .venv/bin/python bench/search_times.py --check

Against the database the environment names (SQLITE_PATH or DATABASE_URL), already imported.
Times ``/commitments/?q=…`` for the 20 queries of bench/search_queries.py (疫苗 and 電網 among
them) through Django's test client with production settings, the page cache emptied before
every request: "cold" empties the aggregate cache too (the first search after a save that
moved a count, or a restart: the filter menus are counted again), "saved" raises the data
version as a save that moves no count does (most saves: the menus, kept under the counts
token, stay), "warm" keeps every count (every other search after a save). Prints each
query's median of --runs and the median over the queries (p50), and the number of results.

With --before DIR (another checkout, e.g. a worktree at the commit before a change), each
round runs this script in DIR's code and then in this checkout's, one after the other, and
the table gives each side's median over the rounds: before and after from the same minutes.
--check times nothing: it compares each query's ranked pages (1, 2 and the last) and count
with the same list read as one queryset (CommitmentFilter.qs), and stops at a difference.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("cold", "saved", "warm")
QUERIES = [
    "台北",
    "臺北",
    "台灣",
    "臺灣",
    "台電",
    "臺電",
    "衛福部",
    "衛生福利部",
    "疫苗",
    "電網",
    "長照",
    "空污",
    "空汙",
    "公佈",
    "農委會",
    "環保署",
    "健保",
    "食安",
    "綠能",
    "社會住宅",
]


def measure(root: Path, runs: int) -> dict:
    """Time every query in the code at ROOT (this process); return {query: figures}."""
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "bench"))
    os.chdir(root)
    from load import PRODUCTION, collect_static

    os.environ.update(PRODUCTION)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    collect_static()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import config.wsgi  # noqa: F401 - as a gunicorn worker starts (that checkout's own)
    from tracker.core.data_version import data_version_bump
    from tracker.public.caching import aggregate_cache, page_cache

    client = Client()
    client.get("/commitments/?q=warmup")
    figures = {"vendor": connection.vendor}
    for text in QUERIES:
        path = f"/commitments/?q={text}"
        # Run by run over the three states, each going first in turn, not one state's runs in
        # a row: the first request for a query also finds the database's pages for it cold,
        # and must not fall on one state alone.
        times: dict[str, list[float]] = {mode: [] for mode in MODES}
        for run in range(runs):
            for mode in MODES[run % 3 :] + MODES[: run % 3]:
                page_cache.clear()
                if mode == "cold":
                    aggregate_cache.clear()
                elif mode == "saved":
                    with transaction.atomic():
                        data_version_bump()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path)
                    times[mode].append((time.perf_counter() - started) * 1000)
        result = {mode: statistics.median(times[mode]) for mode in MODES}
        assert response.status_code == 200, (path, response.status_code)
        found = re.search(r"([\d,]+) 項承諾", response.content.decode())
        result["results"] = found.group(1) if found else "?"
        result["queries"] = len(captured)
        figures[text] = result
    return figures


def check() -> None:
    """Compare each query's ranked pages (RankedSearchPaginator) with the list as one queryset."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.paginator import Paginator
    from django.db import connection

    from tracker.core.models import Commitment
    from tracker.public.filters import CommitmentFilter
    from tracker.public.pagination import RankedSearchPaginator

    print(f"{connection.vendor}: ranked pages against the queryset's pages (1, 2, last)")
    for text in QUERIES:
        filterset = CommitmentFilter({"q": text}, queryset=Commitment.objects.published())
        assert filterset.is_valid() and filterset.ranks_by_relevance
        plain = Paginator(filterset.qs, 20)
        ranked = RankedSearchPaginator(filterset.without_search(), 20, query=filterset.query)
        numbers = sorted({1, min(2, plain.num_pages), plain.num_pages})
        same = all(
            [row.pk for row in ranked.page(number)] == [row.pk for row in plain.page(number)]
            for number in numbers
        )
        print(f"{text}: {plain.count} / {ranked.count} matches, pages {numbers} same: {same}")
        assert same and plain.count == ranked.count, text


def run_in(root: Path, runs: int) -> dict:
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--runs", str(runs), "--json", str(root)],
        check=True,
        capture_output=True,
        text=True,
        cwd=root,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def p50(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--check", action="store_true", help="compare the pages, no timing")
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.check:
        check()
        return
    if arguments.json:
        print(json.dumps(measure(arguments.json, arguments.runs)))
        return
    sides = {"after": ROOT} if arguments.before is None else {"before": arguments.before}
    sides["after"] = ROOT
    rounds: dict[str, list[dict]] = {side: [] for side in sides}
    for _ in range(arguments.rounds):
        for side, root in sides.items():
            rounds[side].append(run_in(root, arguments.runs))
    vendor = rounds["after"][0]["vendor"]
    print(
        f"{vendor}, page cache emptied before every request; median of {arguments.runs} runs "
        f"per query and round, median over {arguments.rounds} round(s); load average "
        + " ".join(f"{value:.2f}" for value in os.getloadavg())
    )
    columns = [f"{side} {mode}" for side in sides for mode in MODES]
    print("| query | results | " + " | ".join(f"{c} ms" for c in columns) + " | queries |")
    print("| --- | ---: | " + " | ".join("---:" for _ in columns) + " | ---: |")
    per_column: dict[str, list[float]] = {column: [] for column in columns}
    for text in QUERIES:
        cells = []
        for side in sides:
            for mode in MODES:
                value = statistics.median(figures[text][mode] for figures in rounds[side])
                per_column[f"{side} {mode}"].append(value)
                cells.append(f"{value:.1f}")
        results = " / ".join(dict.fromkeys(rounds[side][0][text]["results"] for side in sides))
        queries = " → ".join(str(rounds[side][0][text]["queries"]) for side in sides)
        print(f"| {text} | {results} | " + " | ".join(cells) + f" | {queries} |")
    print(
        "| **p50 over the queries** | | "
        + " | ".join(f"**{p50(per_column[c]):.1f}**" for c in columns)
        + " | |"
    )


if __name__ == "__main__":
    main()
