"""A set-aside copy's reason becomes a code the desk shows translated; the sync log's label.

Before, the reason was English words ("a.md kept: newer last_updated (…)"), shown as they were
inside the Chinese admin. The kept file is the commitment's own path, shown beside it.
"""

from django.db import migrations, models

REASONS = [
    ("newer", "保留的版本最後更新日期較新"),
    ("more_entries", "最後更新日期相同，保留的版本追蹤紀錄較多"),
    ("first_by_path", "最後更新日期與追蹤紀錄數都相同，保留路徑排序在前的檔案"),
]
# The words the import wrote, by code (the rule of services.commitment_import._why_kept).
WORDS = {
    "newer": "newer last_updated",
    "more_entries": "more log entries",
    "first_by_path": "same last_updated and log count; kept the first by path",
}


def code_of(words: str) -> str:
    for code, phrase in WORDS.items():
        if phrase in words:
            return code
    return "first_by_path"


def words_to_codes(apps, schema_editor):
    for name in ("DuplicateCopy", "HistoricalDuplicateCopy"):
        model = apps.get_model("tracker", name)
        for reason in model.objects.values_list("reason", flat=True).distinct():
            model.objects.filter(reason=reason).update(reason=code_of(reason))


def codes_to_words(apps, schema_editor):
    for name in ("DuplicateCopy", "HistoricalDuplicateCopy"):
        model = apps.get_model("tracker", name)
        for code, words in WORDS.items():
            model.objects.filter(reason=code).update(reason=words)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0011_completion_criteria"),
    ]

    operations = [
        migrations.RunPython(words_to_codes, codes_to_words),
        migrations.AlterField(
            model_name="duplicatecopy",
            name="reason",
            field=models.CharField(choices=REASONS, max_length=20, verbose_name="原因"),
        ),
        migrations.AlterField(
            model_name="historicalduplicatecopy",
            name="reason",
            field=models.CharField(choices=REASONS, max_length=20, verbose_name="原因"),
        ),
        migrations.AlterField(
            model_name="syncrun",
            name="log",
            field=models.TextField(blank=True, verbose_name="執行紀錄"),
        ),
    ]
