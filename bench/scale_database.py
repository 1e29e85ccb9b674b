"""Build a database holding the real corpus N times (default 100), for the bench scripts.

Imports the corpus once with ``import_commitments``, then copies every source, commitment,
log entry and search document N-1 more times in SQL (new ids, same texts; the search index
follows through its triggers on SQLite and its generated column on PostgreSQL), refreshes the
one-row-per-commitment search index the copies marked stale, and runs ANALYZE. The database
is the one the settings name: ``SQLITE_PATH`` or ``DATABASE_URL``.
At 100× this takes minutes where importing 118,700 files takes most of an hour.

    SQLITE_PATH=/tmp/x100.sqlite3 .venv/bin/python bench/scale_database.py [N] [CORPUS_DIR]
    DATABASE_URL=postgres://... .venv/bin/python bench/scale_database.py 100

The history tables are not copied: the public pages and the benches do not read them.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What changes in each copy (shifted by copy * step); every other column is copied as is, so
# the script follows the schema. Columns left out (log entries' ids) are new.
COPY = {
    "tracker_source": (
        "id <= %(step)s",
        {
            "id": "id + %(shift)s",
            "document_id": "document_id || '-' || %(copy)s",
        },
    ),
    "tracker_commitment": (
        "id <= %(step)s",
        {
            "id": "id + %(shift)s",
            "uid": "substr(uid, 1, 28) || {copy_suffix}",
            "file_path": "file_path || '.' || %(copy)s",
            "source_id": "source_id + %(shift)s",
        },
    ),
    "tracker_trackinglog": (
        "commitment_id <= %(step)s",
        {"id": None, "commitment_id": "commitment_id + %(shift)s"},
    ),
    "tracker_searchdocument": (
        "coalesce(commitment_id, source_id) <= %(step)s",
        {
            # The key follows the owner (tracker.core.search.document_key).
            "id": "((coalesce(commitment_id, source_id) + %(shift)s) << 2) | part",
            "commitment_id": "commitment_id + %(shift)s",
            "source_id": "source_id + %(shift)s",
        },
    ),
}


def _copy_statement(connection, cursor, table: str) -> str:
    condition, changed = COPY[table]
    suffix = (
        "printf('%%08d', %(copy)s)"
        if connection.vendor == "sqlite"
        else "lpad(%(copy)s::text, 8, '0')"
    )
    description = connection.introspection.get_table_description(cursor, table)
    generated = set()
    if connection.vendor == "postgresql":  # the search vector fills itself
        cursor.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = %s AND is_generated = 'ALWAYS'",
            [table],
        )
        generated = {name for (name,) in cursor.fetchall()}
    columns = [
        column.name
        for column in description
        if changed.get(column.name, "") is not None and column.name not in generated
    ]
    values = [changed.get(column, column).replace("{copy_suffix}", suffix) for column in columns]
    quoted = [connection.ops.quote_name(column) for column in columns]
    return (
        f"INSERT INTO {table} ({', '.join(quoted)}) "  # noqa: S608 - our own table names
        f"SELECT {', '.join(values)} FROM {table} WHERE {condition}"
    )


def multiply(factor: int) -> None:
    """Copy the imported corpus factor - 1 more times in place."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(id) FROM (SELECT max(id) AS id FROM tracker_source"
            " UNION ALL SELECT max(id) FROM tracker_commitment) AS ids"
        )
        step = cursor.fetchone()[0]
        statements = [_copy_statement(connection, cursor, table) for table in COPY]
        for copy in range(1, factor):
            for statement in statements:
                cursor.execute(statement, {"shift": copy * step, "copy": copy, "step": step})
        if connection.vendor == "postgresql":
            for table in ("tracker_source", "tracker_commitment"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                    f" (SELECT max(id) FROM {table}))"
                )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The copy's one transaction updated each tally row once per commitment copied
            # (117,315 times in all) and PostgreSQL keeps every version until the end: 797
            # rows were left in 18.8 MB, which each count of the public pages read whole
            # (2-3 ms a query where 0.8 ms is a compact table's). The imports and saves write
            # one commitment a transaction, and the dead versions are pruned as they go.
            cursor.execute("VACUUM FULL tracker_commitmenttally, tracker_dataversion")
        cursor.execute("ANALYZE")


@contextlib.contextmanager
def _without_gin_indexes(connection):
    """On PostgreSQL, drop the one-row search table's GIN indexes while its rows are written,
    and build them again after (in the caller's transaction): written row by row (they keep
    no pending list) the first 100x build had refreshed about 64,000 of 117,315 rows after
    some 15 minutes; built after, the whole refresh and the indexes took 573 s."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'tracker_commitment_search' AND indexdef LIKE '%%USING gin%%'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def main() -> None:
    factor = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    corpus = Path(
        sys.argv[2] if len(sys.argv) > 2 else ROOT.parent / "shared" / "corpus" / "commitments"
    )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tracker.core.models import Commitment, SearchDocument, TrackingLog

    call_command("migrate", verbosity=0)
    if Commitment.objects.exists():
        sys.exit(
            "The database already holds commitments: point SQLITE_PATH or DATABASE_URL"
            " at a new one."
        )
    started = time.perf_counter()
    call_command("import_commitments", str(corpus), stdout=open(os.devnull, "w"))  # noqa: SIM115
    imported = time.perf_counter() - started
    started = time.perf_counter()
    multiply(factor)
    copied = time.perf_counter() - started
    # The copies' one-row index entries were only marked stale by the triggers: fill them
    # as the services do (searches read the documents' index until then).
    from tracker.core.services.search_index import search_rows_refresh

    started = time.perf_counter()
    with transaction.atomic(), _without_gin_indexes(connection):
        rows = search_rows_refresh(every=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{factor}x corpus: {Commitment.objects.count():,} commitments, "
        f"{TrackingLog.objects.count():,} log entries, "
        f"{SearchDocument.objects.count():,} search documents "
        f"(imported in {imported:.0f} s, copied and indexed in {copied:.0f} s, "
        f"{rows:,} search rows refreshed in {time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
