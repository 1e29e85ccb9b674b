"""Importing commitment files: counts, updates in place, duplicates, and bad input."""

import shutil

import pytest

from tests.helpers import database_snapshot
from tracker.core import format as fmt
from tracker.core.models import Commitment, DuplicateCopy, DuplicateReason, Source, TrackingLog
from tracker.core.services import commitment_import
from tracker.core.services.commitment_import import commitments_import_paths

pytestmark = pytest.mark.django_db

FOUNDING = "國防外交/捍衛國家主權.md"


@pytest.fixture
def sample(tmp_path, fixtures_dir):
    """A writable copy of the sample fixtures."""
    target = tmp_path / "commitments"
    shutil.copytree(fixtures_dir, target)
    return target


def write(folder, relative, content):
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_it_imports_every_fixture(sample):
    report = commitments_import_paths(paths=[sample])
    files = len(list(sample.rglob("*.md")))
    assert report.ok, report.failed
    assert (report.created, report.updated, report.unchanged) == (files, 0, 0)
    assert Commitment.objects.count() == files
    founding = Commitment.objects.get(file_path=FOUNDING)
    assert founding.log_entries.count() == 4
    assert founding.source.subject.startswith("（三）行政院函送")


def test_reimport_changes_nothing(sample):
    commitments_import_paths(paths=[sample])
    before = database_snapshot()
    report = commitments_import_paths(paths=[sample])
    assert report.unchanged == report.files
    assert (report.created, report.updated) == (0, 0)
    assert database_snapshot() == before


def test_newer_file_updates_in_place_by_id(sample):
    commitments_import_paths(paths=[sample])
    original = Commitment.objects.get(file_path=FOUNDING)
    first_log_pk = original.log_entries.get(position=0).pk
    path = sample / FOUNDING
    text = path.read_text(encoding="utf-8")
    text = text.replace('status: "追蹤中"', 'status: "已達成"').replace(
        'last_updated: "2026-01-27"', 'last_updated: "2026-03-01"'
    )
    text += "\n### 2026-03-01 [狀態變更]\n**狀態**：追蹤中 → 已達成\n**原因**：外交部完成目標\n"
    path.write_text(text, encoding="utf-8")
    report = commitments_import_paths(paths=[path])
    assert (report.created, report.updated) == (0, 1)
    updated = Commitment.objects.get(uid=original.uid)
    assert updated.pk == original.pk
    assert updated.status == "已達成"
    assert updated.log_entries.count() == 5
    assert updated.log_entries.get(position=0).pk == first_log_pk
    assert fmt.render(updated.to_data()) == text


def test_single_file_keeps_its_folder_in_the_path(sample):
    report = commitments_import_paths(paths=[sample / FOUNDING])
    assert report.created == 1
    assert Commitment.objects.get().file_path == FOUNDING


def test_target_dates_are_parsed_including_roc_years(sample):
    commitments_import_paths(paths=[sample])
    roc = Commitment.objects.get(target_date_text="112-12-31")
    assert roc.target_date.isoformat() == "2023-12-31"
    placeholder = Commitment.objects.get(target_date_text="YYYY-05-31")
    assert placeholder.target_date is None


def test_sources_are_shared_between_commitments(sample):
    commitments_import_paths(paths=[sample])
    assert Source.objects.count() == 4
    assert Source.objects.get(document_id__endswith="000000000002").commitments.count() == 2


def test_duplicate_ids_keep_the_newer_and_set_the_other_aside(sample):
    founding = (sample / FOUNDING).read_text(encoding="utf-8")
    older = founding.replace('last_updated: "2026-01-27"', 'last_updated: "2026-01-20"')
    write(sample, "其他/捍衛主權-舊版.md", older)
    report = commitments_import_paths(paths=[sample])
    assert report.ok
    kept = Commitment.objects.get(uid="0d78eb7d-7b0b-e027-1696-c2f7314f1bdb")
    assert kept.file_path == FOUNDING
    (message,) = report.duplicates
    assert FOUNDING in message and "其他/捍衛主權-舊版.md" in message
    assert "newer last_updated" in message
    copy = DuplicateCopy.objects.get()
    assert copy.file_text == older
    assert copy.commitment == kept
    assert copy.reason == DuplicateReason.NEWER


def test_duplicate_with_same_date_keeps_the_one_with_more_entries(sample):
    founding = (sample / FOUNDING).read_text(encoding="utf-8")
    shorter = founding[: founding.index("\n### 2026-01-27")] + "\n"
    write(sample, "其他/捍衛主權-短.md", shorter)
    report = commitments_import_paths(paths=[sample])
    assert Commitment.objects.get(uid__startswith="0d78eb7d").file_path == FOUNDING
    assert "more log entries (4 vs 1)" in report.duplicates[0]
    assert DuplicateCopy.objects.get().reason == DuplicateReason.MORE_ENTRIES


def test_the_same_id_at_a_new_path_with_the_old_one_gone_is_a_move(sample):
    commitments_import_paths(paths=[sample])
    founding = (sample / FOUNDING).read_text(encoding="utf-8")
    newer = founding.replace('last_updated: "2026-01-27"', 'last_updated: "2026-02-01"')
    (sample / FOUNDING).unlink()
    write(sample, "其他/捍衛主權.md", newer)
    report = commitments_import_paths(paths=[sample])
    assert (report.moved, report.updated, report.duplicates) == (1, 1, [])
    assert Commitment.objects.get(uid__startswith="0d78eb7d").file_path == "其他/捍衛主權.md"
    assert not DuplicateCopy.objects.exists()


def test_a_newer_second_copy_in_one_snapshot_replaces_and_keeps_the_old(sample):
    commitments_import_paths(paths=[sample])
    founding = (sample / FOUNDING).read_text(encoding="utf-8")
    newer = founding.replace('last_updated: "2026-01-27"', 'last_updated: "2026-02-01"')
    write(sample, "其他/捍衛主權.md", newer)
    report = commitments_import_paths(paths=[sample])
    assert report.moved == 0 and len(report.duplicates) == 1
    assert Commitment.objects.get(uid__startswith="0d78eb7d").file_path == "其他/捍衛主權.md"
    assert DuplicateCopy.objects.get().file_text == founding


def test_a_path_taken_by_another_commitment_fails_that_file(sample):
    commitments_import_paths(paths=[sample])
    other = (sample / "教育/數位學習平板.md").read_text(encoding="utf-8")
    other = other.replace("a1b2c3d4e507", "a1b2c3d4e599")
    write(sample.parent / "clash", "國防外交/捍衛國家主權.md", other)
    before = database_snapshot()
    report = commitments_import_paths(paths=[sample.parent / "clash"])
    assert "already belongs to commitment 0d78eb7d" in report.failed[0]
    assert database_snapshot() == before


def test_bad_file_is_skipped_and_good_files_are_imported(sample):
    write(sample, "壞/空檔案.md", b"")
    report = commitments_import_paths(paths=[sample])
    assert not report.ok
    assert len(report.failed) == 1
    assert "壞/空檔案.md" in report.failed[0]
    assert report.created == report.files - 1


def test_missing_path_is_reported(tmp_path):
    report = commitments_import_paths(paths=[tmp_path / "nowhere"])
    assert report.failed == [f"{tmp_path / 'nowhere'}: no such file or folder"]


def test_a_failed_write_rolls_back_the_whole_file(sample, monkeypatch):
    commitments_import_paths(paths=[sample])
    path = sample / FOUNDING
    text = path.read_text(encoding="utf-8").replace(
        'last_updated: "2026-01-27"', 'last_updated: "2026-02-01"'
    )
    path.write_text(text + "\n### 2026-02-01 [初始建立]\n再次萃取。\n", encoding="utf-8")
    before = database_snapshot()

    def explode(*args, **kwargs):
        from django.db import DatabaseError

        raise DatabaseError("disk full")

    monkeypatch.setattr(TrackingLog.objects, "bulk_create", explode)
    report = commitments_import_paths(paths=[path])
    assert "disk full" in report.failed[0]
    assert database_snapshot() == before


def test_values_longer_than_their_column_are_refused_with_the_field(sample):
    text = (sample / FOUNDING).read_text(encoding="utf-8")
    long_title = "長" * 501
    text = text.replace('title: "持續捍衛國家主權及國際參與"', f'title: "{long_title}"')
    path = write(sample.parent / "long", FOUNDING, text)
    report = commitments_import_paths(paths=[path])
    assert "title: 501 characters; at most 500 fit" in report.failed[0]
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize("batch_size", [1, 2, 200])
@pytest.mark.parametrize("newer_copy", ["其他/捍衛主權-新.md", "國防外交/捍衛主權-新.md"])
def test_duplicate_rule_is_the_same_whichever_batch_a_copy_is_in(
    sample, monkeypatch, batch_size, newer_copy
):
    monkeypatch.setattr(commitment_import, "BATCH_SIZE", batch_size)
    founding = (sample / FOUNDING).read_text(encoding="utf-8")
    newer = founding.replace('last_updated: "2026-01-27"', 'last_updated: "2026-02-01"')
    write(sample, newer_copy, newer)
    report = commitments_import_paths(paths=[sample])
    assert report.ok
    assert (report.created, report.updated) == (report.files - 1, 0)
    kept = Commitment.objects.get(uid="0d78eb7d-7b0b-e027-1696-c2f7314f1bdb")
    assert kept.file_path == newer_copy
    assert fmt.render(kept.to_data()) == newer
    copy = DuplicateCopy.objects.get()
    assert (copy.file_path, copy.file_text) == (FOUNDING, founding)
    assert f"{newer_copy} kept: newer last_updated" in report.duplicates[0]
    again = commitments_import_paths(paths=[sample])
    assert (again.created, again.updated) == (0, 0)
