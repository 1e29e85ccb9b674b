"""Completion criteria are added, settled with evidence, conflict-checked and deleted."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import make_commitment
from tracker.core import format as fmt
from tracker.core.models import Commitment, CompletionCriterion
from tracker.core.services.criteria import criterion_add, criterion_delete, criterion_update
from tracker.core.services.edit_conflicts import EditConflict

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_criteria_are_added_in_order_with_history():
    commitment = make_commitment()
    first = criterion_add(commitment=commitment, milestone="law_passed", description="長照法三讀")
    second = criterion_add(commitment=commitment, milestone="completed")
    assert (first.position, second.position) == (0, 1)
    assert first.label == "修法三讀：長照法三讀"
    assert second.label == "完成"
    assert first.history.count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"milestone": "other", "description": ""}, "description"),
        ({"milestone": "nope"}, "milestone"),
        ({"state": "met", "settled_on": TODAY, "evidence": ""}, "evidence"),
        ({"state": "met", "evidence": "公報"}, "settled_on"),
        ({"evidence_url": "javascript:x"}, "evidence_url"),
        ({"settled_on": TODAY + dt.timedelta(days=1)}, "settled_on"),
    ],
)
def test_bad_input_is_refused_naming_the_field(values, field):
    arguments = {"commitment": make_commitment(), "milestone": "budget"} | values
    with pytest.raises(ValidationError) as refused:
        criterion_add(**arguments)
    assert field in refused.value.message_dict
    assert not CompletionCriterion.objects.exists()


def test_settling_needs_evidence_and_reopening_clears_the_date():
    criterion = criterion_add(commitment=make_commitment(), milestone="budget")
    criterion_update(
        criterion=criterion,
        base_version=criterion.version,
        changes={"state": "met", "settled_on": TODAY, "evidence": "115年度總預算"},
    )
    assert criterion.is_met
    criterion_update(criterion=criterion, base_version=criterion.version, changes={"state": "open"})
    assert criterion.settled_on is None


def test_a_stale_editor_gets_a_conflict():
    criterion = criterion_add(commitment=make_commitment(), milestone="budget")
    opened = criterion.version
    criterion_update(criterion=criterion, base_version=opened, changes={"description": "甲"})
    stale = CompletionCriterion.objects.get(pk=criterion.pk)
    with pytest.raises(EditConflict):
        criterion_update(criterion=stale, base_version=opened, changes={"description": "乙"})


def test_achieved_with_an_open_criterion_is_found():
    achieved = make_commitment(status=fmt.STATUS_ACHIEVED)
    criterion_add(commitment=achieved, milestone="completed")
    fine = make_commitment(status=fmt.STATUS_ACHIEVED)
    criterion_add(
        commitment=fine, milestone="completed", state="met", settled_on=TODAY, evidence="驗收"
    )
    tracking = make_commitment()
    criterion_add(commitment=tracking, milestone="completed")
    assert list(Commitment.objects.achieved_with_unmet_criteria()) == [achieved]


def test_a_deleted_criterion_stays_in_its_history():
    criterion = criterion_add(commitment=make_commitment(), milestone="started")
    pk = criterion.pk
    criterion_delete(criterion=criterion)
    assert not CompletionCriterion.objects.filter(pk=pk).exists()
    assert CompletionCriterion.history.filter(id=pk, history_type="-").exists()
