"""kill -9 at any point of export_commitments: the next export loses nothing.

Real processes, killed for real (SIGKILL: no cleanup runs), on a SQLite file of their own.
The next export puts an export moved aside back first, so even when that next export fails
too (here: it finds no tables), the folder is there with the last complete export.
"""

import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, ROOT

ENVIRONMENT = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "true"}
# Runs export_commitments and kills itself with SIGKILL right after the Nth call of the
# function named, as a power cut or the OOM killer would.
KILLER = """
import os, shutil, signal, sys
name, count = sys.argv[1], int(sys.argv[2])
module = shutil if name == "rmtree" else os
real, calls = getattr(module, name), [0]
def dying(*args, **kwargs):
    result = real(*args, **kwargs)
    calls[0] += 1
    if calls[0] == count:
        os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(module, name, dying)
sys.argv = ["manage.py", "export_commitments", sys.argv[3]]
sys.path.insert(0, os.getcwd())
import manage
manage.main()
"""


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
def database(tmp_path_factory):
    path = tmp_path_factory.mktemp("export-db") / "db.sqlite3"
    environment = ENVIRONMENT | {"SQLITE_PATH": str(path)}
    assert manage(environment, "migrate", "-v0").returncode == 0
    assert manage(environment, "import_commitments", str(FIXTURES)).returncode == 0
    return path


@pytest.fixture
def environment(database, tmp_path):
    copy = tmp_path / "db.sqlite3"
    shutil.copy(database, copy)
    return ENVIRONMENT | {"SQLITE_PATH": str(copy)}


def files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))


@pytest.mark.parametrize(
    ("function", "count"),
    [
        ("rename", 1),  # the old export moved aside, the new one not yet in place
        ("rename", 2),  # the new export in place, the old one not yet removed
        ("rmtree", 1),  # killed while removing the old one
        ("mkdir", 3),  # killed while writing the new files
    ],
)
def test_an_export_killed_at_any_point_loses_nothing(environment, tmp_path, function, count):
    out = tmp_path / "exports" / "commitments"
    first = manage(environment, "export_commitments", str(out))
    assert first.returncode == 0, first.stderr
    expected = files(out)
    assert len(expected) == 9

    killed = subprocess.run(
        [sys.executable, "-c", KILLER, function, str(count), str(out)],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL

    empty = environment | {"SQLITE_PATH": str(tmp_path / "empty.sqlite3")}
    failed = manage(empty, "export_commitments", str(out))
    assert failed.returncode != 0
    assert files(out) == expected

    after = manage(environment, "export_commitments", str(out))

    assert after.returncode == 0, after.stderr
    assert files(out) == expected
    beside = sorted(p.name for p in out.parent.iterdir())
    assert beside == [".commitments.lock", "commitments"]
