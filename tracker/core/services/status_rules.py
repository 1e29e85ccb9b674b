"""The format's date rules for statuses: overdue targets become 已延宕, silence becomes 無更新.

The decision (:func:`decide`) is pure: a status, a target date as written, the date of the
latest timeline entry and "today" in, a change (or none) out. :func:`commitments_update_statuses`
applies the decisions through :func:`tracker.core.services.timeline.commitment_change_status`, so
each change writes the same 狀態變更 entry the upstream pipeline writes:

    ### 2026-01-26 [狀態變更]
    **狀態**：追蹤中 → 已延宕
    **原因**：目標日期 2023-11-20 已過

The rules only move a commitment forward (追蹤中/無更新 → 已延宕, 追蹤中 → 無更新) and never
touch 已達成, so applying them twice changes nothing the second time.

One rule moves back: a 已延宕 whose target date has not passed (read as ISO or as a 民國
date) is a wrong status. Upstream compared 民國 dates as text ("116-10-31" < "2026-…"), so
it delayed commitments due in 2027. The correction returns the commitment to the status it
had before the timeline's latest change into 已延宕 (追蹤中 or 無更新; 追蹤中 when the
timeline does not say), the status the target rule would have left it in, and writes why:

    **狀態**：已延宕 → 追蹤中
    **原因**：目標日期 116-10-31（2027-10-31）未到，更正誤判的已延宕
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce

from tracker.core import format as fmt
from tracker.core.models import Commitment, EntryKind
from tracker.core.services import timeline
from tracker.core.services.timeline import commitment_change_status

STALE_MONTHS = 6
RULE_DELAYED = "delayed"
RULE_STALE = "stale"
RULE_NOT_DUE = "not_due"
STALE_REASON = f"超過{STALE_MONTHS}個月無更新"


class StatusRulesError(ValueError):
    pass


def delayed_reason(target_date_text: str) -> str:
    """Return the 原因 line of a target-date change, quoting the date as the file writes it."""
    return f"目標日期 {target_date_text} 已過"


def months_before(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` calendar months earlier (clamped to the month's end)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def not_due_reason(target_date_text: str, target: dt.date) -> str:
    """Return the 原因 line of a correction of a 已延宕 whose target date has not come."""
    meaning = " " if fmt.is_iso_date(target_date_text.strip()) else f"（{target.isoformat()}）"
    return f"目標日期 {target_date_text}{meaning}未到，更正誤判的已延宕"


# The statuses a wrong 已延宕 may go back to: those the target rule moves from.
_RESTORABLE = (fmt.STATUS_TRACKING, fmt.STATUS_STALE)


@dataclass(frozen=True)
class Decision:
    rule: str
    to_status: str
    reason: str


def decide(
    *,
    status: str,
    target_date_text: str | None,
    last_entry_date: dt.date,
    today: dt.date,
    status_before_delay: str | None = None,
) -> Decision | None:
    """Return the status change the rules call for, or None.

    A target date that has passed (strictly before today) makes a commitment that is not
    achieved 已延宕; otherwise a 追蹤中 commitment whose latest timeline entry is six calendar
    months old or older becomes 無更新. A delayed commitment stays delayed when it also
    goes quiet: flipping it to 無更新 would be undone by the target rule on the next run.
    A 已延宕 whose target date is understood and has not passed goes back to
    ``status_before_delay`` (追蹤中 unless that is 無更新); one without a readable target
    date stays, as nothing contradicts it.
    """
    if status == fmt.STATUS_ACHIEVED:
        return None
    target = fmt.parse_target_date(target_date_text)
    if target is not None and target < today:
        if status == fmt.STATUS_DELAYED:
            return None
        return Decision(RULE_DELAYED, fmt.STATUS_DELAYED, delayed_reason(target_date_text))
    if target is not None and status == fmt.STATUS_DELAYED:
        back = status_before_delay if status_before_delay in _RESTORABLE else None
        return Decision(
            RULE_NOT_DUE, back or fmt.STATUS_TRACKING, not_due_reason(target_date_text, target)
        )
    if status == fmt.STATUS_TRACKING and last_entry_date <= months_before(today, STALE_MONTHS):
        return Decision(RULE_STALE, fmt.STATUS_STALE, STALE_REASON)
    return None


def target_date_not_understood(target_date_text: str | None) -> bool:
    """Return True for a target date that is written but cannot be read as a date."""
    return bool(target_date_text and target_date_text.strip()) and (
        fmt.parse_target_date(target_date_text) is None
    )


@dataclass(frozen=True)
class StatusChange:
    commitment_id: int
    uid: str
    file_path: str
    title: str
    from_status: str
    to_status: str
    reason: str
    rule: str


@dataclass(frozen=True)
class Skipped:
    uid: str
    file_path: str
    why: str


@dataclass
class StatusReport:
    today: dt.date
    dry_run: bool
    changes: list[StatusChange] = field(default_factory=list)
    unparseable: list[Skipped] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def count(self, rule: str) -> int:
        return sum(1 for change in self.changes if change.rule == rule)

    def summary(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        return (
            f"{len(self.changes)} {verb} on {self.today.isoformat()}: "
            f"{self.count(RULE_DELAYED)} → {fmt.STATUS_DELAYED} (target date passed), "
            f"{self.count(RULE_STALE)} → {fmt.STATUS_STALE} "
            f"(no timeline entry for {STALE_MONTHS} months), "
            f"{self.count(RULE_NOT_DUE)} {fmt.STATUS_DELAYED} corrected (target date not passed); "
            f"{len(self.unparseable)} target dates not understood, "
            f"{len(self.skipped)} skipped"
        )


def commitments_update_statuses(*, today: dt.date, dry_run: bool = False) -> StatusReport:
    """Apply the date rules to every commitment; with dry_run, only report what would change.

    All changes are written in one transaction: a failure leaves every status as it was.
    """
    if not dry_run and today > timeline.today():
        raise StatusRulesError(
            f"{today.isoformat()} is after today ({timeline.today().isoformat()}): the entries "
            "would be dated in the future; preview such a date with a dry run"
        )
    report = StatusReport(today=today, dry_run=dry_run)
    commitments = (
        Commitment.objects.exclude(status=fmt.STATUS_ACHIEVED)
        .annotate(last_entry_date=Coalesce(Max("log_entries__entry_date"), "created_date"))
        .order_by("file_path")
    )
    with transaction.atomic():
        for commitment in commitments:
            _apply(commitment, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _status_before_delay(commitment: Commitment) -> str | None:
    """Return the status a 已延宕 commitment's latest change into 已延宕 came from."""
    if commitment.status != fmt.STATUS_DELAYED:
        return None
    return (
        commitment.log_entries.filter(kind=EntryKind.STATUS_CHANGE, to_status=fmt.STATUS_DELAYED)
        .order_by("-position")
        .values_list("from_status", flat=True)
        .first()
    )


def _apply(commitment: Commitment, report: StatusReport) -> None:
    if target_date_not_understood(commitment.target_date_text):
        report.unparseable.append(
            Skipped(
                commitment.uid,
                commitment.file_path,
                f"target_date {commitment.target_date_text!r} is not a date; "
                "the target-date rule leaves it alone",
            )
        )
    decision = decide(
        status=commitment.status,
        target_date_text=commitment.target_date_text,
        last_entry_date=commitment.last_entry_date,
        today=report.today,
        status_before_delay=_status_before_delay(commitment),
    )
    if decision is None:
        return
    if commitment.last_entry_date > report.today:
        # An entry dated --today would land before a later one: out of date order.
        report.skipped.append(
            Skipped(
                commitment.uid,
                commitment.file_path,
                f"its timeline has an entry dated {commitment.last_entry_date.isoformat()}, "
                f"after {report.today.isoformat()}",
            )
        )
        return
    change = StatusChange(
        commitment_id=commitment.pk,
        uid=commitment.uid,
        file_path=commitment.file_path,
        title=commitment.title,
        from_status=commitment.status,
        to_status=decision.to_status,
        reason=decision.reason,
        rule=decision.rule,
    )
    if not report.dry_run:
        try:
            commitment_change_status(
                commitment=commitment,
                to_status=decision.to_status,
                reason=decision.reason,
                entry_date=report.today,
            )
        except ValidationError as error:
            report.skipped.append(
                Skipped(commitment.uid, commitment.file_path, "; ".join(error.messages))
            )
            return
    report.changes.append(change)
