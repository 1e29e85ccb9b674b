from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.core.data_version import data_version_bump
from tracker.core.management.writing import refuse_if_read_only
from tracker.core.services.search_index import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the public search index from the commitments, sources and log entries."

    def handle(self, *args, **options):
        refuse_if_read_only()
        with transaction.atomic():
            commitments, sources = search_index_rebuild()
            data_version_bump()  # cached search pages must not outlive the old index
        self.stdout.write(
            self.style.SUCCESS(f"indexed {commitments} commitments and {sources} source replies")
        )
