from django.core.management.base import BaseCommand, CommandError

from tracker.core.services.commitment_export import ExportError, commitments_export


class Command(BaseCommand):
    help = (
        "Write every published commitment as a Markdown file under DIR (replacing DIR). "
        "A commitment that cannot be written is reported and left out; the exit status is "
        "then non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument(
            "--include-drafts", action="store_true", help="Also write unpublished drafts."
        )

    def handle(self, *args, directory, include_drafts, **options):
        try:
            report = commitments_export(directory=directory, include_drafts=include_drafts)
        except ExportError as error:
            raise CommandError(f"nothing was exported: {error}") from None
        except OSError as error:
            where = error.filename or directory
            raise CommandError(f"nothing was exported: {where}: {error.strerror}") from None
        for line in report.skipped:
            self.stderr.write(self.style.ERROR(f"not exported: {line}"))
        summary = f"{report.files} files written to {report.directory}"
        if not report.ok:
            raise CommandError(f"{summary}; {len(report.skipped)} commitments not exported")
        self.stdout.write(self.style.SUCCESS(summary))
