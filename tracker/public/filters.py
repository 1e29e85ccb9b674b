"""The public list's filters: every state of the list is a query string."""

from __future__ import annotations

from collections import Counter

import django_filters
from django import forms
from django.db.models import F
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.core import search
from tracker.core.agencies import canonical_agency, split_agencies
from tracker.core.categories import canonical_category, category_members, grouped_counts
from tracker.core.models import Commitment, Status, TallyRow

NO_TARGET = "none"

SORTS = {
    "-updated": (F("last_updated").desc(), "title", "pk"),
    "updated": (F("last_updated").asc(), "title", "pk"),
    "target": (F("target_date").asc(nulls_last=True), "title", "pk"),
    "-target": (F("target_date").desc(nulls_last=True), "title", "pk"),
    "title": ("title", "pk"),
}
SORT_CHOICES = [
    ("relevance", _("相關程度（搜尋時）")),
    ("-updated", _("最近更新")),
    ("updated", _("最早更新")),
    ("target", _("目標日期：由近到遠")),
    ("-target", _("目標日期：由遠到近")),
    ("title", _("標題")),
]
DEFAULT_SORT = "-updated"


class KeptChoices(BaseChoiceIterator):
    """A menu's choices, read once per counts token and shared, never copied.

    Django normalises a plain list of choices on every pass and deep-copies it with each
    form (the list page's menus hold about 200: some 800 copies per request); a choice
    iterator is taken as it is, and this one is immutable, so every copy is itself.
    """

    def __init__(self, choices):
        self.choices = tuple(choices)

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __deepcopy__(self, memo):
        return self


def session_label(value: str) -> str:
    return _("第 %(number)s 會期") % {"number": value.lstrip("0") or value}


def term_label(value: str) -> str:
    return _("第 %(number)s 屆") % {"number": value.lstrip("0") or value}


def counted_choices(counts: dict[str, int]) -> list[tuple[str, str]]:
    """Return a menu's choices, the commonest first: each name with its number of
    commitments, punctuated for the language (the pattern translated once per menu)."""
    pattern = gettext("%(name)s（%(count)d）")
    return [
        (name, pattern % {"name": name, "count": count})
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def filter_choices(request=None) -> dict[str, list]:
    """Return the filter menus' choices: only values published commitments have, with counts.

    Counted from the tallies the database keeps (CommitmentTally: a few hundred rows, not the
    table); the menus are the same for every list address, so they are kept per counts token
    and language too (never stale: a count that moves draws a new token).
    """
    from tracker.public.caching import commitment_tallies, counts_tag, per_version, tally_rows

    return per_version(
        "filter-choices",
        request,
        lambda: _count_choices(tally_rows(request), commitment_tallies(request)),
        tag=counts_tag,
    )


def _count_choices(rows: list[TallyRow], tallies: list[dict]) -> dict[str, list]:
    # ROWS: the published commitments' kept tallies (CommitmentTallyQuerySet.kept_rows), a few
    # hundred; TALLIES: their totals, which the overview and the list's length share.
    # Categories (a group counted as one) and agencies from the totals.
    category_counts: Counter = Counter()
    fields: Counter = Counter()  # an agency field names one agency or several
    for row in tallies:
        category_counts[row["category"]] += row["n"]
        fields[row["responsible_agency"]] += row["n"]
    agencies: Counter = Counter()
    for field, count in fields.items():
        for agency in split_agencies(field):
            agencies[agency] += count
    categories = grouped_counts(category_counts.items())
    terms, sessions, years = set(), set(), set()
    for row in rows:
        terms.add(row.term)
        sessions.add(row.session_period)
        years.add(row.target_date.year if row.target_date is not None else None)
    terms = sorted(terms - {None}, key=_numeric)
    sessions = sorted(sessions - {None}, key=_numeric)
    years = sorted(years - {None})
    return {
        "category": counted_choices(categories),
        "agency": counted_choices(agencies),
        "term": [(term, term_label(term)) for term in terms],
        "session": [(session, session_label(session)) for session in sessions],
        "target_year": [(str(year), str(year)) for year in years]
        + [(NO_TARGET, str(_("未定目標日期")))],
    }


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜尋"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("例如：疫苗、電網")}),
        max_length=search.MAX_QUERY_CHARS,
    )
    # A column of the commitment itself: no join, so no duplicate rows to remove. Its default
    # DISTINCT made every status-filtered list group its rows (at 100× the corpus, a search
    # with a status grouped 44,000 rows in each of its three statements: 26–37 ms each).
    status = django_filters.MultipleChoiceFilter(
        label=_("狀態"),
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    category = django_filters.ChoiceFilter(
        label=_("類別"), method="filter_category", empty_label=_("全部類別")
    )
    agency = django_filters.ChoiceFilter(
        label=_("負責機關"), method="filter_agency", empty_label=_("全部機關")
    )
    term = django_filters.ChoiceFilter(
        label=_("屆別"), field_name="source__term", empty_label=_("全部屆別")
    )
    session = django_filters.ChoiceFilter(
        label=_("會期"), field_name="source__session_period", empty_label=_("全部會期")
    )
    target_year = django_filters.ChoiceFilter(
        label=_("目標年度"), method="filter_target_year", empty_label=_("全部年度")
    )
    overdue = django_filters.BooleanFilter(
        label=_("只看逾期：目標日期已過且未達成"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"), choices=SORT_CHOICES, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Commitment
        fields = ["q", "status", "category", "agency", "term", "session", "target_year"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and (data.get("category") or data.get("agency")):
            data = data.copy()
            if data.get("category"):
                # Any name of a category group selects the group (文化 reads as 文化政策).
                data["category"] = canonical_category(data["category"])
            if data.get("agency"):
                # Any spelling of an agency (?agency=衛福部) selects its group, shown by its name.
                data["agency"] = canonical_agency(data["agency"])
        super().__init__(data, *args, **kwargs)
        for name, choices in filter_choices(self.request).items():
            self.filters[name].extra["choices"] = KeptChoices(choices)

    # The filters whose selection the kept tallies can count (status, category, agency
    # field, overdue); any other one (a search, a term, a target year) is counted by the
    # database.
    COUNTED_FROM_TALLIES = ("status", "category", "agency", "overdue", "sort")

    def count_from(self, tallies: list[dict]) -> int | None:
        """Return how many commitments the valid filters select, counted from TALLIES
        (CommitmentTallyQuerySet.tallies), or None when a filter the tallies do not hold
        (a search, a term or session, a target year) is in use."""
        cleaned = self.form.cleaned_data
        if any(value for name, value in cleaned.items() if name not in self.COUNTED_FROM_TALLIES):
            return None
        statuses = set(cleaned.get("status") or ())
        categories = set(category_members(cleaned["category"])) if cleaned.get("category") else None
        agencies = set(self.agency_fields(cleaned["agency"])) if cleaned.get("agency") else None
        column = "overdue" if cleaned.get("overdue") else "n"
        return sum(
            row[column]
            for row in tallies
            if (not statuses or row["status"] in statuses)
            and (categories is None or row["category"] in categories)
            and (agencies is None or row["responsible_agency"] in agencies)
        )

    @property
    def query(self) -> search.Query:
        if self.is_bound and self.is_valid():
            return search.parse_query(self.form.cleaned_data.get("q"))
        return search.parse_query("")

    @property
    def ranks_by_relevance(self) -> bool:
        """Whether the valid list is a search shown in relevance order (the default sort)."""
        cleaned = self.form.cleaned_data
        return (cleaned.get("sort") or "relevance") == "relevance" and bool(self.query)

    def without_search(self):
        """Return the queryset with every valid filter but the search, unordered.

        For a search in relevance order the list pages with RankedSearchPaginator, which
        matches and ranks in one query; ``qs`` stays the same list as one queryset.
        """
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != "q":
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort") or "relevance"
        query = search.parse_query(self.form.cleaned_data.get("q"))
        if sort == "relevance" and query:
            # Title matches first, then the wording, the reply, the timeline.
            return queryset.alias(relevance=search.relevance(query)).order_by(
                "relevance", *SORTS[DEFAULT_SORT]
            )
        return queryset.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))

    def filter_search(self, queryset, name, value):
        return queryset.search(search.parse_query(value))

    def filter_category(self, queryset, name, value):
        return queryset.for_category(value)

    def filter_agency(self, queryset, name, value):
        return queryset.for_agency(value, fields=self.agency_fields(value))

    def agency_fields(self, name: str) -> list[str]:
        """Return CommitmentQuerySet.agency_fields(NAME): read from the tallies once per
        counts token (a menu's agency: a few hundred names at most), and once per page
        (its count and its rows both need them)."""
        from tracker.public.caching import counts_tag, per_version

        known = self.__dict__.setdefault("_agency_fields", {})
        if name not in known:
            known[name] = per_version(
                f"agency-fields:{name}",
                self.request,
                lambda: Commitment.objects.agency_fields(name),
                tag=counts_tag,
            )
        return known[name]

    def filter_target_year(self, queryset, name, value):
        if value == NO_TARGET:
            return queryset.filter(target_date__isnull=True)
        return queryset.filter(target_date__year=int(value))

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def filter_sort(self, queryset, name, value):
        # Applied last, in filter_queryset, where the search terms are known.
        return queryset


def _numeric(value: str):
    return (int(value), value) if value.isdigit() else (10**9, value)
