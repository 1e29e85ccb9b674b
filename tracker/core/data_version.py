"""The data version: one row whose number goes up with every change to the published data.

Every save or delete of a tracker model bumps it in the same transaction (a signal); public
pages use it for their ETag, Last-Modified and cache keys (tracker.public.caching).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from pathlib import Path

import django
from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tracker.core.models import DataVersion, SearchDocument

SINGLETON = 1
# The table name is the model's own constant, not input.
_VERSION_SQL = (
    f"SELECT version, changed_at, counts_token FROM {DataVersion._meta.db_table} "  # noqa: S608
    "WHERE id = %s"
)
_BUMP_SQL = (
    f"UPDATE {DataVersion._meta.db_table} SET version = version + 1, changed_at = %s "  # noqa: S608
    "WHERE id = %s"
)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def data_version_bump() -> None:
    """Record that the published data changed (inside the caller's transaction).

    Raw SQL: every save of a tracker model calls this, and import saves thousands.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL, [now, SINGLETON])
        updated = cursor.rowcount
    if not updated:
        _, created = DataVersion.objects.get_or_create(
            pk=SINGLETON, defaults={"version": 1, "changed_at": timezone.now()}
        )
        if not created:  # another transaction created the row first: count this change too
            with connection.cursor() as cursor:
                cursor.execute(_BUMP_SQL, [now, SINGLETON])


def data_version_for(request=None) -> DataVersion:
    """Return the data version, read once per request (every time without one).

    A plain primary-key SELECT: this runs on every public request, including every 304,
    where building the query through the ORM would cost more than answering.
    """
    cached = getattr(request, "_tracker_data_version", None)  # None: no request at hand
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(_VERSION_SQL, [SINGLETON])
            row = cursor.fetchone()
        if row is None:
            # No row (a flushed database): no counts token either (counts_tag).
            cached = DataVersion(version=0, changed_at=_EPOCH, counts_token=None)
        else:
            changed_at = row[1]
            if isinstance(changed_at, str):  # SQLite hands back text for a raw query
                changed_at = parse_datetime(changed_at)
            if timezone.is_naive(changed_at):
                changed_at = timezone.make_aware(changed_at, dt.UTC)
            cached = DataVersion(version=row[0], changed_at=changed_at, counts_token=row[2])
        if request is not None:
            request._tracker_data_version = cached
    return cached


# What a page's bytes depend on besides the data: the code, templates, translations and
# static files of this checkout (and Django's own templates).
RELEASE_FOLDERS = ("config", "tracker", "locale")
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".mo", ".css", ".js", ".svg"}


# Computed once per process: an upgrade is only served by new workers (a reload), which
# compute it anew. TRACKER_RELEASE overrides it (a build can name itself).
@functools.cache
def release() -> str:
    """Return a short hash of the code and static files this process serves."""
    named = os.environ.get("TRACKER_RELEASE", "").strip()
    if named:
        return named
    digest = hashlib.sha256(django.get_version().encode())
    base = Path(settings.BASE_DIR)
    files = [
        path
        for folder in RELEASE_FOLDERS
        for path in (base / folder).rglob("*")
        if path.suffix in RELEASE_SUFFIXES and "__pycache__" not in path.parts
    ]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    for path in sorted(files) + ([manifest] if manifest.is_file() else []):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def version_tag(request=None) -> str:
    """Return the version, its time and the release, as cache keys and ETags use them."""
    # The time, because a restore rewinds the number (later changes reuse it) but never
    # with the same time; the release, because an upgrade changes the pages' bytes.
    version = data_version_for(request)
    return f"{version.version}.{int(version.changed_at.timestamp() * 1000)}.{release()}"


def counts_tag(request=None) -> str | None:
    """Return the counts token and the release, as keys of what is computed from the tallies
    alone use them: unchanged by a save that moves no count (tracker/core/tallies.py).

    None while the data version's row is missing (migration 0026 creates it; a flush removes
    it): the triggers then have no row to draw a token in, so nothing may be kept under one.
    """
    token = data_version_for(request).counts_token
    return None if token is None else f"{token}.{release()}"


def _bump_on_change(sender, instance=None, created=False, **kwargs) -> None:
    if created and not getattr(instance, "is_public", True):
        return  # a new record readers cannot see (a reader's pending correction)
    data_version_bump()


def connect_signals() -> None:
    """Bump the data version whenever a tracker model is saved or deleted."""
    from django.apps import apps

    for model in apps.get_app_config("tracker").get_models():
        # History rows and search documents are written with the record they follow, in the
        # same transaction: its bump is enough (rebuild_search_index bumps once itself).
        # Proxies send signals under their own class, so they are connected too.
        if model in (DataVersion, SearchDocument) or model.__name__.startswith("Historical"):
            continue
        uid = f"tracker-data-version-{model._meta.label_lower}"
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=uid + "-delete")
