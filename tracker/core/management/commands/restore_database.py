from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tracker.core.management.backup_commands import backup_service_run
from tracker.core.services.backups import database_restore


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup made by backup_database, while the "
        "site runs. What it replaces is backed up first (its file is named)."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", metavar="FILE", help="A file made by backup_database.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, backup, interactive, **options):
        if interactive:
            name = connection.settings_dict["NAME"]
            answer = input(f"Replace everything in the database {name} with {backup}? [yes/no] ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled: nothing was changed")
        safety, seconds = backup_service_run(database_restore, "nothing was restored", path=backup)
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {backup} in {seconds:.2f} s; the data it replaced is in {safety.path}"
            )
        )
