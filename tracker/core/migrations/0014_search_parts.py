import importlib

import django.db.models.deletion
from django.db import migrations, models

# The index (an FTS5 table and its triggers on SQLite, a generated tsvector on PostgreSQL)
# is dropped while the table changes (SQLite rebuilds the table, losing its triggers), then
# created again and filled: documents are now one per part, with variants folded.
_search = importlib.import_module("tracker.core.migrations.0003_public_search_corrections")


def fill_index(apps, schema_editor):
    from tracker.core.services.search_index import search_index_rebuild

    search_index_rebuild(
        commitment_model=apps.get_model("tracker", "Commitment"),
        source_model=apps.get_model("tracker", "Source"),
        document_model=apps.get_model("tracker", "SearchDocument"),
    )


def empty_index(apps, schema_editor):
    # Going back: one document per commitment again; rebuild_search_index refills it.
    apps.get_model("tracker", "SearchDocument").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0013_commitment_merge"),
    ]

    operations = [
        migrations.RunPython(empty_index, migrations.RunPython.noop),
        migrations.RunPython(_search.drop_index, _search.create_index),
        migrations.AlterField(
            model_name="searchdocument",
            name="commitment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="search_documents",
                to="tracker.commitment",
                verbose_name="承諾",
            ),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="part",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "標題"), (1, "承諾原文與負責機關"), (2, "來源回覆"), (3, "追蹤紀錄")],
                default=1,
                verbose_name="部分",
            ),
        ),
        migrations.AddConstraint(
            model_name="searchdocument",
            constraint=models.UniqueConstraint(
                fields=("commitment", "part"), name="search_document_one_per_part"
            ),
        ),
        migrations.RunPython(_search.create_index, _search.drop_index),
        migrations.RunPython(fill_index, empty_index),
    ]
