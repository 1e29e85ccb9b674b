import datetime as dt

import pytest

from tests.factories import make_commitment, make_log
from tracker.core import format as fmt
from tracker.core.models import Commitment, EntryKind, EntryShape, Origin
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.status_rules import (
    RULE_DELAYED,
    RULE_NOT_DUE,
    RULE_STALE,
    Decision,
    StatusRulesError,
    commitments_update_statuses,
    decide,
    months_before,
)

TODAY = dt.date(2026, 8, 1)
RECENT = dt.date(2026, 7, 1)


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)


@pytest.mark.parametrize(
    ("target", "expected_reason"),
    [
        ("2026-07-31", "目標日期 2026-07-31 已過"),
        ("109-12-31", "目標日期 109-12-31 已過"),
    ],
)
def test_passed_target_date_delays_quoting_the_date_as_written(target, expected_reason):
    decision = decide(
        status=fmt.STATUS_TRACKING, target_date_text=target, last_entry_date=RECENT, today=TODAY
    )
    assert decision.to_status == fmt.STATUS_DELAYED
    assert decision.reason == expected_reason
    assert decision.rule == RULE_DELAYED


def test_target_date_of_today_has_not_passed():
    assert (
        decide(
            status=fmt.STATUS_TRACKING,
            target_date_text=TODAY.isoformat(),
            last_entry_date=RECENT,
            today=TODAY,
        )
        is None
    )


def test_roc_date_in_the_future_is_not_passed():
    # 116-10-31 is 2027-10-31; compared as text it would sort before 2026.
    assert (
        decide(
            status=fmt.STATUS_TRACKING,
            target_date_text="116-10-31",
            last_entry_date=RECENT,
            today=TODAY,
        )
        is None
    )


@pytest.mark.parametrize("status", [fmt.STATUS_ACHIEVED, fmt.STATUS_DELAYED])
def test_achieved_and_delayed_are_left_alone(status):
    assert (
        decide(
            status=status,
            target_date_text="2020-01-01",
            last_entry_date=dt.date(2020, 1, 1),
            today=TODAY,
        )
        is None
    )


def test_stale_commitment_without_entry_for_six_months():
    decision = decide(
        status=fmt.STATUS_TRACKING,
        target_date_text=None,
        last_entry_date=dt.date(2026, 2, 1),
        today=TODAY,
    )
    assert decision.to_status == fmt.STATUS_STALE
    assert decision.reason == "超過6個月無更新"
    assert decision.rule == RULE_STALE


def test_entry_a_day_short_of_six_months_keeps_tracking():
    assert (
        decide(
            status=fmt.STATUS_TRACKING,
            target_date_text=None,
            last_entry_date=dt.date(2026, 2, 2),
            today=TODAY,
        )
        is None
    )


def test_stale_commitment_with_passed_target_becomes_delayed():
    decision = decide(
        status=fmt.STATUS_STALE,
        target_date_text="2026-01-01",
        last_entry_date=dt.date(2025, 1, 1),
        today=TODAY,
    )
    assert decision.to_status == fmt.STATUS_DELAYED


def test_placeholder_target_date_is_not_a_passed_date():
    assert (
        decide(
            status=fmt.STATUS_TRACKING,
            target_date_text="YYYY-05-31",
            last_entry_date=RECENT,
            today=TODAY,
        )
        is None
    )


@pytest.mark.django_db
def test_update_writes_the_status_change_entry_as_export_writes_it():
    commitment = make_commitment(target_date_text="109-12-31")
    report = commitments_update_statuses(today=dt.date(2026, 2, 1))
    assert [change.uid for change in report.changes] == [commitment.uid]
    commitment = Commitment.objects.with_timeline().get(pk=commitment.pk)
    assert commitment.status == fmt.STATUS_DELAYED
    assert commitment.last_updated == dt.date(2026, 2, 1)
    assert commitment_render(commitment=commitment).endswith(
        "### 2026-02-01 [狀態變更]\n**狀態**：追蹤中 → 已延宕\n**原因**：目標日期 109-12-31 已過\n"
    )


@pytest.mark.django_db
def test_second_run_changes_nothing():
    make_commitment(target_date_text="2025-12-31")
    make_commitment(target_date_text=None)
    first = commitments_update_statuses(today=dt.date(2026, 8, 1))
    assert (first.count(RULE_DELAYED), first.count(RULE_STALE)) == (1, 1)
    second = commitments_update_statuses(today=dt.date(2026, 8, 1))
    assert second.changes == []
    later = commitments_update_statuses(today=dt.date(2027, 8, 1), dry_run=True)
    assert later.changes == []


@pytest.mark.django_db
def test_dry_run_lists_changes_and_writes_nothing():
    commitment = make_commitment(target_date_text="2025-12-31")
    report = commitments_update_statuses(today=dt.date(2030, 1, 1), dry_run=True)
    assert len(report.changes) == 1
    commitment.refresh_from_db()
    assert commitment.status == fmt.STATUS_TRACKING
    assert commitment.log_entries.count() == 1


@pytest.mark.django_db
def test_unparseable_target_date_is_listed_and_left_alone():
    commitment = make_commitment(target_date_text="YYYY-05-31", status=fmt.STATUS_DELAYED)
    report = commitments_update_statuses(today=dt.date(2026, 8, 1))
    assert [item.uid for item in report.unparseable] == [commitment.uid]
    assert report.changes == []


@pytest.mark.django_db
def test_achieved_commitment_is_never_touched():
    commitment = make_commitment(target_date_text="2020-01-01", status=fmt.STATUS_ACHIEVED)
    commitments_update_statuses(today=dt.date(2026, 8, 1))
    commitment.refresh_from_db()
    assert commitment.status == fmt.STATUS_ACHIEVED


@pytest.mark.django_db
def test_entry_after_today_is_skipped_not_written_out_of_order():
    commitment = make_commitment(target_date_text="2020-01-01")
    make_log(commitment, entry_date=dt.date(2026, 3, 1))
    report = commitments_update_statuses(today=dt.date(2026, 2, 1))
    assert report.changes == []
    assert [item.uid for item in report.skipped] == [commitment.uid]


@pytest.mark.django_db
def test_future_today_is_refused_unless_dry_run():
    with pytest.raises(StatusRulesError):
        commitments_update_statuses(today=dt.date(2999, 1, 1))
    assert commitments_update_statuses(today=dt.date(2999, 1, 1), dry_run=True).changes == []


def _rewound(data: fmt.CommitmentData) -> fmt.CommitmentData:
    """Return the commitment as it was before the pipeline's date-rule entry (its last)."""
    entry = data.log[-1]
    data.log = data.log[:-1]
    data.status = entry.from_status
    data.last_updated = data.log[-1].entry_date
    return data


@pytest.mark.django_db
def test_rules_reproduce_the_pipeline_entries_byte_for_byte(corpus_commitments, tmp_path):
    """Rewind every corpus file whose last entry is a date-rule change; re-apply the rules."""
    originals: dict[dt.date, dict[str, str]] = {}
    for path in sorted(corpus_commitments.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        data = fmt.parse(text)
        last = data.log[-1]
        if (
            last.shape == fmt.SHAPE_STATUS_RULE
            and last.reason.startswith("目標日期 ")
            and len(data.log) > 1
            and data.status == last.to_status
        ):
            relative = path.relative_to(corpus_commitments).as_posix()
            originals.setdefault(last.entry_date, {})[relative] = text
    assert sum(len(files) for files in originals.values()) > 150
    for day, files in sorted(originals.items()):
        Commitment.objects.all().delete()
        folder = tmp_path / day.isoformat()
        for relative, text in files.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(fmt.render(_rewound(fmt.parse(text))), encoding="utf-8")
        assert commitments_import_paths(paths=[folder]).ok
        report = commitments_update_statuses(today=day)
        assert len(report.changes) == len(files)
        for commitment in Commitment.objects.with_timeline():
            assert commitment_render(commitment=commitment) == files[commitment.file_path]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("116-10-31", "目標日期 116-10-31（2027-10-31）未到，更正誤判的已延宕"),
        ("2027-10-31", "目標日期 2027-10-31 未到，更正誤判的已延宕"),
        (TODAY.isoformat(), f"目標日期 {TODAY.isoformat()} 未到，更正誤判的已延宕"),
    ],
)
def test_delayed_before_its_target_date_goes_back_to_tracking(target, reason):
    decision = decide(
        status=fmt.STATUS_DELAYED, target_date_text=target, last_entry_date=RECENT, today=TODAY
    )
    assert decision == Decision(RULE_NOT_DUE, fmt.STATUS_TRACKING, reason)


@pytest.mark.parametrize("before", [fmt.STATUS_STALE, fmt.STATUS_TRACKING])
def test_wrong_delay_returns_to_the_status_it_came_from(before):
    decision = decide(
        status=fmt.STATUS_DELAYED,
        target_date_text="116-10-31",
        last_entry_date=RECENT,
        today=TODAY,
        status_before_delay=before,
    )
    assert decision.to_status == before


@pytest.mark.parametrize("target", [None, "", "YYYY-05-31", "2026-07-31", "115-07-31"])
def test_delayed_with_a_passed_or_undetermined_target_stays(target):
    assert (
        decide(
            status=fmt.STATUS_DELAYED, target_date_text=target, last_entry_date=RECENT, today=TODAY
        )
        is None
    )


@pytest.mark.django_db
def test_update_corrects_a_wrong_delay_through_a_rule_entry_and_keeps_history():
    commitment = make_commitment(target_date_text="116-10-31", status=fmt.STATUS_DELAYED)
    make_log(
        commitment,
        kind=EntryKind.STATUS_CHANGE,
        shape=EntryShape.STATUS_RULE,
        text="",
        from_status=fmt.STATUS_TRACKING,
        to_status=fmt.STATUS_DELAYED,
        reason="目標日期 116-10-31 已過",
    )
    report = commitments_update_statuses(today=dt.date(2026, 2, 1))
    assert [(c.uid, c.rule, c.to_status) for c in report.changes] == [
        (commitment.uid, RULE_NOT_DUE, fmt.STATUS_TRACKING)
    ]
    commitment = Commitment.objects.with_timeline().get(pk=commitment.pk)
    assert commitment.status == fmt.STATUS_TRACKING
    entry = list(commitment.log_entries.all())[-1]
    # Marked as the newsroom's rule, as the date rule marks its entries: no editor.
    assert (entry.origin, entry.created_by_id) == (Origin.NEWSROOM, None)
    assert commitment_render(commitment=commitment).endswith(
        "### 2026-02-01 [狀態變更]\n**狀態**：已延宕 → 追蹤中\n"
        "**原因**：目標日期 116-10-31（2027-10-31）未到，更正誤判的已延宕\n"
    )
    assert commitment.history.first().status == fmt.STATUS_TRACKING
    assert commitment.history.count() >= 2
    assert commitments_update_statuses(today=dt.date(2026, 2, 1)).changes == []
    assert "1 已延宕 corrected" in report.summary()


@pytest.mark.django_db
def test_corpus_wrong_delays_are_corrected(corpus_commitments, tmp_path):
    """花東鐵路 (116-10-31, 已延宕 by a text comparison) is corrected; real delays stay."""
    assert commitments_import_paths(paths=[corpus_commitments]).ok
    today = dt.date(2026, 2, 1)
    wrong = {
        c.file_path
        for c in Commitment.objects.filter(status=fmt.STATUS_DELAYED)
        if c.target_date is not None and c.target_date >= today
    }
    assert "交通建設/117-花東鐵路通車.md" in wrong
    report = commitments_update_statuses(today=today, dry_run=True)
    assert {c.file_path for c in report.changes if c.rule == RULE_NOT_DUE} == wrong
