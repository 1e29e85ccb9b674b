"""Backups and restores: private files, a round trip to identical exports, the site running."""

import io
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from tests.factories import make_commitment
from tracker.core.models import Commitment
from tracker.core.services.backups import database_backup
from tracker.core.services.commitment_import import commitments_import_paths

# Backups copy the database outside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def exported(directory):
    call_command("export_commitments", str(directory), "--include-drafts", stdout=io.StringIO())
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in directory.rglob("*.md")
    }


@pytest.fixture
def backup_dir(tmp_path, settings):
    settings.TRACKER_BACKUP_DIR = tmp_path / "backups"
    return settings.TRACKER_BACKUP_DIR


def test_a_restore_brings_back_exactly_what_was_backed_up(fixtures_dir, tmp_path, backup_dir):
    assert commitments_import_paths(paths=[fixtures_dir]).ok
    out = io.StringIO()
    call_command("backup_database", stdout=out)
    (backup,) = backup_dir.iterdir()
    assert str(backup) in out.getvalue()
    at_backup = exported(tmp_path / "at-backup")

    first = Commitment.objects.order_by("pk").first()
    first.title = "還原前改過的標題"
    first.save()
    make_commitment(title="備份之後新增")
    Commitment.objects.order_by("pk").last().delete()
    assert exported(tmp_path / "changed") != at_backup

    call_command("restore_database", str(backup), "--noinput", stdout=out)
    assert exported(tmp_path / "restored") == at_backup


def test_backups_are_private_and_never_overwritten(backup_dir):
    make_commitment()
    backup = database_backup()
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup_dir.stat().st_mode) == 0o700
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_database", "--output", str(backup.path))


def test_a_restore_keeps_what_it_replaced(backup_dir, tmp_path):
    make_commitment(title="舊的")
    old = database_backup()
    make_commitment(title="還原時會被取代的")
    before_restore = exported(tmp_path / "before")
    out = io.StringIO()
    call_command("restore_database", str(old.path), "--noinput", stdout=out)
    assert Commitment.objects.count() == 1
    safety = out.getvalue().rsplit(" ", 1)[-1].strip()
    call_command("restore_database", safety, "--noinput", stdout=io.StringIO())
    assert exported(tmp_path / "after") == before_restore


def test_a_file_that_is_not_a_backup_changes_nothing(backup_dir, tmp_path):
    make_commitment()
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    with pytest.raises(CommandError, match=r"nothing was restored: .*notes.txt is not"):
        call_command("restore_database", str(bogus), "--noinput")
    with pytest.raises(CommandError, match=r"nothing was restored: cannot read .*missing"):
        call_command("restore_database", str(tmp_path / "missing"), "--noinput")
    assert Commitment.objects.count() == 1
    assert not backup_dir.exists() or not any(backup_dir.iterdir())


def test_a_restore_is_seen_by_connections_the_site_already_holds(backup_dir):
    make_commitment()
    backup = database_backup()
    make_commitment()
    worker = connections.create_connection("default")  # as a gunicorn worker keeps one
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tracker_commitment")
            assert cursor.fetchone() == (2,)
        call_command("restore_database", str(backup.path), "--noinput", stdout=io.StringIO())
        with worker.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tracker_commitment")
            assert cursor.fetchone() == (1,)
    finally:
        worker.close()


def test_pruning_deletes_only_old_backups_of_ours(backup_dir):
    import os
    import time

    make_commitment()
    old = database_backup().path
    newest = database_backup().path
    unrelated = backup_dir / "notes.sqlite3"
    unrelated.write_text("mine")
    month_ago = time.time() - 31 * 86400
    for path in (old, unrelated):
        os.utime(path, (month_ago, month_ago))
    out = io.StringIO()
    call_command("backup_database", "--prune-days", "14", stdout=out)
    assert f"deleted {old}" in out.getvalue()
    assert not old.exists()
    assert newest.exists() and unrelated.exists()
    assert len(list(backup_dir.glob("tracker-*"))) == 2
