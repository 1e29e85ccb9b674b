from django.db import migrations, models

from tracker.core import tallies


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    # Count what is there, then keep counting: both in this migration's transaction.
    schema_editor.execute(tallies.backfill_sql())
    # As they were then: the counts token is migration 0026's.
    for statement in tallies.create_sql(vendor, counts_token=False):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in tallies.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0015_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommitmentTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.TextField(editable=False, unique=True)),
                ("status", models.CharField(max_length=10)),
                ("category", models.CharField(max_length=100)),
                ("responsible_agency", models.CharField(max_length=200, null=True)),
                ("target_date", models.DateField(null=True)),
                ("is_published", models.BooleanField()),
                ("term", models.CharField(max_length=10, null=True)),
                ("session_period", models.CharField(max_length=10, null=True)),
                ("number", models.IntegerField()),
            ],
            options={
                "verbose_name": "承諾計數",
                "verbose_name_plural": "承諾計數",
                "default_permissions": (),
            },
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["title", "id", "is_published"], name="commitment_title_order"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
