"""How the backup and restore commands call their service and report a failure."""

import time
from collections.abc import Callable

from django.core.management.base import CommandError

from tracker.core.services.backups import Backup, BackupError


def backup_service_run(service: Callable[..., Backup], failure: str, **arguments):
    """Call a backup service; return its result and the seconds it took, or stop in one line."""
    started = time.monotonic()
    try:
        result = service(**arguments)
    except (BackupError, OSError) as error:
        raise CommandError(f"{failure}: {error}") from None
    return result, time.monotonic() - started
