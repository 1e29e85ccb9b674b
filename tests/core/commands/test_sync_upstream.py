"""The daily job end to end, against a local bare git repository standing in for upstream."""

import dataclasses
import datetime as dt
import os
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import FIXTURES
from tracker.core import format as fmt
from tracker.core.models import Commitment, Origin, SyncRun

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

FOUNDING = "commitments/國防外交/捍衛國家主權.md"
GIT = shutil.which("git") or "git"


def git(repo, *arguments):
    environment = os.environ | {
        "GIT_AUTHOR_NAME": "upstream",
        "GIT_AUTHOR_EMAIL": "upstream@example.org",
        "GIT_COMMITTER_NAME": "upstream",
        "GIT_COMMITTER_EMAIL": "upstream@example.org",
    }
    return subprocess.run(
        [GIT, "-C", str(repo), *arguments],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    ).stdout.strip()


@pytest.fixture
def upstream(tmp_path):
    """(the pipeline's working copy, our clone): a bare repository between them."""
    bare = tmp_path / "upstream.git"
    subprocess.run([GIT, "init", "--quiet", "--bare", str(bare)], check=True)
    pipeline = tmp_path / "pipeline"
    subprocess.run([GIT, "clone", "--quiet", str(bare), str(pipeline)], check=True)
    shutil.copytree(FIXTURES, pipeline / "commitments")
    git(pipeline, "add", ".")
    git(pipeline, "commit", "--quiet", "-m", "snapshot 2026-01-27")
    git(pipeline, "push", "--quiet", "origin", "HEAD")
    clone = tmp_path / "clone"
    subprocess.run([GIT, "clone", "--quiet", str(bare), str(clone)], check=True)
    return pipeline, clone


def publish_next_day(pipeline):
    path = pipeline / FOUNDING
    data = fmt.parse(path.read_text(encoding="utf-8"))
    entry = dataclasses.replace(data.log[-1], entry_date=dt.date(2026, 1, 28), summary="次日新文件")
    path.write_text(
        fmt.render(
            dataclasses.replace(data, log=[*data.log, entry], last_updated=entry.entry_date)
        ),
        encoding="utf-8",
    )
    git(pipeline, "commit", "--quiet", "-am", "snapshot 2026-01-28")
    git(pipeline, "push", "--quiet", "origin", "HEAD")
    return git(pipeline, "rev-parse", "HEAD")


def test_it_pulls_imports_and_applies_the_date_rules_every_day(upstream, capsys):
    pipeline, clone = upstream
    call_command("sync_upstream", "--repo", str(clone))
    out = capsys.readouterr().out
    assert "9 created" in out and "date rules:" in out
    first = SyncRun.objects.get()
    assert first.label.startswith(git(clone, "rev-parse", "HEAD")[:12])

    commit = publish_next_day(pipeline)
    call_command("sync_upstream", "--repo", str(clone))
    capsys.readouterr()
    second = SyncRun.objects.latest("pk")
    # Merged where the date rules of the first run had written a newsroom entry.
    assert (second.created, second.updated + second.merged, second.unchanged) == (0, 1, 8)
    assert second.label.startswith(commit[:12])
    timeline = Commitment.objects.get(uid__startswith="0d78eb7d").log_entries.all()
    arrived = timeline.get(summary="次日新文件")
    assert (arrived.origin, arrived.sync_run_id) == (Origin.UPSTREAM, second.pk)


def test_a_dry_run_neither_pulls_nor_writes(upstream, capsys):
    pipeline, clone = upstream
    call_command("sync_upstream", "--repo", str(clone))
    publish_next_day(pipeline)
    before = git(clone, "rev-parse", "HEAD")
    call_command("sync_upstream", "--repo", str(clone), "--dry-run")
    assert git(clone, "rev-parse", "HEAD") == before
    assert "dry run, nothing written" in capsys.readouterr().out
    assert SyncRun.objects.count() == 1


@pytest.mark.parametrize("problem", ["missing", "not a clone", "diverged"])
def test_git_trouble_is_one_line_naming_the_clone(upstream, tmp_path, problem):
    pipeline, clone = upstream
    if problem == "missing":
        clone = tmp_path / "nowhere"
    elif problem == "not a clone":
        clone = tmp_path / "plain"
        clone.mkdir()
    else:
        (clone / "commitments" / "local.md").write_text("local change")
        git(clone, "add", ".")
        git(clone, "commit", "--quiet", "-m", "a local commit")
        publish_next_day(pipeline)
    with pytest.raises(CommandError) as raised:
        call_command("sync_upstream", "--repo", str(clone))
    message = str(raised.value)
    assert str(clone) in message and "\n" not in message
    assert not SyncRun.objects.exists()
