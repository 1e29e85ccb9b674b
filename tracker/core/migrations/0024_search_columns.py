"""SQLite: one full-text row per published commitment, a column per part (tracker.core.search).

``tracker_commitment_search`` holds each published commitment's title, wording and agency,
its source's reply (copied: a reply is indexed once per commitment citing it) and timeline,
as the tokens of its search documents. A search then counts its matches with one FTS5 query
and ranks them with column filters, instead of turning 18,000 reply documents into their
commitments and grouping them (bench/RESULTS.md, issue 17, fifth session).

Triggers do not index: they note which commitments' rows went stale (a cheap row each), and
the search-index services re-index the stale rows at the end of their writes
(``search_index.search_rows_refresh``). While any row is stale, searches read the documents'
own index (``tracker_searchdocument_fts``), which triggers keep exact, so a write that does
not refresh only makes searches slower until the next refresh, never wrong.

The table stores its text (not contentless): a stale row is re-indexed by its rowid alone,
whatever it held. Its text is the documents' tokens with neighbouring characters paired
(``search.paired``: 疫苗 苗採 採購 購), so a two-character term is one token. PostgreSQL keeps
its per-document vectors.
"""

from django.db import migrations

TABLE = "tracker_commitment_search"
STALE = "tracker_commitment_search_stale"


def _mark(ids: str) -> str:
    """Return a statement noting the commitments selected by IDS as stale (each once)."""
    return (
        f"INSERT INTO {STALE}(commitment_id) SELECT id FROM ({ids}) "
        f"WHERE id IS NOT NULL AND id NOT IN (SELECT commitment_id FROM {STALE});"
    )


def _document_owners(row: str) -> str:
    # A commitment's own part, or every commitment citing a source whose reply it is.
    return (
        f"SELECT {row}.commitment_id AS id UNION "
        f"SELECT id FROM tracker_commitment WHERE source_id = {row}.source_id"
    )


FORWARD = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, own, reply, timeline, "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TABLE {STALE} (commitment_id integer NOT NULL PRIMARY KEY)",
    f"CREATE TRIGGER {TABLE}_document_insert AFTER INSERT ON tracker_searchdocument "
    f"BEGIN {_mark(_document_owners('new'))} END",
    f"CREATE TRIGGER {TABLE}_document_delete AFTER DELETE ON tracker_searchdocument "
    f"BEGIN {_mark(_document_owners('old'))} END",
    f"CREATE TRIGGER {TABLE}_document_update AFTER UPDATE ON tracker_searchdocument "
    "WHEN old.tokens IS NOT new.tokens OR old.id IS NOT new.id "
    "OR old.commitment_id IS NOT new.commitment_id OR old.source_id IS NOT new.source_id "
    f"BEGIN {_mark(_document_owners('old') + ' UNION ' + _document_owners('new'))} END",
    f"CREATE TRIGGER {TABLE}_commitment_insert AFTER INSERT ON tracker_commitment "
    f"BEGIN {_mark('SELECT new.id AS id')} END",
    f"CREATE TRIGGER {TABLE}_commitment_delete AFTER DELETE ON tracker_commitment "
    f"BEGIN {_mark('SELECT old.id AS id')} END",
    f"CREATE TRIGGER {TABLE}_commitment_update AFTER UPDATE ON tracker_commitment "
    "WHEN old.is_published IS NOT new.is_published OR old.source_id IS NOT new.source_id "
    "OR old.id IS NOT new.id "
    f"BEGIN {_mark('SELECT old.id AS id UNION SELECT new.id')} END",
    # Every published commitment stale: forward() then fills their rows.
    f"INSERT INTO {STALE}(commitment_id) SELECT id FROM tracker_commitment WHERE is_published",
]
BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {TABLE}_{name}"
        for name in (
            "document_insert",
            "document_delete",
            "document_update",
            "commitment_insert",
            "commitment_delete",
            "commitment_update",
        )
    ),
    f"DROP TABLE IF EXISTS {STALE}",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _has_fts5(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
            "'tracker_searchdocument_fts'"
        )
        return cursor.fetchone() is not None


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite" and _has_fts5(schema_editor.connection):
        for statement in FORWARD:
            schema_editor.execute(statement)
        # The service reads the documents with raw SQL only (no model of today's code).
        from tracker.core.services.search_index import search_rows_refresh

        search_rows_refresh(every=True)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0023_commitment_source_ids"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
