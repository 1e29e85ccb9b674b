from django.core.management.base import BaseCommand, CommandError

from tracker.core.services.commitment_export import ExportError, commitments_export


class Command(BaseCommand):
    help = "Write every published commitment as a Markdown file under DIR (replacing DIR)."

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument(
            "--include-drafts", action="store_true", help="Also write unpublished drafts."
        )

    def handle(self, *args, directory, include_drafts, **options):
        try:
            report = commitments_export(directory=directory, include_drafts=include_drafts)
        except (ExportError, OSError) as error:
            raise CommandError(f"nothing was exported: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"{report.files} files written to {report.directory}"))
