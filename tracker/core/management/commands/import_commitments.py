from django.core.management.base import BaseCommand, CommandError

from tracker.core.management.writing import refuse_if_read_only
from tracker.core.services.commitment_import import commitments_import_paths


class Command(BaseCommand):
    help = "Import commitment Markdown files (files or folders of .md files)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, paths, verbosity, **options):
        refuse_if_read_only()
        report = commitments_import_paths(paths=paths)
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {line}"))
        for line in report.duplicates:
            self.stdout.write(self.style.WARNING(f"duplicate: {line}"))
        for line in report.failed:
            self.stderr.write(self.style.ERROR(f"error: {line}"))
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.summary()))
            return
        raise CommandError(report.summary())
