"""Conditional GET for the public pages: ETag and Last-Modified from the data version."""

from __future__ import annotations

import datetime as dt

from django.core.cache import caches
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.views.decorators.http import condition

from tracker.models import DataVersion, SearchDocument

SINGLETON = 1
MAX_CACHED_BYTES = 512 * 1024
# The table name is the model's own constant, not input.
_VERSION_SQL = f"SELECT version, changed_at FROM {DataVersion._meta.db_table} WHERE id = %s"  # noqa: S608
_BUMP_SQL = (
    f"UPDATE {DataVersion._meta.db_table} SET version = version + 1, changed_at = %s "  # noqa: S608
    "WHERE id = %s"
)
# Set per response by the layers around the view, never part of what is kept.
_NOT_CACHED_HEADERS = {"set-cookie", "vary", "etag", "content-length"}
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
page_cache = caches["pages"]
aggregate_cache = caches["aggregates"]


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
            cached = DataVersion(version=0, changed_at=_EPOCH)
        else:
            changed_at = row[1]
            if isinstance(changed_at, str):  # SQLite hands back text for a raw query
                changed_at = parse_datetime(changed_at)
            if timezone.is_naive(changed_at):
                changed_at = timezone.make_aware(changed_at, dt.UTC)
            cached = DataVersion(version=row[0], changed_at=changed_at)
        if request is not None:
            request._tracker_data_version = cached
    return cached


def version_tag(request=None) -> str:
    """Return the version and its time: a database made anew cannot reuse an old tag."""
    version = data_version_for(request)
    return f"{version.version}.{int(version.changed_at.timestamp() * 1000)}"


def _etag(request, *args, **kwargs) -> str:
    return f"v{version_tag(request)}-{get_language()}"


def _last_modified(request, *args, **kwargs):
    return data_version_for(request).changed_at


def _cached(view):
    """Serve a rendered page again while the data version stays the same.

    Each worker keeps its pages in memory, keyed by data version (with its time, so a number
    used again after a restore or a new database is a new key), language and full URL: a
    save bumps the version, so a page is never served stale, and old keys age out. The
    view's own headers (a download's Content-Disposition, a feed's Last-Modified, the
    sitemap's X-Robots-Tag) are kept with the body.
    """

    def wrapped(request, *args, **kwargs):
        # Pages hold absolute links (canonical, feeds), so the host and scheme are keyed too.
        key = (
            f"page:{version_tag(request)}:{get_language()}:"
            f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        )
        hit = page_cache.get(key)
        if hit is not None:
            headers, content = hit
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and len(response.content) <= MAX_CACHED_BYTES
        ):
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in _NOT_CACHED_HEADERS
            ]
            page_cache.set(key, (headers, response.content))
        return response

    return wrapped


def public_page(view):
    """Answer If-None-Match / If-Modified-Since with 304 while the data has not changed."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(_cached(view))

    def wrapped(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        # Readers and proxies may keep a copy but must revalidate it on every visit.
        patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ["Accept-Language"])
        return response

    wrapped.__name__ = getattr(view, "__name__", type(view).__name__)
    wrapped.__doc__ = view.__doc__
    return wrapped


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
