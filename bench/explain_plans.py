"""Print the query plans (EXPLAIN) of the list, a deep keyset page, a search and the overview.

    .venv/bin/python bench/explain_plans.py [--analyze]

Against the database the environment names (SQLITE_PATH or DATABASE_URL), already imported.
Each step runs as the pages run it; its queries are captured and explained: SQLite prints
EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN (with --analyze: EXPLAIN (ANALYZE, BUFFERS)).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--analyze", action="store_true")
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from tracker.core.models import Commitment, CommitmentTally
    from tracker.public.filters import SORTS, CommitmentFilter
    from tracker.public.pagination import IdsFirstPaginator, RankedSearchPaginator

    published = Commitment.objects.published()
    listed = published.for_list().order_by(*SORTS["-updated"])
    total = published.count()
    last_row = listed.values_list("pk", flat=True)[max(0, total - 21)]

    def searched(text):
        # As the list view runs a search ordered by relevance: one ranked query for the page
        # and the count (search.ranked_page_sql), then the page's rows.
        def step():
            filterset = CommitmentFilter({"q": text}, queryset=published)
            assert filterset.is_valid() and filterset.ranks_by_relevance
            paginator = RankedSearchPaginator(filterset.without_search(), 20, query=filterset.query)
            list(paginator.page(1))

        return step

    def page_one():
        paginator = IdsFirstPaginator(listed, 20)
        paginator.count = total
        paginator.page(1)

    def last_page_numbered():
        paginator = IdsFirstPaginator(listed, 20)
        paginator.count = total
        paginator.page(paginator.num_pages)

    def last_page_by_keyset():
        paginator = IdsFirstPaginator(listed, 20)
        paginator.count = total
        paginator.page_next_to(paginator.num_pages, last_row)

    middle_row = listed.values_list("pk", flat=True)[max(0, total // 2 - 1)]

    def middle_page_by_keyset():
        paginator = IdsFirstPaginator(listed, 20)
        paginator.count = total
        paginator.page_next_to(paginator.num_pages // 2, middle_row)

    def by_title_last_page():
        paginator = IdsFirstPaginator(published.for_list().order_by(*SORTS["title"]), 20)
        paginator.count = total
        paginator.page(paginator.num_pages)

    def filtered(**conditions):
        def step():
            rows = published.for_list().filter(**conditions).order_by(*SORTS["-updated"])
            paginator = IdsFirstPaginator(rows, 20)
            paginator.page(1)

        return step

    kept = CommitmentTally.objects.published()
    steps = {
        "list, page 1": page_one,
        "list, middle page by keyset": middle_page_by_keyset,
        "list, last page by keyset": last_page_by_keyset,
        "list, last page by number (OFFSET)": last_page_numbered,
        "list sorted by title, last page (numbered)": by_title_last_page,
        "list 已延宕 (filtered by status), page 1": filtered(status="已延宕"),
        "list 醫療衛生 (filtered by category), page 1 and its count": filtered(category="醫療衛生"),
        "list 衛生福利部 (every spelling of the agency), page 1 and its count": lambda: (
            IdsFirstPaginator(
                published.for_list().for_agency("衛生福利部").order_by(*SORTS["-updated"]), 20
            ).page(1)
        ),
        "overview, list length and menus (CommitmentTally, kept on write)": lambda: (
            kept.tallies(),
            list(kept.order_by().values_list("term", "session_period").distinct()),
            list(kept.order_by().values_list("target_date", flat=True).distinct()),
        ),
        "the same counted from the table (CommitmentQuerySet.tallies)": published.tallies,
        "search 疫苗, count and page 1 (ranked)": searched("疫苗"),
        "search 電網, count and page 1 (ranked)": searched("電網"),
    }
    if connection.vendor == "sqlite":
        prefix = "EXPLAIN QUERY PLAN "
    else:
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if arguments.analyze else "EXPLAIN "
    print(f"{connection.vendor}, {total} published commitments")
    for label, step in steps.items():
        captured = []

        def capture(execute, sql, params, many, context, captured=captured):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            step()
        print(f"\n## {label}")
        for sql, params in captured:
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql, params)
                rows = cursor.fetchall()
            print(f"\n    {sql[:160]}{' …' if len(sql) > 160 else ''}")
            for row in rows:
                print("        " + " ".join(str(value) for value in row))


if __name__ == "__main__":
    main()
