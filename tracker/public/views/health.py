"""The health check for load balancers and monitoring: cheap, never cached, no secrets."""

from __future__ import annotations

import functools
import logging
import secrets

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


# Read from disk once per process: the code, and so this answer, only changes when the
# workers are replaced (a reload starts new ones).
@functools.cache
def _latest_migrations() -> frozenset[tuple[str, str]]:
    """Return the newest migration of each app in the code this process runs."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _database_and_migrations() -> tuple[str, str]:
    try:
        connection.ensure_connection()
    except DatabaseError:
        logger.exception("healthz: the database did not answer")
        return "unreachable", "unknown"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:  # a database never migrated has no such table
        logger.exception("healthz: cannot read the applied migrations")
        return "ok", "pending"
    return "ok", "ok" if _latest_migrations() <= applied else "pending"


def _caches() -> str:
    token = secrets.token_hex(8)
    for alias in settings.CACHES:
        cache = caches[alias]
        if isinstance(cache, DummyCache):
            continue
        try:
            cache.set("healthz", token, 10)
            answered = cache.get("healthz")
        except Exception:  # any client library's error means the same: unreachable
            logger.exception("healthz: the %r cache did not answer", alias)
            return "unreachable"
        if answered != token:
            return "unreachable"
    return "ok"


def _static_manifest() -> str:
    # Without collectstatic's manifest every page that links a stylesheet answers 500.
    manifest_storage = getattr(staticfiles_storage, "manifest_storage", None)
    if manifest_storage is None:
        return "ok"
    return "ok" if manifest_storage.exists(staticfiles_storage.manifest_name) else "missing"


@never_cache
@require_GET
def healthz(request):
    """Say whether this worker can serve: database, migrations, caches, static manifest."""
    database, migrations = _database_and_migrations()
    checks = {
        "database": database,
        "migrations": migrations,
        "cache": _caches(),
        "static": _static_manifest(),
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
