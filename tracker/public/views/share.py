"""Sharing a commitment: the embeddable card other sites frame, and the share-card image."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt

from tracker.core.entries import entry_facts_by_pk
from tracker.core.models import Commitment, Status


def embeddable(view):
    """Let other sites frame VIEW: the one place X-Frame-Options and frame-ancestors allow it.

    Applied outside the page cache, whose cached responses are new objects: the marks these
    decorators set must be put on the response that leaves the view.
    """
    return xframe_options_exempt(
        csp_replace({"frame-ancestors": settings.TRACKER_EMBED_FRAME_ANCESTORS})(view)
    )


def commitment_embed(request, uid: str):
    """A compact card of one commitment, for a newsroom's article (no script, no form)."""
    commitment = get_object_or_404(Commitment.objects.published().select_related("source"), uid=uid)
    latest = commitment.log_entries.select_related("created_by").order_by("-position").first()
    if latest is not None:
        status = entry_facts_by_pk([latest])[latest.pk].status_after
        latest.status_after_label = Status(status).label if status in Status.values else ""
    return render(
        request,
        "tracker/embed.html",
        {"commitment": commitment, "latest": latest},
    )
