"""Sharing a commitment: the embeddable card other sites frame, and the share-card image."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from tracker.core.entries import entry_facts_by_pk
from tracker.core.models import Commitment, status_slug
from tracker.public import cards


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
        latest.outcome = entry_facts_by_pk([latest])[latest.pk].outcome
    return render(
        request,
        "tracker/embed.html",
        {"commitment": commitment, "latest": latest},
    )


def commitment_card(request, uid: str):
    """The share card (Open Graph / Twitter image) of one commitment, in the page's language."""
    commitment = get_object_or_404(
        Commitment.objects.published().only(
            "uid", "title", "status", "responsible_agency", "last_updated"
        ),
        uid=uid,
    )
    card = cards.CardText(
        site=str(settings.TRACKER_SITE_NAME),
        title=commitment.title,
        status=commitment.get_status_display(),
        status_slug=status_slug(commitment.status),
        agency=_("負責機關：%(agency)s") % {"agency": commitment.responsible_agency or _("未載明")},
        updated=_("最後更新：%(date)s") % {"date": commitment.last_updated.isoformat()},
    )
    return HttpResponse(cards.render_card(card), content_type="image/png")
