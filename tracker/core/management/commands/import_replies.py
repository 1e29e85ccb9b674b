from django.core.management.base import BaseCommand, CommandError

from tracker.core.management.writing import refuse_if_read_only
from tracker.core.services.reply_import import replies_import


class Command(BaseCommand):
    help = (
        "Import Legislative Yuan open-data reply rows (JSON lines): one reply per baseId, "
        "replies already known from commitments are enriched, malformed lines skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE.jsonl")

    def handle(self, *args, paths, **options):
        refuse_if_read_only()
        report = replies_import(paths=paths)
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {line}"))
        for line in report.errors:
            self.stderr.write(self.style.ERROR(f"error: {line}"))
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.summary()))
            return
        # The good lines are imported; a non-zero exit tells scripts some were not.
        raise CommandError(report.summary())
