from django.core.management.base import BaseCommand, CommandError

from tracker.core.services.commitment_import import ImportBusy, commitments_import_paths


class Command(BaseCommand):
    help = (
        "Sync upstream's commitment files (files or folders of .md files) into the database: "
        "upstream's changes are merged with the newsroom's work, never over it."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="merge every file as it would be, print what would happen, write nothing",
        )
        parser.add_argument(
            "--label",
            default="",
            help="what this snapshot is (upstream's git commit, a date), kept with the run",
        )

    def handle(self, *args, paths, verbosity, dry_run, label, **options):
        try:
            report = commitments_import_paths(paths=paths, dry_run=dry_run, label=label)
        except ImportBusy as error:
            raise CommandError(str(error)) from None
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {line}"))
        for line in report.duplicates:
            self.stdout.write(self.style.WARNING(f"duplicate: {line}"))
        if verbosity > 1 or dry_run:
            for line in report.changes:
                self.stdout.write(f"{'would: ' if dry_run else ''}{line}")
        if report.absent and verbosity > 1:
            for path in report.absent:
                self.stdout.write(f"absent from the snapshot (kept): {path}")
        for line in report.failed:
            self.stderr.write(self.style.ERROR(f"error: {line}"))
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.summary()))
            return
        raise CommandError(report.summary())
