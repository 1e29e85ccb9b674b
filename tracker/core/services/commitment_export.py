"""Write commitments back to Markdown files, replacing the target folder in one move."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tracker.core import format as fmt
from tracker.core.models import Commitment, file_path_problem


class ExportError(Exception):
    pass


@dataclass
class ExportReport:
    files: int
    directory: Path


def commitment_render(*, commitment: Commitment) -> str:
    """Return one commitment's file text (expects its timeline prefetched)."""
    return fmt.render(commitment.to_data())


def commitments_for_export(*, include_drafts: bool = False):
    commitments = Commitment.objects.all() if include_drafts else Commitment.objects.published()
    return commitments.with_timeline().order_by("file_path")


def iter_rendered(*, include_drafts: bool = False):
    """Yield (relative path, file bytes) for every exported commitment, checked for safety."""
    for commitment in commitments_for_export(include_drafts=include_drafts).iterator(
        chunk_size=500
    ):
        problem = file_path_problem(commitment.file_path)
        if problem:
            raise ExportError(
                f"commitment {commitment.uid} ({commitment.title}): "
                f"path {commitment.file_path!r}: {problem}"
            )
        try:
            text = commitment_render(commitment=commitment)
        except fmt.FormatError as error:
            raise ExportError(
                f"commitment {commitment.uid} ({commitment.file_path}): {error}"
            ) from None
        yield commitment.file_path, text.encode("utf-8")


def commitments_export(
    *, directory: str | os.PathLike, include_drafts: bool = False
) -> ExportReport:
    """Write every commitment to DIRECTORY; the old tree stays until the new one is complete."""
    target = Path(directory).absolute()
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _export_lock(target):
        _remove_leftovers(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.export-", dir=target.parent))
        try:
            count = 0
            for relative, content in iter_rendered(include_drafts=include_drafts):
                path = staging / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with open(path, "xb") as handle:
                        handle.write(content)
                except FileExistsError:
                    raise ExportError(f"two commitments share the path {relative}") from None
                count += 1
            _swap_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return ExportReport(files=count, directory=target)


@contextlib.contextmanager
def _export_lock(target: Path):
    """Let one export at a time write beside TARGET (a killed one releases it)."""
    with open(target.parent / f".{target.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportError(f"another export into {target} is running") from None
        yield


def _remove_leftovers(target: Path) -> None:
    """Remove staging folders that an export killed half-way left beside TARGET."""
    for pattern in (f".{target.name}.export-*", f".{target.name}.previous-*"):
        for leftover in target.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _check_target(target: Path) -> None:
    """Refuse to replace a folder that holds anything but an earlier export."""
    if not target.exists():
        return
    if target.is_symlink() or not target.is_dir():
        raise ExportError(f"{target} exists and is not a folder")
    for root, _dirs, files in os.walk(target):
        for name in files:
            if not name.endswith(".md"):
                stray = Path(root, name).relative_to(target)
                raise ExportError(
                    f"{target} holds {stray}, which is not a commitment file; "
                    "export into an empty or new folder"
                )


def _swap_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.previous-", dir=target.parent))
    os.rename(target, previous / target.name)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(previous / target.name, target)
        raise
    shutil.rmtree(previous, ignore_errors=True)
