import datetime as dt
import re

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_commitment, make_log, make_source
from tracker.core import search
from tracker.core.models import Commitment, Status
from tracker.core.services.search_index import search_index_rebuild
from tracker.public.filters import SORTS, CommitmentFilter
from tracker.public.pagination import IdsFirstPaginator, RankedSearchPaginator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("orphans", [0, 3])
def test_pages_hold_the_same_rows_in_the_same_order_as_plain_pagination(sort, orphans):
    # 43 rows: 20, 20 and 3, so with orphans=3 the last three join page 2. Pages 2 and 3
    # are in the back half, read from the end in the reverse order.
    for number in range(43):
        make_commitment(
            log=False,
            title=f"承諾 {number % 7}",  # ties, so the key decides
            last_updated=dt.date(2026, 1, 1 + number % 5),
            target_date=dt.date(2027, 1, 1 + number % 3) if number % 2 else None,
        )
    listed = Commitment.objects.published().for_list().order_by(*SORTS[sort])
    plain = Paginator(listed, 20, orphans=orphans)
    ids_first = IdsFirstPaginator(listed, 20, orphans=orphans)
    assert ids_first.num_pages == plain.num_pages == (2 if orphans else 3)
    for number in plain.page_range:
        assert [row.pk for row in ids_first.page(number)] == [row.pk for row in plain.page(number)]


@pytest.mark.parametrize("sort", list(SORTS))
def test_a_page_in_the_back_half_skips_rows_from_the_end(sort):
    for number in range(90):
        make_commitment(
            log=False,
            title=f"承諾 {number % 4}",
            last_updated=dt.date(2026, 1, 1 + number % 3),
            target_date=dt.date(2027, 1, 1 + number % 2) if number % 3 else None,
        )
    listed = Commitment.objects.published().for_list().order_by(*SORTS[sort])
    every = list(listed.values_list("pk", flat=True))
    paginator = IdsFirstPaginator(listed, 20)
    with CaptureQueriesContext(connection) as queries:
        pages = [[row.pk for row in paginator.page(number)] for number in paginator.page_range]
    assert [pk for page in pages for pk in page] == every
    # Pages 1 and 2 from the start; 3 (rows 41-60) past the last 30 rather than the first
    # 40; 4 and 5 (the last 10 rows) from the end.
    offsets = [_offset(query["sql"]) for query in queries if " LIMIT " in query["sql"]]
    assert offsets == [0, 20, 30, 10, 0]


def test_a_list_without_the_key_last_pages_from_the_start():
    for number in range(30):
        make_commitment(log=False, title=f"承諾 {number % 3}")
    listed = Commitment.objects.published().order_by("title")
    assert not IdsFirstPaginator(listed, 20).total_order()
    with CaptureQueriesContext(connection) as queries:
        IdsFirstPaginator(listed, 20).page(2)
    assert [_offset(query["sql"]) for query in queries if " LIMIT " in query["sql"]] == [20]


def _offset(sql: str) -> int:
    match = re.search(r"OFFSET (\d+)", sql)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("sort", ["-updated", "updated", "title"])
def test_pages_next_to_a_row_are_the_numbered_pages_forward_and_back(sort):
    for number in range(47):
        make_commitment(
            log=False,
            title=f"承諾 {number % 7}",  # ties, so the key decides
            last_updated=dt.date(2026, 1, 1 + number % 5),
        )
    listed = Commitment.objects.published().for_list().order_by(*SORTS[sort])
    plain = Paginator(listed, 20)
    keyset = IdsFirstPaginator(listed, 20)
    page = keyset.page(1)
    for number in (2, 3):
        page = keyset.page_next_to(number, page.after)
        assert [row.pk for row in page] == [row.pk for row in plain.page(number)]
    for number in (2, 1):
        page = keyset.page_next_to(number, page.before, before=True)
        assert [row.pk for row in page] == [row.pk for row in plain.page(number)]


@pytest.mark.parametrize("sort", ["-updated", "updated", "title"])
def test_every_page_next_to_a_row_matches_when_ties_span_pages(sort):
    # Two dates and three titles for 75 rows: a page starts and ends inside long ties, which
    # are read as their own range before the rows beyond them.
    for number in range(75):
        make_commitment(
            log=False,
            title=f"承諾 {number % 3}",
            last_updated=dt.date(2026, 1, 1 + number % 2),
        )
    listed = Commitment.objects.published().for_list().order_by(*SORTS[sort])
    plain = Paginator(listed, 10)
    keyset = IdsFirstPaginator(listed, 10)
    page = keyset.page(1)
    for number in range(2, plain.num_pages + 1):
        page = keyset.page_next_to(number, page.after)
        assert [row.pk for row in page] == [row.pk for row in plain.page(number)], number
    for number in range(plain.num_pages - 1, 0, -1):
        page = keyset.page_next_to(number, page.before, before=True)
        assert [row.pk for row in page] == [row.pk for row in plain.page(number)], number


def test_a_nullable_order_or_a_row_not_in_the_list_falls_back_to_numbered_pages():
    rows = [make_commitment(log=False, title=f"承諾 {number}") for number in range(25)]
    by_target = Commitment.objects.published().order_by(*SORTS["target"])
    assert IdsFirstPaginator(by_target, 20).keys() is None
    listed = Commitment.objects.published().order_by(*SORTS["title"])
    page = IdsFirstPaginator(listed, 20).page_next_to(2, rows[0].pk + 10_000)
    assert [row.pk for row in page] == [row.pk for row in Paginator(listed, 20).page(2)]


def test_the_list_links_to_the_next_page_by_its_last_row(client, django_assert_max_num_queries):
    for number in range(45):
        make_commitment(log=False, title=f"承諾 {number:02d}")
    first = client.get("/commitments/", {"sort": "title"})
    after = first.context["page"].after
    assert f"after={after}" in first.content.decode()
    # The version, the row it starts from, the page's ids (the rows tied with it on the
    # first key, then those beyond it) and rows (menus and length kept).
    with django_assert_max_num_queries(5):
        second = client.get("/commitments/", {"sort": "title", "page": "2", "after": after})
    assert [row.title for row in second.context["rows"]][:2] == ["承諾 20", "承諾 21"]
    html = second.content.decode()
    assert f"before={second.context['page'].before}" in html
    assert f"after={second.context['page'].after}" in html


def _searchable_commitments():
    """45 commitments matching 疫苗 (and 臺北 for some) in every part, with ties and filters."""
    shared = make_source(reply_text="答復：疫苗採購。")
    plain = make_source(reply_text="答復：無關。")
    for number in range(45):
        where = number % 5
        commitment = make_commitment(
            log=False,
            title=("疫苗" if where == 0 else "承諾") + f" {number % 4}",  # ties, the key decides
            wording="推動疫苗接種" if where == 1 else "推動台北建設" if number % 3 else "無關",
            source=shared if where == 2 else plain,
            last_updated=dt.date(2026, 1, 1 + number % 6),
            status=Status.DELAYED if number % 2 else Status.TRACKING,
            is_published=number % 9 != 8,
        )
        make_log(commitment, text="疫苗進度" if where == 3 else "無關進度")
    search_index_rebuild()


@pytest.mark.parametrize(
    "data",
    [
        {"q": "疫苗"},
        {"q": "疫苗 臺北"},
        {"q": "台北 疫苗", "status": [Status.DELAYED]},
        {"q": "衛福部"},  # an agency's other names, in every wording part
        {"q": "無此字"},
    ],
)
@pytest.mark.parametrize("per_page", [20, 3])  # 3: pages that start and end in every tier
def test_a_ranked_search_pages_as_its_queryset_does(data, per_page):
    _searchable_commitments()
    filterset = CommitmentFilter(data, queryset=Commitment.objects.published().for_list())
    assert filterset.is_valid() and filterset.ranks_by_relevance
    plain = Paginator(filterset.qs, per_page)
    ranked = RankedSearchPaginator(filterset.without_search(), per_page, query=filterset.query)
    with CaptureQueriesContext(connection) as queries:
        pages = [[row.pk for row in ranked.page(number)] for number in plain.page_range]
    assert ranked.count == plain.count
    assert pages == [[row.pk for row in plain.page(number)] for number in plain.page_range]
    # The one-row-per-commitment index answered (the documents' index without it).
    sqls = [query["sql"] for query in queries]
    read_rows = any(f"FROM {search.COLUMNS_TABLE} WHERE" in sql for sql in sqls) and not any(
        "AS MATERIALIZED" in sql
        for sql in sqls  # the fallback's statement
    )
    assert read_rows == search.columns_table_exists()
    # The count of a fresh paginator (asked before any page) agrees too, and pages past
    # the end of every tier are counted the same way.
    fresh = RankedSearchPaginator(filterset.without_search(), per_page, query=filterset.query)
    assert fresh.count == plain.count
    for number in plain.page_range:
        alone = RankedSearchPaginator(filterset.without_search(), per_page, query=filterset.query)
        assert [row.pk for row in alone.page(number)] == pages[number - 1]
        assert alone.count == plain.count


def test_a_ranked_search_refuses_pages_past_the_end_and_non_numbers():
    _searchable_commitments()
    filterset = CommitmentFilter({"q": "疫苗"}, queryset=Commitment.objects.published())
    assert filterset.is_valid()
    ranked = RankedSearchPaginator(filterset.without_search(), 20, query=filterset.query)
    with pytest.raises(EmptyPage):
        ranked.page(ranked.num_pages + 1)
    with pytest.raises(EmptyPage):
        ranked.page(0)
    with pytest.raises(PageNotAnInteger):
        ranked.page("x")
    assert len(ranked.page(ranked.num_pages)) == ranked.count - 20 * (ranked.num_pages - 1)
