"""The list of commitments (filters, search, sorting), one commitment, and old addresses."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from tracker.core import search
from tracker.core.models import Commitment, Correction, DuplicateCopy, TrackingLog
from tracker.public.filters import DEFAULT_SORT, CommitmentFilter
from tracker.public.pagination import IdsFirstPaginator

PAGE_SIZE = 20
MORE_FILTERS = ["category", "agency", "term", "session", "target_year"]
RECENT_PAGE_SIZE = 50


@dataclass
class SearchHit:
    """Where a result matched, beyond its title: a labelled, highlighted excerpt."""

    label: str
    excerpt: str


def _first_hit(commitment: Commitment, query: search.Query) -> SearchHit | None:
    excerpt = search.snippet(commitment.wording, query)
    if excerpt:
        return SearchHit(str(_("承諾原文")), excerpt)
    for entry in reversed(commitment.log_entries.all()):
        for text in (entry.summary, entry.reason, entry.text):
            excerpt = search.snippet(text, query)
            if excerpt:
                label = _("追蹤紀錄 %(date)s") % {"date": entry.entry_date.isoformat()}
                return SearchHit(str(label), excerpt)
    source = commitment.source
    for text in (source.subject, source.reply_text):
        excerpt = search.snippet(text, query)
        if excerpt:
            return SearchHit(str(_("來源回覆")), excerpt)
    return None


def filtered_commitments(request):
    """Return the list's filterset for a request (bound, so defaults apply)."""
    return CommitmentFilter(
        request.GET, queryset=Commitment.objects.published().for_list(), request=request
    )


def commitment_list(request):
    filterset = filtered_commitments(request)
    errors = [] if filterset.is_valid() else _form_errors(filterset.form)
    query = filterset.query
    commitments = filterset.qs if not errors else filterset.queryset.none()
    if query:
        # Excerpts need the texts the list otherwise leaves unread.
        commitments = commitments.defer(None).select_related("source")
    paginator_class = Paginator if query else IdsFirstPaginator
    page = paginator_class(commitments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if not request.GET.get("sort"):
        # Show the order actually used: relevance for a search, latest update otherwise.
        data = request.GET.copy()
        data["sort"] = "relevance" if query else DEFAULT_SORT
        filterset.form.data = data
    if query:
        prefetch_related_objects(
            rows,
            Prefetch(
                "log_entries",
                queryset=TrackingLog.objects.order_by("position").only(
                    "commitment_id", "position", "entry_date", "summary", "reason", "text"
                ),
            ),
        )
        for row in rows:
            row.hit = _first_hit(row, query)
    return render(
        request,
        "tracker/commitment_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "errors": errors,
            "query": query,
            "page": page,
            "rows": rows,
            "is_filtered": any(value for key, value in request.GET.items() if key != "page"),
            "more_filters": [filterset.form[name] for name in MORE_FILTERS],
            "more_filters_open": any(request.GET.get(name) for name in [*MORE_FILTERS, "overdue"]),
        },
        status=400 if errors else 200,
    )


def _form_errors(form) -> list[str]:
    messages = []
    for name, field_errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        for error in field_errors:
            messages.append(f"{label}：{error}")
    return messages


def commitment_detail(request, uid: str):
    commitment = get_object_or_404(Commitment.objects.published().with_timeline(), uid=uid)
    siblings = (
        Commitment.objects.published()
        .filter(source_id=commitment.source_id)
        .exclude(pk=commitment.pk)
        .only("uid", "title", "status", "category")
        .order_by("title")
    )
    corrections = Correction.objects.public().filter(commitment=commitment)
    entries = list(commitment.log_entries.all())
    return render(
        request,
        "tracker/commitment_detail.html",
        {
            "commitment": commitment,
            "source": commitment.source,
            "entries": entries,
            "siblings": list(siblings),
            "corrections": list(corrections),
        },
    )


def commitment_legacy_redirect(request, folder: str, name: str):
    """Send an old address (<folder>/<name>, as the upstream site had) to the commitment."""
    for suffix in (".md", ".html", ".htm"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    file_path = f"{folder}/{name}.md"
    published = Commitment.objects.published()
    uid = published.filter(file_path=file_path).values_list("uid", flat=True).first()
    if uid is None:
        uid = (
            DuplicateCopy.objects.filter(file_path=file_path, commitment__in=published)
            .values_list("commitment__uid", flat=True)
            .first()
        )
    if uid is None:
        raise Http404(_("找不到這個舊網址對應的承諾"))
    return redirect("public:commitment_detail", uid=uid, permanent=True)


def recent_changes(request):
    """List commitments by the date of their latest timeline entry, newest first."""
    commitments = (
        Commitment.objects.published()
        .for_list()
        .annotate(latest_entry=Max("log_entries__entry_date"))
        .filter(latest_entry__isnull=False)
        .order_by("-latest_entry", "-last_updated", "pk")
    )
    page = Paginator(commitments, RECENT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    latest = {}
    if rows:
        # The newest entry of each listed commitment, in one query.
        newest = (
            TrackingLog.objects.filter(commitment__in=rows)
            .order_by("commitment_id", "-entry_date", "-position")
            .only("commitment_id", "entry_date", "kind", "shape", "to_status", "summary", "reason")
        )
        for entry in newest:
            latest.setdefault(entry.commitment_id, entry)
    groups: list[tuple] = []
    for row in rows:
        row.latest = latest.get(row.pk)
        if not groups or groups[-1][0] != row.latest_entry:
            groups.append((row.latest_entry, []))
        groups[-1][1].append(row)
    return render(request, "tracker/recent.html", {"page": page, "groups": groups})
