"""Exporting: identical bytes, never a half-written tree, never outside the folder."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import make_commitment
from tracker.core import format as fmt
from tracker.core.models import Commitment
from tracker.core.services.commitment_export import ExportError, commitments_export
from tracker.core.services.commitment_import import commitments_import_paths

pytestmark = pytest.mark.django_db


def tree(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(folder):
    """Return what is beside an export, less the lock file that stays there."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".out.lock")


@pytest.fixture
def imported(fixtures_dir):
    report = commitments_import_paths(paths=[fixtures_dir])
    assert report.ok


def test_export_is_identical_to_the_imported_files(imported, fixtures_dir, tmp_path):
    report = commitments_export(directory=tmp_path / "out")
    assert report.files == 9
    assert tree(tmp_path / "out") == tree(fixtures_dir)


def test_edited_commitment_is_written_in_the_format(imported, tmp_path):
    commitment = Commitment.objects.get(file_path="國防外交/捍衛國家主權.md")
    commitment.title = '新標題 "引號"'
    commitment.target_date_text = "115-06-30"
    commitment.save()
    commitments_export(directory=tmp_path / "out")
    text = (tmp_path / "out" / commitment.file_path).read_text(encoding="utf-8")
    assert 'title: "新標題 \\"引號\\""\n' in text
    assert 'target_date: "115-06-30"\n' in text
    assert fmt.parse(text).title == '新標題 "引號"'


def test_drafts_are_left_out_unless_asked(imported, tmp_path):
    make_commitment(is_published=False, file_path="草稿/未公開.md")
    commitments_export(directory=tmp_path / "public")
    assert not (tmp_path / "public" / "草稿").exists()
    commitments_export(directory=tmp_path / "all", include_drafts=True)
    assert (tmp_path / "all" / "草稿" / "未公開.md").exists()


def test_a_new_export_replaces_the_previous_one(imported, tmp_path):
    out = tmp_path / "out"
    commitments_export(directory=out)
    Commitment.objects.filter(file_path__startswith="交通建設/").delete()
    commitments_export(directory=out)
    assert not (out / "交通建設").exists()
    assert len(tree(out)) == 7
    assert leftovers(tmp_path) == ["out"]


BAD_PATHS = [
    "../escape.md",
    "/etc/escape.md",
    "a/../../escape.md",
    "a\x00b.md",
    "a\\b.md",
    "教育/換行\n檔名.md",
    "教育/歸位\r.md",
    "教育/定位\t字元.md",
    "教育/\x1b[31m.md",
    "教育/\x85下一行.md",
    "教育/分\u2028行.md",
    "教育/" + "長" * 85 + ".md",
    "長" * 86 + "/短.md",
]


@pytest.mark.parametrize("bad_path", BAD_PATHS)
def test_a_record_with_a_bad_path_is_left_out_and_the_rest_exported(imported, tmp_path, bad_path):
    if "\x00" in bad_path and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store NUL, so such a path never reaches the export")
    out = tmp_path / "out"
    Commitment.objects.filter(file_path="教育/數位學習平板.md").update(file_path=bad_path)

    report = commitments_export(directory=out)

    assert report.files == 8
    (line,) = report.skipped
    assert "7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e507" in line
    assert "\n" not in line and "\r" not in line
    assert len(tree(out)) == 8
    assert leftovers(tmp_path) == ["out"]
    assert not (tmp_path / "escape.md").exists()


def test_a_name_the_file_system_refuses_leaves_out_that_record_only(
    imported, tmp_path, monkeypatch
):
    # A path that passes the rules but that this file system cannot hold (e.g. one with
    # shorter names, or a stricter encoding).
    real_open = open

    def refusing_open(path, *args, **kwargs):
        if "數位學習平板" in str(path):
            raise OSError(36, "File name too long", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing_open)
    report = commitments_export(directory=tmp_path / "out")

    assert report.files == 8
    assert report.skipped == [
        "教育/數位學習平板.md: the file system refuses this name: File name too long"
    ]


def test_a_folder_with_other_files_is_not_replaced(imported, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match=r"notes\.txt"):
        commitments_export(directory=tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_unrenderable_values_name_the_commitment_and_the_rest_are_exported(imported, tmp_path):
    log = Commitment.objects.get(file_path="國防外交/捍衛國家主權.md").log_entries.last()
    log.summary = "兩行\n摘要"
    log.save()
    report = commitments_export(directory=tmp_path / "out")
    (line,) = report.skipped
    assert "國防外交/捍衛國家主權.md" in line and "single line" in line
    assert report.files == 8
    assert not (tmp_path / "out" / "國防外交" / "捍衛國家主權.md").exists()


def test_command_reports_what_it_left_out_and_exits_non_zero(imported, tmp_path, capsys):
    Commitment.objects.filter(file_path="教育/數位學習平板.md").update(file_path="../x.md")
    with pytest.raises(CommandError, match=r"8 files written to .*; 1 commitments not exported"):
        call_command("export_commitments", str(tmp_path / "out"))
    assert "not exported: commitment 7e3f6a10" in capsys.readouterr().err
    assert len(tree(tmp_path / "out")) == 8


def test_created_date_and_last_updated_are_written_as_iso(tmp_path):
    make_commitment(created_date=dt.date(2025, 1, 2), last_updated=dt.date(2025, 3, 4))
    commitments_export(directory=tmp_path / "out")
    (path,) = (tmp_path / "out").rglob("*.md")
    text = path.read_text(encoding="utf-8")
    assert 'created_at: "2025-01-02"\nlast_updated: "2025-03-04"\n' in text


def test_a_second_export_at_the_same_time_is_refused(imported, tmp_path):
    import fcntl

    with open(tmp_path / ".out.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(ExportError, match="another export"):
            commitments_export(directory=tmp_path / "out")
    assert not (tmp_path / "out").exists()
