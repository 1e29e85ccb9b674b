import time

from django.core.management.base import BaseCommand, CommandError

from tracker.core.services.backups import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back up the whole database while the site runs: SQLite with its online backup API, "
        "PostgreSQL with pg_dump (custom format). The file is readable by its owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="Where to write it (default: TRACKER_BACKUP_DIR/tracker-<UTC time>.sqlite3 "
            "or .pgdump). An existing file is never overwritten.",
        )

    def handle(self, *args, output, **options):
        started = time.monotonic()
        try:
            backup = database_backup(path=output)
        except (BackupError, OSError) as error:
            raise CommandError(f"no backup was written: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"backed up to {backup.path} ({backup.size} bytes, "
                f"{time.monotonic() - started:.2f} s)"
            )
        )
