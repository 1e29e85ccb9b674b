import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from tests.factories import make_commitment, make_log
from tracker.core.models import EntryKind, EntryShape, TrackingLog
from tracker.core.services.edit_conflicts import EditConflict
from tracker.core.services.tracking_log_editing import (
    deleted_tracking_logs,
    tracking_log_delete,
    tracking_log_restore,
    tracking_log_review,
    tracking_log_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence_entry():
    commitment = make_commitment()
    return make_log(
        commitment,
        kind=EntryKind.PROGRESS,
        shape=EntryShape.EVIDENCE,
        entry_date=dt.date(2026, 1, 27),
        summary="摘要",
        document_url="https://example.org/a",
        judgement="進度更新",
    )


def test_update_corrects_and_moves_last_updated(evidence_entry):
    tracking_log_update(
        entry=evidence_entry,
        base_version=evidence_entry.version,
        changes={"summary": "新摘要", "entry_date": dt.date(2026, 2, 3)},
    )

    evidence_entry.refresh_from_db()
    assert evidence_entry.summary == "新摘要"
    assert evidence_entry.commitment.last_updated == dt.date(2026, 2, 3)


def test_changing_an_automated_judgement_counts_as_review(evidence_entry):
    user = User.objects.create(username="wang")

    tracking_log_update(
        entry=evidence_entry,
        base_version=evidence_entry.version,
        changes={"judgement": "達成證據"},
        user=user,
    )

    evidence_entry.refresh_from_db()
    assert evidence_entry.reviewed_by == user


def test_update_refuses_an_empty_summary(evidence_entry):
    with pytest.raises(ValidationError) as error:
        tracking_log_update(
            entry=evidence_entry, base_version=evidence_entry.version, changes={"summary": " "}
        )

    assert "summary" in error.value.message_dict
    assert TrackingLog.objects.get(pk=evidence_entry.pk).summary == "摘要"


def test_update_after_a_deletion_names_it(evidence_entry):
    stale = TrackingLog.objects.get(pk=evidence_entry.pk)
    tracking_log_delete(entry=evidence_entry)

    with pytest.raises(EditConflict) as conflict:
        tracking_log_update(entry=stale, base_version=stale.version, changes={"summary": "x"})

    assert conflict.value.deleted


def test_restore_puts_the_entry_back_in_its_place(evidence_entry):
    commitment = evidence_entry.commitment
    tracking_log_delete(entry=evidence_entry)
    newer = make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="後來的")
    (record,) = deleted_tracking_logs(commitment_id=commitment.pk)

    restored = tracking_log_restore(history_id=record.history_id)

    assert restored.pk == evidence_entry.pk
    assert [e.pk for e in commitment.log_entries.order_by("position")][1:] == [
        evidence_entry.pk,
        newer.pk,
    ]
    assert not deleted_tracking_logs(commitment_id=commitment.pk).exists()
    with pytest.raises(ValidationError, match="已經還原"):
        tracking_log_restore(history_id=record.history_id)


def test_review_marks_only_automated_entries(evidence_entry):
    user = User.objects.create(username="wang")
    created = evidence_entry.commitment.log_entries.get(kind=EntryKind.CREATED)

    assert tracking_log_review(entries=[evidence_entry, created], user=user) == 1
    assert tracking_log_review(entries=[evidence_entry], user=user) == 0
