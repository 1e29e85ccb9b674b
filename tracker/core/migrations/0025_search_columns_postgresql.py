"""PostgreSQL: one search row per published commitment, as SQLite has since 0024.

``tracker_commitment_search`` holds each published commitment's title, wording and agency,
its source's reply (copied) and timeline as tsvectors of the paired tokens
(``search.paired_vector``: 疫苗 苗採 採購 購 at their positions), each column with its own GIN
index. A two-character term is then one lexeme that GIN answers without reading a row
(the per-document vectors needed the documents' owners and a GROUP BY; at 100× the corpus
a search took 250–300 ms); a longer term is a phrase of pairs, checked on the few rows
holding all of them. Ranking is by column: title, then wording, then reply, then timeline.

As on SQLite, triggers only note which commitments' rows went stale
(``tracker_commitment_search_stale``), the search-index and publishing services refresh them
in their own transaction, and while any row is stale searches read the documents' vectors,
which stay exact. The rows are filled here by the same refresh, then indexed.
"""

from django.db import migrations

TABLE = "tracker_commitment_search"
STALE = "tracker_commitment_search_stale"
COLUMNS = ("title", "own", "reply", "timeline")


def _mark(ids: str) -> str:
    return (
        f"INSERT INTO {STALE}(commitment_id) SELECT id FROM ({ids}) owners "
        "WHERE id IS NOT NULL ON CONFLICT DO NOTHING;"
    )


def _document_owners(row: str) -> str:
    # A commitment's own part, or every commitment citing a source whose reply it is.
    return (
        f"SELECT {row}.commitment_id AS id UNION "
        f"SELECT id FROM tracker_commitment WHERE source_id = {row}.source_id"
    )


FORWARD = [
    f"CREATE TABLE {TABLE} (commitment_id integer PRIMARY KEY, "
    + ", ".join(f"{column} tsvector NOT NULL" for column in COLUMNS)
    + ")",
    # No statistics on the vectors: PostgreSQL's estimate of a pair's rows would make it
    # read a common pair (臺灣: 63,500 of 118,500 rows at 100× the corpus) by scanning the
    # table, checking every row's vectors and decompressing every reply (1 s), where its
    # bitmap scans read no vector for a pair (0.1 s). Without them it assumes a few rows
    # and always asks the GIN indexes; the search code does not rely on its estimates.
    f"ALTER TABLE {TABLE} "
    + ", ".join(f"ALTER COLUMN {column} SET STATISTICS 0" for column in COLUMNS),
    f"CREATE TABLE {STALE} (commitment_id integer PRIMARY KEY)",
    f"""
    CREATE FUNCTION {TABLE}_document_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN {_mark(_document_owners("OLD"))} END IF;
        IF TG_OP <> 'DELETE' THEN {_mark(_document_owners("NEW"))} END IF;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION {TABLE}_commitment_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN {_mark("SELECT OLD.id AS id")} END IF;
        IF TG_OP <> 'DELETE' THEN {_mark("SELECT NEW.id AS id")} END IF;
        RETURN NULL;
    END $$
    """,
    # TRUNCATE fires no row trigger (Django's flush truncates every model's table): the rows
    # and stale marks of commitments gone are dropped, and every published commitment's row
    # is stale.
    f"""
    CREATE FUNCTION {TABLE}_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {TABLE} WHERE commitment_id NOT IN (SELECT id FROM tracker_commitment);
        DELETE FROM {STALE} WHERE commitment_id NOT IN (SELECT id FROM tracker_commitment);
        {_mark("SELECT id FROM tracker_commitment WHERE is_published")}
        RETURN NULL;
    END $$
    """,
    *(
        f"CREATE TRIGGER {TABLE}_{name}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_truncated()"
        for name, table in (("document", "tracker_searchdocument"), ("commitment", "tracker_commitment"))
    ),
    f"CREATE TRIGGER {TABLE}_document_insert_delete AFTER INSERT OR DELETE "
    f"ON tracker_searchdocument FOR EACH ROW EXECUTE FUNCTION {TABLE}_document_mark()",
    f"CREATE TRIGGER {TABLE}_document_update AFTER UPDATE ON tracker_searchdocument "
    "FOR EACH ROW WHEN (OLD.tokens IS DISTINCT FROM NEW.tokens OR OLD.id <> NEW.id "
    "OR OLD.commitment_id IS DISTINCT FROM NEW.commitment_id "
    "OR OLD.source_id IS DISTINCT FROM NEW.source_id) "
    f"EXECUTE FUNCTION {TABLE}_document_mark()",
    f"CREATE TRIGGER {TABLE}_commitment_insert_delete AFTER INSERT OR DELETE "
    f"ON tracker_commitment FOR EACH ROW EXECUTE FUNCTION {TABLE}_commitment_mark()",
    f"CREATE TRIGGER {TABLE}_commitment_update AFTER UPDATE ON tracker_commitment "
    "FOR EACH ROW WHEN (OLD.is_published IS DISTINCT FROM NEW.is_published "
    "OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.id <> NEW.id) "
    f"EXECUTE FUNCTION {TABLE}_commitment_mark()",
    # Every published commitment stale: forward() then fills their rows.
    f"INSERT INTO {STALE}(commitment_id) SELECT id FROM tracker_commitment WHERE is_published",
]
# After the rows: an index built once is faster and smaller than one grown row by row. No
# pending list (fastupdate): a search would scan it whole until the next vacuum.
INDEXES = [
    f"CREATE INDEX {TABLE}_{column} ON {TABLE} USING gin ({column}) WITH (fastupdate = off)"
    for column in COLUMNS
]
BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_{name} ON {table}"
    for name, table in (
        ("document_truncate", "tracker_searchdocument"),
        ("commitment_truncate", "tracker_commitment"),
        ("document_insert_delete", "tracker_searchdocument"),
        ("document_update", "tracker_searchdocument"),
        ("commitment_insert_delete", "tracker_commitment"),
        ("commitment_update", "tracker_commitment"),
    )
] + [
    f"DROP FUNCTION IF EXISTS {TABLE}_truncated()",
    f"DROP FUNCTION IF EXISTS {TABLE}_document_mark()",
    f"DROP FUNCTION IF EXISTS {TABLE}_commitment_mark()",
    f"DROP TABLE IF EXISTS {STALE}",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)
    # The service reads the documents with raw SQL only (no model of today's code).
    from tracker.core.services.search_index import search_rows_refresh

    search_rows_refresh(every=True)
    for statement in INDEXES:
        schema_editor.execute(statement)
    schema_editor.execute(f"ANALYZE {TABLE}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0024_search_columns"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
