"""Take in upstream's commitment files without losing the newsroom's work.

Every run is a sync (a :class:`~tracker.core.models.SyncRun`): each file is merged three ways
against the last file upstream delivered for its commitment (the base, kept verbatim in
:class:`~tracker.core.models.UpstreamBase`) and the newsroom's record, by the rules of
:mod:`tracker.core.merge`, one transaction per file:

- what only upstream changed is taken; what only the newsroom changed is kept; where both
  changed a field differently the newsroom's value stays and upstream's is queued
  (:class:`~tracker.core.models.SyncConflict`) for an editor;
- upstream's new entries join the timeline in date order among the newsroom's; an import
  never moves, rewrites or deletes an entry an editor wrote; an upstream entry upstream later
  rewrote or dropped is queued, never changed silently (unless nobody touched the record);
- an older file (its entries a prefix of the base's) changes nothing; the same id at a new
  path with the old path gone is a move; a snapshot that lacks files deletes nothing.

Runs take a lock, so two imports never interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tracker.core import format as fmt
from tracker.core import merge
from tracker.core.data_version import data_version_bump
from tracker.core.files import UnreadableFile, file_kind, open_regular_file
from tracker.core.models import (
    ENTRY_FIELDS,
    Commitment,
    CommitmentAlias,
    ConflictKind,
    DuplicateCopy,
    DuplicateReason,
    EntryShape,
    Origin,
    Source,
    SyncConflict,
    SyncRun,
    TrackingLog,
    UpstreamBase,
    file_path_problem,
)
from tracker.core.services.commitment_merge import PARKED, place_in_date_order
from tracker.core.services.row_writes import history_rows_copy, row_insert, rows_insert
from tracker.core.services.search_index import (
    search_document_commitment_set,
    search_document_source_set,
    search_rows_deferred,
)

# Files are parsed and looked up in batches (one query for the batch's commitments, one
# for their timelines), then written one transaction per file.
BATCH_SIZE = 200

SOURCE_META_FIELDS = ("term", "session_period", "ey_number", "url")
# Positions are moved out of the way before a timeline is put in its new order.
_REORDER_OFFSET = 1_000_000


@dataclass
class ParsedFile:
    display: str
    file_path: str
    text: str
    data: fmt.CommitmentData
    kept: Kept | None = None  # set when another file of the same id was kept over this one


@dataclass(frozen=True)
class Kept:
    """Why one file of an id was kept over another: a code to store, words for the report."""

    path: str
    reason: DuplicateReason
    detail: str

    def __str__(self) -> str:
        return f"{self.path} kept: {self.detail}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    merged: int = 0
    conflicts: int = 0
    moved: int = 0
    unchanged: int = 0
    older: int = 0
    retired: int = 0
    failed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # One line per file that changed anything (or would, in a dry run), for the run's log.
    changes: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    files: int = 0
    dry_run: bool = False
    run_id: int | None = None
    # Ids created by this run: a newer copy replacing one of them is still one creation.
    created_ids: set[str] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        lead = "dry run, nothing written: " if self.dry_run else ""
        run = f"sync run #{self.run_id}: " if self.run_id and not self.dry_run else ""
        return (
            f"{lead}{run}{self.files} files: {self.created} created, {self.updated} updated, "
            f"{self.merged} merged, {self.conflicts} conflicts queued, {self.moved} moved, "
            f"{self.unchanged} unchanged, {self.older} older skipped, "
            f"{len(self.failed)} failed; {len(self.duplicates)} duplicate-id copies set aside; "
            f"{len(self.absent)} of ours absent from the snapshot (kept)"
        )


class ImportFileError(Exception):
    pass


class ImportBusy(Exception):
    """Another import holds the lock."""


def find_commitment_files(
    paths: list[str | os.PathLike],
) -> tuple[list[tuple[str, str]], list[str]]:
    """Return (display path, stored relative path) for every .md file under the paths.

    A folder's files are stored relative to that folder; a single file keeps its parent
    folder's name (``國防外交/捍衛國家主權.md``), as the format's paths do. Every ``*.md``
    entry that is not read (a link leaving the folder or to nothing, a FIFO, a device, a
    link to a folder) is reported with the reason, never skipped silently.
    """
    found: list[tuple[str, str]] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except OSError as error:
            errors.append(f"{raw}: {_stat_problem(path, error)}")
            continue
        if stat.S_ISDIR(mode):
            files, skipped = _files_in_folder(path)
            errors += skipped
            if not files and not skipped:
                errors.append(f"{raw}: no .md files in this folder")
            found += files
        elif stat.S_ISREG(mode):
            found.append((str(path), f"{path.resolve().parent.name}/{path.name}"))
        else:
            errors.append(f"{raw}: skipped: {file_kind(mode)}, not a regular file")
    return found, errors


def _files_in_folder(folder: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the folder's readable .md files and a line for each entry skipped."""
    root = folder.resolve()
    files: list[tuple[str, str]] = []
    skipped: list[str] = []

    def skip(entry: Path, why: str) -> None:
        skipped.append(f"{entry}: skipped: {why}")

    for directory, dirs, names in os.walk(
        folder,
        onerror=lambda error: skip(Path(error.filename), f"cannot be read: {error.strerror}"),
    ):
        dirs.sort()
        # os.walk does not descend into linked folders; say so instead of ignoring them.
        for name in list(dirs):
            entry = Path(directory, name)
            if entry.is_symlink():
                skip(
                    entry,
                    f"a link to a folder ({os.readlink(entry)}); links to folders are not followed",
                )
        for name in sorted(names):
            if not name.endswith(".md"):
                continue
            entry = Path(directory, name)
            try:
                mode = entry.lstat().st_mode
                if stat.S_ISLNK(mode):
                    target = entry.resolve()
                    if not target.exists():
                        skip(entry, f"a link to {os.readlink(entry)}, which does not exist")
                        continue
                    if not target.is_relative_to(root):
                        skip(entry, f"a link to {target}, outside {folder}")
                        continue
                    mode = target.stat().st_mode
            except OSError as error:
                skip(entry, f"cannot be read: {error.strerror}")
                continue
            if not stat.S_ISREG(mode):
                skip(entry, f"{file_kind(mode)}, not a regular file")
                continue
            files.append((str(entry), entry.relative_to(folder).as_posix()))
    files.sort(key=lambda item: item[1])
    return files, skipped


def _stat_problem(path: Path, error: OSError) -> str:
    if path.is_symlink():
        return f"a link to {os.readlink(path)}, which does not exist"
    if isinstance(error, FileNotFoundError):
        return "no such file or folder"
    return f"cannot be read: {error.strerror}"


def read_commitment_file(display: str, file_path: str) -> ParsedFile:
    """Read and parse one file, or raise ImportFileError with a one-line message."""
    problem = file_path_problem(file_path)
    if problem:
        raise ImportFileError(f"{display}: path {file_path!r}: {problem}")
    limit = fmt.MAX_FILE_BYTES
    try:
        with open_regular_file(display) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise ImportFileError(_too_big(display, f"{size:,} bytes"))
            raw = handle.read(limit + 1)
    except UnreadableFile as error:
        raise ImportFileError(f"{display}: {error}") from None
    except OSError as error:
        raise ImportFileError(f"{display}: cannot be read: {error.strerror}") from None
    if len(raw) > limit:
        # The file grew while it was read: its real size is unknown, only that it is too big.
        raise ImportFileError(_too_big(display, f"over {limit // (1024 * 1024)} MiB"))
    try:
        text = fmt.decode(raw)
        data = fmt.parse(text)
    except fmt.FormatError as error:
        raise ImportFileError(f"{display}: {error}") from None
    return ParsedFile(display=display, file_path=file_path, text=text, data=data)


def _too_big(display: str, size: str) -> str:
    return f"{display}: the file is {size}; the limit is {fmt.MAX_FILE_BYTES:,} bytes (2 MiB)"


def commitments_import_paths(
    *, paths: list[str | os.PathLike], dry_run: bool = False, label: str = ""
) -> ImportReport:
    """Sync every commitment file under the given files and folders (see the module's doc).

    Files stream through in batches, so memory stays flat however many there are. With
    ``dry_run`` every file is merged as it would be and the whole run is rolled back.
    Raises ImportBusy when another import is running.
    """
    found, errors = find_commitment_files(paths)
    report = ImportReport(files=len(found), failed=list(errors), dry_run=dry_run)
    whole_folders = any(Path(raw).is_dir() for raw in paths)
    with import_lock():
        # Each file commits on its own (a killed run keeps whole files only); a dry run
        # wraps them all in one transaction and rolls it back.
        outer = transaction.atomic() if dry_run else contextlib.nullcontext()
        try:
            with outer:
                with search_rows_deferred():
                    _run(paths, found, report, label=label, whole_folders=whole_folders)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return report


def _run(paths, found, report: ImportReport, *, label: str, whole_folders: bool) -> None:
    run = SyncRun.objects.create(
        source=", ".join(str(raw) for raw in paths)[:1000], label=label[:200]
    )
    report.run_id = run.pk
    snapshot_paths = {file_path for _, file_path in found}
    seen: set[str] = set()
    for start in range(0, len(found), BATCH_SIZE):
        parsed: list[ParsedFile] = []
        for display, file_path in found[start : start + BATCH_SIZE]:
            try:
                parsed.append(read_commitment_file(display, file_path))
            except ImportFileError as error:
                report.failed.append(str(error))
        seen.update(item.data.id for item in parsed)
        winners, losers = _choose_among_duplicate_ids(parsed)
        _import_batch(winners, report, run, snapshot_paths)
        for loser, winner in losers:
            _set_aside_copy(loser, winner.data.id, report)
    if whole_folders:
        report.absent = _absent(seen)
    _finish(run, report)


class _DryRun(Exception):
    """Raised to roll a dry run back."""


def _finish(run: SyncRun, report: ImportReport) -> None:
    for name in ("created", "updated", "merged", "conflicts", "moved", "unchanged", "older"):
        setattr(run, name, getattr(report, name))
    run.failed = len(report.failed)
    lines = [*report.changes, *(f"failed: {line}" for line in report.failed)]
    lines += [f"duplicate: {line}" for line in report.duplicates]
    if report.absent:
        lines.append(
            f"absent from the snapshot, kept: {len(report.absent)} "
            f"({', '.join(report.absent[:20])}{'…' if len(report.absent) > 20 else ''})"
        )
    run.log = "\n".join(lines)
    run.finished_at = timezone.now()
    run.save()


def _absent(seen: set[str]) -> list[str]:
    """Return the paths of upstream's commitments this snapshot did not deliver."""
    return sorted(
        path
        for uid, path in UpstreamBase.objects.values_list("commitment__uid", "file_path")
        if uid not in seen
    )


@contextlib.contextmanager
def import_lock():
    """Let one import run at a time, on this database (raise ImportBusy otherwise)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID])
            (locked,) = cursor.fetchone()
        if not locked:
            raise ImportBusy(_busy_message())
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
        return
    name = str(settings.DATABASES["default"]["NAME"])
    if "mode=memory" in name or name == ":memory:":
        # An in-memory database (the tests') belongs to this process alone.
        digest = hashlib.sha256(f"{os.getpid()}:{name}".encode()).hexdigest()[:16]
        lock_path = Path(tempfile.gettempdir()) / f"commitment-tracker-{digest}.import-lock"
    else:
        lock_path = Path(name).with_name(Path(name).name + ".import-lock")
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy(_busy_message()) from None
        yield


LOCK_ID = 7_004_301  # any constant: PostgreSQL advisory locks are keyed by a number


def _busy_message() -> str:
    running = SyncRun.objects.filter(finished_at__isnull=True).order_by("-started_at").first()
    since = (
        f" since {timezone.localtime(running.started_at).isoformat(timespec='seconds')} "
        f"(sync run #{running.pk})"
        if running is not None
        else ""
    )
    return f"another import is running{since}; try again when it has finished"


def _rank(item: ParsedFile) -> tuple:
    """Order copies of one id: newer last_updated first, then more log entries."""
    return (item.data.last_updated, len(item.data.log))


def _why_kept(path: str, kept: tuple, other: tuple) -> Kept:
    """Return why the file at path, ranked kept, was kept over a copy ranked other."""
    if kept[0] != other[0]:
        detail = f"newer last_updated ({kept[0].isoformat()} vs {other[0].isoformat()})"
        return Kept(path, DuplicateReason.NEWER, detail)
    if kept[1] != other[1]:
        detail = f"more log entries ({kept[1]} vs {other[1]})"
        return Kept(path, DuplicateReason.MORE_ENTRIES, detail)
    detail = "same last_updated and log count; kept the first by path"
    return Kept(path, DuplicateReason.FIRST_BY_PATH, detail)


def _choose_among_duplicate_ids(parsed: list[ParsedFile]):
    by_id: dict[str, list[ParsedFile]] = {}
    for item in parsed:
        by_id.setdefault(item.data.id, []).append(item)
    winners, losers = [], []
    for items in by_id.values():
        items.sort(key=lambda item: item.file_path)
        best = max(items, key=_rank)
        winners.append(best)
        for item in items:
            if item is not best:
                losers.append((item, best))
                item.kept = _why_kept(best.file_path, _rank(best), _rank(item))
    return winners, losers


def _import_batch(
    batch: list[ParsedFile], report: ImportReport, run: SyncRun, snapshot_paths: set[str]
) -> None:
    existing = {
        commitment.uid: commitment
        for commitment in Commitment.objects.with_timeline()
        .select_related("upstream_base")
        .filter(uid__in=[item.data.id for item in batch])
    }
    sources = {
        source.document_id: source
        for source in Source.objects.filter(
            document_id__in={item.data.source.document_id for item in batch}
        )
    }
    aliases = {
        alias.uid: alias
        for alias in CommitmentAlias.objects.filter(
            uid__in=[item.data.id for item in batch if item.data.id not in existing]
        )
    }
    path_owners = dict(
        Commitment.objects.filter(file_path__in=[item.file_path for item in batch]).values_list(
            "file_path", "uid"
        )
    )
    for item in batch:
        current = existing.get(item.data.id)
        if current is None and item.data.id in aliases:
            _import_alias_file(item, aliases[item.data.id], run, report)
            continue
        # Another file of this snapshot holds the stored path with this id: two copies. The
        # stored record stays unless the incoming copy is strictly newer.
        if (
            current is not None
            and current.file_path != item.file_path
            and current.file_path in snapshot_paths
            and _rank_of_record(current) >= _rank(item)
        ):
            _set_aside_copy(item, current.uid, report, kept_path=current.file_path)
            continue
        old_path = current.file_path if current is not None else None
        try:
            with transaction.atomic():
                outcome = _apply(item, current, run, sources, path_owners, snapshot_paths, report)
        except (ImportFileError, DatabaseError) as error:
            if isinstance(error, DatabaseError):
                error = f"the database refused the record: {error}"
            report.failed.append(f"{item.display}: {error}")
            # The cached source may hold values that were rolled back: read it again.
            sources[item.data.source.document_id] = Source.objects.filter(
                document_id=item.data.source.document_id
            ).first()
            continue
        path_owners.pop(old_path, None)
        path_owners[item.file_path] = item.data.id
        if item.data.id in report.created_ids:
            continue  # a second copy of a record this run created: still one creation
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome == "created":
            report.created_ids.add(item.data.id)


def _import_alias_file(item: ParsedFile, alias, run: SyncRun, report: ImportReport) -> None:
    try:
        with transaction.atomic():
            outcome = _merge_alias(item, alias, run, report)
    except (ImportFileError, DatabaseError, fmt.FormatError) as error:
        report.failed.append(f"{item.display}: {error}")
        return
    setattr(report, outcome, getattr(report, outcome) + 1)


def _merge_alias(item: ParsedFile, alias, run: SyncRun, report: ImportReport) -> str:
    """Merge upstream's file for an id merged into another record into the kept record.

    Upstream's new entries join the kept timeline by date, marked with the merged id; the
    file's fields are not taken (the kept record's stand), and entries upstream rewrote or
    dropped stay as they are. The file is then the merged id's base for the next sync.
    """
    data = item.data
    _check_lengths(data)
    if alias.upstream_text == item.text:
        return "unchanged"
    kept = Commitment.objects.locked(alias.commitment_id)
    base = fmt.parse(alias.upstream_text) if alias.upstream_text else None
    if base is not None:
        base_log, base_last_updated = base.log, base.last_updated
    else:
        base_log = [
            row.to_data()
            for row in kept.log_entries.filter(merged_from=alias.uid, origin=Origin.UPSTREAM)
        ]
        base_last_updated = None
    plan = merge.plan_entries(
        base_log,
        data.log,
        base_last_updated=base_last_updated,
        incoming_last_updated=data.last_updated,
    )
    where = f"{item.file_path} (id {alias.uid}, merged into {kept.file_path})"
    if plan.verdict == merge.Verdict.OLDER:
        report.changes.append(f"{where}: older than the last imported file, skipped")
        return "older"
    ours = list(kept.log_entries.order_by("position"))
    added = []
    for index, (key, entry) in enumerate(plan.appended):
        row = _log_entry(kept, PARKED + index, entry, key=key, run=run)
        row.merged_from = alias.uid
        if TrackingLog.objects.filter(commitment=kept, key=key).exists():
            row.key = row.next_key()
        row._change_reason = _sync_reason(run)
        row.save()
        added.append(row)
    notes = [f"{len(added)} new entries"]
    if added:
        place_in_date_order(kept, ours, added)
        kept.last_updated = max(kept.last_updated, *(row.entry_date for row in added))
        kept._change_reason = _sync_reason(run)
        kept.save()
        search_document_commitment_set(commitment=kept)
    if plan.vanished:
        notes.append(f"{len(plan.vanished)} entries upstream rewrote or dropped left as they are")
    notes.append("its fields are not taken (the kept record's stand)")
    alias.upstream_text = item.text
    alias.file_path = item.file_path
    alias.save()
    report.changes.append(f"{where}: {'; '.join(notes)}")
    return "merged"


def _rank_of_record(commitment: Commitment) -> tuple:
    return (commitment.last_updated, len(commitment.log_entries.all()))


def _sync_reason(run: SyncRun) -> str:
    return f"同步 #{run.pk}"


def _apply(
    item: ParsedFile,
    current: Commitment | None,
    run: SyncRun,
    sources: dict,
    path_owners: dict,
    snapshot_paths: set[str],
    report: ImportReport,
) -> str:
    """Merge one file into the database; return the outcome's counter name."""
    data = item.data
    taken = path_owners.get(item.file_path)
    if taken and taken != data.id:
        raise ImportFileError(
            f"path {item.file_path} already belongs to commitment {taken}; "
            "rename the file or change that commitment's path first"
        )
    _check_lengths(data)
    if current is None:
        _create(item, run, sources, report)
        return "created"
    base_record = getattr(current, "upstream_base", None)
    if (
        base_record is not None
        and base_record.text == item.text
        and current.file_path == item.file_path
    ):
        return "unchanged"
    # Writers of one commitment and its timeline queue behind its row lock (the editors'
    # services take it; PostgreSQL's latest-entry trigger takes it for every entry written):
    # taking it before touching the entries keeps an editor's save and this merge from
    # deadlocking. A no-op on SQLite, which has one writer at a time.
    list(Commitment.objects.select_for_update().filter(pk=current.pk).values_list("pk"))
    base = fmt.parse(base_record.text) if base_record is not None else _base_from(current)
    plan = merge.plan_entries(
        base.log,
        data.log,
        base_last_updated=base.last_updated,
        incoming_last_updated=data.last_updated,
    )
    if plan.verdict == merge.Verdict.OLDER:
        report.changes.append(f"{item.file_path}: older than the last imported file, skipped")
        return "older"
    return _merge(item, current, base, plan, run, sources, snapshot_paths, report)


def _base_from(commitment: Commitment) -> fmt.CommitmentData:
    """Return what upstream last had, for a record no sync has merged yet: its own upstream
    values and entries (a record made before the sync kept its base)."""
    data = commitment.to_data()
    data.log = [row.to_data() for row in commitment.log_entries.all() if row.is_own_upstream]
    return data


def _merge(item, current, base, plan, run, sources, snapshot_paths, report) -> str:
    data = item.data
    reason = _sync_reason(run)
    rows = list(current.log_entries.all())
    # Entries of a duplicate merged into this record are placed like the newsroom's: by date,
    # never rewritten by this record's own file.
    upstream_rows = {row.key: row for row in rows if row.is_own_upstream}
    newsroom_rows = [row for row in rows if not row.is_own_upstream]
    base_keys = plan.base_keys
    base_by_key = dict(zip(base_keys, base.log, strict=True))
    entries_touched = set(upstream_rows) != set(base_keys) or any(
        upstream_rows[key].to_data() != entry
        for key, entry in base_by_key.items()
        if key in upstream_rows
    )
    fields_touched = [
        name
        for name, read in merge.MERGED_FIELDS.items()
        if merge.stored_value(current, name) != read(base)
    ]
    local_work = bool(newsroom_rows) or entries_touched or bool(fields_touched)
    notes: list[str] = []

    # Fields.
    source = _upsert_source(item, run, sources, report)
    conflicts = 0
    for name, read in merge.MERGED_FIELDS.items():
        theirs, ours, was = read(data), merge.stored_value(current, name), read(base)
        decision = merge.decide_field(was, theirs, ours)
        if decision == merge.FieldDecision.TAKE or (
            decision == merge.FieldDecision.CONFLICT and not local_work
        ):
            if name == "source":
                current.source = source
            else:
                setattr(current, name, theirs)
            notes.append(f"{name} taken")
        elif decision == merge.FieldDecision.CONFLICT:
            conflicts += _queue_field(current, run, name, was, theirs, ours)
            notes.append(f"{name} conflict queued")
    if current.file_path != item.file_path:
        moved = _move(current, item, snapshot_paths, report, run)
        if moved:
            notes.append(f"moved from {moved}")

    # Entries.
    if plan.verdict == merge.Verdict.DIVERGED and not local_work:
        for key in plan.vanished:
            row = upstream_rows.pop(key, None)
            if row is not None:
                row._change_reason = reason
                row.delete()
        notes.append(
            f"upstream rewrote the timeline ({len(plan.vanished)} entries replaced); "
            "nobody had edited this record, so upstream's version was taken"
        )
    elif plan.vanished:
        for key in plan.vanished:
            if key in upstream_rows:
                conflicts += _queue_entry(current, run, key, upstream_rows[key])
        notes.append(f"{len(plan.vanished)} entries upstream rewrote or dropped queued")
    added = _add_entries(current, plan, run, upstream_rows, newsroom_rows, report)
    if added:
        notes.append(f"{added} new entries")
    _reorder(current, plan, upstream_rows, newsroom_rows)

    newest_local = max((row.entry_date for row in newsroom_rows), default=data.last_updated)
    current.last_updated = max(data.last_updated, newest_local) if local_work else data.last_updated
    current._change_reason = reason
    current.save()
    UpstreamBase.objects.update_or_create(
        commitment=current,
        defaults={
            "file_path": item.file_path,
            "text": item.text,
            "sync_run": run,
            "imported_at": timezone.now(),
        },
    )
    search_document_commitment_set(commitment=current)
    report.conflicts += conflicts
    report.changes.append(f"{item.file_path}: {'; '.join(notes) or 'upstream values taken'}")
    return "merged" if local_work else "updated"


def _move(current, item, snapshot_paths, report, run) -> str | None:
    """Follow upstream to a new path; return the old path when the record moved.

    Where the newsroom renamed the file itself, its path stays and upstream's is queued.
    """
    old_path = current.file_path
    base_record = getattr(current, "upstream_base", None)
    upstream_path = base_record.file_path if base_record is not None else old_path
    if old_path in snapshot_paths:
        # Both paths are in this snapshot: the stored one is a second copy (settled above).
        _set_aside_record(current, item, report)
        current.file_path = item.file_path
        return None
    if upstream_path != old_path:
        report.conflicts += _queue_field(
            current, run, "file_path", upstream_path, item.file_path, old_path
        )
        return None
    current.file_path = item.file_path
    report.moved += 1
    return old_path


def _queue_field(commitment, run, name, base, theirs, ours) -> int:
    """Queue a field both sides changed; return 1 for a new item, 0 for an updated one."""
    values = {
        "base_value": merge.field_text(base),
        "upstream_value": merge.field_text(theirs),
        "our_value": merge.field_text(ours),
        "sync_run": run,
    }
    updated = (
        SyncConflict.objects.open()
        .filter(commitment=commitment, kind=ConflictKind.FIELD, field_name=name)
        .update(**values)
    )
    if updated:
        return 0
    SyncConflict.objects.create(
        commitment=commitment, kind=ConflictKind.FIELD, field_name=name, **values
    )
    return 1


def _queue_entry(commitment, run, key, row) -> int:
    if SyncConflict.objects.open().filter(commitment=commitment, entry_key=key).exists():
        return 0
    SyncConflict.objects.create(
        commitment=commitment,
        kind=ConflictKind.ENTRY,
        entry_key=key,
        base_value=fmt.render_entry(row.to_data()),
        upstream_value=None,
        our_value=fmt.render_entry(row.to_data()),
        sync_run=run,
    )
    return 1


def _add_entries(current, plan, run, upstream_rows, newsroom_rows, report) -> int:
    """Write upstream's new entries; retire our rule entries upstream now delivers itself."""
    new_rows = []
    used = {row.key for row in newsroom_rows}
    for key, entry in plan.appended:
        if key in upstream_rows:
            continue
        twin = next(
            (row for row in newsroom_rows if row.key == key and row.to_data() == entry), None
        )
        if twin is not None:
            # The newsroom logged exactly what upstream now delivers: it is upstream's too.
            twin.origin, twin.sync_run = Origin.UPSTREAM, run
            twin._change_reason = _sync_reason(run)
            twin.save(update_fields=["origin", "sync_run"])
            newsroom_rows.remove(twin)
            upstream_rows[key] = twin
            continue
        if key in used:
            raise ImportFileError(f"log entry key {key} is taken by a different newsroom entry")
        if entry.shape == EntryShape.STATUS_RULE:
            report.retired += _retire_rule_entries(entry, newsroom_rows, run)
        row = _log_entry(current, 0, entry, key=key, run=run)
        new_rows.append(row)
        upstream_rows[key] = row
    if new_rows:
        top = max((row.position for row in current.log_entries.all()), default=-1)
        for offset, row in enumerate(new_rows, start=1):
            row.position = top + _REORDER_OFFSET * 2 + offset
        bulk_create_with_history(new_rows, TrackingLog, default_change_reason=_sync_reason(run))
        if connection.vendor != "postgresql":
            # Other databases hand back no primary keys from a bulk insert.
            keyed = dict(
                TrackingLog.objects.filter(
                    commitment=current, key__in=[row.key for row in new_rows]
                ).values_list("key", "pk")
            )
            for row in new_rows:
                row.pk = row.id = keyed[row.key]
    return len(new_rows)


def _retire_rule_entries(entry, newsroom_rows, run) -> int:
    """Remove our own date-rule entries for a transition upstream has now delivered."""
    retired = 0
    for row in list(newsroom_rows):
        if (
            row.created_by_id is None
            and row.shape == EntryShape.STATUS_RULE
            and (row.from_status, row.to_status) == (entry.from_status, entry.to_status)
        ):
            row._change_reason = (
                f"{_sync_reason(run)}：上游已寫入相同的狀態變更，撤下本站規則產生的紀錄"
            )
            row.delete()
            newsroom_rows.remove(row)
            retired += 1
    return retired


def _reorder(current, plan, upstream_rows, newsroom_rows) -> None:
    """Put the timeline in merge order: upstream's order, newsroom entries by date."""
    in_upstream_order = [upstream_rows[key] for key in plan.incoming_keys if key in upstream_rows]
    placed = set(id(row) for row in in_upstream_order)
    # Entries upstream dropped but the newsroom keeps stay after the entry they followed.
    for row in sorted(upstream_rows.values(), key=lambda row: row.position):
        if id(row) in placed:
            continue
        before = [other for other in in_upstream_order if other.position < row.position]
        index = in_upstream_order.index(before[-1]) + 1 if before else 0
        in_upstream_order.insert(index, row)
        placed.add(id(row))
    order = merge.merged_order(
        [merge.Placed(row, row.entry_date, True) for row in in_upstream_order],
        [
            merge.Placed(row, row.entry_date, False)
            for row in sorted(newsroom_rows, key=lambda r: r.position)
        ],
    )
    wanted = [placed_row.ref for placed_row in order]
    moving = [(index, row) for index, row in enumerate(wanted) if row.position != index]
    if not moving:
        return
    occupied = {row.position for row in wanted}
    if any(index in occupied for index, _ in moving):
        # Some targets are taken: move the whole timeline out of the way first.
        TrackingLog.objects.filter(commitment=current).update(
            position=F("position") + _REORDER_OFFSET
        )
        moving = list(enumerate(wanted))
    for index, row in moving:
        TrackingLog.objects.filter(pk=row.pk).update(position=index)
        row.position = index


def _create(item: ParsedFile, run: SyncRun, sources: dict, report: ImportReport) -> None:
    """Write a new commitment, its timeline, their history rows and search documents.

    The hot path of a first import: rows go in through prepared statements
    (:mod:`~tracker.core.services.row_writes`), not ``save``, so what ``save`` and its
    signals would do is done here: the version of a first save, the target date, history
    rows, one data-version bump for the whole file.
    """
    data = item.data
    reason = _sync_reason(run)
    source = _upsert_source(item, run, sources, report)
    commitment = Commitment(
        uid=data.id,
        source=source,
        title=data.title,
        category=data.category,
        status=data.status,
        target_date_text=data.target_date,
        # What Commitment.save derives from the text.
        target_date=fmt.parse_target_date(data.target_date),
        target_value=data.target_value,
        responsible_agency=data.responsible_agency,
        wording=data.wording,
        shows_reply=data.reply is not None,
        created_date=data.created_at,
        last_updated=data.last_updated,
        file_path=item.file_path,
        version=1,  # as Versioned.save numbers a first save
    )
    row_insert(commitment)
    history_rows_copy(Commitment, where="id = %s", params=[commitment.pk], change_reason=reason)
    upstream = Origin.UPSTREAM.value
    rows_insert(
        TrackingLog,
        (
            {
                "commitment_id": commitment.pk,
                "position": position,
                "origin": upstream,
                "sync_run_id": run.pk,
                "key": key,
                **{name: getattr(entry, name) for name in ENTRY_FIELDS},
            }
            for position, (entry, key) in enumerate(
                zip(data.log, fmt.timeline_keys(data.log), strict=True)
            )
        ),
    )
    # The history records let an editor see and restore what the file said.
    history_rows_copy(
        TrackingLog, where="commitment_id = %s", params=[commitment.pk], change_reason=reason
    )
    rows_insert(
        UpstreamBase,
        [
            {
                "commitment_id": commitment.pk,
                "file_path": item.file_path,
                "text": item.text,
                "sync_run_id": run.pk,
                "imported_at": timezone.now(),
            }
        ],
    )
    search_document_commitment_set(commitment=commitment, entries=data.log, new=True)
    data_version_bump()


def _upsert_source(item: ParsedFile, run: SyncRun, sources: dict, report: ImportReport) -> Source:
    data = item.data
    wanted = data.source
    # The batch's sources were read up front: a missing key is a source not yet stored.
    source = sources.get(wanted.document_id)
    if source is None:
        source = Source(document_id=wanted.document_id)
        changed = {"new"}
    else:
        changed = set()
    for name in SOURCE_META_FIELDS:
        value = getattr(wanted, name)
        old = getattr(source, name)
        if old != value:
            if "new" not in changed:
                report.warnings.append(
                    f"{item.display}: source.{name} of reply {wanted.document_id} changes "
                    f"from {old!r} to {value!r}; other commitments citing it change too"
                )
            setattr(source, name, value)
            changed.add(name)
    if data.reply is not None:
        for name, value in (("subject", data.reply.subject), ("reply_text", data.reply.text)):
            old = getattr(source, name)
            if old != value:
                if old and "new" not in changed:
                    report.warnings.append(
                        f"{item.display}: the reply {name.replace('_', ' ')} of "
                        f"{wanted.document_id} differs from the one stored; the file's is kept"
                    )
                setattr(source, name, value)
                changed.add(name)
    if "new" in changed:
        # Written like the commitment in _create: a prepared insert and its history row.
        source.version = 1
        row_insert(source)
        history_rows_copy(
            Source, where="id = %s", params=[source.pk], change_reason=_sync_reason(run)
        )
        sources[wanted.document_id] = source
    elif changed:
        source._change_reason = _sync_reason(run)
        source.save()
        sources[wanted.document_id] = source
    if changed & {"new", "subject", "reply_text"}:
        search_document_source_set(source=source, new="new" in changed)
    return source


def _log_entry(
    commitment: Commitment, position: int, entry: fmt.LogEntryData, *, key: str, run: SyncRun
) -> TrackingLog:
    return TrackingLog(
        commitment=commitment,
        position=position,
        origin=Origin.UPSTREAM,
        sync_run=run,
        key=key,
        **{name: getattr(entry, name) for name in ENTRY_FIELDS},
    )


def _set_aside_copy(item: ParsedFile, uid: str, report: ImportReport, kept_path=None) -> None:
    """Keep a losing duplicate file whole, attached to the commitment that won."""
    commitment = Commitment.objects.filter(uid=uid).first()
    if commitment is None:
        report.failed.append(
            f"{item.display}: id {uid} is also in another file that failed to import; "
            "nothing of either was written"
        )
        return
    kept = item.kept or _why_kept(kept_path, _rank_of_record(commitment), _rank(item))
    _keep_copy(commitment, item.file_path, kept, item.data, item.text, report)


def _set_aside_record(current: Commitment, item: ParsedFile, report: ImportReport) -> None:
    """Keep the stored version whole when a copy from another path replaces it."""
    kept = _why_kept(item.file_path, _rank(item), _rank_of_record(current))
    data = current.to_data()
    _keep_copy(current, current.file_path, kept, data, fmt.render(data), report)


def _keep_copy(commitment, file_path, kept: Kept, data, text, report) -> None:
    copy = DuplicateCopy.objects.filter(commitment=commitment, file_path=file_path).first()
    if copy is None or copy.file_text != text:
        DuplicateCopy.objects.update_or_create(
            commitment=commitment,
            file_path=file_path,
            defaults={
                "reason": kept.reason,
                "last_updated": data.last_updated,
                "log_count": len(data.log),
                "file_text": text,
            },
        )
    line = f"id {commitment.uid}: {kept}; {file_path} set aside for review"
    if line not in report.duplicates:  # the winner and the loser of one pair both report it
        report.duplicates.append(line)


def _check_lengths(data: fmt.CommitmentData) -> None:
    """Refuse values longer than their column before PostgreSQL does, naming the field."""
    commitment_field = Commitment._meta.get_field
    source_field = Source._meta.get_field
    checks = [
        ("title", data.title, commitment_field("title")),
        ("category", data.category, commitment_field("category")),
        ("target_date", data.target_date, commitment_field("target_date_text")),
        ("responsible_agency", data.responsible_agency, commitment_field("responsible_agency")),
    ] + [
        (f"source.{name}", getattr(data.source, name), source_field(name))
        for name in ("document_id", *SOURCE_META_FIELDS)
    ]
    for name, value, column in checks:
        if value is not None and len(value) > column.max_length:
            raise ImportFileError(
                f"{name}: {len(value)} characters; at most {column.max_length} fit"
            )
    for number, entry in enumerate(data.log, start=1):
        for name in ("kind", "source_type", "document_number", "document_url", "judgement"):
            limit = TrackingLog._meta.get_field(name).max_length
            if len(getattr(entry, name)) > limit:
                raise ImportFileError(
                    f"log entry {number} ({entry.entry_date}): {name} is longer than "
                    f"{limit} characters"
                )
