"""WSGI entry point: gunicorn config.wsgi."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def freeze_what_is_loaded() -> None:
    """Load the URLconf (and with it every view), then move everything loaded so far out of
    the garbage collector's reach for good.

    Django, the apps, their modules and the URLconf live as long as the worker, yet each full
    collection walked them all: a request that met one paused for 56-228 ms at 100 times the
    corpus, 9-19 ms once they were frozen (bench/RESULTS.md). gc.freeze() is the standard
    library's way to say so; nothing frozen is collected, so only what is loaded once goes.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - read to import the URLconf now
    gc.collect()
    gc.freeze()


freeze_what_is_loaded()
