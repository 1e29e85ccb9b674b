"""Conditional GET and rendered pages for the public site, keyed by the data version."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

from django.core.cache import caches
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.connection import ConnectionProxy
from django.utils.translation import get_language
from django.views.decorators.http import condition

from tracker.core.data_version import counts_tag, data_version_for, version_tag
from tracker.core.models import CommitmentTally, TallyRow, tally_totals

MAX_CACHED_BYTES = 512 * 1024
# Set per response by the layers around the view, never part of what is kept. A feed's or a
# sitemap's own Last-Modified (its newest item) is dropped too: the conditional layer sends
# the data version's time instead, the one it compares If-Modified-Since with.
_NOT_CACHED_HEADERS = {"set-cookie", "vary", "etag", "content-length", "last-modified"}
# Proxies, not the backends themselves: tests switch the backend (memory or Redis) per test.
page_cache = ConnectionProxy(caches, "pages")
aggregate_cache = ConnectionProxy(caches, "aggregates")
# After a save every worker misses at once. The first to miss takes a short claim on the key
# and renders; the others wait for its page (up to RENDER_WAIT_SECONDS, then render anyway,
# so a render that dies costs one wait, never an error). With a shared cache (Redis) this is
# once across every worker and host; with each worker's own memory, once per worker.
RENDER_CLAIM_SECONDS = 10
RENDER_WAIT_SECONDS = 2.0
RENDER_POLL_SECONDS = 0.005


def per_version(name: str, request, compute, *, tag=version_tag):
    """Return COMPUTE()'s result, computed once per data version and language for all pages.

    For counts over the whole table: kept in the aggregate cache (shared through Redis when
    configured), never stale because a save raises the version. TAG=counts_tag for what is
    computed from the tallies alone: kept until a count moves, not until the next save. A
    TAG of None keeps nothing (computed every time).
    """
    tagged = tag(request)
    if tagged is None:
        return compute()
    key = f"{name}:{tagged}:{get_language()}"
    value = aggregate_cache.get(key)
    if value is None:
        value = compute()
        aggregate_cache.set(key, value)
    return value


def tally_rows(request) -> list[TallyRow]:
    """Return the published commitments' kept tallies (CommitmentTallyQuerySet.kept_rows):
    what the overview's charts, the list's length and its menus are counted from.

    Read at most once per request, and only when one of those is not kept already
    (commitment_tallies, filters.filter_choices: kept per counts token); not kept
    themselves: pickling and unpickling some 800 rows cost 3.1 ms where reading them
    costs 3.4-4.0 ms (100× the corpus, either database).
    """
    rows = getattr(request, "_tally_rows", None)
    if rows is None:
        rows = CommitmentTally.objects.published().kept_rows(timezone.localdate())
        if request is not None:
            request._tally_rows = rows
    return rows


def commitment_tallies(request) -> list[dict]:
    """Return the published commitments' tallies by status, category and agency field
    (tally_totals of tally_rows), kept per day and counts token.

    The database keeps the counts as it writes (a few hundred rows to read, not the table),
    and draws a new counts token whenever one moves, so most saves leave these valid; what
    is overdue changes with the day, not only with saves.
    """
    return per_version(
        f"commitment-tallies:{timezone.localdate()}",
        request,
        lambda: tally_totals(tally_rows(request)),
        tag=counts_tag,
    )


def _etag(request, *args, **kwargs) -> str:
    # The day is part of it: pages count days (a question overdue for 40 days, the overdue
    # commitments) and must not be answered 304 or served from the cache the next day.
    return f"v{version_tag(request)}-{timezone.localdate().isoformat()}-{get_language()}"


def _last_modified(request, *args, **kwargs):
    # Not before today's start either: a page counting days changes at midnight without a
    # save, so a client sending only If-Modified-Since must not get yesterday's page as 304.
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return max(data_version_for(request).changed_at, today)


def _only(query: QueryDict, names: tuple[str, ...]) -> QueryDict:
    """Return the parameters of QUERY that are in NAMES, in the order of NAMES."""
    kept = QueryDict(mutable=True)
    for name in names:
        if name in query:
            kept.setlist(name, query.getlist(name))
    kept._mutable = False
    return kept


def _cached(view, query: tuple[str, ...]):
    """Serve a rendered page again while the data version stays the same.

    Each worker keeps its pages in memory, keyed by data version (with its time, so a number
    used again after a restore or a new database is a new key), language, path and the
    query parameters the view reads (QUERY): the view sees only those, so ``?n=1`` and
    ``?n=2`` are one page, not two. A save bumps the version, so a page is never served
    stale, and old keys age out of a cache bounded by bytes. The view's own headers (a
    download's Content-Disposition, a feed's Last-Modified, the sitemap's X-Robots-Tag)
    are kept with the body.
    """
    query = tuple(sorted(query))

    def wrapped(request, *args, **kwargs):
        request.GET = _only(request.GET, query)
        # Pages hold absolute links (canonical, feeds), so the host and scheme are keyed too.
        address = f"{request.scheme}://{request.get_host()}{request.path}?{request.GET.urlencode()}"
        # Hashed: a long search would make a key over the 250 characters caches accept.
        digest = hashlib.sha256(address.encode()).hexdigest()
        day = timezone.localdate().isoformat()
        key = f"page:{version_tag(request)}:{day}:{get_language()}:{digest}"
        hit = page_cache.get(key)
        claimed = hit is None and page_cache.add(f"{key}:rendering", 1, RENDER_CLAIM_SECONDS)
        if hit is None and not claimed:
            hit = _wait_for(key)
        if hit is not None:
            headers, content = hit
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        try:
            response = _render(view, request, key, *args, **kwargs)
        finally:
            if claimed:
                page_cache.delete(f"{key}:rendering")
        return response

    return wrapped


def _wait_for(key: str):
    """Return the page another worker is rendering under KEY, or None if it does not come."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL_SECONDS)
        hit = page_cache.get(key)
        if hit is not None:
            return hit
        if page_cache.get(f"{key}:rendering") is None:
            return None  # the renderer gave up (an error, or a page not kept): render here
    return None


def _render(view, request, key: str, *args, **kwargs):
    """Render the view and keep the page under KEY when it can be served again."""
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    del response["Last-Modified"]
    if (
        response.status_code == 200
        and "no-store" not in response.get("Cache-Control", "")
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


def public_page(view, *, query: tuple[str, ...] = ()):
    """Answer If-None-Match / If-Modified-Since with 304 while the data has not changed.

    QUERY names the query parameters the view reads; it never sees the others.
    """
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(
        _cached(view, query)
    )

    def wrapped(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        # Readers and proxies may keep a copy but must revalidate it on every visit; a
        # response the view marked no-store (the previous downloads while the current ones
        # are built) is kept nowhere, this cache included.
        if "no-store" in response.get("Cache-Control", ""):
            # Nothing to revalidate either: a later request must get the current build.
            del response["ETag"]
            del response["Last-Modified"]
        else:
            patch_cache_control(response, public=True, no_cache=True)
        return response

    wrapped.__name__ = getattr(view, "__name__", type(view).__name__)
    wrapped.__doc__ = view.__doc__
    return wrapped
