"""The sync's merge rules on their own: entry alignment, field decisions, timeline order."""

import datetime as dt

import pytest

from tracker.core import format as fmt
from tracker.core import merge


def entry(day: int, text: str = "x") -> fmt.LogEntryData:
    return fmt.LogEntryData(entry_date=dt.date(2026, 1, day), kind=fmt.KIND_PROGRESS, text=text)


A, B, C, D = entry(26, "a"), entry(27, "b"), entry(28, "c"), entry(29, "d")


def test_same_entries_are_same_and_appended_ones_are_newer():
    assert merge.plan_entries([A, B], [A, B]).verdict == merge.Verdict.SAME
    plan = merge.plan_entries([A, B], [A, B, C, D])
    assert plan.verdict == merge.Verdict.NEWER
    assert [added for _, added in plan.appended] == [C, D]
    assert plan.vanished == []


def test_a_prefix_of_the_base_is_older_and_changes_nothing():
    plan = merge.plan_entries([A, B, C], [A, B])
    assert plan.verdict == merge.Verdict.OLDER
    assert plan.appended == [] and plan.vanished == []
    assert merge.plan_entries([A, B, C], []).verdict == merge.Verdict.OLDER


def test_the_same_entries_dated_earlier_are_older():
    plan = merge.plan_entries(
        [A, B],
        [A, B],
        base_last_updated=dt.date(2026, 1, 30),
        incoming_last_updated=dt.date(2026, 1, 29),
    )
    assert plan.verdict == merge.Verdict.OLDER


@pytest.mark.parametrize(
    ("incoming", "appended", "vanished"),
    [
        ([A, entry(27, "b, rewritten"), C], [entry(27, "b, rewritten"), C], [B]),  # rewrite
        ([A, C], [C], [B]),  # drop
        ([A, D, B], [D], []),  # insert in the middle
    ],
)
def test_anything_else_diverged_with_what_was_added_and_what_vanished(incoming, appended, vanished):
    plan = merge.plan_entries([A, B], incoming)
    assert plan.verdict == merge.Verdict.DIVERGED
    assert [added for _, added in plan.appended] == appended
    assert plan.vanished == fmt.timeline_keys(vanished)


def test_repeated_identical_entries_are_told_apart_by_occurrence():
    plan = merge.plan_entries([A, B], [A, B, B])
    assert plan.verdict == merge.Verdict.NEWER
    assert plan.appended[0][0] == f"{fmt.entry_fingerprint(B)}-2"


@pytest.mark.parametrize(
    ("base", "theirs", "ours", "decision"),
    [
        ("a", "a", "a", merge.FieldDecision.KEEP),
        ("a", "a", "ours", merge.FieldDecision.KEEP),  # only we changed it
        ("a", "theirs", "a", merge.FieldDecision.TAKE),  # only upstream changed it
        ("a", "same", "same", merge.FieldDecision.KEEP),  # both, to the same value
        ("a", "theirs", "ours", merge.FieldDecision.CONFLICT),
        (None, "theirs", None, merge.FieldDecision.TAKE),
        ("a", None, "ours", merge.FieldDecision.CONFLICT),
    ],
)
def test_field_decisions(base, theirs, ours, decision):
    assert merge.decide_field(base, theirs, ours) == decision


def placed(ref, day, upstream):
    return merge.Placed(ref, dt.date(2026, 1, day), upstream)


def test_newsroom_entries_go_after_upstream_entries_of_the_same_day():
    upstream = [placed("u26", 26, True), placed("u28", 28, True), placed("u28b", 28, True)]
    newsroom = [placed("n28", 28, False), placed("n27", 27, False), placed("n30", 30, False)]
    order = [item.ref for item in merge.merged_order(upstream, newsroom)]
    assert order == ["u26", "n27", "u28", "u28b", "n28", "n30"]


def test_upstream_order_is_kept_even_where_its_dates_are_not_sorted():
    upstream = [placed("u28", 28, True), placed("u26", 26, True)]
    order = [item.ref for item in merge.merged_order(upstream, [placed("n27", 27, False)])]
    assert order == ["n27", "u28", "u26"]
