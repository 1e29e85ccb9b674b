from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tracker.follow.digest import digests_send
from tracker.follow.mail import site_url


class Command(BaseCommand):
    help = (
        "Mail each confirmed address due a digest (daily or weekly, as it chose) what changed "
        "in what it follows since its last one; first delete unconfirmed subscriptions older "
        "than FOLLOW_UNCONFIRMED_DAYS and addresses left following nothing."
    )

    def handle(self, *args, **options):
        try:
            site_url("/")
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        summary = digests_send()
        expired = summary.expired
        self.stdout.write(
            f"deleted {expired['subscriptions']} unconfirmed subscriptions, "
            f"{expired['addresses']} addresses following nothing and "
            f"{expired['confirmation_requests']} old rate-limit records; "
            f"{summary.due} addresses due: {summary.sent} digests sent "
            f"({summary.bytes} bytes), {summary.empty} with nothing new, "
            f"{summary.failed} failed, in {summary.seconds:.1f} s"
        )
        if summary.failed:
            # Their window was not moved on: the next run sends what they missed.
            self.stderr.write(f"{summary.failed} digests could not be sent")
