# The keys are filled in by 0006's data migration; the constraint comes in its own migration
# (its own transaction), since PostgreSQL cannot alter a table with pending trigger events.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0007_sync_backfill'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='trackinglog',
            constraint=models.UniqueConstraint(fields=('commitment', 'key'), name='tracking_log_unique_key'),
        ),
    ]
