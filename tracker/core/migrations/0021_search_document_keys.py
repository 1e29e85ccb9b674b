"""Search documents are keyed by owner and part (tracker.core.search.document_key).

A document's id becomes its owner's id << 2 | part, so the ids the index returns say
whose documents matched and where without reading the documents. The index (the FTS5
table and its triggers on SQLite, the GIN index on PostgreSQL) is dropped while the ids
change (SQLite rebuilds the table for the new key, losing its triggers), then created
again and filled from the re-keyed rows. Going back keeps the keys (they are valid ids).
"""

import importlib

from django.db import migrations, models
from django.db.models.expressions import CombinedExpression

_search = importlib.import_module("tracker.core.migrations.0003_public_search_corrections")

# Two steps through negative ids, so no row takes a key another still holds.
REKEY = [
    "UPDATE tracker_searchdocument SET id = -1 - ("
    "CASE WHEN commitment_id IS NOT NULL THEN commitment_id * 4 + part "
    "ELSE source_id * 4 + 2 END)",
    "UPDATE tracker_searchdocument SET id = -1 - id",
]


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The generated vector stays; only the GIN index is rebuilt after the new ids.
        schema_editor.execute("DROP INDEX IF EXISTS tracker_searchdocument_tsv")
    else:
        _search.drop_index(apps, schema_editor)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_search.POSTGRESQL_FORWARD[1])
        return
    _search.create_index(apps, schema_editor)
    if vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'tracker_searchdocument_fts'"
            )
            if cursor.fetchone():
                cursor.execute(
                    "INSERT INTO tracker_searchdocument_fts(tracker_searchdocument_fts) "
                    "VALUES ('rebuild')"
                )


def rekey(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # The foreign keys are checked at commit; ALTER TABLE refuses a table with checks
        # pending, so they run with each statement here.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in REKEY:
        schema_editor.execute(statement)
    if postgresql:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0020_list_updated_index"),
    ]

    operations = [
        migrations.RunPython(drop_index, create_index),
        migrations.RunPython(rekey, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="searchdocument",
            name="id",
            field=models.BigIntegerField(primary_key=True, serialize=False, verbose_name="ID"),
        ),
        migrations.AddConstraint(
            model_name="searchdocument",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("commitment__isnull", False),
                        (
                            "id",
                            CombinedExpression(
                                CombinedExpression(models.F("commitment_id"), "*", models.Value(4)),
                                "+",
                                models.F("part"),
                            ),
                        ),
                        models.Q(("part", 2), _negated=True),
                    ),
                    models.Q(
                        (
                            "id",
                            CombinedExpression(
                                CombinedExpression(models.F("source_id"), "*", models.Value(4)),
                                "+",
                                models.Value(2),
                            ),
                        ),
                        ("part", 2),
                        ("source__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="search_document_key",
            ),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
