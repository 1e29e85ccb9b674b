"""Time the pieces of a ranked search, and one alternative design, on a SQLite database.

    .venv/bin/python bench/search_designs.py COPY.sqlite3 [--runs 7] [--columns] QUERY...

COPY is a *copy* of an imported SQLite database (e.g. of bench/scale_database.py's): with
--columns the script adds an FTS5 table of its own to it (replaced on each such run). It
times SQL alone, the median of --runs, for each QUERY (one term: its phrase is the one the
site asks the index, search.parse_query's).

The page as the site asks for it (search.ranked_page_sql, no other filter), and its pieces
written out: the match alone; the ranked matches (each commitment's lowest part, replies
expanded to their commitments); the count through the join to the commitments; and the
page read by walking the list order part by part (stops after 20 rows: same ids as the
page, checked).

--columns builds the design measured against it: one contentless FTS5 row per published
commitment with four columns (title, wording and agency, its reply's text copied in, the
timeline), built from the stored documents; then times its count and the page of title
matches in the list order. Prints both indexes' sizes.
"""

# ruff: noqa: S608 - fixed SQL built from constants; the query is always a parameter

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FTS = (
    "SELECT rowid AS doc FROM tracker_searchdocument_fts WHERE tracker_searchdocument_fts MATCH %s"
)
RANKED = f"""WITH docs0 AS MATERIALIZED ({FTS}),
rank0 AS (SELECT cid, MIN(part) AS part FROM (
  SELECT doc >> 2 AS cid, doc & 3 AS part FROM docs0 WHERE doc & 3 <> 2
  UNION ALL SELECT id AS cid, 2 AS part FROM tracker_commitment
  WHERE source_id IN (SELECT doc >> 2 FROM docs0 WHERE doc & 3 = 2)) hits GROUP BY cid),
ranked AS (SELECT cid, part FROM rank0)"""
BASE = "SELECT id, last_updated, title FROM tracker_commitment WHERE is_published"
WALK_PART = (
    "SELECT * FROM (SELECT c.id, {part} FROM tracker_commitment c INDEXED BY "
    "commitment_list_order WHERE c.is_published AND c.id IN (SELECT cid FROM r WHERE "
    "part = {part}) ORDER BY c.last_updated DESC, c.title, c.id)"
)
WALK = (
    f"{RANKED}, r AS MATERIALIZED (SELECT cid, part FROM ranked) SELECT id FROM ("
    + " UNION ALL ".join(WALK_PART.format(part=part) for part in range(4))
    + ") LIMIT 20"
)
COLUMNS = "search_design_columns"


def timed(connection, runs: int, sql: str, parameters=()) -> tuple[float, list]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            rows = cursor.fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), rows


def build_columns(connection) -> None:
    cursor = connection.cursor()
    cursor.execute(f"DROP TABLE IF EXISTS {COLUMNS}")
    cursor.execute(
        f"CREATE VIRTUAL TABLE {COLUMNS} USING fts5(title, own, reply, timeline, content='', "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    start = time.perf_counter()
    cursor.execute(
        f"INSERT INTO {COLUMNS}(rowid, title, own, reply, timeline) SELECT c.id, "
        "(SELECT tokens FROM tracker_searchdocument WHERE id = c.id * 4), "
        "(SELECT tokens FROM tracker_searchdocument WHERE id = c.id * 4 + 1), "
        "(SELECT tokens FROM tracker_searchdocument WHERE id = c.source_id * 4 + 2), "
        "(SELECT tokens FROM tracker_searchdocument WHERE id = c.id * 4 + 3) "
        "FROM tracker_commitment c WHERE c.is_published"
    )
    print(f"built {COLUMNS} in {time.perf_counter() - start:.1f} s")
    for table in ("tracker_searchdocument_fts", COLUMNS):
        cursor.execute(f"SELECT sum(length(block)) FROM {table}_data")
        size = cursor.fetchone()[0]
        print(f"{table}: {size:,} bytes of index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--columns", action="store_true")
    arguments = parser.parse_args()
    os.environ["SQLITE_PATH"] = str(Path(arguments.database).resolve())
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from load import PRODUCTION

    os.environ.update(PRODUCTION)  # no query log: the SQL alone is timed
    import django

    django.setup()
    from django.db import connection

    from tracker.core import search
    from tracker.core.models import Commitment

    base = Commitment.objects.published().order_by().values_list("id", "last_updated", "title")
    base_sql, base_parameters = base.query.sql_with_params()
    if arguments.columns:
        build_columns(connection)

    def line(label: str, sql: str, parameters) -> list:
        ms, rows = timed(connection, arguments.runs, sql, parameters)
        print(f"  {label:44s} {ms:8.2f} ms  {rows[0] if rows else ''}")
        return rows

    for text in arguments.queries:
        query = search.parse_query(text)
        phrase = query.terms[0].fts5()
        print(text)
        line("match alone (documents)", f"SELECT count(*) FROM ({FTS})", [phrase])
        line("ranked matches", f"{RANKED} SELECT count(*) FROM ranked", [phrase])
        line(
            "matches by part", f"{RANKED} SELECT part, count(*) FROM ranked GROUP BY part", [phrase]
        )
        page = line(
            "page (search.ranked_page_sql)",
            *search.ranked_page_sql(query, (base_sql, list(base_parameters)), limit=20),
        )
        line(
            "count through the join",
            f"{RANKED} SELECT count(*) FROM ({BASE}) base JOIN ranked ON ranked.cid = base.id",
            [phrase],
        )
        walk = line("page walking the list order by part", WALK, [phrase])
        print(
            "  walk's ids equal the page's:", [row[0] for row in walk] == [row[0] for row in page]
        )
        if arguments.columns:
            match = f"SELECT rowid FROM {COLUMNS} WHERE {COLUMNS} MATCH %s"
            line("columns: count", f"SELECT count(*) FROM ({match})", [phrase])
            line(
                "columns: count of title matches",
                f"SELECT count(*) FROM ({match})",
                ["{title} : (" + phrase + ")"],
            )
            title_page = line(
                "columns: title matches' page, list order",
                "SELECT c.id FROM tracker_commitment c INDEXED BY commitment_list_order "
                f"WHERE c.is_published AND c.id IN ({match}) "
                "ORDER BY c.last_updated DESC, c.title, c.id LIMIT 20",
                ["{title} : (" + phrase + ")"],
            )
            print(
                "  its ids equal the page's (all title matches there):",
                [row[0] for row in title_page] == [row[0] for row in page],
            )


if __name__ == "__main__":
    main()
