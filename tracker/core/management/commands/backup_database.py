from django.core.management.base import BaseCommand, CommandError

from tracker.core.management.backup_commands import backup_service_run
from tracker.core.services.backups import backups_prune, database_backup


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
        parser.add_argument(
            "--prune-days",
            type=int,
            metavar="DAYS",
            help="After a good backup, delete backups in TRACKER_BACKUP_DIR older than DAYS "
            "(the newest is always kept).",
        )

    def handle(self, *args, output, prune_days, **options):
        if prune_days is not None and prune_days < 1:
            raise CommandError(f"--prune-days must be at least 1, got {prune_days}")
        backup, seconds = backup_service_run(database_backup, "no backup was written", path=output)
        self.stdout.write(
            self.style.SUCCESS(f"backed up to {backup.path} ({backup.size} bytes, {seconds:.2f} s)")
        )
        if prune_days is not None:
            for path in backups_prune(keep_days=prune_days):
                self.stdout.write(f"deleted {path}")
