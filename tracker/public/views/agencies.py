"""The agencies: an index, and one page per agency (any spelling of it) with its record."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.core.agencies import ALIAS_GROUPS, agency_parts, canonical_agency, normalise
from tracker.core.models import AgencyQuestion, Commitment, CommitmentTally, Status, TrackingLog
from tracker.core.questions import question_stats
from tracker.public.filters import SORTS
from tracker.public.identity import entry_lines

RECENT_ENTRIES = 15
# The most overdue commitments an agency page lists; the rest are a link away, in the list
# filtered by agency and overdue, sorted the same way and paged (a big agency has thousands).
OVERDUE_SHOWN = 20


def agency_list(request):
    """List every agency named by a published commitment, aliases merged, most first."""
    counts = CommitmentTally.objects.published().counts_by_agency()
    rows = sorted(
        (
            {
                "name": name,
                "total": sum(by_status.values()),
                "cells": [(status, by_status.get(status, 0)) for status in Status],
            }
            for name, by_status in counts.items()
        ),
        key=lambda row: (-row["total"], row["name"]),
    )
    return render(request, "tracker/agency_list.html", {"rows": rows, "statuses": list(Status)})


def agency_detail(request, agency: str):
    """One agency: its commitments by status, the overdue ones, and the latest entries."""
    canonical = canonical_agency(agency)
    if canonical != agency:
        # Every spelling has one page, at the canonical name.
        return redirect("public:agency_detail", agency=canonical, permanent=True)
    published = Commitment.objects.published()
    spellings = published.agency_fields(canonical)
    commitments = published.filter(responsible_agency__in=spellings)
    # From the kept tallies (a few rows per spelling), not the agency's commitments.
    counts = (
        CommitmentTally.objects.published().filter(responsible_agency__in=spellings).status_counts()
    )
    total = sum(counts.values())
    if not total:
        raise Http404(_("沒有這個機關"))
    overdue_rows = commitments.overdue()
    overdue = list(
        overdue_rows.only(
            "uid", "title", "status", "target_date", "target_date_text", "responsible_agency"
        ).order_by(*SORTS["target"])[:OVERDUE_SHOWN]
    )
    overdue_total = len(overdue) if len(overdue) < OVERDUE_SHOWN else overdue_rows.count()
    recent = entry_lines(
        TrackingLog.objects.filter(commitment__in=commitments)
        .for_entry_lines()
        .order_by("-entry_date", "-position", "pk")[:RECENT_ENTRIES]
    )
    stats = question_stats(
        AgencyQuestion.objects.public()
        .for_agency(canonical)
        .only("sent_on", "deadline", "answered_on"),
        timezone.localdate(),
    )
    # The other spellings of this one agency (not the fields that also name others).
    aliases = sorted(
        {
            *ALIAS_GROUPS.get(canonical, ()),
            *(
                normalise(text)
                for spelling in spellings
                for text, named in agency_parts(spelling)
                if named == canonical
            ),
        }
        - {canonical}
    )
    return render(
        request,
        "tracker/agency_detail.html",
        {
            "agency": canonical,
            "aliases": aliases,
            "total": total,
            "counts": [(status, counts.get(status, 0)) for status in Status],
            "overdue": overdue,
            "overdue_total": overdue_total,
            "recent": recent,
            "stats": stats,
        },
    )
