"""The list's filters: menus built from the kept counts."""

import copy

import pytest

from tests.factories import make_commitment
from tracker.core.models import Commitment
from tracker.public.filters import CommitmentFilter, KeptChoices


def test_kept_choices_are_shared_by_copies_and_iterate_as_given():
    choices = KeptChoices([("a", "A (1)"), ("b", "B (2)")])
    assert copy.deepcopy(choices) is choices
    assert list(choices) == [("a", "A (1)"), ("b", "B (2)")] == list(choices)
    assert len(choices) == 2


def test_menus_offer_and_accept_only_the_values_published_commitments_have(db):
    make_commitment(category="醫療衛生", responsible_agency="衛生福利部")
    make_commitment(category="交通建設", responsible_agency="交通部", is_published=False)
    queryset = Commitment.objects.published()
    filterset = CommitmentFilter({"agency": "衛生福利部"}, queryset=queryset)
    assert filterset.is_valid()
    agencies = [value for value, _label in filterset.form.fields["agency"].choices]
    assert agencies == ["", "衛生福利部"]  # the empty choice first; no unpublished agency
    # Two filtersets do not share a form field, but they share the menus' kept choices.
    other = CommitmentFilter({"agency": "交通部"}, queryset=queryset)
    assert not other.is_valid()
    assert "agency" in other.form.errors
    assert other.form.fields["agency"] is not filterset.form.fields["agency"]


@pytest.mark.django_db
def test_the_status_filter_groups_no_rows():
    """Status is the commitment's own column: several statuses cannot repeat a row, so the
    filter asks no DISTINCT (which made the database group every filtered row)."""
    from tracker.core.models import Status

    make_commitment(status=Status.TRACKING)
    make_commitment(status=Status.DELAYED)
    filterset = CommitmentFilter(
        {"status": [Status.TRACKING, Status.DELAYED]}, queryset=Commitment.objects.published()
    )
    assert filterset.is_valid()
    assert not filterset.qs.query.distinct
    assert len(filterset.qs) == 2
