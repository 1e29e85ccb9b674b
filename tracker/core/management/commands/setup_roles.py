from django.core.management.base import BaseCommand

from tracker.core.management.writing import refuse_if_read_only
from tracker.core.services.roles import roles_setup


class Command(BaseCommand):
    help = "Create or update the groups 編輯 (editor) and 主編 (chief editor). Runs after migrate."

    def handle(self, *args, **options):
        refuse_if_read_only()
        for name, count in roles_setup().items():
            self.stdout.write(f"{name}: {count} permissions")
