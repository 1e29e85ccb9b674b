"""Who gave each of a commitment's fields its value: upstream's file or an editor."""

import pytest
from django.contrib.auth.models import User

from tests.factories import make_commitment
from tracker.core.provenance import field_provenance
from tracker.core.services.commitment_editing import commitment_update

pytestmark = pytest.mark.django_db


def save(commitment, user, **changes):
    commitment.refresh_from_db()
    return commitment_update(
        commitment=commitment, base_version=commitment.version, changes=changes, user=user
    )


@pytest.fixture
def editors(db):
    return [User.objects.create_user(username=name) for name in ("ann", "bob", "cai")]


def test_a_field_is_credited_to_the_save_that_gave_it_its_value(editors):
    ann, bob, cai = editors
    commitment = make_commitment(title="原標題")
    save(commitment, ann, title="安的標題")
    save(commitment, bob, category="交通建設")
    save(commitment, cai, target_value="一百座")

    found = field_provenance(commitment)

    assert found["title"].by == "ann"
    assert found["category"].by == "bob"
    assert found["target_value"].by == "cai"
    assert not found["title"].upstream


def test_a_value_set_back_is_credited_to_who_set_it_back(editors):
    ann, bob, _cai = editors
    commitment = make_commitment(title="原標題", target_value=None)
    save(commitment, ann, title="安的標題", target_value="一百座")
    save(commitment, bob, title="原標題", target_value=None)

    found = field_provenance(commitment)

    assert (found["title"].by, found["target_value"].by) == ("bob", "bob")


def test_the_history_is_read_in_a_fixed_number_of_queries(editors, django_assert_num_queries):
    ann, bob, _cai = editors
    commitment = make_commitment(title="原標題")
    for number in range(40):
        save(commitment, ann if number % 2 else bob, target_value=f"第 {number} 版")
    commitment.refresh_from_db()

    # The upstream base (none here), then one aggregate and one read of the setters' rows.
    with django_assert_num_queries(3):
        found = field_provenance(commitment)

    assert found["target_value"].by == "ann"


def test_times_are_told_in_the_sites_time_zone(settings):
    import datetime as dt

    from tracker.core.provenance import Provenance

    settings.TIME_ZONE = "Asia/Taipei"
    saved = Provenance(
        upstream=False, by="ann", when=dt.datetime(2026, 1, 27, 8, 20, tzinfo=dt.UTC)
    )

    assert "2026-01-27 16:20" in saved.describe()
