"""Merge a duplicate commitment into the one the newsroom keeps.

Upstream's pipeline sometimes extracts one promise twice (same title, or near-identical
wording from the same reply: :func:`tracker.core.quality.likely_duplicates`). A chief editor
merges the two; :func:`commitment_merge`:

- moves the absorbed record's timeline entries to the kept record, each marked with the
  absorbed id (``TrackingLog.merged_from``), placed among the kept record's entries by date;
- moves its readers' corrections, its set-aside duplicate files and its decided sync items;
- leaves a :class:`~tracker.core.models.CommitmentAlias` for the absorbed id, holding the last
  file upstream delivered for it: its public address answers 301 to the kept one, and the
  sync merges upstream's later files for that id into the kept record
  (:func:`tracker.core.services.commitment_import`) instead of creating it again;
- deletes the absorbed record (django-simple-history keeps every version of it, and of each
  moved entry, with the reason "併入 <kept id>").

The kept record's fields stay as they are. The export then writes one file, the kept one,
whose timeline holds both; the absorbed file is not written (the format has no place for a
merge mark, so the moved entries are written as they were).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tracker.core import format as fmt
from tracker.core import merge
from tracker.core.models import (
    Commitment,
    CommitmentAlias,
    Correction,
    DuplicateCopy,
    SyncConflict,
    TrackingLog,
)
from tracker.core.services.search_index import search_document_commitment_set
from tracker.core.services.timeline import record_user

# Positions are moved out of the way before the merged timeline is put in order; entries
# joining a timeline wait at PARKED and after, beyond where the move takes its own entries.
_OFFSET = 1_000_000
PARKED = 3 * _OFFSET


class MergeRefused(ValidationError):
    """A merge that would be wrong or half-done: nothing was written."""


def merge_reason(kept_uid: str) -> str:
    return f"併入 {kept_uid}"


def _refuse(message: str) -> None:
    raise MergeRefused(message, code="merge_refused")


def commitment_merge(*, kept: Commitment, absorbed: Commitment, by=None) -> Commitment:
    """Merge ``absorbed`` into ``kept``; return the kept record as saved.

    The versions of the two instances are those the editor saw: if either record was saved
    since, the merge is refused (MergeRefused) and nothing is written, as it is when the two
    are the same record, when either was already merged, or while the absorbed record has
    sync items waiting for a decision.
    """
    if kept.pk == absorbed.pk or kept.uid == absorbed.uid:
        _refuse(_("不能把一筆承諾併入它自己"))
    with transaction.atomic():
        locked = {
            row.pk: row
            for row in Commitment.objects.select_for_update()
            .filter(pk__in=[kept.pk, absorbed.pk])
            .order_by("pk")
        }
        for seen in (absorbed, kept):
            if seen.pk not in locked:
                alias = CommitmentAlias.objects.filter(uid=seen.uid).first()
                if alias is not None:
                    _refuse(
                        _("「%(title)s」已經併入另一筆承諾（%(uid)s）")
                        % {"title": seen.title, "uid": alias.commitment.uid}
                    )
                _refuse(_("「%(title)s」已被刪除") % {"title": seen.title})
        for seen in (kept, absorbed):
            if locked[seen.pk].version != seen.version:
                _refuse(
                    _("「%(title)s」在你開啟頁面後被修改過，請重新整理後再確認合併")
                    % {"title": seen.title}
                )
        target, source = locked[kept.pk], locked[absorbed.pk]
        if SyncConflict.objects.open().filter(commitment=source).exists():
            _refuse(
                _("「%(title)s」還有待處理的同步衝突，請先處理再合併") % {"title": source.title}
            )
        _merge(target, source, by)
    for name in ("last_updated", "version", "modified_at"):
        setattr(kept, name, getattr(target, name))
    return target


def _merge(kept: Commitment, absorbed: Commitment, by) -> None:
    reason = merge_reason(kept.uid)
    CommitmentAlias.objects.create(
        uid=absorbed.uid,
        commitment=kept,
        title=absorbed.title,
        file_path=absorbed.file_path,
        upstream_text=_upstream_text(absorbed),
        merged_by=by if by is not None and by.is_authenticated else None,
    )
    for alias in CommitmentAlias.objects.filter(commitment=absorbed):
        alias.commitment = kept
        alias.save()
    _move_timeline(kept, absorbed, reason, by)
    for correction in Correction.objects.filter(commitment=absorbed):
        correction.commitment = kept
        correction.save()
    kept_paths = set(kept.duplicate_copies.values_list("file_path", flat=True))
    for copy in DuplicateCopy.objects.filter(commitment=absorbed):
        if copy.file_path in kept_paths:
            continue  # the same file is already set aside with the kept record
        copy.commitment = kept
        copy._change_reason = reason
        record_user(copy, by)
        copy.save()
    for item in SyncConflict.objects.filter(commitment=absorbed):
        item.commitment = kept
        item.save()
    kept.last_updated = max(kept.last_updated, absorbed.last_updated)
    kept._change_reason = _("合併 %(uid)s") % {"uid": absorbed.uid}
    record_user(kept, by)
    kept.save()
    absorbed._change_reason = reason
    record_user(absorbed, by)
    absorbed.delete()
    search_document_commitment_set(commitment=kept)


def _upstream_text(absorbed: Commitment) -> str:
    """Return the last file upstream delivered for the absorbed id ("" if none)."""
    base = getattr(absorbed, "upstream_base", None)
    if base is not None:
        return base.text
    rows = [row for row in absorbed.log_entries.order_by("position") if row.is_own_upstream]
    if not rows:
        return ""
    data = Commitment.objects.with_timeline().get(pk=absorbed.pk).to_data()
    data.log = [row.to_data() for row in rows]
    return fmt.render(data)


def _move_timeline(kept: Commitment, absorbed: Commitment, reason: str, by) -> None:
    """Move the absorbed entries to the kept record, in date order among its own."""
    ours = list(kept.log_entries.order_by("position"))
    moved = []
    for index, row in enumerate(absorbed.log_entries.order_by("position")):
        row.commitment = kept
        row.merged_from = row.merged_from or absorbed.uid
        row.position = PARKED + index
        if TrackingLog.objects.filter(commitment=kept, key=row.key).exists():
            row.key = row.next_key()
        row._change_reason = reason
        record_user(row, by)
        row.save()
        moved.append(row)
    place_in_date_order(kept, ours, moved)


def place_in_date_order(kept: Commitment, ours: list, theirs: list) -> None:
    """Number a timeline: ``ours`` in their order, each of ``theirs`` after our entries of
    the same day or earlier (positions only, as the sync reorders).

    ``theirs`` stand at PARKED and after when this is called."""
    TrackingLog.objects.filter(commitment=kept).update(position=F("position") + _OFFSET)
    order = merge.merged_order(
        [merge.Placed(row, row.entry_date, True) for row in ours],
        [merge.Placed(row, row.entry_date, False) for row in theirs],
    )
    for index, placed in enumerate(order):
        TrackingLog.objects.filter(pk=placed.ref.pk).update(position=index)
        placed.ref.position = index
