"""Every command that takes a path: a missing path, a folder where a file is expected, a
FIFO or no permission is one line naming the path and a non-zero exit, never a traceback."""

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def make_missing(path):
    return path


def make_folder(path):
    path.mkdir()
    return path


def make_fifo(path):
    os.mkfifo(path)
    return path


def make_unreadable(path, monkeypatch):
    path.write_text("x")
    real_open = os.open

    def refusing(target, *args, **kwargs):
        if os.fspath(target) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(target))
        return real_open(target, *args, **kwargs)

    # Tests run as root, whom chmod does not stop: refuse the way the kernel would.
    monkeypatch.setattr(os, "open", refusing)
    return path


CASES = {
    "missing": (make_missing, "no such file"),
    "fifo": (make_fifo, "a FIFO (named pipe), not a regular file"),
    "unreadable": (make_unreadable, "Permission denied"),
}
READING_COMMANDS = {
    "import_commitments": "x.md",
    "check_data": "x.md",
    "import_replies": "x.jsonl",
}


def run(capsys, *arguments):
    with pytest.raises(CommandError) as error:
        call_command(*arguments)
    captured = capsys.readouterr()
    return [line for line in captured.err.splitlines() if line.strip()], str(error.value)


@pytest.mark.parametrize("command", READING_COMMANDS)
@pytest.mark.parametrize("case", CASES)
def test_a_bad_input_path_is_one_line_naming_it(tmp_path, capsys, monkeypatch, command, case):
    make, why = CASES[case]
    path = tmp_path / READING_COMMANDS[command]
    if case == "unreadable":
        make(path, monkeypatch)
    else:
        make(path)

    lines, summary = run(capsys, command, str(path))

    naming = [line for line in lines if str(path) in line]
    assert len(naming) == 1, lines
    assert why in naming[0]
    assert "Traceback" not in "\n".join(lines) + summary


def test_a_folder_where_replies_file_is_expected_is_one_line(tmp_path, capsys):
    lines, _ = run(capsys, "import_replies", str(make_folder(tmp_path / "replies")))
    assert lines == [f"error: {tmp_path / 'replies'}: a folder, not a regular file"]


def test_an_unreadable_folder_of_commitments_is_one_line(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "commitments"
    folder.mkdir()
    (folder / "a.md").write_text("x")

    def refusing_scandir(path):
        raise PermissionError(13, "Permission denied", os.fspath(path))

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    lines, _ = run(capsys, "import_commitments", str(folder))
    naming = [line for line in lines if str(folder) in line]
    assert len(naming) == 1 and "Permission denied" in naming[0], lines


@pytest.mark.parametrize(
    ("target", "named", "why"),
    [("file", "file", "is not a folder"), ("file/out/deeper", "file", "is a file, not a folder")],
    ids=["dir-is-a-file", "parent-is-a-file"],
)
def test_export_to_a_path_that_cannot_be_a_folder_is_one_line(tmp_path, capsys, target, named, why):
    (tmp_path / "file").write_text("a file")
    lines, message = run(capsys, "export_commitments", str(tmp_path / target))
    assert lines == []
    assert message.startswith(f"nothing was exported: {tmp_path / named}")
    assert why in message


def test_export_without_permission_is_one_line(tmp_path, capsys, monkeypatch):
    def refusing_mkdtemp(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr("tempfile.mkdtemp", refusing_mkdtemp)
    _, message = run(capsys, "export_commitments", str(tmp_path / "out"))
    assert message == f"nothing was exported: {tmp_path}: Permission denied"


@pytest.mark.parametrize(
    "arguments",
    [
        ["import_commitments", "MISSING"],
        ["check_data", "MISSING"],
        ["import_replies", "MISSING"],
        ["import_replies", "FOLDER"],
        ["export_commitments", "FILE/out"],
    ],
)
def test_through_manage_py_there_is_no_traceback(tmp_path, arguments):
    (tmp_path / "file").write_text("x")
    names = {"MISSING": tmp_path / "missing", "FOLDER": tmp_path, "FILE": tmp_path / "file"}
    resolved = [arguments[0]] + [
        str(names[part]) if part in names else str(names["FILE"] / "out") for part in arguments[1:]
    ]
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "true",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=environment, check=True
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *resolved],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert resolved[1] in result.stderr or str(tmp_path / "file") in result.stderr
