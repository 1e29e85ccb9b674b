"""The daily sync: upstream's changes merge with the newsroom's work and never destroy it."""

import dataclasses
import datetime as dt
import shutil

import pytest
from django.contrib.auth import get_user_model

from tests.helpers import database_snapshot
from tracker.core import format as fmt
from tracker.core.models import (
    Commitment,
    ConflictKind,
    Origin,
    SyncConflict,
    SyncRun,
    TrackingLog,
)
from tracker.core.services import commitment_import, sync_review
from tracker.core.services.commitment_editing import commitment_update
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.commitment_import import ImportBusy, commitments_import_paths
from tracker.core.services.edit_conflicts import EditConflict
from tracker.core.services.status_rules import commitments_update_statuses
from tracker.core.services.timeline import (
    Evidence,
    commitment_change_status,
    tracking_log_add,
)

pytestmark = pytest.mark.django_db

FOUNDING = "國防外交/捍衛國家主權.md"
UID = "0d78eb7d-7b0b-e027-1696-c2f7314f1bdb"


@pytest.fixture
def upstream(tmp_path, fixtures_dir):
    """A writable snapshot of upstream's files (the sample fixtures)."""
    target = tmp_path / "upstream"
    shutil.copytree(fixtures_dir, target)
    return target


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user(
        "wang", password="x", first_name="小明", last_name="王", is_staff=True
    )


def founding(folder) -> fmt.CommitmentData:
    return fmt.parse((folder / FOUNDING).read_text(encoding="utf-8"))


def publish(folder, data: fmt.CommitmentData, path: str = FOUNDING) -> str:
    """Write a new version of a file into upstream's snapshot; return its text."""
    text = fmt.render(data)
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return text


def evidence_entry(day: int, summary: str) -> fmt.LogEntryData:
    return fmt.LogEntryData(
        entry_date=dt.date(2026, 1, day),
        kind=fmt.KIND_PROGRESS,
        shape=fmt.SHAPE_EVIDENCE,
        source_type="立法院答復",
        document_number=f"（行政院函　中華民國110年1月{day}日院臺字第{day}號）",
        document_url=f"https://example.org/{day}.doc",
        summary=summary,
        judgement="進度更新",
    )


def newer(data: fmt.CommitmentData, *entries, **changes) -> fmt.CommitmentData:
    log = [*data.log, *entries]
    last = max([data.last_updated, *(entry.entry_date for entry in entries)])
    return dataclasses.replace(data, log=log, last_updated=last, **changes)


def commitment() -> Commitment:
    return Commitment.objects.with_timeline().get(uid=UID)


def log_progress(user, summary="編輯部查證：外交部已於記者會說明。", day=28):
    return tracking_log_add(
        commitment=commitment(),
        evidence=Evidence(
            document_number="外交部新聞稿",
            document_url="https://example.org/mofa",
            summary=summary,
            judgement="進度更新",
        ),
        entry_date=dt.date(2026, 1, day),
        user=user,
    )


def sync(folder, **options):
    report = commitments_import_paths(paths=[folder], **options)
    assert report.ok, report.failed
    return report


def test_reimporting_the_same_files_keeps_an_editors_status_change_and_entries(upstream, editor):
    sync(upstream)
    entry = log_progress(editor)
    commitment_change_status(
        commitment=commitment(), to_status="已延宕", reason="外交部承認延後", user=editor
    )
    report = sync(upstream)
    assert (report.unchanged, report.updated, report.merged) == (9, 0, 0)
    current = commitment()
    assert current.status == "已延宕"
    assert TrackingLog.objects.filter(pk=entry.pk, summary=entry.summary).exists()
    assert current.log_entries.filter(origin=Origin.NEWSROOM).count() == 2


def test_upstream_entries_arrive_and_the_editors_entry_stays_in_date_order(upstream, editor):
    sync(upstream)
    mine = log_progress(editor, day=28)
    data = founding(upstream)
    later = [evidence_entry(28, "上游：28 日的新文件"), evidence_entry(29, "上游：29 日")]
    publish(upstream, newer(data, *later))
    report = sync(upstream)
    assert (report.merged, report.conflicts) == (1, 0)
    rows = list(commitment().log_entries.all())
    summaries = [row.summary for row in rows]
    assert summaries[-3:] == ["上游：28 日的新文件", mine.summary, "上游：29 日"]
    assert [row.position for row in rows] == list(range(len(rows)))
    assert rows[-1].origin == Origin.UPSTREAM
    assert rows[-1].sync_run_id == report.run_id
    assert commitment().last_updated == dt.date(2026, 1, 29)


def test_an_untouched_commitment_exports_upstreams_newest_file_byte_for_byte(upstream):
    sync(upstream)
    text = publish(
        upstream,
        newer(founding(upstream), evidence_entry(29, "新文件"), status="已達成", title="新標題"),
    )
    report = sync(upstream)
    assert report.updated == 1 and report.conflicts == 0
    assert commitment_render(commitment=commitment()) == text


def test_without_the_newsrooms_work_the_export_is_upstreams_file(upstream, editor):
    sync(upstream)
    log_progress(editor)
    commitment_update(
        commitment=commitment(),
        base_version=commitment().version,
        changes={"title": "編輯部修正的標題"},
        user=editor,
    )
    text = publish(upstream, newer(founding(upstream), evidence_entry(29, "上游新文件")))
    sync(upstream)
    exported = fmt.parse(commitment_render(commitment=commitment()))
    assert exported.title == "編輯部修正的標題"
    assert any(entry.summary.startswith("編輯部查證") for entry in exported.log)
    upstream_only = [
        row.to_data() for row in commitment().log_entries.all() if row.origin == Origin.UPSTREAM
    ]
    reverted = dataclasses.replace(
        exported,
        title=fmt.parse(text).title,
        log=upstream_only,
        last_updated=fmt.parse(text).last_updated,
    )
    assert fmt.render(reverted) == text


def test_an_older_snapshot_after_a_newer_one_changes_nothing(tmp_path, upstream):
    old = tmp_path / "old"
    shutil.copytree(upstream, old)
    publish(upstream, newer(founding(upstream), evidence_entry(29, "新"), status="已達成"))
    sync(upstream)
    before = database_snapshot()
    report = sync(old)
    assert report.older == 1 and report.updated == 0
    assert database_snapshot() == before
    assert commitment().status == "已達成"


def test_only_upstream_changed_a_field_it_is_taken_only_we_changed_it_it_is_kept(upstream, editor):
    sync(upstream)
    commitment_update(
        commitment=commitment(),
        base_version=commitment().version,
        changes={"responsible_agency": "外交部（編輯部確認）"},
        user=editor,
    )
    publish(upstream, newer(founding(upstream), title="上游的新標題"))
    report = sync(upstream)
    assert report.merged == 1 and report.conflicts == 0
    current = commitment()
    assert (current.title, current.responsible_agency) == ("上游的新標題", "外交部（編輯部確認）")


def test_both_changed_a_field_ours_stays_and_upstreams_is_queued(upstream, editor):
    sync(upstream)
    original = commitment().title
    commitment_update(
        commitment=commitment(),
        base_version=commitment().version,
        changes={"title": "我們的標題"},
        user=editor,
    )
    publish(upstream, newer(founding(upstream), title="上游的標題"))
    report = sync(upstream)
    assert report.conflicts == 1
    assert commitment().title == "我們的標題"
    conflict = SyncConflict.objects.get()
    assert (conflict.field_name, conflict.base_value) == ("title", original)
    assert (conflict.upstream_value, conflict.our_value) == ("上游的標題", "我們的標題")
    assert conflict.sync_run_id == report.run_id
    sync_review.sync_conflict_take_upstream(conflict=conflict, user=editor)
    assert commitment().title == "上游的標題"
    conflict.refresh_from_db()
    assert (conflict.state, conflict.decided_by) == ("upstream", editor)


def status_entry(day, before, after, reason):
    return fmt.LogEntryData(
        entry_date=dt.date(2026, 1, day),
        kind=fmt.KIND_STATUS_CHANGE,
        shape=fmt.SHAPE_STATUS_RULE,
        from_status=before,
        to_status=after,
        reason=reason,
    )


def test_a_status_conflict_takes_upstreams_entry_and_keep_ours_explains_our_status(
    upstream, editor
):
    sync(upstream)
    commitment_change_status(
        commitment=commitment(), to_status="已延宕", reason="編輯部查證已延後", user=editor
    )
    change = status_entry(29, "追蹤中", "已達成", "上游判斷已達成")
    publish(upstream, newer(founding(upstream), change, status="已達成"))
    report = sync(upstream)
    assert report.conflicts == 1
    current = commitment()
    assert current.status == "已延宕"
    assert current.log_entries.filter(origin=Origin.UPSTREAM, to_status="已達成").exists()
    conflict = SyncConflict.objects.get(field_name="status")
    with pytest.raises(sync_review.ValidationError):
        sync_review.sync_conflict_keep_ours(conflict=conflict, user=editor, note="")
    sync_review.sync_conflict_keep_ours(conflict=conflict, user=editor, note="上游誤判，仍延宕")
    last = commitment().log_entries.last()
    assert (last.from_status, last.to_status, last.reason) == (
        "已達成",
        "已延宕",
        "上游誤判，仍延宕",
    )
    assert last.origin == Origin.NEWSROOM and last.created_by == editor
    assert commitment().status == "已延宕"


def test_upstream_rewrote_an_entry_an_editor_corrected_elsewhere_it_is_queued_not_lost(
    upstream, editor
):
    sync(upstream)
    log_progress(editor)
    data = founding(upstream)
    rewritten = dataclasses.replace(data.log[1], summary="上游改寫了這一筆的摘要")
    publish(upstream, dataclasses.replace(data, log=[data.log[0], rewritten, *data.log[2:]]))
    report = sync(upstream)
    assert report.conflicts == 1
    summaries = [row.summary for row in commitment().log_entries.all()]
    assert data.log[1].summary in summaries and "上游改寫了這一筆的摘要" in summaries
    conflict = SyncConflict.objects.get()
    assert conflict.kind == ConflictKind.ENTRY
    assert data.log[1].summary in conflict.base_value
    sync_review.sync_conflict_take_upstream(conflict=conflict, user=editor)
    summaries = [row.summary for row in commitment().log_entries.all()]
    assert data.log[1].summary not in summaries


def test_upstream_rewrote_an_untouched_record_its_version_is_taken_and_logged(upstream):
    sync(upstream)
    data = founding(upstream)
    text = publish(upstream, dataclasses.replace(data, log=[data.log[0], *data.log[2:]]))
    report = sync(upstream)
    assert (report.updated, report.conflicts) == (1, 0)
    assert commitment_render(commitment=commitment()) == text
    assert "upstream rewrote the timeline" in SyncRun.objects.get(pk=report.run_id).log


def test_an_entry_inserted_in_the_middle_is_added_and_nothing_is_lost(upstream, editor):
    sync(upstream)
    mine = log_progress(editor, day=27)
    data = founding(upstream)
    inserted = evidence_entry(26, "上游插入的一筆")
    publish(upstream, dataclasses.replace(data, log=[data.log[0], inserted, *data.log[1:]]))
    report = sync(upstream)
    assert report.ok and report.conflicts == 0
    summaries = [row.summary for row in commitment().log_entries.all()]
    assert "上游插入的一筆" in summaries and mine.summary in summaries
    assert summaries.index("上游插入的一筆") == 1
    assert len(summaries) == len(data.log) + 2


def test_a_renamed_file_with_the_same_id_is_a_move_and_exports_the_new_name(tmp_path, editor):
    first = tmp_path / "day1"
    data = _fire_data()
    publish(first, data, "社會福利/2025-消防人員服務比1:1300.md")
    sync(first)
    log_progress_on(data.id, editor)
    second = tmp_path / "day2"
    publish(
        second,
        newer(data, evidence_entry(28, "改名後的新文件")),
        "社會福利/2025-消防人員服務比1-1300.md",
    )
    report = sync(second)
    assert (report.moved, len(report.duplicates), report.created) == (1, 0, 0)
    moved = Commitment.objects.get(uid=data.id)
    assert moved.file_path == "社會福利/2025-消防人員服務比1-1300.md"
    assert moved.log_entries.filter(origin=Origin.NEWSROOM).count() == 1
    assert moved.upstream_base.file_path == moved.file_path


def _fire_data() -> fmt.CommitmentData:
    return fmt.CommitmentData(
        id="5a5a5a5a-0000-4000-8000-000000001300",
        title="提升消防人員服務比至1:1300",
        category="社會福利",
        status="追蹤中",
        target_date="2025-12-31",
        target_value="1:1300",
        responsible_agency="內政部",
        source=fmt.SourceData(
            "5a5a5a5a-0000-4000-8000-00000000d0c0",
            "10",
            "05",
            "（行政院函）",
            "https://example.org/f.doc",
        ),
        created_at=dt.date(2026, 1, 26),
        last_updated=dt.date(2026, 1, 26),
        wording="逐年提升消防人員服務比。",
        reply=None,
        log=[
            fmt.LogEntryData(
                entry_date=dt.date(2026, 1, 26),
                kind=fmt.KIND_CREATED,
                text="從第10屆第05會期答復文件中萃取此承諾。",
            )
        ],
    )


def log_progress_on(uid, user):
    return tracking_log_add(
        commitment=Commitment.objects.get(uid=uid),
        evidence=Evidence(
            document_number="內政部函", document_url="", summary="編輯部補充", judgement=""
        ),
        entry_date=dt.date(2026, 1, 27),
        user=user,
    )


def test_a_snapshot_that_lacks_files_deletes_nothing(tmp_path, upstream):
    sync(upstream)
    partial = tmp_path / "partial"
    shutil.copytree(upstream, partial)
    (partial / FOUNDING).unlink()
    before = Commitment.objects.count()
    report = sync(partial)
    assert Commitment.objects.count() == before
    assert report.absent == [FOUNDING]


def test_a_dry_run_reports_and_writes_nothing(upstream, editor):
    sync(upstream)
    log_progress(editor)
    publish(upstream, newer(founding(upstream), evidence_entry(29, "新文件"), title="新標題"))
    before = database_snapshot()
    runs = SyncRun.objects.count()
    report = sync(upstream, dry_run=True)
    assert report.merged == 1 and report.dry_run
    assert any("title taken" in line for line in report.changes)
    assert database_snapshot() == before
    assert SyncRun.objects.count() == runs


def test_our_date_rule_entry_is_retired_when_upstream_delivers_the_same_transition(upstream):
    data = dataclasses.replace(founding(upstream), target_date="2026-01-01")
    publish(upstream, data)
    sync(upstream)
    commitments_update_statuses(today=dt.date(2026, 2, 1))
    ours = commitment().log_entries.get(kind=fmt.KIND_STATUS_CHANGE)
    assert ours.origin == Origin.NEWSROOM and ours.created_by is None
    theirs = status_entry(30, "追蹤中", "已延宕", "目標日期 2026-01-01 已過")
    text = publish(upstream, newer(data, theirs, status="已延宕"))
    report = sync(upstream)
    assert report.retired == 1
    rows = commitment().log_entries.filter(kind=fmt.KIND_STATUS_CHANGE)
    assert [row.origin for row in rows] == [Origin.UPSTREAM]
    assert commitment_render(commitment=commitment()) == text


def test_a_newer_file_that_fails_validation_leaves_the_record_as_it_was(upstream, editor):
    sync(upstream)
    log_progress(editor)
    before = database_snapshot()
    text = (upstream / FOUNDING).read_text(encoding="utf-8")
    (upstream / FOUNDING).write_text(text.replace('status: "追蹤中"', 'status: "不存在"'))
    report = commitments_import_paths(paths=[upstream])
    assert len(report.failed) == 1 and FOUNDING in report.failed[0]
    assert database_snapshot() == before


def test_a_second_import_while_one_runs_is_refused_with_when_it_started(upstream):
    with commitment_import.import_lock():
        SyncRun.objects.create(source="elsewhere")
        with pytest.raises(ImportBusy, match="another import is running since"):
            commitments_import_paths(paths=[upstream])


def test_an_editors_stale_form_names_the_sync_run(upstream, editor):
    sync(upstream)
    opened = commitment().version
    publish(upstream, newer(founding(upstream), title="上游的新標題"))
    report = sync(upstream)
    with pytest.raises(EditConflict) as raised:
        commitment_update(
            commitment=commitment(),
            base_version=opened,
            changes={"title": "編輯的標題"},
            user=editor,
        )
    assert f"同步 #{report.run_id}" in raised.value.message()
