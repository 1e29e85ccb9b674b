"""The data version's counts token, drawn anew by the tallies' triggers when a count moves.

What is computed from the tallies alone (the list's length and menus, the overview's charts)
is kept under it, so a save that moves no count leaves it valid (tracker/core/tallies.py).
"""

from django.db import migrations, models

import tracker.core.models
from tracker.core import tallies


def recreate_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in [*tallies.drop_sql(vendor), *tallies.create_sql(vendor)]:
        schema_editor.execute(statement)


def create_the_row(apps, schema_editor):
    """Make sure the data version's one row exists, so that the triggers always have a row
    to draw a token in: were it created by a first save while another transaction moved a
    count, that transaction's draw would find no row and its counts keep the new token."""
    from django.utils import timezone

    DataVersion = apps.get_model("tracker", "DataVersion")
    DataVersion.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"version": 0, "changed_at": timezone.now()}
    )


def restore_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in [*tallies.drop_sql(vendor), *tallies.create_sql(vendor, counts_token=False)]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0025_search_columns_postgresql"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataversion",
            name="counts_token",
            field=models.BigIntegerField(
                default=tracker.core.models.new_counts_token, editable=False
            ),
        ),
        migrations.RunPython(recreate_triggers, restore_triggers, elidable=False),
        migrations.RunPython(create_the_row, migrations.RunPython.noop, elidable=False),
    ]
