"""A database that may only be read: reading works, a write is refused in one clear line."""

import hashlib
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import FIXTURES, ROOT
from tests.desk.conftest import logged_in, make_user
from tests.desk.helpers import form_data
from tests.factories import make_commitment
from tracker.core.services.roles import EDITOR

ENVIRONMENT = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "true"}
WRITING_COMMANDS = [
    ["import_commitments", str(FIXTURES)],
    ["import_replies", str(ROOT / "fixtures" / "replies.jsonl")],
    ["update_statuses"],
    ["rebuild_search_index"],
    ["setup_roles"],
]


def manage(environment, *arguments):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def read_only(tmp_path_factory):
    folder = tmp_path_factory.mktemp("read-only-db")
    environment = ENVIRONMENT | {"SQLITE_PATH": str(folder / "db.sqlite3")}
    assert manage(environment, "migrate", "-v0").returncode == 0
    assert manage(environment, "import_commitments", str(FIXTURES)).returncode == 0
    return environment | {"DJANGO_DATABASE_READ_ONLY": "true"}


def digest(environment) -> str:
    return hashlib.sha256(open(environment["SQLITE_PATH"], "rb").read()).hexdigest()


def test_read_only_work_still_works(read_only, tmp_path):
    export = manage(read_only, "export_commitments", str(tmp_path / "out"))
    assert export.returncode == 0, export.stderr
    assert len(list((tmp_path / "out").rglob("*.md"))) == 9
    dry_run = manage(read_only, "update_statuses", "--dry-run")
    assert dry_run.returncode == 0, dry_run.stderr
    assert manage(read_only, "check").returncode == 0


@pytest.mark.parametrize("command", WRITING_COMMANDS, ids=lambda command: command[0])
def test_a_writing_command_is_refused_in_one_line(read_only, command):
    before = digest(read_only)
    result = manage(read_only, *command)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "read-only" in lines[0] and "nothing was changed" in lines[0]
    assert digest(read_only) == before


@pytest.mark.parametrize(
    "database",
    ["missing-folder/db.sqlite3", "empty.sqlite3"],
    ids=["cannot-be-opened", "no-tables"],
)
@pytest.mark.parametrize(
    "command", [["export_commitments", "OUT"], ["check_data"]], ids=lambda c: c[0]
)
def test_a_database_that_fails_is_named_in_one_line(tmp_path, database, command):
    path = tmp_path / database
    arguments = [str(tmp_path / "out") if part == "OUT" else part for part in command]
    result = manage(ENVIRONMENT | {"SQLITE_PATH": str(path)}, *arguments)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"manage.py: database error ({path}): ")


@pytest.mark.django_db
def test_the_site_reads_and_answers_a_refused_write_with_503(client):
    if connection.vendor != "sqlite":
        pytest.skip("PRAGMA query_only makes this SQLite connection read-only")
    commitment = make_commitment(title="唯讀時仍可閱讀")
    editor = logged_in(make_user("editor", EDITOR))
    change = reverse("admin:tracker_commitment_change", args=[commitment.pk])
    data = form_data(editor.get(change))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only=ON")
    try:
        page = client.get(f"/commitments/{commitment.uid}/")
        assert page.status_code == 200
        assert "唯讀時仍可閱讀" in page.content.decode()

        refused = editor.post(change, data | {"title": "改不了"})
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only=OFF")

    assert refused.status_code == 503
    assert "資料庫目前為唯讀" in refused.content.decode()
