"""Write commitments back to Markdown files, replacing the target folder in one move.

A record that cannot be written (an unsafe path, a value the format cannot hold, a name the
file system refuses) is reported and left out; it never stops the others. The folder swap
can be interrupted at any point, even by kill -9: the next export puts the previous folder
back before anything else.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tracker.core import format as fmt
from tracker.core.models import Commitment, file_path_problem


class ExportError(Exception):
    pass


# A file system's answers about one name, not about the disk: that record is left out.
RECORD_ERRNOS = {errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL}


@dataclass
class ExportReport:
    files: int
    directory: Path
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped


def commitment_render(*, commitment: Commitment) -> str:
    """Return one commitment's file text (expects its timeline prefetched)."""
    return fmt.render(commitment.to_data())


def commitments_for_export(*, include_drafts: bool = False):
    commitments = Commitment.objects.all() if include_drafts else Commitment.objects.published()
    return commitments.with_timeline().order_by("file_path")


def iter_rendered(*, include_drafts: bool = False, skipped: list[str] | None = None):
    """Yield (relative path, file bytes) for every exportable commitment.

    A commitment whose path is unsafe or whose values the format cannot hold is left out,
    with a one-line reason appended to SKIPPED.
    """
    skipped = [] if skipped is None else skipped
    for commitment in commitments_for_export(include_drafts=include_drafts).iterator(
        chunk_size=500
    ):
        problem = file_path_problem(commitment.file_path)
        if problem:
            skipped.append(f"{_name(commitment)}: path {commitment.file_path!r}: {problem}")
            continue
        try:
            text = commitment_render(commitment=commitment)
        except fmt.FormatError as error:
            skipped.append(f"{_name(commitment)}: {error}")
            continue
        yield commitment.file_path, text.encode("utf-8")


def _name(commitment: Commitment) -> str:
    return f"commitment {commitment.uid} ({commitment.file_path!r})"


def commitments_export(
    *, directory: str | os.PathLike, include_drafts: bool = False
) -> ExportReport:
    """Write every commitment to DIRECTORY; the old tree stays until the new one is complete."""
    target = Path(directory).absolute()
    existing = next(path for path in target.parents if path.exists())
    if not existing.is_dir():
        raise ExportError(f"{existing} is a file, not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _export_lock(target):
        _recover_interrupted_swap(target)
        _check_target(target)
        _remove_leftovers(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.export-", dir=target.parent))
        skipped: list[str] = []
        try:
            count = 0
            for relative, content in iter_rendered(include_drafts=include_drafts, skipped=skipped):
                if _write_new(staging / relative, content, relative, skipped):
                    count += 1
            _swap_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return ExportReport(files=count, directory=target, skipped=skipped)


def _write_new(path: Path, content: bytes, relative: str, skipped: list[str]) -> bool:
    """Write one file that must not exist yet; report a name the file system refuses."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:
            handle.write(content)
    except FileExistsError:
        skipped.append(f"{relative}: two commitments share this path; the second was left out")
        return False
    except OSError as error:
        if error.errno not in RECORD_ERRNOS:
            raise
        path.unlink(missing_ok=True)
        skipped.append(f"{relative}: the file system refuses this name: {error.strerror}")
        return False
    return True


@contextlib.contextmanager
def _export_lock(target: Path):
    """Let one export at a time write beside TARGET (a killed one releases it)."""
    with open(target.parent / f".{target.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportError(f"another export into {target} is running") from None
        yield


def _recover_interrupted_swap(target: Path) -> None:
    """Put back the previous export if a swap was killed after moving it aside.

    The swap moves TARGET to ``.<name>.previous-*/<name>``, then the new folder to TARGET.
    Killed in between, TARGET is missing and the previous folder is the only copy: it goes
    back. Killed later, TARGET is complete and the previous copy is a leftover.
    """
    if target.exists() or target.is_symlink():
        return
    kept = sorted(
        target.parent.glob(f".{target.name}.previous-*/{target.name}"),
        key=lambda path: path.stat().st_mtime,
    )
    if kept:
        os.rename(kept[-1], target)


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
