"""Conditional GET for the public pages: ETag and Last-Modified from the data version."""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from tracker.models import DataVersion

SINGLETON = 1


def data_version_bump() -> None:
    """Record that the published data changed (inside the caller's transaction)."""
    now = timezone.now()
    updated = DataVersion.objects.filter(pk=SINGLETON).update(
        version=F("version") + 1, changed_at=now
    )
    if not updated:
        DataVersion.objects.get_or_create(pk=SINGLETON, defaults={"version": 1, "changed_at": now})


def data_version_for(request) -> DataVersion:
    """Return the data version, read once per request."""
    cached = getattr(request, "_tracker_data_version", None)
    if cached is None:
        cached = DataVersion.objects.filter(pk=SINGLETON).first() or DataVersion(
            version=0, changed_at=timezone.now()
        )
        request._tracker_data_version = cached
    return cached


def _etag(request, *args, **kwargs) -> str:
    return f"v{data_version_for(request).version}-{get_language()}"


def _last_modified(request, *args, **kwargs):
    return data_version_for(request).changed_at


def public_page(view):
    """Answer If-None-Match / If-Modified-Since with 304 while the data has not changed."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

    def wrapped(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        # Readers and proxies may keep a copy but must revalidate it on every visit.
        patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ["Accept-Language"])
        return response

    wrapped.__name__ = getattr(view, "__name__", type(view).__name__)
    wrapped.__doc__ = view.__doc__
    return wrapped


def _bump_on_change(sender, **kwargs) -> None:
    data_version_bump()


def connect_signals() -> None:
    """Bump the data version whenever a tracker model is saved or deleted."""
    from django.apps import apps

    for model in apps.get_app_config("tracker").get_models():
        # History rows and proxies are saved with the model they follow: one bump is enough.
        if model is DataVersion or model._meta.proxy or model.__name__.startswith("Historical"):
            continue
        uid = f"tracker-data-version-{model._meta.label_lower}"
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=uid + "-delete")
