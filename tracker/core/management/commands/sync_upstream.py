from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.core.services import timeline
from tracker.core.services.commitment_import import ImportBusy, commitments_import_paths
from tracker.core.services.status_rules import commitments_update_statuses
from tracker.core.services.upstream import UpstreamError, upstream_update


class Command(BaseCommand):
    help = (
        "The daily job: pull upstream's repository (a local git clone), sync its commitment "
        "files into the database (merging, never overwriting the newsroom's work), then "
        "apply the date rules. Exits non-zero when git fails or a file could not be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repo",
            default=settings.TRACKER_UPSTREAM_REPO,
            help="the clone of upstream's repository (default: TRACKER_UPSTREAM_REPO)",
        )
        parser.add_argument(
            "--folder",
            default="commitments",
            help="the folder of commitment files inside the clone (default: commitments)",
        )
        parser.add_argument("--no-pull", action="store_true", help="sync the clone as it is")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print what the sync and the date rules would change; write nothing",
        )

    def handle(self, *args, repo, folder, no_pull, dry_run, verbosity, **options):
        if not repo:
            raise CommandError(
                "--repo: give the clone of upstream's repository (or set TRACKER_UPSTREAM_REPO)"
            )
        try:
            state = upstream_update(repo=repo, pull=not no_pull and not dry_run)
        except UpstreamError as error:
            raise CommandError(str(error)) from None
        files = Path(repo) / folder
        if not files.is_dir():
            raise CommandError(f"{files}: no such folder in the clone (see --folder)")
        self.stdout.write(f"upstream at {state.label}")
        try:
            report = commitments_import_paths(paths=[files], dry_run=dry_run, label=state.label)
        except ImportBusy as error:
            raise CommandError(str(error)) from None
        for line in report.changes if (verbosity > 1 or dry_run) else ():
            self.stdout.write(f"{'would: ' if dry_run else ''}{line}")
        for line in report.failed:
            self.stderr.write(self.style.ERROR(f"error: {line}"))
        self.stdout.write(report.summary())
        statuses = commitments_update_statuses(today=timeline.today(), dry_run=dry_run)
        for change in statuses.changes if (verbosity > 1 or dry_run) else ():
            self.stdout.write(
                f"{'would change' if dry_run else 'changed'}: {change.file_path}: "
                f"{change.from_status} → {change.to_status} ({change.reason})"
            )
        self.stdout.write(f"date rules: {statuses.summary()}")
        if not report.ok:
            raise CommandError(f"{len(report.failed)} files could not be imported (see above)")
