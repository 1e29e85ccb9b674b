"""What "done" means: progress through the criteria, and the target date's slips."""

import datetime as dt

from tracker.core.criteria import criteria_progress, target_date_slips


def test_progress_counts_the_met_criteria():
    progress = criteria_progress(["met", "open", "failed", "met"])
    assert (progress.met, progress.total, progress.percent) == (2, 4, 50)
    assert criteria_progress([]).percent == 0


def test_slips_count_each_move_later_and_the_days_in_all():
    versions = [
        (dt.datetime(2026, 1, 1), "2025-12-31"),
        (dt.datetime(2026, 2, 1), "2025-12-31"),
        (dt.datetime(2026, 3, 1), "115-06-30"),  # ROC: 2026-06-30, 181 days later
        (dt.datetime(2026, 4, 1), None),  # cleared: no move
        (dt.datetime(2026, 5, 1), "2026-12-31"),  # 184 days after 2026-06-30
        (dt.datetime(2026, 6, 1), "2026-10-31"),  # moved earlier: not a slip
    ]
    slips = target_date_slips(versions)
    assert slips.count == 2
    assert slips.total_days == 181 + 184
    assert [(s.before, s.after) for s in slips.later] == [
        ("2025-12-31", "115-06-30"),
        ("115-06-30", "2026-12-31"),
    ]
    assert slips.later[0].changed_on == dt.date(2026, 3, 1)
    assert len(slips.changes) == 3


def test_the_same_day_written_another_way_is_no_slip():
    slips = target_date_slips(
        [(dt.date(2026, 1, 1), "109-12-31"), (dt.date(2026, 2, 1), "2020-12-31")]
    )
    assert slips.changes == ()
