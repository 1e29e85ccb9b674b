from django.core.management.base import BaseCommand

from tracker.services.search_index import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the public search index from the commitments, sources and log entries."

    def handle(self, *args, **options):
        commitments, sources = search_index_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"indexed {commitments} commitments and {sources} source replies")
        )
