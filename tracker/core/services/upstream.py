"""Bring upstream's repository up to date: a local git clone the daily sync reads from."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT_SECONDS = 300


class UpstreamError(Exception):
    """git could not update or describe the clone (one line, naming the clone)."""


@dataclass(frozen=True)
class UpstreamState:
    commit: str
    committed: str  # the commit's date, ISO

    @property
    def label(self) -> str:
        return f"{self.commit[:12]} ({self.committed})"


def _git(repo: Path, *arguments: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise UpstreamError("git is not installed (apt-get install git)")
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [git, "-C", str(repo), *arguments],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UpstreamError(
            f"{repo}: git {arguments[0]} took more than {GIT_TIMEOUT_SECONDS} s"
        ) from None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["(no message)"]
        raise UpstreamError(f"{repo}: git {arguments[0]} failed: {lines[-1]}")
    return result.stdout.strip()


def upstream_update(*, repo: str | Path, pull: bool = True) -> UpstreamState:
    """Fast-forward the clone to upstream's newest commit (never merging local changes)."""
    repo = Path(repo)
    if not repo.is_dir():
        raise UpstreamError(f"{repo}: no such folder (clone upstream's repository there first)")
    if not (repo / ".git").exists():
        raise UpstreamError(f"{repo}: not a git clone (no .git)")
    if pull:
        _git(repo, "pull", "--ff-only", "--quiet")
    commit, committed = _git(repo, "log", "-1", "--format=%H %cI").split(" ", 1)
    return UpstreamState(commit=commit, committed=committed)
