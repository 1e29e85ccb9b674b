"""Decide what the sync queued: take upstream's value, keep the newsroom's, or set another.

One service per decision, each one transaction: the queue item is locked and must still be
open, the commitment is changed through the timeline and editing services (so a status is
always explained and every change is attributed), and the decision records who made it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.core import format as fmt
from tracker.core.models import (
    Commitment,
    ConflictKind,
    ConflictState,
    Origin,
    Source,
    SyncConflict,
    TrackingLog,
)
from tracker.core.services.commitment_editing import commitment_update
from tracker.core.services.edit_conflicts import who
from tracker.core.services.timeline import commitment_record_status, record_user
from tracker.core.services.tracking_log_editing import tracking_log_delete


def _locked_open(conflict: SyncConflict) -> SyncConflict:
    # Lock the item's own row (PostgreSQL locks no row of an outer join's nullable side).
    locked = (
        SyncConflict.objects.select_for_update(of=("self",))
        .select_related("commitment", "decided_by")
        .get(pk=conflict.pk)
    )
    if locked.state != ConflictState.OPEN:
        when = timezone.localtime(locked.decided_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(
            _("這一項已由 %(who)s 於 %(when)s 處理（%(state)s）")
            % {"who": who(locked.decided_by), "when": when, "state": locked.get_state_display()}
        )
    return locked


def _decided(conflict: SyncConflict, state: str, user, note: str) -> SyncConflict:
    conflict.state = state
    conflict.decided_by = user if user is not None and user.is_authenticated else None
    conflict.decided_at = timezone.now()
    conflict.note = note.strip()
    conflict.save()
    return conflict


def field_value(name: str, text: str | None):
    """Return a queued field's text as the value the commitment stores.

    Refuses (ValidationError on "value") text that is not such a value, so an editor's
    typing never reaches the database as something else.
    """
    if name == "shows_reply":
        if text not in ("true", "false"):
            raise ValidationError({"value": _("請選擇是否附上答復")})
        return text == "true"
    if name == "created_date":
        if text is None or not fmt.is_iso_date(text):
            raise ValidationError({"value": _("日期請寫成 YYYY-MM-DD")})
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError({"value": _("沒有這一天：%(date)s") % {"date": text}}) from None
    if name == "source":
        source = Source.objects.filter(document_id=text).first()
        if source is None:
            raise ValidationError({"value": _("找不到答復文件 %(id)s") % {"id": text}})
        return source
    return text


def _set_field(commitment: Commitment, name: str, value, user) -> None:
    if name == "created_date":
        commitment.created_date = value
        record_user(commitment, user)
        commitment.save(update_fields=["created_date"])
        return
    commitment_update(
        commitment=commitment,
        base_version=commitment.version,
        changes={name: value},
        user=user,
    )


def _locked_commitment(conflict: SyncConflict) -> Commitment:
    return Commitment.objects.locked(conflict.commitment_id)


def sync_conflict_take_upstream(*, conflict: SyncConflict, user, note: str = "") -> SyncConflict:
    """Apply upstream's change the sync held back."""
    with transaction.atomic():
        conflict = _locked_open(conflict)
        commitment = _locked_commitment(conflict)
        if conflict.kind == ConflictKind.ENTRY:
            entry = TrackingLog.objects.filter(
                commitment=commitment, key=conflict.entry_key
            ).first()
            if entry is not None:
                tracking_log_delete(entry=entry, user=user)
        elif conflict.field_name == "status":
            if commitment.status != conflict.upstream_value:
                commitment_record_status(
                    commitment=commitment,
                    from_status=commitment.status,
                    to_status=conflict.upstream_value,
                    reason=note or _("採用上游的狀態（%(run)s）") % {"run": _run_label(conflict)},
                    user=user,
                )
        else:
            _set_field(
                commitment,
                conflict.field_name,
                field_value(conflict.field_name, conflict.upstream_value),
                user,
            )
        return _decided(conflict, ConflictState.TOOK_UPSTREAM, user, note)


def sync_conflict_keep_ours(*, conflict: SyncConflict, user, note: str = "") -> SyncConflict:
    """Keep the newsroom's value; a kept status is explained by a newsroom 狀態變更 entry."""
    with transaction.atomic():
        conflict = _locked_open(conflict)
        commitment = _locked_commitment(conflict)
        if conflict.kind == ConflictKind.ENTRY:
            # Upstream no longer has it: from now on it is the newsroom's entry.
            TrackingLog.objects.filter(commitment=commitment, key=conflict.entry_key).update(
                origin=Origin.NEWSROOM
            )
        elif conflict.field_name == "status":
            if not note.strip():
                raise ValidationError({"note": _("保留編輯部的狀態必須填寫原因")})
            commitment_record_status(
                commitment=commitment,
                from_status=conflict.upstream_value,
                to_status=commitment.status,
                reason=note,
                user=user,
            )
        return _decided(conflict, ConflictState.KEPT_OURS, user, note)


def sync_conflict_set_value(
    *, conflict: SyncConflict, value: str | None, user, note: str = ""
) -> SyncConflict:
    """Give the field a value of the editor's own (for a status: change it with a reason)."""
    if conflict.kind != ConflictKind.FIELD:
        raise ValidationError(_("只有欄位衝突可以指定新值"))
    with transaction.atomic():
        conflict = _locked_open(conflict)
        commitment = _locked_commitment(conflict)
        if conflict.field_name == "status":
            if not note.strip():
                raise ValidationError({"note": _("變更狀態必須填寫原因")})
            commitment_record_status(
                commitment=commitment,
                from_status=conflict.upstream_value,
                to_status=value,
                reason=note,
                user=user,
            )
        else:
            _set_field(
                commitment, conflict.field_name, field_value(conflict.field_name, value), user
            )
        return _decided(conflict, ConflictState.EDITED, user, note)


def _run_label(conflict: SyncConflict) -> str:
    return _("同步 #%(number)s") % {"number": conflict.sync_run_id or "?"}
