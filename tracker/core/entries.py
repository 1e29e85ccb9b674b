"""What readers are told about timeline entries: permanent keys, judgement labels, new statuses.

Each rule has one home here, so feeds, pages and downloads agree: ``timeline_entry_keys``
is where an entry's permanent key is read (TrackingLog.key, tracker.core.format's
timeline_keys when the entry was written). Who wrote an entry is its ``origin`` field;
who and when in words, ``tracker.core.provenance.entry_provenance``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tracker.core.models import EntryKind, EntryShape, TrackingLog

# What an entry's key and new status are read from (the rest of the row is not read).
FACT_FIELDS = ("commitment_id", "key", "position", "kind", "shape", "from_status", "to_status")
JUDGEMENT_NONE = ""
JUDGEMENT_AUTOMATED_UNREVIEWED = "automated_unreviewed"
JUDGEMENT_AUTOMATED_REVIEWED = "automated_reviewed"
JUDGEMENT_EDITOR = "editor"
# The codes of the three judgement labels (downloads use the codes), and their one wording
# (the desk, the public pages and the feeds show it).
JUDGEMENT_CODES = (JUDGEMENT_AUTOMATED_UNREVIEWED, JUDGEMENT_AUTOMATED_REVIEWED, JUDGEMENT_EDITOR)
JUDGEMENT_LABELS = {
    JUDGEMENT_AUTOMATED_UNREVIEWED: _("自動判斷，未經編輯審核"),
    JUDGEMENT_AUTOMATED_REVIEWED: _("自動判斷，經編輯審核"),
    JUDGEMENT_EDITOR: _("編輯判斷"),
}


def timeline_entry_keys(entries: Sequence[TrackingLog]) -> list[str]:
    """Return the permanent keys of one commitment's whole timeline, in order."""
    return [entry.key for entry in entries]


@dataclass(frozen=True)
class EntryFacts:
    key: str
    status_after: str


def entry_facts_by_pk(entries: Iterable[TrackingLog]) -> dict[int, EntryFacts]:
    """Return each given entry's key and new status, reading their timelines in one query."""
    commitment_ids = {entry.commitment_id for entry in entries}
    if not commitment_ids:
        return {}
    timelines: dict[int, list[TrackingLog]] = {}
    rows = (
        TrackingLog.objects.filter(commitment_id__in=commitment_ids)
        .select_related("commitment")
        .only("commitment__status", *FACT_FIELDS)
        .order_by("commitment_id", "position")
    )
    for row in rows:
        timelines.setdefault(row.commitment_id, []).append(row)
    facts = {}
    for timeline in timelines.values():
        keys = timeline_entry_keys(timeline)
        statuses = statuses_after(timeline[0].commitment.status, timeline)
        for row, key, status in zip(timeline, keys, statuses, strict=True):
            facts[row.pk] = EntryFacts(key=key, status_after=status)
    return facts


def entry_judgement_label(entry: TrackingLog) -> str:
    """Return the code of an entry's judgement label (empty when it has no judgement)."""
    if not entry.judgement:
        return JUDGEMENT_NONE
    if entry.is_automated:
        if entry.needs_review:
            return JUDGEMENT_AUTOMATED_UNREVIEWED
        return JUDGEMENT_AUTOMATED_REVIEWED
    return JUDGEMENT_EDITOR


def statuses_after(current_status: str, entries: Sequence[TrackingLog]) -> list[str]:
    """Return, per entry, the status a status change led to ("" for others or unknown).

    A date-rule change names its new status. An evidence-shaped change (the five cited
    fields) does not; its new status is the one the next date-rule change starts from, or
    the commitment's current status when no later change follows. Between two evidence-
    shaped changes it is not known, and stays "".
    """
    result = [""] * len(entries)
    after: str = current_status
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if entry.kind != EntryKind.STATUS_CHANGE:
            continue
        if entry.shape == EntryShape.STATUS_RULE:
            result[index] = entry.to_status
            after = entry.from_status
        else:
            result[index] = after
            after = ""
    return result
