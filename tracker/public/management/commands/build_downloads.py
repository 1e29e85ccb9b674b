from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.core.data_version import data_version_for, version_tag
from tracker.public.download_builds import build


def site_address(value: str) -> str:
    """Return VALUE as scheme://host[:port], the address requests build their links from."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CommandError(
            f"--site-url: {value!r} is not an http(s) address such as https://tracker.example.org"
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise CommandError(f"--site-url: {value!r} must be the site's root, with no path")
    return f"{parts.scheme}://{parts.netloc}"


class Command(BaseCommand):
    help = (
        "Build the downloads (the data package and the Markdown zip) of the current data for "
        "the site at --site-url, unless they are built: after the daily sync, a restore or a "
        "deploy, so that no reader is served an older build while it is made."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default=settings.TRACKER_SITE_URL,
            help="The site's public address, as readers reach it (default: TRACKER_SITE_URL).",
        )

    def handle(self, *args, site_url, **options):
        if not site_url:
            raise CommandError("--site-url: not given, and TRACKER_SITE_URL is not set")
        base_url = site_address(site_url)
        # One read of the version for both its tag and its time (as a request keeps it).
        reading = SimpleNamespace()
        tag = version_tag(reading)
        folder = build(base_url, tag, data_version_for(reading).changed_at)
        self.stdout.write(f"downloads of data version {tag} for {base_url}: {folder}")
