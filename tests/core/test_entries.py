"""What readers are told about timeline entries: the outcome of every status change."""

import datetime as dt

import pytest

from tracker.core.entries import entry_outcomes
from tracker.core.models import EntryKind, EntryShape, Status, TrackingLog

DAY = dt.date(2026, 1, 27)


def created():
    return TrackingLog(kind=EntryKind.CREATED, shape=EntryShape.TEXT, entry_date=DAY)


def rule(from_status, to_status):
    return TrackingLog(
        kind=EntryKind.STATUS_CHANGE,
        shape=EntryShape.STATUS_RULE,
        from_status=from_status,
        to_status=to_status,
        entry_date=DAY,
    )


def evidence(kind=EntryKind.STATUS_CHANGE, to_status="", judgement="達成證據"):
    """An entry citing a document, as upstream writes it (no 狀態 line, no editor)."""
    return TrackingLog(
        kind=kind,
        shape=EntryShape.EVIDENCE,
        to_status=to_status,
        judgement=judgement,
        entry_date=DAY,
    )


def progress():
    return evidence(kind=EntryKind.PROGRESS, judgement="進度更新")


def test_an_upstream_evidence_change_reads_achieved_and_automated():
    outcomes = entry_outcomes([created(), rule(Status.TRACKING, Status.DELAYED), evidence()])
    assert [outcome.status for outcome in outcomes] == ["", Status.DELAYED, Status.ACHIEVED]
    assert outcomes[2].changed and outcomes[2].automated
    assert not outcomes[1].automated


@pytest.mark.parametrize("run", [2, 3, 8, 21])
@pytest.mark.parametrize("between", [False, True])
def test_only_the_first_of_a_run_of_evidence_changes_is_a_change(run, between):
    timeline = [created()]
    for _ in range(run):
        timeline.append(evidence())
        if between:
            timeline.append(progress())
    outcomes = [o for o in entry_outcomes(timeline) if o.status]
    assert len(outcomes) == run
    assert all(o.status == Status.ACHIEVED for o in outcomes)
    assert [o.changed for o in outcomes] == [True] + [False] * (run - 1)
    assert [o.further_evidence for o in outcomes] == [False] + [True] * (run - 1)


def test_an_evidence_change_after_a_date_rule_change_is_a_change_again():
    timeline = [evidence(), rule(Status.ACHIEVED, Status.STALE), evidence()]
    outcomes = entry_outcomes(timeline)
    assert [(o.status, o.changed) for o in outcomes] == [
        (Status.ACHIEVED, True),
        (Status.STALE, True),
        (Status.ACHIEVED, True),
    ]


def test_an_evidence_change_the_newsroom_recorded_keeps_its_status():
    entry = evidence(to_status=Status.STALE)
    (outcome,) = entry_outcomes([entry])
    assert outcome.status == Status.STALE and outcome.changed
    assert not outcome.automated


def test_a_reviewed_judgement_is_no_longer_labelled_automated():
    entry = evidence()
    entry.reviewed_at = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    (outcome,) = entry_outcomes([entry])
    assert outcome.status == Status.ACHIEVED and not outcome.automated


def test_entries_that_change_no_status_have_no_outcome():
    outcomes = entry_outcomes([created(), progress()])
    assert all(not o.status and not o.changed for o in outcomes)
