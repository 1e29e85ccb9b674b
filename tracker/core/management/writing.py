"""What every command that writes to the database checks first."""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection


def refuse_if_read_only() -> None:
    """Stop a writing command in one line when the database may only be read."""
    if getattr(settings, "DATABASE_READ_ONLY", False):
        raise CommandError(
            f"the database {connection.settings_dict['NAME']} is read-only "
            "(file permissions or DJANGO_DATABASE_READ_ONLY); nothing was changed"
        )
