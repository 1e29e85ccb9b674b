"""The one way to add to a commitment's timeline and to change its status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.core.entries import entry_outcomes
from tracker.core.links import web_url_problem
from tracker.core.models import Commitment, EntryKind, EntryShape, Status, TrackingLog
from tracker.core.services.search_index import search_document_commitment_set

DEFAULT_SOURCE_TYPE = "立法院答復"


@dataclass(frozen=True)
class Evidence:
    """A cited document: the five fields of a progress update or an evidence status change."""

    document_number: str
    document_url: str
    summary: str
    judgement: str
    source_type: str = DEFAULT_SOURCE_TYPE

    def as_fields(self) -> dict[str, str]:
        """Return the document as TrackingLog's field values."""
        return {name: getattr(self, name) for name in EVIDENCE_FIELD_NAMES}


# The five cited-document fields, in the file's order (tracker.core.format.EVIDENCE_FIELDS).
EVIDENCE_FIELD_NAMES = ("source_type", "document_number", "document_url", "summary", "judgement")


def today() -> dt.date:
    return timezone.localdate()


def validate_evidence(evidence: Evidence) -> None:
    """Raise ValidationError, keyed by field, for a cited document that cannot be logged."""
    errors: dict[str, str] = {}
    for name in EVIDENCE_FIELD_NAMES:
        value = getattr(evidence, name)
        if "\n" in value or "\r" in value:
            errors[name] = _("只能有一行文字")
    if not evidence.summary.strip():
        errors["summary"] = _("請填寫內容摘要")
    if evidence.document_url and web_url_problem(evidence.document_url):
        errors["document_url"] = _("來源連結必須是 http:// 或 https:// 開頭的完整網址")
    if errors:
        raise ValidationError(errors)


def validate_entry_date(entry_date: dt.date) -> None:
    if entry_date > today():
        raise ValidationError({"entry_date": _("日期不可晚於今天")})


def explained_status(entries) -> str | None:
    """Return the status the timeline's latest 狀態變更 entry set (None: it has none).

    What an entry set is tracker.core.entries.entry_outcomes: a date-rule entry names its
    new status; an evidence-shaped one is the pipeline's judgement that the promise was kept
    (已達成), unless the newsroom recorded another status with it.
    """
    statuses = [outcome.status for outcome in entry_outcomes(list(entries)) if outcome.status]
    return statuses[-1] if statuses else None


def status_is_explained(status: str, entries) -> bool:
    """Whether a timeline explains a status: its latest status change set it, or it has
    none and the status is the one every commitment starts with."""
    explained = explained_status(entries)
    return explained == status if explained is not None else status == Status.TRACKING


def _next_position(commitment: Commitment) -> int:
    last = commitment.log_entries.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _lock(commitment: Commitment) -> Commitment:
    """Re-read the commitment under a row lock so concurrent writers queue."""
    return Commitment.objects.locked(commitment.pk)


def _touch(commitment: Commitment, entry_date: dt.date, user=None, **changes) -> None:
    for name, value in changes.items():
        setattr(commitment, name, value)
    commitment.last_updated = max(commitment.last_updated, entry_date)
    record_user(commitment, user)
    commitment.save()


def record_user(instance, user) -> None:
    """Name the editor in the history record of the instance's next save (None: no one)."""
    if user is not None and user.is_authenticated:
        instance._history_user = user


def _editor(user):
    return user if user is not None and user.is_authenticated else None


def validate_reason(reason: str) -> str:
    """Return a status change's reason as written, or raise: it is required, one line."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("變更狀態必須填寫原因")})
    if "\n" in reason or "\r" in reason:
        raise ValidationError({"reason": _("原因只能有一行文字")})
    return reason


def validate_status_change(
    *, current_status: str, to_status: str, reason: str = "", evidence: Evidence | None = None
) -> str:
    """Raise ValidationError, keyed by field, for a status change that cannot be logged.

    A change needs a new status other than the current one, and either a one-line reason or
    a cited document. Returns the reason as it will be written.
    """
    if to_status not in Status.values:
        raise ValidationError({"to_status": _("未知的狀態：%(status)s") % {"status": to_status}})
    if to_status == current_status:
        raise ValidationError(
            {"to_status": _("狀態已經是「%(status)s」，無須變更") % {"status": to_status}}
        )
    if evidence is not None:
        if reason.strip():
            raise ValidationError(
                {"reason": _("原因與引用文件擇一：以引用文件為依據時，請清空原因")}
            )
        validate_evidence(evidence)
        return ""
    return validate_reason(reason)


def validate_new_entry_date(commitment: Commitment, entry_date: dt.date) -> None:
    """Refuse a new entry dated after today or before the timeline's latest entry.

    The timeline reads oldest first and new entries go at its end.
    """
    validate_entry_date(entry_date)
    if commitment.pk is None:
        return
    last = commitment.log_entries.order_by("-position").values_list("entry_date", flat=True)[:1]
    if last and entry_date < last[0]:
        raise ValidationError(
            {
                "entry_date": _("不可早於時間軸最後一筆的日期 %(date)s（時間軸由舊到新排列）")
                % {"date": last[0].isoformat()}
            }
        )


def write_progress(
    locked: Commitment,
    *,
    evidence: Evidence,
    entry_date: dt.date,
    kind: str = EntryKind.PROGRESS,
    user=None,
) -> TrackingLog:
    """Write a progress update on a commitment the caller has locked and validated for."""
    entry = TrackingLog(
        commitment=locked,
        position=_next_position(locked),
        entry_date=entry_date,
        kind=kind,
        shape=EntryShape.EVIDENCE,
        created_by=_editor(user),
        **evidence.as_fields(),
    )
    record_user(entry, user)
    entry.save()
    _touch(locked, entry_date, user)
    search_document_commitment_set(commitment=locked)
    return entry


def write_status_change(
    locked: Commitment,
    *,
    to_status: str,
    reason: str = "",
    evidence: Evidence | None = None,
    entry_date: dt.date,
    user=None,
) -> TrackingLog:
    """Change the status of a locked commitment and write the 狀態變更 entry explaining it.

    The entry has the date-rule shape (狀態 from → to, 原因) when a reason is given, or the
    evidence shape (the five cited-document fields) when evidence is given instead.
    """
    reason = validate_status_change(
        current_status=locked.status, to_status=to_status, reason=reason, evidence=evidence
    )
    values = {
        "kind": EntryKind.STATUS_CHANGE,
        "entry_date": entry_date,
        "from_status": locked.status,
        "to_status": to_status,
    }
    if evidence is None:
        values |= {"shape": EntryShape.STATUS_RULE, "reason": reason}
    else:
        # The evidence shape writes no 狀態 line to the file; the timeline still knows what
        # this entry set (explained_status).
        values |= {"shape": EntryShape.EVIDENCE, **evidence.as_fields()}
    entry = TrackingLog(
        commitment=locked, position=_next_position(locked), created_by=_editor(user), **values
    )
    record_user(entry, user)
    entry.save()
    _touch(locked, entry_date, user, status=to_status)
    search_document_commitment_set(commitment=locked)
    return entry


def tracking_log_add(
    *,
    commitment: Commitment,
    evidence: Evidence,
    entry_date: dt.date | None = None,
    kind: str = EntryKind.PROGRESS,
    user=None,
) -> TrackingLog:
    """Log a progress update citing a document; last_updated follows the entry's date.

    With an editor as ``user`` the entry is theirs (its judgement is not automated).
    """
    entry_date = entry_date or today()
    validate_entry_date(entry_date)
    validate_evidence(evidence)
    with transaction.atomic():
        locked = _lock(commitment)
        validate_new_entry_date(locked, entry_date)
        entry = write_progress(
            locked, evidence=evidence, entry_date=entry_date, kind=kind, user=user
        )
    _refresh(commitment, locked)
    return entry


def commitment_change_status(
    *,
    commitment: Commitment,
    to_status: str,
    reason: str = "",
    evidence: Evidence | None = None,
    entry_date: dt.date | None = None,
    user=None,
) -> TrackingLog:
    """Change a commitment's status, always writing the 狀態變更 entry that explains it."""
    entry_date = entry_date or today()
    validate_entry_date(entry_date)
    with transaction.atomic():
        locked = _lock(commitment)
        validate_new_entry_date(locked, entry_date)
        entry = write_status_change(
            locked,
            to_status=to_status,
            reason=reason,
            evidence=evidence,
            entry_date=entry_date,
            user=user,
        )
    _refresh(commitment, locked)
    return entry


def commitment_record_status(
    *,
    commitment: Commitment,
    from_status: str,
    to_status: str,
    reason: str,
    entry_date: dt.date | None = None,
    user=None,
) -> TrackingLog:
    """Write a newsroom 狀態變更 entry from one status to another and set the status.

    For the cases where the timeline, not the stored status, is what changes: a status a
    deleted entry had explained, or "keep ours" after upstream delivered another status.
    The caller holds the commitment's lock.
    """
    entry_date = entry_date or today()
    reason = validate_reason(reason)
    if to_status not in Status.values:
        raise ValidationError({"to_status": _("未知的狀態：%(status)s") % {"status": to_status}})
    entry = TrackingLog(
        commitment=commitment,
        position=_next_position(commitment),
        entry_date=entry_date,
        kind=EntryKind.STATUS_CHANGE,
        shape=EntryShape.STATUS_RULE,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        created_by=_editor(user),
    )
    record_user(entry, user)
    entry.save()
    _touch(commitment, entry_date, user, status=to_status)
    search_document_commitment_set(commitment=commitment)
    return entry


def _refresh(commitment: Commitment, saved: Commitment) -> None:
    """Give the caller's instance the values just saved."""
    for name in ("status", "last_updated", "modified_at", "version"):
        setattr(commitment, name, getattr(saved, name))


def tracking_log_created_text(*, term: str, session_period: str) -> str:
    """Return the 初始建立 line the pipeline writes for a commitment drawn from a reply."""
    return f"從第{term}屆第{session_period}會期答復文件中萃取此承諾。"


def tracking_log_add_created(
    *, commitment: Commitment, entry_date: dt.date | None = None, user=None
) -> TrackingLog:
    """Write the 初始建立 entry that opens a new commitment's timeline."""
    entry_date = entry_date or today()
    validate_entry_date(entry_date)
    with transaction.atomic():
        locked = _lock(commitment)
        if locked.log_entries.exists():
            raise ValidationError(_("這筆承諾已有追蹤紀錄，不能再加「初始建立」"))
        source = locked.source
        entry = TrackingLog(
            commitment=locked,
            position=0,
            entry_date=entry_date,
            kind=EntryKind.CREATED,
            shape=EntryShape.TEXT,
            text=tracking_log_created_text(term=source.term, session_period=source.session_period),
            created_by=_editor(user),
        )
        record_user(entry, user)
        entry.save()
        _touch(locked, entry_date, user)
        search_document_commitment_set(commitment=locked)
    _refresh(commitment, locked)
    return entry
