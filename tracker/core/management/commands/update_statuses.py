import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tracker.core.management.writing import refuse_if_read_only
from tracker.core.services import timeline
from tracker.core.services.status_rules import StatusRulesError, commitments_update_statuses


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: {value!r} is not a date written as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Apply the status rules: a passed target date makes a commitment 已延宕, six months "
        "without a timeline entry makes it 無更新, a 已延宕 whose target date has not passed "
        "(ISO or 民國) goes back to the status before it. Each change writes a 狀態變更 entry."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD", help="The date to apply the rules on (default: today)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would change; write nothing."
        )

    def handle(self, *args, today, dry_run, **options):
        if not dry_run:
            refuse_if_read_only()
        day = iso_date(today) if today else timeline.today()
        try:
            report = commitments_update_statuses(today=day, dry_run=dry_run)
        except StatusRulesError as error:
            raise CommandError(f"--today: {error}") from None
        prefix = "would change" if dry_run else "changed"
        for change in report.changes:
            self.stdout.write(
                f"{prefix}: {change.file_path}: {change.from_status} → {change.to_status} "
                f"({change.reason})"
            )
        for item in report.unparseable:
            self.stdout.write(self.style.WARNING(f"not understood: {item.file_path}: {item.why}"))
        for item in report.skipped:
            self.stdout.write(self.style.WARNING(f"skipped: {item.file_path}: {item.why}"))
        self.stdout.write(self.style.SUCCESS(report.summary()))
