import logging

from django.core.management.base import BaseCommand, CommandError

from tracker.core import quality
from tracker.core.services import timeline


class Command(BaseCommand):
    help = (
        "Report data-quality findings: duplicate ids, non-ISO target dates, agency aliases, "
        "near-duplicate categories, replies whose data disagree, log entries out of date "
        "order. Checks the database, or the given files and folders before an import. "
        "Exits non-zero when a finding needs an editor, unless --log asks for the log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", metavar="PATH", help="Commitment files or folders to check."
        )
        parser.add_argument(
            "--log",
            action="store_true",
            help="For timers and cron: write the findings to the log (logger "
            "tracker.check_data; those needing an editor as warnings) and exit 0.",
        )

    def handle(self, *args, paths, log, **options):
        if paths:
            records, duplicates, errors = quality.records_from_files(paths)
        else:
            (records, duplicates), errors = quality.records_from_database(), []
        for line in errors:
            self.stderr.write(self.style.ERROR(f"error: {line}"))
        found = quality.findings(records, duplicates, today=timeline.today())
        if log:
            self.log(records, found, errors)
            return
        by_check = {check: [f for f in found if f.check == check] for check in quality.CHECKS}
        for check, (title, _needs_editor) in quality.CHECKS.items():
            items = by_check[check]
            flagged = sum(1 for item in items if item.needs_editor)
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"{title} [{check}]: {len(items)}")
                + (f" ({flagged} need an editor)" if flagged else "")
            )
            for item in items:
                mark = "!" if item.needs_editor else "-"
                self.stdout.write(f"  {mark} {item.where}: {item.message}")
        needing = sum(1 for item in found if item.needs_editor) + len(errors)
        summary = (
            f"{len(records)} commitments checked: {len(found)} findings, {needing} need an editor"
        )
        if needing:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def log(self, records, found, errors) -> None:
        logger = logging.getLogger("tracker.check_data")
        for line in errors:
            logger.warning("error: %s", line)
        for item in found:
            level = logging.WARNING if item.needs_editor else logging.INFO
            logger.log(level, "[%s] %s: %s", item.check, item.where, item.message)
        needing = sum(1 for item in found if item.needs_editor) + len(errors)
        logger.log(
            logging.WARNING if needing else logging.INFO,
            "%d commitments checked: %d findings, %d need an editor",
            len(records),
            len(found),
            needing,
        )
