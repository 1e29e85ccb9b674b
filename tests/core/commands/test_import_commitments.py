"""The import_commitments command: every kind of bad file gets one clear line, no traceback."""

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import ROOT
from tests.helpers import database_snapshot

pytestmark = pytest.mark.django_db

FOUNDING = "國防外交/捍衛國家主權.md"


@pytest.fixture
def good_text(fixtures_dir):
    return (fixtures_dir / FOUNDING).read_text(encoding="utf-8")


@pytest.fixture
def imported(fixtures_dir):
    call_command("import_commitments", str(fixtures_dir), stdout=io.StringIO())


def run_import(*paths):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_commitments", *map(str, paths), stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def change_line(text, prefix, new_line):
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    lines[index] = new_line
    return "\n".join(lines)


def billion_laughs():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\n---\n"


BAD_FILES = {
    "empty": (lambda good: b"", "the file is empty"),
    "only-whitespace": (lambda good: b"  \n\n", "the file is empty"),
    "no-front-matter": (lambda good: b"# title\n\nsome text\n", "no front matter"),
    "unterminated": (
        lambda good: good.replace("\n---\n", "\n", 1).encode()[: len(good) // 2],
        "unterminated",
    ),
    "yaml-syntax": (
        lambda good: change_line(good, "title:", 'title: "未結束的引號').encode(),
        "YAML syntax error",
    ),
    "not-a-mapping": (lambda good: b"---\n- a\n- b\n---\n\nbody\n", "must be a mapping"),
    "missing-id": (lambda good: change_line(good, "id:", "").encode(), "id: missing"),
    "invalid-id": (lambda good: change_line(good, "id:", 'id: "12"').encode(), "id: '12'"),
    "missing-title": (lambda good: change_line(good, "title:", "").encode(), "title: missing"),
    "empty-title": (lambda good: change_line(good, "title:", 'title: ""').encode(), "title:"),
    "unknown-status": (
        lambda good: change_line(good, "status:", 'status: "完成"').encode(),
        "status: '完成' is not one of",
    ),
    "bad-created-at": (
        lambda good: change_line(good, "created_at:", 'created_at: "2026-02-31"').encode(),
        "created_at:",
    ),
    "bad-last-updated": (
        lambda good: change_line(good, "last_updated:", "last_updated: 42").encode(),
        "last_updated:",
    ),
    "bad-log-date": (
        lambda good: good.replace(
            "### 2026-01-26 [初始建立]", "### 2026-01-32 [初始建立]"
        ).encode(),
        "log entry date '2026-01-32'",
    ),
    "source-not-mapping": (
        lambda good: good.replace(
            good[good.index("source:") : good.index("created_at:")], 'source: "x"\n'
        ).encode(),
        "source: must be a mapping",
    ),
    "not-utf8": (lambda good: good.encode("big5", errors="replace"), "not valid UTF-8"),
    "binary-junk": (lambda good: bytes(range(256)) * 8, "NUL"),
    "nul-character": (lambda good: good.replace("本部", "本\x00部").encode(), "NUL character"),
    "deep-nesting": (
        lambda good: ("---\nid: " + "[" * 3000 + "]" * 3000 + "\n---\n").encode(),
        "nest",
    ),
    "alias-bomb": (lambda good: billion_laughs().encode(), "anchors and aliases"),
    "python-tag": (
        lambda good: good.replace(
            'title: "', 'title: !!python/object/apply:os.system ["true"] #'
        ).encode(),
        "tags",
    ),
    "oversized": (lambda good: good.encode() + b"x" * (3 * 1024 * 1024), "the limit is"),
    "unknown-section": (
        lambda good: good.replace("## 來源回覆", "## 附件").encode(),
        "unknown section",
    ),
    "unsafe-path": (None, "path"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_gets_one_clear_line_and_changes_nothing(case, tmp_path, good_text, imported):
    make, expected = BAD_FILES[case]
    if make is None:
        folder = tmp_path / "in"
        path = folder / ".隱藏" / "x.md"
        path.parent.mkdir(parents=True)
        path.write_text(good_text, encoding="utf-8")
        target = folder
    else:
        path = tmp_path / "壞檔案" / f"{case}.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(make(good_text))
        target = path
    before = database_snapshot()
    status, out, err = run_import(target)
    assert status != 0
    error_lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, err
    assert str(path) in error_lines[0]
    assert expected in error_lines[0]
    assert "Traceback" not in out + err
    assert "1 failed" in err
    assert database_snapshot() == before


def test_summary_counts_created_updated_unchanged(fixtures_dir):
    status, out, _ = run_import(fixtures_dir)
    assert status == 0
    assert "9 files: 9 created, 0 updated, 0 merged, 0 conflicts queued, 0 moved" in out
    status, out, _ = run_import(fixtures_dir)
    assert "0 created, 0 updated, 0 merged, 0 conflicts queued, 0 moved, 9 unchanged" in out


def test_exit_status_is_non_zero_for_a_bad_file(tmp_path):
    bad = tmp_path / "壞.md"
    bad.write_bytes(b"")
    database = tmp_path / "db.sqlite3"
    environment = {"SQLITE_PATH": str(database), "PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "true"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=environment, check=True, cwd=ROOT)
    result = subprocess.run(
        [*manage, "import_commitments", str(bad)],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert f"error: {bad}: the file is empty" in result.stderr
    assert "Traceback" not in result.stderr
