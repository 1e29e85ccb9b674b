"""Time the pieces of a ranked search, and one alternative design, on a SQLite database.

    .venv/bin/python bench/search_designs.py COPY.sqlite3 [--runs 7] [--columns] QUERY...

COPY is a *copy* of an imported SQLite database (e.g. of bench/scale_database.py's): with
--columns the script adds an FTS5 table of its own to it (replaced on each such run). Plain
sqlite3, no Django: it times SQL alone, the median of --runs, for each QUERY (Chinese
characters only: each is one phrase of single-character tokens).

Pieces of today's query (search.ranked_page_sql's shape, no other filter): the match alone;
the ranked matches (each commitment's lowest part, replies expanded to their commitments);
the whole page; the count through the join to the commitments; and the page read by walking
the list order part by part (stops after 20 rows: same ids as the page, checked).

--columns builds the design measured against it: one contentless FTS5 row per published
commitment with four columns (title, wording and agency, its reply's text copied in, the
timeline), built from the stored documents; then times its count and the page of title
matches in the list order. Prints both indexes' sizes.
"""

# ruff: noqa: S608 - fixed SQL built from constants; the query is always a parameter

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time

FTS = "SELECT rowid AS doc FROM tracker_searchdocument_fts WHERE tracker_searchdocument_fts MATCH ?"
RANKED = f"""WITH docs0 AS MATERIALIZED ({FTS}),
rank0 AS (SELECT cid, MIN(part) AS part FROM (
  SELECT doc >> 2 AS cid, doc & 3 AS part FROM docs0 WHERE doc & 3 <> 2
  UNION ALL SELECT id AS cid, 2 AS part FROM tracker_commitment
  WHERE source_id IN (SELECT doc >> 2 FROM docs0 WHERE doc & 3 = 2)) hits GROUP BY cid),
ranked AS (SELECT cid, part FROM rank0)"""
BASE = "SELECT id, last_updated, title FROM tracker_commitment WHERE is_published"
PAGE = f"""{RANKED}, matches AS MATERIALIZED (SELECT base.id AS id, base.last_updated AS
last_updated, base.title AS title, ranked.part AS part FROM ({BASE}) base
JOIN ranked ON ranked.cid = base.id)
SELECT id, (SELECT COUNT(*) FROM matches) FROM matches
ORDER BY part, last_updated DESC, title, id LIMIT 20"""
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
        rows = connection.execute(sql, parameters).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), rows


def build_columns(connection) -> None:
    connection.execute(f"DROP TABLE IF EXISTS {COLUMNS}")
    connection.execute(
        f"CREATE VIRTUAL TABLE {COLUMNS} USING fts5(title, own, reply, timeline, content='', "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    start = time.perf_counter()
    connection.execute(
        f"INSERT INTO {COLUMNS}(rowid, title, own, reply, timeline) SELECT c.id, "
        "(SELECT tokens FROM tracker_searchdocument WHERE id = c.id * 4), "
        "(SELECT tokens FROM tracker_searchdocument WHERE id = c.id * 4 + 1), "
        "(SELECT tokens FROM tracker_searchdocument WHERE id = c.source_id * 4 + 2), "
        "(SELECT tokens FROM tracker_searchdocument WHERE id = c.id * 4 + 3) "
        "FROM tracker_commitment c WHERE c.is_published"
    )
    connection.commit()
    print(f"built {COLUMNS} in {time.perf_counter() - start:.1f} s")
    for table in ("tracker_searchdocument_fts", COLUMNS):
        size = connection.execute(f"SELECT sum(length(block)) FROM {table}_data").fetchone()[0]
        print(f"{table}: {size:,} bytes of index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--columns", action="store_true")
    arguments = parser.parse_args()
    connection = sqlite3.connect(arguments.database)
    if arguments.columns:
        build_columns(connection)

    def line(label: str, sql: str, parameters) -> list:
        ms, rows = timed(connection, arguments.runs, sql, parameters)
        print(f"  {label:44s} {ms:8.2f} ms  {rows[0] if rows else ''}")
        return rows

    for text in arguments.queries:
        phrase = '"' + " ".join(text) + '"'
        print(text)
        line("match alone (documents)", f"SELECT count(*) FROM ({FTS})", [phrase])
        line("ranked matches", f"{RANKED} SELECT count(*) FROM ranked", [phrase])
        line(
            "matches by part", f"{RANKED} SELECT part, count(*) FROM ranked GROUP BY part", [phrase]
        )
        page = line("page (today's shape)", PAGE, [phrase])
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
            match = f"SELECT rowid FROM {COLUMNS} WHERE {COLUMNS} MATCH ?"
            line("columns: count", f"SELECT count(*) FROM ({match})", [phrase])
            line(
                "columns: count of title matches",
                f"SELECT count(*) FROM ({match})",
                ["{title} : " + phrase],
            )
            title_page = line(
                "columns: title matches' page, list order",
                "SELECT c.id FROM tracker_commitment c INDEXED BY commitment_list_order "
                f"WHERE c.is_published AND c.id IN ({match}) "
                "ORDER BY c.last_updated DESC, c.title, c.id LIMIT 20",
                ["{title} : " + phrase],
            )
            print(
                "  its ids equal the page's (all title matches there):",
                [row[0] for row in title_page] == [row[0] for row in page],
            )


if __name__ == "__main__":
    main()
