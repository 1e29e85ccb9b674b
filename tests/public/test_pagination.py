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
