"""The home page: how many commitments, by status, category and agency; the latest entries."""

from __future__ import annotations

from collections import defaultdict

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.core.agencies import split_agencies
from tracker.core.categories import canonical_category
from tracker.core.models import Status, TrackingLog
from tracker.public import charts
from tracker.public.caching import commitment_tallies
from tracker.public.identity import entry_lines

TOP_AGENCIES = 15
LATEST_ENTRIES = 10


def _rows_by(counts: dict[str, dict[str, int]], parameter: str, limit: int | None = None):
    ordered = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    if limit:
        ordered = ordered[:limit]
    return [(name, dict(by_status), {parameter: name}) for name, by_status in ordered]


def overview(request):
    by_status: dict[str, int] = defaultdict(int)
    by_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_agency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unassigned = overdue = 0
    # One index-only query (CommitmentQuerySet.tallies) instead of one scan per chart.
    for row in commitment_tallies(request):
        status, n = row["status"], row["n"]
        by_status[status] += n
        by_category[canonical_category(row["category"])][status] += n
        overdue += row["overdue"]
        agencies = split_agencies(row["responsible_agency"])
        if not agencies:
            unassigned += n
        for agency in agencies:
            by_agency[agency][status] += n
    by_status = dict(by_status)
    total = sum(by_status.values())
    list_url = reverse("public:commitment_list")

    status_chart = charts.stacked_bars(
        _("各狀態承諾數"), [(_("全部承諾"), by_status, {})], list_url
    )
    category_rows = _rows_by(by_category, "category")
    agency_rows = _rows_by(by_agency, "agency", TOP_AGENCIES)
    latest = entry_lines(
        TrackingLog.objects.of_published()
        .for_entry_lines()
        .order_by("-entry_date", "-pk")[:LATEST_ENTRIES]
    )
    return render(
        request,
        "tracker/overview.html",
        {
            "total": total,
            "overdue": overdue,
            "statuses": [
                (status, by_status.get(status.value, 0)) for status in charts.STATUS_ORDER
            ],
            "status_chart": status_chart,
            "category_chart": charts.stacked_bars(_("各類別承諾數"), category_rows, list_url),
            "agency_chart": charts.stacked_bars(
                _("承諾最多的 %(n)d 個機關") % {"n": TOP_AGENCIES}, agency_rows, list_url
            ),
            "agency_total": len(by_agency),
            "unassigned": unassigned,
            "status_order": charts.STATUS_ORDER,
            "latest": latest,
            "Status": Status,
        },
    )
