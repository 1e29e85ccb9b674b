"""The list of commitments (filters, search, sorting), one commitment, and old addresses."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.core import search
from tracker.core.entries import (
    JUDGEMENT_LABELS,
    TimelineEvent,
    entry_judgement_label,
    timeline_entry_keys,
    timeline_events,
)
from tracker.core.models import (
    Commitment,
    CommitmentAlias,
    Correction,
    DuplicateCopy,
    LatestEntry,
    TrackingLog,
)
from tracker.public.caching import commitment_tallies
from tracker.public.filters import DEFAULT_SORT, CommitmentFilter
from tracker.public.identity import entry_anchor, entry_lines
from tracker.public.pagination import IdsFirstPaginator, RankedSearchPaginator, page_or_error
from tracker.public.views.criteria import what_done_means
from tracker.public.views.questions import questions_with_anchors

PAGE_SIZE = 20
MORE_FILTERS = ["category", "agency", "term", "session", "target_year"]
RECENT_PAGE_SIZE = 50
# The detail page's timeline: ?order=oldest reads it oldest first (newest first otherwise);
# past this many events, every year but the first shown is folded.
ORDER_OLDEST = "oldest"
FOLD_AFTER_EVENTS = 12


@dataclass
class TimelineYear:
    year: int
    events: list[TimelineEvent]
    folded: bool

    @property
    def entry_count(self) -> int:
        return sum(event.entry_count for event in self.events)


def timeline_years(events: list[TimelineEvent], *, fold: bool) -> list[TimelineYear]:
    """Return the events (in the order shown) by year of logging; all but the first folded."""
    years: list[TimelineYear] = []
    for event in events:
        if not years or years[-1].year != event.year:
            years.append(TimelineYear(event.year, [], folded=fold and bool(years)))
        years[-1].events.append(event)
    return years


@dataclass
class SearchHit:
    """Where a result matched, beyond its title: a labelled, highlighted excerpt."""

    label: str
    excerpt: str
    # Who wrote the matched text, when software did (tracker.core.entries.JUDGEMENT_LABELS).
    judgement: str = ""


def _text_hit(commitment: Commitment, query: search.Query) -> SearchHit | None:
    # In the order search ranks them (search.relevance): wording, reply, then the timeline
    # (_timeline_hit). The title and the agency are highlighted where the row shows them.
    excerpt = search.snippet(commitment.wording, query)
    if excerpt:
        return SearchHit(str(_("承諾原文")), excerpt)
    source = commitment.source
    for text in (source.subject, source.reply_text):
        excerpt = search.snippet(text, query)
        if excerpt:
            return SearchHit(str(_("來源回覆")), excerpt)
    return None


def _timeline_hit(commitment: Commitment, query: search.Query) -> SearchHit | None:
    for entry in reversed(commitment.log_entries.all()):
        for text in (entry.summary, entry.reason, entry.text):
            excerpt = search.snippet(text, query)
            if excerpt:
                label = _("追蹤紀錄 %(date)s") % {"date": entry.entry_date.isoformat()}
                judgement = JUDGEMENT_LABELS.get(entry_judgement_label(entry), "")
                return SearchHit(str(label), excerpt, str(judgement))
    return None


def _set_hits(rows: list[Commitment], query: search.Query) -> None:
    """Give each listed result of a search the excerpt of its first match beyond the title;
    the timelines are read only for the rows whose wording and reply do not match (their
    texts were the page's largest read: reading all 20 put the 20 searches' p50 at 38.1 ms
    on SQLite at 100× the corpus, against 31.7 without)."""
    for row in rows:
        row.hit = _text_hit(row, query)
    unmatched = [row for row in rows if row.hit is None]
    if not unmatched:
        return
    prefetch_related_objects(
        unmatched,
        Prefetch(
            "log_entries",
            queryset=TrackingLog.objects.order_by("position").only(
                "commitment_id",
                "position",
                "entry_date",
                "summary",
                "reason",
                "text",
                "judgement",
                "created_by",
                "reviewed_at",
            ),
        ),
    )
    for row in unmatched:
        row.hit = _timeline_hit(row, query)


def filtered_commitments(request):
    """Return the list's filterset for a request (bound, so defaults apply)."""
    return CommitmentFilter(
        request.GET, queryset=Commitment.objects.published().for_list(), request=request
    )


def commitment_list(request):
    filterset = filtered_commitments(request)
    errors = [] if filterset.is_valid() else form_errors(filterset.form)
    query = filterset.query
    if query and not errors and filterset.ranks_by_relevance:
        # Matched, ranked and counted in one query; the page's rows with the texts its
        # excerpts need.
        commitments = filterset.without_search().defer(None).select_related("source")
        paginator = RankedSearchPaginator(commitments, PAGE_SIZE, query=query)
    else:
        commitments = filterset.qs if not errors else filterset.queryset.none()
        if query:
            # Excerpts need the texts the list otherwise leaves unread.
            commitments = commitments.defer(None).select_related("source")
        paginator = (Paginator if query else IdsFirstPaginator)(commitments, PAGE_SIZE)
    if not errors:
        # The whole list, or one filtered by status, category, agency or overdue alone: its
        # length is in the kept counts, read once per data version (no COUNT over the table).
        count = filterset.count_from(commitment_tallies(request))
        if count is not None:
            paginator.count = count
    page, page_error = page_or_error(
        paginator,
        request.GET.get("page"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if page_error:
        errors.append(page_error)
    rows = list(page.object_list)
    if not request.GET.get("sort"):
        # Show the order actually used: relevance for a search, latest update otherwise.
        data = filterset.form.data.copy()
        data["sort"] = "relevance" if query else DEFAULT_SORT
        filterset.form.data = data
    if query:
        _set_hits(rows, query)
    else:
        for row in rows:
            # Always set: the template asks every row, and a missing attribute costs the
            # template engine a dir() of the model instance.
            row.hit = None
    return render(
        request,
        "tracker/commitment_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "errors": errors,
            "feeds": [] if errors else list_feeds(filterset.form.cleaned_data),
            "query": query,
            "page": page,
            "rows": rows,
            "is_filtered": any(value for key, value in request.GET.items() if key != "page"),
            "more_filters": [filterset.form[name] for name in MORE_FILTERS],
            "more_filters_open": any(request.GET.get(name) for name in [*MORE_FILTERS, "overdue"]),
        },
        status=400 if errors else 200,
    )


def list_feeds(cleaned_data) -> list[tuple[str, str]]:
    """Return (title, address) of the feeds that follow a valid list's category and agency."""
    feeds = []
    if cleaned_data.get("category"):
        category = cleaned_data["category"]
        feeds.append(
            (
                _("訂閱「%(category)s」類的更新（Atom）") % {"category": category},
                reverse("public:category_feed", args=[category]),
            )
        )
    if cleaned_data.get("agency"):
        agency = cleaned_data["agency"]
        feeds.append(
            (
                _("訂閱「%(agency)s」的更新（Atom）") % {"agency": agency},
                reverse("public:agency_feed", args=[agency]),
            )
        )
    # The same list by e-mail (tracker.follow): a category, an agency or a search.
    for parameter in ("category", "agency", "q"):
        if value := str(cleaned_data.get(parameter) or "").strip():
            feeds.append(
                (
                    _("以電子郵件追蹤「%(value)s」") % {"value": value},
                    reverse("follow:new") + "?" + urlencode({parameter: value}),
                )
            )
    return feeds


def form_problems(form) -> list[tuple[str, str, str]]:
    """Return a filter form's errors as (parameter, its label, the problem)."""
    problems = []
    for name, field_errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else name
        problems.extend((name, label, str(error)) for error in field_errors)
    return problems


def form_errors(form) -> list[str]:
    """Return a filter form's errors as readers see them: the field's label and the problem."""
    return [f"{label}：{problem}" for _name, label, problem in form_problems(form)]


def commitment_detail(request, uid: str):
    published = Commitment.objects.published()
    commitment = published.with_timeline().with_page_parts().filter(uid=uid).first()
    if commitment is None:
        kept = CommitmentAlias.objects.published_uid(uid=uid)
        if kept is None:
            raise Http404(_("找不到這筆承諾"))
        return redirect("public:commitment_detail", uid=kept, permanent=True)
    siblings = (
        Commitment.objects.published()
        .filter(source_id=commitment.source_id)
        .exclude(pk=commitment.pk)
        .only("uid", "title", "status", "category")
        .order_by("title")
    )
    corrections = (
        Correction.objects.public().filter(commitment=commitment)
        if commitment.has_corrections
        else []
    )
    entries = list(commitment.log_entries.all())
    for entry, key in zip(entries, timeline_entry_keys(entries), strict=True):
        entry.anchor = entry_anchor(key)
    questions = (
        questions_with_anchors(commitment.agency_questions.all(), entries)
        if commitment.has_questions
        else []
    )
    done = what_done_means(commitment)
    oldest_first = request.GET.get("order") == ORDER_OLDEST
    events = timeline_events(entries)
    if not oldest_first:
        events.reverse()
    return render(
        request,
        "tracker/commitment_detail.html",
        {
            "commitment": commitment,
            "source": commitment.source,
            "questions": questions,
            "done": done,
            "entries": entries,
            "years": timeline_years(events, fold=len(events) > FOLD_AFTER_EVENTS),
            "oldest_first": oldest_first,
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
        uid = CommitmentAlias.objects.published_uid(file_path=file_path)
    if uid is None:
        raise Http404(_("找不到這個舊網址對應的承諾"))
    return redirect("public:commitment_detail", uid=uid, permanent=True)


def recent_changes(request):
    """List commitments by the date of their latest timeline entry, newest first."""
    # The order is kept by the database beside each commitment (LatestEntry, one index):
    # grouping every entry by commitment took 1.3 s at 100 times the corpus.
    dated = LatestEntry.objects.published().values_list("commitment_id", "entry_date")
    page, page_error = page_or_error(Paginator(dated, RECENT_PAGE_SIZE), request.GET.get("page"))
    pairs = list(page.object_list)
    by_pk = Commitment.objects.published().for_list().in_bulk([pk for pk, _day in pairs])
    rows = []
    for pk, day in pairs:
        if pk in by_pk:
            by_pk[pk].latest_entry = day
            rows.append(by_pk[pk])
    latest = {}
    if rows:
        # The newest entry of each listed commitment, in one query.
        newest = (
            TrackingLog.objects.filter(commitment__in=rows)
            .for_entry_lines()
            .order_by("commitment_id", "-entry_date", "-position")
        )
        for entry in newest:
            latest.setdefault(entry.commitment_id, entry)
        entry_lines(latest.values())
    groups: list[tuple] = []
    for row in rows:
        row.latest = latest.get(row.pk)
        if not groups or groups[-1][0] != row.latest_entry:
            groups.append((row.latest_entry, []))
        groups[-1][1].append(row)
    return render(
        request,
        "tracker/recent.html",
        {"page": page, "groups": groups, "errors": [page_error] if page_error else []},
        status=400 if page_error else 200,
    )
