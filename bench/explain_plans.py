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

    from tracker.core import search
    from tracker.core.models import Commitment, CommitmentTally
    from tracker.public.filters import SORTS
    from tracker.public.pagination import IdsFirstPaginator

    published = Commitment.objects.published()
    listed = published.for_list().order_by(*SORTS["-updated"])
    total = published.count()
    last_row = listed.values_list("pk", flat=True)[max(0, total - 21)]
    query = search.parse_query("疫苗")
    searched = (
        published.for_list()
        .search(query)
        .alias(reply_only=search.own_text_first(query))
        .order_by("reply_only", *SORTS["-updated"])
    )

    def page_one():
        paginator = IdsFirstPaginator(listed, 20)
        paginator.count = total
        paginator.page(1)

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
        "list sorted by title, last page (numbered)": by_title_last_page,
        "list 已延宕 (filtered by status), page 1": filtered(status="已延宕"),
        "list 醫療衛生 (filtered by category), page 1 and its count": filtered(category="醫療衛生"),
        "overview, list length and menus (CommitmentTally, kept on write)": lambda: (
            kept.tallies(),
            list(kept.order_by().values_list("term", "session_period").distinct()),
            list(kept.order_by().values_list("target_date", flat=True).distinct()),
        ),
        "the same counted from the table (CommitmentQuerySet.tallies)": published.tallies,
        "search 疫苗, count and page 1": lambda: (searched.count(), list(searched[:20])),
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
