"""Back up the database to a private file, and restore one while the site keeps running.

SQLite is copied page by page with its online backup API (readers and the writer carry on;
a restore is the same copy the other way, into the live file). PostgreSQL uses pg_dump's
custom format and pg_restore in one transaction into the live database, so gunicorn's open
connections are not in the way (dropping the database would be): requests wait a moment for
the restore's locks, then see the restored data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

SQLITE_HEADER = b"SQLite format 3\0"
PG_DUMP_HEADER = b"PGDMP"
# What backup_default_path names; pruning touches nothing else in the folder.
BACKUP_PATTERNS = ("tracker-*.sqlite3", "tracker-*.pgdump")


class BackupError(Exception):
    """A backup or restore that could not be done; nothing was changed."""


@dataclass
class Backup:
    path: Path
    size: int


def backups_dir() -> Path:
    """Return the folder backups go to by default (TRACKER_BACKUP_DIR)."""
    return Path(settings.TRACKER_BACKUP_DIR)


def backup_default_path(now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".pgdump"
    return backups_dir() / f"tracker-{stamp}{suffix}"


def database_backup(*, path: Path | None = None) -> Backup:
    """Write the whole database to a file only its owner can read, atomically."""
    path = Path(path) if path else backup_default_path()
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new name")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The copy is written beside its final name and moved into place when complete, so a
    # backup that fails halfway never looks like a good one.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=path.suffix)
    os.close(handle)  # mkstemp makes it 0600; the copy keeps that mode
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(Path(temporary))
        elif connection.vendor == "postgresql":
            _pg_run("pg_dump", "--format=custom", "--no-owner", f"--file={temporary}")
        else:
            raise BackupError(f"backups of {connection.vendor} databases are not supported")
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return Backup(path=path, size=path.stat().st_size)


def backups_prune(*, keep_days: int) -> list[Path]:
    """Delete the default folder's backups older than keep_days, always keeping the newest."""
    found = sorted(
        (path for pattern in BACKUP_PATTERNS for path in backups_dir().glob(pattern)),
        key=lambda path: path.stat().st_mtime,
    )
    limit = dt.datetime.now().timestamp() - keep_days * 86400
    old = [path for path in found[:-1] if path.stat().st_mtime < limit]
    for path in old:
        path.unlink()
    return old


def database_restore(*, path: Path) -> Backup:
    """Replace the database's contents with a backup's, first backing up what it replaces."""
    path = Path(path)
    _check_backup_file(path)
    safety = database_backup()
    if connection.vendor == "sqlite":
        _sqlite_restore(path)
    else:
        _pg_run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        )
    return safety


def _check_backup_file(path: Path) -> None:
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    if connection.vendor == "sqlite" and not header.startswith(SQLITE_HEADER):
        raise BackupError(f"{path} is not an SQLite database (this site runs on SQLite)")
    if connection.vendor == "postgresql" and not header.startswith(PG_DUMP_HEADER):
        raise BackupError(
            f"{path} is not a pg_dump custom-format file (this site runs on PostgreSQL)"
        )
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"restores of {connection.vendor} databases are not supported")


def _sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        # A file on its own: no -wal and -shm files beside it when it is opened later.
        copy.execute("PRAGMA journal_mode=DELETE")


def _sqlite_restore(source: Path) -> None:
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup:
        try:
            backup.execute("SELECT count(*) FROM django_migrations").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a backup of this site ({error})") from None
        # Into the connection the site's settings open: the live file, in WAL mode, which
        # gunicorn's workers keep reading; they see the restored pages on their next query.
        backup.backup(connection.connection)


def _pg_run(program: str, *arguments: str) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed (apt-get install postgresql-client)")
    database = connection.settings_dict
    # The password goes through the environment, never the command line (ps would show it).
    environment = os.environ | {
        "PGHOST": str(database.get("HOST") or ""),
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": str(database.get("USER") or ""),
        "PGPASSWORD": str(database.get("PASSWORD") or ""),
        "PGDATABASE": str(database["NAME"]),
    }
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [executable, *arguments], env=environment, capture_output=True, text=True
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
        raise BackupError(f"{program} failed: {lines[-1]}")
