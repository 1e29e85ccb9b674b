"""What readers are told about timeline entries: permanent keys, judgement labels, new statuses.

Each rule has one home here, so feeds, pages and downloads agree: ``timeline_entry_keys``
is where an entry's permanent key is read (TrackingLog.key, tracker.core.format's
timeline_keys when the entry was written). Who wrote an entry is its ``origin`` field;
who and when in words, ``tracker.core.provenance.entry_provenance``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tracker.core import format as fmt
from tracker.core.models import EntryKind, EntryShape, Source, Status, TrackingLog

# What an entry's key and new status are read from (the rest of the row is not read).
FACT_FIELDS = (
    "commitment_id",
    "key",
    "position",
    "kind",
    "shape",
    "from_status",
    "to_status",
    "judgement",
    "created_by_id",
    "reviewed_at",
)
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
    outcome: EntryOutcome


def entry_facts_by_pk(entries: Iterable[TrackingLog]) -> dict[int, EntryFacts]:
    """Return each given entry's key and outcome, reading their timelines in one query."""
    commitment_ids = {entry.commitment_id for entry in entries}
    if not commitment_ids:
        return {}
    timelines: dict[int, list[TrackingLog]] = {}
    rows = (
        TrackingLog.objects.filter(commitment_id__in=commitment_ids)
        .only(*FACT_FIELDS)
        .order_by("commitment_id", "position")
    )
    for row in rows:
        timelines.setdefault(row.commitment_id, []).append(row)
    facts = {}
    for timeline in timelines.values():
        keys = timeline_entry_keys(timeline)
        outcomes = entry_outcomes(timeline)
        for row, key, outcome in zip(timeline, keys, outcomes, strict=True):
            facts[row.pk] = EntryFacts(key=key, status_after=outcome.status, outcome=outcome)
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


@dataclass(frozen=True)
class EntryOutcome:
    """What one timeline entry did to the commitment's status, as readers are told.

    ``status``: the status a 狀態變更 entry set ("" for other entries). ``changed``: whether
    it changed the status (an evidence-shaped change repeating the status the timeline
    already had is further evidence, not a change). ``automated``: the pipeline decided it
    (an upstream evidence-shaped change, the AI judging the promise kept) and no editor
    has reviewed that judgement yet. ``before``: the status the timeline had before it (for a
    date-rule change, its 狀態 line's old status).
    """

    status: str = ""
    changed: bool = False
    automated: bool = False
    before: str = field(default="", compare=False)

    @property
    def is_status_change(self) -> bool:
        return bool(self.status)

    @property
    def further_evidence(self) -> bool:
        return bool(self.status) and not self.changed


def entry_outcomes(entries: Sequence[TrackingLog]) -> list[EntryOutcome]:
    """Return, per entry of one whole timeline (oldest first), what it did to the status.

    A date-rule change sets its 狀態 line's new status. An evidence-shaped change sets the
    status it recorded (the newsroom records one) or, as upstream writes it (no 狀態 line,
    the AI judging the promise fulfilled), 已達成. A timeline starts at 追蹤中.
    """
    result = []
    current = Status.TRACKING
    for entry in entries:
        if entry.kind != EntryKind.STATUS_CHANGE:
            result.append(EntryOutcome())
            continue
        if entry.shape == EntryShape.STATUS_RULE:
            status = entry.to_status or current
            before = entry.from_status or current
            result.append(EntryOutcome(status=status, changed=True, before=before))
        else:
            status = entry.to_status or Status.ACHIEVED
            result.append(
                EntryOutcome(
                    status=status,
                    changed=status != current,
                    automated=not entry.to_status and entry.is_automated and entry.needs_review,
                    before=current,
                )
            )
        current = status
    return result


@dataclass
class Citation:
    """A timeline entry as readers see it, with the later entries citing the same document."""

    entry: TrackingLog
    outcome: EntryOutcome
    document_date: dt.date | None
    repeats: list[TrackingLog] = field(default_factory=list)


@dataclass
class TimelineEvent:
    """One event of a timeline: an entry, its repeated citations, and the further evidence
    of a run of evidence 狀態變更 entries that only repeated the status it set."""

    head: Citation
    further: list[Citation] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.head.entry.entry_date.year

    @property
    def entry_count(self) -> int:
        return sum(1 + len(citation.repeats) for citation in [self.head, *self.further])


def document_dates(entries: Sequence[TrackingLog]) -> dict[str, dt.date]:
    """Return the date of each document the entries cite, by document number.

    Read from the number (format.parse_document_date); a number that holds no date takes
    the date of the known reply at the entry's link (its 行政院函號), in one query, made
    only when some number holds no date.
    """
    dates: dict[str, dt.date] = {}
    undated: dict[str, str] = {}
    for entry in entries:
        number = entry.document_number.strip()
        if not number or number in dates:
            continue
        day = fmt.parse_document_date(number)
        if day is not None:
            dates[number] = day
        elif entry.document_url:
            undated[entry.document_url] = number
    if undated:
        replies = Source.objects.filter(url__in=undated).values_list("url", "ey_number")
        for url, ey_number in replies:
            day = fmt.parse_document_date(ey_number)
            if day is not None:
                dates.setdefault(undated[url], day)
    return dates


def timeline_events(entries: Sequence[TrackingLog]) -> list[TimelineEvent]:
    """Return one whole timeline (oldest first) as events, oldest first.

    An entry that changes no status and cites a document an earlier entry cited (the same
    document number) is a repeated citation of that entry. An evidence 狀態變更 that only
    repeats the status already set (entry_outcomes: further evidence) right after the one
    that set it, or after further evidence of it, is grouped under it.
    """
    events: list[TimelineEvent] = []
    dates = document_dates(entries)
    by_document: dict[str, Citation] = {}
    run: TimelineEvent | None = None
    for entry, outcome in zip(entries, entry_outcomes(entries), strict=True):
        number = entry.document_number.strip()
        if number and not outcome.changed and number in by_document:
            by_document[number].repeats.append(entry)
            continue
        citation = Citation(entry, outcome, dates.get(number))
        if number:
            by_document[number] = citation
        if outcome.further_evidence and run is not None:
            run.further.append(citation)
            continue
        event = TimelineEvent(head=citation)
        events.append(event)
        is_evidence_change = outcome.status and entry.shape == EntryShape.EVIDENCE
        run = event if is_evidence_change else None
    return events
