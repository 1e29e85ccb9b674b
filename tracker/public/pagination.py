"""Pagination that reads a page's ids first, and seeks from a row instead of counting rows."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from tracker.core import search


class IdsFirstPaginator(Paginator):
    """Find the page's primary keys with the list's filters and order, then read those rows.

    An OFFSET still skips the rows before the page, but only through the narrow id query
    (the sort columns and the key); the full rows, with their joins, are read for the page
    alone. At 100 times the corpus the last list page took 0.66 s as one query and 0.11 s
    this way (bench/RESULTS.md). Not for searches: their full-text condition would run twice.

    A page in the second half of the list is read from the end, in the reverse order (an
    index reads backwards as fast), so the OFFSET skips at most half the rows: the last page
    costs what the first does, and the middle one is the dearest.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values_list("pk", flat=True)
        if self.count - top < bottom and self.total_order():
            ids = list(ids.reverse()[self.count - top : self.count - bottom])
            ids.reverse()
        else:
            ids = ids[bottom:top]
        return self._page_of(ids, number)

    def total_order(self) -> bool:
        """Return whether the list's order ends with the key, so that reversed it is the
        same rows backwards (ties otherwise come in whatever order the database likes)."""
        order_by = self.object_list.query.order_by
        last = order_by[-1] if order_by else None
        if isinstance(last, OrderBy) and isinstance(last.expression, F):
            last = last.expression.name
        return isinstance(last, str) and last.lstrip("-") in ("pk", "id")

    def _page_of(self, ids, number) -> Page:
        ids = list(ids)
        order = {pk: index for index, pk in enumerate(ids)}
        rows = sorted(self.object_list.filter(pk__in=ids), key=lambda row: order[row.pk])
        page = self._get_page(rows, number, self)
        keys = self.keys()
        # The rows the next and previous pages start from (see page_next_to).
        page.after = rows[-1].pk if rows and keys else None
        page.before = rows[0].pk if rows and keys else None
        return page

    def keys(self) -> list[tuple[str, bool]] | None:
        """Return the list's order as (field, descending), or None where it cannot seek."""
        keys = []
        for item in self.object_list.query.order_by:
            if isinstance(item, str):
                keys.append((item.lstrip("-"), item.startswith("-")))
            elif isinstance(item, OrderBy) and isinstance(item.expression, F):
                if item.nulls_first or item.nulls_last:
                    return None  # a nullable key (target date): no plain comparison
                keys.append((item.expression.name, item.descending))
            else:
                return None
        return keys if keys and keys[-1][0] in ("pk", "id") else None

    def page_next_to(self, number, pk, *, before: bool = False) -> Page:
        """Return page NUMBER as the rows right after row PK (right before it with BEFORE).

        A keyset page: the query starts at that row in the list's order, through the index,
        so the last page costs what the first does; OFFSET would read every row before it.
        Falls back to counting rows when PK is not in the list (deleted, or another filter).
        """
        number = self.validate_number(number)
        keys = self.keys()
        anchor = None
        if keys:
            fields = [field for field, _descending in keys]
            anchor = self.object_list.filter(pk=pk).values_list(*fields).first()
        if anchor is None:
            return self.page(number)
        # Two ranges an index starts at: the rows tied with the anchor on the first key (after
        # it), then the rows beyond it on the first key. One condition over both made the
        # database walk every row tied on the first key: at 100 times the corpus 55,500
        # commitments share one last-updated date, and the middle page took 10-16 ms.
        ids: list[int] = []
        first, descending = keys[0]
        if len(keys) > 1:
            tied = Q(**{first: anchor[0]}) & _beyond(keys[1:], anchor[1:], before=before)
            ids = self._ids(tied, self.per_page, before=before)
        if len(ids) < self.per_page:
            lookup = "lt" if descending != before else "gt"
            beyond = Q(**{f"{first}__{lookup}": anchor[0]})
            farther = self._ids(beyond, self.per_page - len(ids), before=before)
            # Going back, the rows beyond the tie come first in the list's order.
            ids = farther + ids if before else ids + farther
        return self._page_of(ids, number)

    def _ids(self, condition: Q, limit: int, *, before: bool) -> list[int]:
        """Return the first LIMIT keys of the rows meeting CONDITION, in the list's order
        (BEFORE: the last ones, in the list's order)."""
        seeking = self.object_list.filter(condition)
        if before:
            seeking = seeking.reverse()
        ids = list(seeking.values_list("pk", flat=True)[:limit])
        if before:
            ids.reverse()
        return ids


class RankedSearchPaginator(Paginator):
    """Pages of a search in relevance order, counted and ranked by the database.

    OBJECT_LIST is the list without the search (the other filters only); QUERY is the search.
    search.ranked_page finds the page's ids and the number of matches (on SQLite from one
    full-text row per commitment, elsewhere in one query), then the page's rows alone are read.
    """

    def __init__(self, object_list, per_page, *, query: search.Query, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.query = query

    @cached_property
    def _base(self) -> tuple[str, list]:
        base = self.object_list.order_by().values_list("id", "last_updated", "title")
        sql, parameters = base.query.sql_with_params()
        return sql, list(parameters)

    @cached_property
    def _unfiltered(self) -> bool:
        """Whether the list is every published commitment (no filter but the search)."""
        published = self.object_list.model.objects.published().order_by()
        base = published.values_list("id", "last_updated", "title")
        sql, parameters = base.query.sql_with_params()
        return self._base == (sql, list(parameters))

    @cached_property
    def count(self) -> int:
        return search.ranked_page(self.query, self._base, limit=None, unfiltered=self._unfiltered)[
            1
        ]

    def page(self, number):
        ids: list[int] = []
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 0
        if wanted >= 1:
            ids, self.__dict__["count"] = search.ranked_page(  # the count, from the same pass
                self.query,
                self._base,
                limit=self.per_page,
                offset=(wanted - 1) * self.per_page,
                unfiltered=self._unfiltered,
            )
        number = self.validate_number(number)
        order = {pk: index for index, pk in enumerate(ids)}
        found = self.object_list.filter(pk__in=ids) if ids else []
        return self._get_page(sorted(found, key=lambda row: order[row.pk]), number, self)


def _beyond(keys: list[tuple[str, bool]], values, *, before: bool) -> Q:
    """Return the condition of the rows after VALUES in the order of KEYS (before them with
    BEFORE), led by the first key's range so that an index can start from it."""
    beyond, equal = Q(pk__in=[]), Q()
    for (field, descending), value in zip(keys, values, strict=True):
        lookup = "lt" if descending != before else "gt"
        beyond |= equal & Q(**{f"{field}__{lookup}": value})
        equal &= Q(**{field: value})
    first, descending = keys[0]
    return Q(**{f"{first}__{'lte' if descending != before else 'gte'}": values[0]}) & beyond


def page_or_error(
    paginator: Paginator, value: str | None, *, after: str | None = None, before: str | None = None
) -> tuple[Page, str | None]:
    """Return the page a reader asked for, or an empty page and why the number was refused.

    AFTER or BEFORE (a row's key, from the next or previous link) let a keyset paginator
    seek to the page instead of counting the rows before it; a key that is not a number is
    ignored.
    """
    if value is None or value == "":
        return paginator.page(1), None
    cursor = next((key for key in (after, before) if key and key.isdigit()), None)
    try:
        if cursor is not None and isinstance(paginator, IdsFirstPaginator):
            page = paginator.page_next_to(value, int(cursor), before=cursor != after)
            return page, None
        return paginator.page(value), None
    except PageNotAnInteger:
        error = _("page：頁碼必須是正整數，收到「%(value)s」") % {"value": value}
    except EmptyPage:
        if _below_one(value):
            error = _("page：頁碼必須是正整數，收到「%(value)s」") % {"value": value}
        else:
            error = _("page：超過最後一頁（共 %(pages)d 頁），收到「%(value)s」") % {
                "pages": paginator.num_pages,
                "value": value,
            }
    return Paginator([], paginator.per_page).page(1), error


def _below_one(value: str) -> bool:
    try:
        return int(value) < 1
    except (TypeError, ValueError):
        return True
