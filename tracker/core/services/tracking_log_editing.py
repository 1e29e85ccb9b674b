"""Correct, delete, restore and review timeline entries from the editors' desk.

New entries are written only by tracker.core.services.timeline (tracking_log_add,
commitment_change_status, tracking_log_add_created). Every function here locks the
commitment first, as those do, so that two editors' writes to one timeline queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.core import format as fmt
from tracker.core.models import Commitment, EntryShape, Status, TrackingLog
from tracker.core.services.commitment_editing import format_problem
from tracker.core.services.edit_conflicts import check_not_deleted, check_version
from tracker.core.services.search_index import search_document_commitment_set
from tracker.core.services.timeline import (
    EVIDENCE_FIELD_NAMES,
    Evidence,
    commitment_record_status,
    explained_status,
    record_user,
    status_is_explained,
    validate_entry_date,
    validate_evidence,
    validate_reason,
)

# What an editor may correct in an entry; its kind, shape and from → to stay as logged.
EDITABLE_FIELDS = ("entry_date", "text", "reason", *EVIDENCE_FIELD_NAMES)


def _lock_commitment(commitment_id: int) -> Commitment:
    return Commitment.objects.locked(commitment_id)


def validate_entry_values(*, entry: TrackingLog, changed: Iterable[str]) -> None:
    """Raise ValidationError, keyed by field, for entry values that cannot be logged.

    Only the fields an editor changed are checked against the stricter rules (a valid
    URL), so an odd value kept from the corpus does not block fixing another field.
    """
    changed = set(changed)
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if "entry_date" in changed:
        try:
            validate_entry_date(entry.entry_date)
        except ValidationError as error:
            for message in error.message_dict["entry_date"]:
                add("entry_date", message)
    if entry.shape == EntryShape.EVIDENCE:
        try:
            validate_evidence(
                Evidence(**{name: getattr(entry, name) for name in EVIDENCE_FIELD_NAMES})
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in changed or name == "summary":
                    for message in messages:
                        add(name, message)
    elif entry.shape == EntryShape.STATUS_RULE:
        try:
            validate_reason(entry.reason)
        except ValidationError as error:
            for message in error.message_dict["reason"]:
                add("reason", message)
    else:
        try:
            fmt.check_renderable(fmt.stub(log=[entry.to_data()]))
        except fmt.FormatError as error:
            add("text", format_problem(error))
    if errors:
        raise ValidationError(errors)


def tracking_log_explains_status(entry: TrackingLog) -> bool:
    """Whether deleting the entry would leave its commitment's status unexplained."""
    commitment = entry.commitment
    timeline = list(commitment.log_entries.order_by("position"))
    remaining = [row for row in timeline if row.pk != entry.pk]
    return status_is_explained(commitment.status, timeline) and not status_is_explained(
        commitment.status, remaining
    )


def tracking_log_update(
    *,
    entry: TrackingLog,
    base_version: int,
    changes: dict[str, Any],
    watched: Iterable[str] | None = None,
    mark_reviewed: bool = False,
    user=None,
) -> TrackingLog:
    """Correct an entry unless someone changed or deleted it since base_version.

    Changing the judgement of an automated entry, or ``mark_reviewed``, counts as the
    editor's review of it. ``last_updated`` moves up if the entry's new date is later.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        commitment = _lock_commitment(entry.commitment_id)
        check_not_deleted(model=TrackingLog, pk=entry.pk)
        stored = TrackingLog.objects.get(pk=entry.pk)
        check_version(
            current=stored,
            base_version=base_version,
            submitted=changes,
            watched=list(watched) if watched is not None else None,
        )
        changed = [name for name, value in changes.items() if getattr(stored, name) != value]
        reviewing = stored.needs_review and user is not None and user.is_authenticated
        reviewing = reviewing and (mark_reviewed or "judgement" in changed)
        if changed or reviewing:
            for name in changed:
                setattr(stored, name, changes[name])
            validate_entry_values(entry=stored, changed=changed)
            if reviewing:
                stored.reviewed_by = user
                stored.reviewed_at = timezone.now()
            record_user(stored, user)
            stored.save()
            search_document_commitment_set(commitment=commitment)
            if stored.entry_date > commitment.last_updated:
                commitment.last_updated = stored.entry_date
                record_user(commitment, user)
                commitment.save()
    for name in (*EDITABLE_FIELDS, "version", "reviewed_by_id", "reviewed_at"):
        setattr(entry, name, getattr(stored, name))
    return entry


def tracking_log_delete(
    *, entry: TrackingLog, user=None, status_after: str | None = None, reason: str = ""
) -> None:
    """Delete an entry; its history keeps it, so tracking_log_restore can bring it back.

    A status is never left unexplained: deleting the 狀態變更 entry that set the current
    status needs ``status_after``, the status to return to, which is recorded as a status
    change with ``reason`` (unless what remains of the timeline already explains it).
    """
    with transaction.atomic():
        commitment = _lock_commitment(entry.commitment_id)
        check_not_deleted(model=TrackingLog, pk=entry.pk)
        stored = TrackingLog.objects.get(pk=entry.pk)
        timeline = list(commitment.log_entries.order_by("position"))
        remaining = [row for row in timeline if row.pk != stored.pk]
        explained_before = status_is_explained(commitment.status, timeline)
        if explained_before and not status_is_explained(commitment.status, remaining):
            if not status_after:
                raise ValidationError(
                    {
                        "status_after": _(
                            "這筆「狀態變更」說明了目前的狀態「%(status)s」。刪除前請選擇"
                            "刪除後的狀態，並填寫原因（會寫入一筆狀態變更紀錄）。"
                        )
                        % {"status": commitment.status}
                    }
                )
            if status_after not in Status.values:
                raise ValidationError(
                    {"status_after": _("未知的狀態：%(s)s") % {"s": status_after}}
                )
            if not status_is_explained(status_after, remaining):
                validate_reason(reason)
        record_user(stored, user)
        stored.delete()
        if explained_before and not status_is_explained(commitment.status, remaining):
            from_status = explained_status(remaining) or Status.TRACKING
            if status_is_explained(status_after, remaining):
                commitment.status = status_after
                record_user(commitment, user)
                commitment.save()
            else:
                commitment_record_status(
                    commitment=commitment,
                    from_status=from_status,
                    to_status=status_after,
                    reason=reason.strip(),
                    user=user,
                )
        search_document_commitment_set(commitment=commitment)


def deleted_tracking_logs(*, commitment_id: int | None = None):
    """Return the history records of deleted entries that have not been restored."""
    records = TrackingLog.history.filter(history_type="-").exclude(
        id__in=TrackingLog.objects.values("pk")
    )
    if commitment_id is not None:
        records = records.filter(commitment_id=commitment_id)
    return records.select_related("history_user").order_by("-history_date")


def tracking_log_restore(*, history_id: int, user=None) -> TrackingLog:
    """Put a deleted entry back where it was in its timeline, with the same id."""
    record = (
        TrackingLog.history.filter(history_id=history_id, history_type="-")
        .select_related("history_user")
        .first()
    )
    if record is None:
        raise ValidationError(_("找不到這筆刪除紀錄"))
    with transaction.atomic():
        try:
            commitment = _lock_commitment(record.commitment_id)
        except Commitment.DoesNotExist:
            raise ValidationError(_("這筆紀錄所屬的承諾已被刪除，無法還原")) from None
        if TrackingLog.objects.filter(pk=record.id).exists():
            raise ValidationError(_("這筆紀錄已經還原過了"))
        timeline = list(commitment.log_entries.order_by("position"))
        # The restored entry takes its old place; entries now there move down by one.
        returning = record.instance  # a new object on every access: read it once
        restored_timeline = sorted(
            [*timeline, returning], key=lambda row: (row.position, row is not returning)
        )
        if status_is_explained(commitment.status, timeline) and not status_is_explained(
            commitment.status, restored_timeline
        ):
            raise ValidationError(
                _(
                    "還原這筆紀錄後，時間軸最新的「狀態變更」會與目前的狀態「%(status)s」不符。"
                    "請先變更狀態，再還原。"
                )
                % {"status": commitment.status}
            )
        if TrackingLog.objects.filter(commitment=commitment, key=record.key).exists():
            raise ValidationError(_("時間軸上已有內容相同的紀錄，不需還原"))
        later = list(
            commitment.log_entries.filter(position__gte=record.position).order_by("-position")
        )
        if later and later[-1].position == record.position:
            # Its place was taken by a newer entry: move the later ones down by one.
            for row in later:
                row.position += 1
                record_user(row, user)
                row.save(update_fields=["position"])
        restored = record.instance
        restored._state.adding = True
        record_user(restored, user)
        restored.save(force_insert=True)
        search_document_commitment_set(commitment=commitment)
        if restored.entry_date > commitment.last_updated:
            commitment.last_updated = restored.entry_date
            record_user(commitment, user)
            commitment.save()
    return restored


def tracking_log_review(*, entries: Iterable[TrackingLog], user) -> int:
    """Mark automated judgements as reviewed by this editor; return how many were marked.

    Review is kept beside the entry, not in it: the exported file does not change.
    """
    if user is None or not user.is_authenticated:
        raise ValidationError(_("審核必須由登入的編輯進行"))
    marked = 0
    now = timezone.now()
    with transaction.atomic():
        for entry in (
            TrackingLog.objects.needs_review()
            .filter(pk__in=[e.pk for e in entries])
            .select_for_update()
        ):
            entry.reviewed_by = user
            entry.reviewed_at = now
            record_user(entry, user)
            entry.save(update_fields=["reviewed_by", "reviewed_at"])
            marked += 1
    return marked
