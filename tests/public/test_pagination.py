import datetime as dt

import pytest
from django.core.paginator import Paginator

from tests.factories import make_commitment
from tracker.core.models import Commitment
from tracker.public.filters import SORTS
from tracker.public.pagination import IdsFirstPaginator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", ["-updated", "title", "target"])
@pytest.mark.parametrize("orphans", [0, 3])
def test_pages_hold_the_same_rows_in_the_same_order_as_plain_pagination(sort, orphans):
    # 43 rows: 20, 20 and 3, so with orphans=3 the last three join page 2.
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
    # The version, the row it starts from, the page's ids and rows (menus and length kept).
    with django_assert_max_num_queries(4):
        second = client.get("/commitments/", {"sort": "title", "page": "2", "after": after})
    assert [row.title for row in second.context["rows"]][:2] == ["承諾 20", "承諾 21"]
    html = second.content.decode()
    assert f"before={second.context['page'].before}" in html
    assert f"after={second.context['page'].after}" in html
