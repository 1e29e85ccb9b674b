"""What readers are told about timeline entries: the outcome of every status change."""

import datetime as dt
import random
from dataclasses import asdict

import pytest

from tests.factories import make_source
from tracker.core import format as fmt
from tracker.core.entries import document_dates, entry_outcomes, timeline_events
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


def evidence(kind=EntryKind.STATUS_CHANGE, to_status="", judgement="達成證據", number=0, day=DAY):
    """An entry citing a document, as upstream writes it (no 狀態 line, no editor)."""
    return TrackingLog(
        kind=kind,
        shape=EntryShape.EVIDENCE,
        to_status=to_status,
        judgement=judgement,
        document_number=document(number) if number else "",
        entry_date=day,
    )


def document(number: int) -> str:
    return (
        f"（行政院函\u3000中華民國110年{number % 12 + 1}月{number % 28 + 1}日院臺專字第{number}號）"
    )


def progress(number=0, day=DAY):
    return evidence(kind=EntryKind.PROGRESS, judgement="進度更新", number=number, day=day)


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


def days(n):
    return [DAY + dt.timedelta(days=index) for index in range(n)]


@pytest.mark.parametrize("times", [2, 3, 5])
def test_citations_of_one_document_on_other_days_are_one_event(times):
    timeline = [created()] + [progress(number=7, day=day) for day in days(times)]
    events = timeline_events(timeline)
    assert len(events) == 2
    cited = events[1].head
    assert cited.entry is timeline[1]
    assert [entry.entry_date for entry in cited.repeats] == days(times)[1:]
    assert cited.document_date == dt.date(2021, 8, 8)


@pytest.mark.parametrize("run", [2, 8, 21, 36])
def test_a_run_of_evidence_changes_is_one_change_with_its_further_evidence(run):
    timeline = [created(), rule(Status.TRACKING, Status.DELAYED)]
    timeline += [evidence(number=100 + index) for index in range(run)]
    # The pipeline cites the run's documents again on the next days.
    timeline += [evidence(number=100 + index, day=DAY + dt.timedelta(1)) for index in range(run)]
    events = timeline_events(timeline)
    assert len(events) == 3
    change = events[2]
    assert change.head.outcome.changed and change.head.outcome.status == Status.ACHIEVED
    assert [c.entry for c in change.further] == timeline[3 : 2 + run]
    assert all(c.outcome.further_evidence for c in change.further)
    assert all(len(c.repeats) == 1 for c in [change.head, *change.further])
    assert change.entry_count == 2 * run


def test_a_progress_update_ends_a_run():
    timeline = [evidence(number=1), progress(number=2), evidence(number=3)]
    events = timeline_events(timeline)
    assert [event.head.entry for event in events] == timeline
    assert events[2].head.outcome.further_evidence


def test_a_changing_entry_is_never_folded_into_an_earlier_citation():
    timeline = [progress(number=5), evidence(number=5), rule(Status.ACHIEVED, Status.STALE)]
    events = timeline_events(timeline)
    assert [event.head.entry for event in events] == timeline


def test_entries_without_a_document_number_are_never_merged():
    timeline = [progress(), progress(), evidence(), evidence()]
    events = timeline_events(timeline)
    assert len(events) == 3  # the second evidence change is further evidence of the first
    assert not any(citation.repeats for event in events for citation in [event.head])


@pytest.mark.parametrize("seed", range(40))
def test_every_entry_is_shown_exactly_once_in_order(seed):
    rng = random.Random(seed)
    makers = [
        lambda day: progress(number=rng.randint(1, 6), day=day),
        lambda day: evidence(number=rng.randint(1, 6), day=day),
        lambda day: evidence(number=rng.randint(1, 6), day=day, to_status=Status.STALE),
        lambda day: rule(Status.ACHIEVED, Status.DELAYED),
        lambda day: progress(day=day),
    ]
    timeline = [created()] + [rng.choice(makers)(day) for day in days(rng.randint(1, 40))]
    events = timeline_events(timeline)
    shown = [
        entry
        for event in events
        for citation in [event.head, *event.further]
        for entry in [citation.entry, *citation.repeats]
    ]
    assert sorted(map(id, shown)) == sorted(map(id, timeline))
    assert sum(event.entry_count for event in events) == len(timeline)
    heads = [timeline.index(event.head.entry) for event in events]
    assert heads == sorted(heads)
    outcomes = dict(zip(map(id, timeline), entry_outcomes(timeline), strict=True))
    for event in events:
        for citation in [event.head, *event.further]:
            # Only entries that changed nothing fold under another.
            assert all(not outcomes[id(entry)].changed for entry in citation.repeats)
        assert all(not outcomes[id(c.entry)].changed for c in event.further)


def test_the_corpus_timelines_fold_their_runs_and_keep_every_entry(corpus_commitments):
    files_with_runs = longest = 0
    for path in corpus_commitments.rglob("*.md"):
        log = fmt.parse(path.read_text(encoding="utf-8")).log
        timeline = [TrackingLog(**asdict(entry)) for entry in log]
        events = timeline_events(timeline)
        assert sum(event.entry_count for event in events) == len(timeline), path
        run = best = 0
        for entry in timeline:
            evidence_change = entry.kind == EntryKind.STATUS_CHANGE and entry.shape == "evidence"
            run = run + 1 if evidence_change else 0
            best = max(best, run)
        if best > 1:
            files_with_runs += 1
            longest = max(longest, best)
        # However long the run, the page has one change event for it.
        outcomes = entry_outcomes(timeline)
        changes = sum(1 for outcome in outcomes if outcome.changed)
        assert sum(1 for event in events if event.head.outcome.changed) == changes
    # 216 files and a run of 36 in the 1,187-file corpus (the issue counts 21 in the full one).
    assert files_with_runs > 100 and longest > 10


@pytest.mark.django_db
def test_a_number_without_a_date_takes_the_date_of_the_reply_at_its_link(
    django_assert_num_queries,
):
    make_source(
        url="https://example.org/known.doc",
        ey_number="（行政院函　中華民國109年6月8日院授主預社字第1090101584號）",
    )
    known = TrackingLog(
        document_number="院授主預社字第1090101584號", document_url="https://example.org/known.doc"
    )
    unknown = TrackingLog(
        document_number="院臺專字第1號", document_url="https://example.org/other.doc"
    )
    dated = progress(number=3)
    with django_assert_num_queries(1):
        dates = document_dates([known, unknown, dated])
    assert dates == {
        "院授主預社字第1090101584號": dt.date(2020, 6, 8),
        dated.document_number: dt.date(2021, 4, 4),
    }
    with django_assert_num_queries(0):
        document_dates([dated, progress()])


def test_a_change_says_which_status_it_left():
    timeline = [created(), rule(Status.TRACKING, Status.DELAYED), evidence(), evidence()]
    outcomes = entry_outcomes(timeline)
    assert [o.before for o in outcomes[1:]] == [Status.TRACKING, Status.DELAYED, Status.ACHIEVED]
    assert outcomes[2].changed and not outcomes[3].changed
    assert entry_outcomes([evidence()])[0].before == Status.TRACKING  # a timeline's start
