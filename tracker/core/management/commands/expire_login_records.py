from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Delete login records that have served their purpose: failed-login attempts past "
        "the lockout's cool-off, and login and failure logs older than --days. They hold "
        "usernames and client addresses, so they are not kept longer than needed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=30,
            help="Keep login and failure logs this many days (default 30).",
        )

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError(f"--days must be at least 1, got {days}")
        handler = AxesDatabaseHandler()
        # An attempt older than the cool-off locks nobody out any more (django-axes only
        # cleans them up when someone fails to log in).
        cool_off = get_cool_off()
        attempts = 0
        if cool_off is not None:
            expired = AccessAttempt.objects.filter(attempt_time__lte=timezone.now() - cool_off)
            _, deleted = expired.delete()
            attempts = deleted.get(AccessAttempt._meta.label, 0)
        logs = handler.reset_logs(age_days=days)
        failures = handler.reset_failure_logs(age_days=days)
        self.stdout.write(
            f"deleted {attempts} expired failed-login attempts, {logs} login logs and "
            f"{failures} failure logs older than {days} days"
        )
