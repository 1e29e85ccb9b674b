"""Time backup_database and restore_database on the real corpus (and its replies).

    python bench/backup_restore.py [--corpus DIR] [--runs 3]
    bash bench/with_postgres.sh .venv/bin/python bench/backup_restore.py

On a new SQLite database, or on the database DATABASE_URL names (with_postgres.sh makes a
new cluster). Prints each command's own time (median of the runs, as it reports it, without
Django's start-up; a restore's includes the backup it first makes of what it replaces), the
backup's size, and whether the restored data exports identically.
"""

import argparse
import filecmp
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    corpus = Path(arguments.corpus)
    work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    environment = os.environ | {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "TRACKER_ENV_FILE": "",
        "TRACKER_BACKUP_DIR": str(work / "backups"),
    }
    if not os.environ.get("DATABASE_URL"):
        environment["SQLITE_PATH"] = str(work / "db.sqlite3")

    def manage(*command) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            env=environment, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"{command[0]} failed: {result.stderr.strip()}")
        return result.stdout

    manage("migrate", "-v0")
    manage("import_commitments", str(corpus / "commitments"))
    replies = sorted((corpus / "replies").glob("*.jsonl"))
    if replies:
        manage("import_replies", *map(str, replies))
    manage("export_commitments", str(work / "before"))
    backups, restores = [], []
    for _ in range(arguments.runs):
        out = manage("backup_database")
        path, size, seconds = re.search(
            r"backed up to (\S+) \((\d+) bytes, ([\d.]+) s\)", out
        ).groups()
        backups.append(float(seconds))
    manage(
        "shell",
        "-c",
        "from tracker.core.models import Commitment as C; "
        "C.objects.filter(pk__in=C.objects.values('pk')[:100]).delete()",
    )
    for _ in range(arguments.runs):
        out = manage("restore_database", path, "--noinput")
        restores.append(float(re.search(r" in ([\d.]+) s;", out).group(1)))
    manage("export_commitments", str(work / "after"))
    comparison = filecmp.dircmp(work / "before", work / "after")
    identical = not (comparison.diff_files or comparison.left_only or comparison.right_only)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    files = sum(1 for _ in (work / "before").rglob("*.md"))
    print(f"{database}: {files} commitments, {len(replies)} reply files; backup {size} bytes")
    print(f"backup_database:  median {statistics.median(backups):.2f} s of {backups}")
    print(f"restore_database: median {statistics.median(restores):.2f} s of {restores}")
    print(f"export after restore identical to before: {identical}")


if __name__ == "__main__":
    main()
