"""The one way to add to a timeline and change a status, and the rule that explains a status."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from tests.factories import make_commitment
from tracker.core.models import EntryKind, Origin, Status, TrackingLog
from tracker.core.services.timeline import (
    Evidence,
    commitment_change_status,
    explained_status,
    status_is_explained,
    tracking_log_add,
)
from tracker.core.services.tracking_log_editing import (
    deleted_tracking_logs,
    tracking_log_delete,
    tracking_log_restore,
)

pytestmark = pytest.mark.django_db

EVIDENCE = Evidence(
    document_number="院臺字第1號",
    document_url="https://example.org/1",
    summary="已完成",
    judgement="達成證據",
)


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("lin", password="x", is_staff=True)


def test_a_progress_update_is_the_editors_and_moves_last_updated(editor):
    commitment = make_commitment()
    entry = tracking_log_add(
        commitment=commitment, evidence=EVIDENCE, entry_date=dt.date(2026, 1, 28), user=editor
    )
    assert (entry.kind, entry.origin, entry.created_by) == (
        EntryKind.PROGRESS,
        Origin.NEWSROOM,
        editor,
    )
    assert not entry.is_automated
    assert entry.key and entry.position == 1
    commitment.refresh_from_db()
    assert commitment.last_updated == dt.date(2026, 1, 28)


def test_an_entry_dated_after_today_is_refused():
    with pytest.raises(ValidationError, match="日期不可晚於今天"):
        tracking_log_add(
            commitment=make_commitment(), evidence=EVIDENCE, entry_date=dt.date(2999, 1, 1)
        )


def test_a_status_change_needs_a_reason_and_writes_its_entry(editor):
    commitment = make_commitment()
    with pytest.raises(ValidationError):
        commitment_change_status(commitment=commitment, to_status=Status.DELAYED, reason=" ")
    entry = commitment_change_status(
        commitment=commitment, to_status=Status.DELAYED, reason="延後", user=editor
    )
    assert (entry.from_status, entry.to_status) == (Status.TRACKING, Status.DELAYED)
    assert commitment.status == Status.DELAYED
    with pytest.raises(ValidationError, match="無須變更"):
        commitment_change_status(commitment=commitment, to_status=Status.DELAYED, reason="再一次")


def test_an_evidence_status_change_remembers_what_it_set(editor):
    commitment = make_commitment()
    entry = commitment_change_status(
        commitment=commitment, to_status=Status.STALE, evidence=EVIDENCE, user=editor
    )
    assert entry.to_status == Status.STALE
    assert explained_status([entry]) == Status.STALE


def test_explained_status_reads_the_latest_status_change():
    def row(kind, shape="status_rule", to_status=""):
        return TrackingLog(kind=kind, shape=shape, to_status=to_status)

    assert explained_status([row(EntryKind.CREATED, "text")]) is None
    assert status_is_explained(Status.TRACKING, [row(EntryKind.CREATED, "text")])
    assert not status_is_explained(Status.DELAYED, [row(EntryKind.CREATED, "text")])
    timeline = [row(EntryKind.STATUS_CHANGE, to_status=Status.DELAYED), row(EntryKind.PROGRESS)]
    assert explained_status(timeline) == Status.DELAYED
    # The pipeline's evidence-shaped status change judges the promise kept.
    timeline.append(row(EntryKind.STATUS_CHANGE, shape="evidence"))
    assert explained_status(timeline) == Status.ACHIEVED


def test_deleting_the_entry_that_explains_the_status_asks_where_to_return(editor):
    commitment = make_commitment()
    change = commitment_change_status(
        commitment=commitment, to_status=Status.DELAYED, reason="延後", user=editor
    )
    with pytest.raises(ValidationError) as refused:
        tracking_log_delete(entry=change, user=editor)
    assert "status_after" in refused.value.message_dict
    assert TrackingLog.objects.filter(pk=change.pk).exists()
    with pytest.raises(ValidationError):
        tracking_log_delete(entry=change, user=editor, status_after=Status.ACHIEVED, reason="")
    tracking_log_delete(entry=change, user=editor, status_after=Status.TRACKING)
    commitment.refresh_from_db()
    assert commitment.status == Status.TRACKING  # what the remaining timeline explains
    assert not commitment.log_entries.filter(kind=EntryKind.STATUS_CHANGE).exists()


def test_deleting_it_and_keeping_another_status_records_that_change(editor):
    commitment = make_commitment()
    change = commitment_change_status(
        commitment=commitment, to_status=Status.DELAYED, reason="延後", user=editor
    )
    tracking_log_delete(
        entry=change, user=editor, status_after=Status.ACHIEVED, reason="其實已完成"
    )
    commitment.refresh_from_db()
    assert commitment.status == Status.ACHIEVED
    last = commitment.log_entries.last()
    assert (last.from_status, last.to_status, last.reason) == (
        Status.TRACKING,
        Status.ACHIEVED,
        "其實已完成",
    )


def test_deleting_an_entry_that_explains_nothing_needs_no_status(editor):
    commitment = make_commitment()
    commitment_change_status(commitment=commitment, to_status=Status.DELAYED, reason="延後")
    progress = tracking_log_add(commitment=commitment, evidence=EVIDENCE, user=editor)
    tracking_log_delete(entry=progress, user=editor)
    assert not TrackingLog.objects.filter(pk=progress.pk).exists()


def test_restoring_an_entry_that_would_unexplain_the_status_is_refused(editor):
    commitment = make_commitment()
    first = commitment_change_status(
        commitment=commitment, to_status=Status.DELAYED, reason="延後", user=editor
    )
    tracking_log_delete(entry=first, user=editor, status_after=Status.STALE, reason="改判無更新")
    # The deleted 已延宕 entry sat after the 初始建立 and before the new 無更新 entry, so
    # bringing it back leaves 無更新 explained: allowed.
    record = deleted_tracking_logs(commitment_id=commitment.pk).get()
    tracking_log_restore(history_id=record.history_id, user=editor)
    commitment.refresh_from_db()
    assert status_is_explained(commitment.status, commitment.log_entries.order_by("position"))
    # Delete the 無更新 entry again, back to 已延宕 (explained by the restored one), then
    # restoring 無更新 would put an entry after it that contradicts the status.
    stale = commitment.log_entries.get(to_status=Status.STALE)
    tracking_log_delete(entry=stale, user=editor, status_after=Status.DELAYED)
    commitment.refresh_from_db()
    assert commitment.status == Status.DELAYED
    record = deleted_tracking_logs(commitment_id=commitment.pk).get()
    with pytest.raises(ValidationError, match="請先變更狀態"):
        tracking_log_restore(history_id=record.history_id, user=editor)
