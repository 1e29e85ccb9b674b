"""An import or export killed half-way (kill -9) loses nothing and leaves no half-state."""

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import FIXTURES, ROOT
from tracker.core import format as fmt

# These run the commands as separate processes on their own SQLite file, whatever database
# the suite uses, so the PostgreSQL run of the suite would only repeat them.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="runs on its own SQLite file; see the SQLite run"
)

COPIES = 250  # 9 fixtures × 250 = 2,250 files: a few seconds of import to interrupt


@pytest.fixture(scope="module")
def many_files(tmp_path_factory):
    """A folder of generated commitment files, each a renamed copy of a fixture."""
    folder = tmp_path_factory.mktemp("many") / "commitments"
    for path in sorted(FIXTURES.rglob("*.md")):
        data = fmt.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(FIXTURES)
        for copy in range(COPIES):
            variant = dataclasses.replace(
                data, id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{data.id}/{copy}"))
            )
            target = folder / relative.parent / f"{relative.stem}-{copy}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(fmt.render(variant).encode("utf-8"))
    return folder


def environment(database):
    return {"SQLITE_PATH": str(database), "PATH": os.environ["PATH"], "DJANGO_DEBUG": "true"}


def manage(database, *arguments, **options):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=environment(database),
        cwd=ROOT,
        capture_output=True,
        text=True,
        **options,
    )


def start(database, *arguments):
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=environment(database),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when(process, ready, timeout=60.0):
    """SIGKILL the process as soon as ready() is true; fail if it ended first."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            pytest.fail("the process finished before it could be interrupted")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the process made no progress to interrupt")
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def stored_commitments(database) -> int:
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM tracker_commitment").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def tree(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_killed_import_keeps_whole_files_only_and_can_be_rerun(many_files, tmp_path):
    database = tmp_path / "db.sqlite3"
    assert manage(database, "migrate", "-v0").returncode == 0
    total = len(list(many_files.rglob("*.md")))
    process = start(database, "import_commitments", str(many_files))
    kill_when(process, lambda: stored_commitments(database) >= 300)

    stored = stored_commitments(database)
    assert 300 <= stored < total
    # Every commitment that made it in is whole: it exports to exactly its file.
    result = manage(database, "export_commitments", str(tmp_path / "partial"))
    assert result.returncode == 0, result.stderr
    partial = tree(tmp_path / "partial")
    assert len(partial) == stored
    originals = tree(many_files)
    assert all(content == originals[path] for path, content in partial.items())

    result = manage(database, "import_commitments", str(many_files))
    assert result.returncode == 0, result.stderr
    assert f"{total - stored} created, 0 updated, 0 merged" in result.stdout
    assert f"0 moved, {stored} unchanged, 0 older skipped, 0 failed" in result.stdout
    assert manage(database, "export_commitments", str(tmp_path / "all")).returncode == 0
    assert tree(tmp_path / "all") == originals


def test_killed_export_leaves_the_previous_export_in_place(many_files, tmp_path):
    database = tmp_path / "db.sqlite3"
    assert manage(database, "migrate", "-v0").returncode == 0
    first_half = next(many_files.iterdir())
    assert manage(database, "import_commitments", str(first_half)).returncode == 0
    out = tmp_path / "out"
    assert manage(database, "export_commitments", str(out)).returncode == 0
    previous = tree(out)
    assert manage(database, "import_commitments", str(many_files)).returncode == 0

    def staging_has_files():
        return any(
            sum(1 for _ in staging.rglob("*.md")) >= 200
            for staging in tmp_path.glob(".out.export-*")
        )

    process = start(database, "export_commitments", str(out))
    kill_when(process, staging_has_files)
    assert tree(out) == previous

    result = manage(database, "export_commitments", str(out))
    assert result.returncode == 0, result.stderr
    assert len(tree(out)) == len(list(many_files.rglob("*.md")))
    assert not list(tmp_path.glob(".out.export-*"))
    assert not list(tmp_path.glob(".out.previous-*"))
