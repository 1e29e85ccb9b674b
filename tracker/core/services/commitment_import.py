"""Import commitment Markdown files into the database, one transaction per file."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from simple_history.utils import bulk_create_with_history

from tracker.core import format as fmt
from tracker.core.files import UnreadableFile, file_kind, open_regular_file
from tracker.core.models import Commitment, DuplicateCopy, Source, TrackingLog, file_path_problem
from tracker.core.services.search_index import (
    search_document_commitment_set,
    search_document_source_set,
)

# Files are parsed and looked up in batches (one query for the batch's commitments, one
# for their timelines), then written one transaction per file.
BATCH_SIZE = 200

SOURCE_META_FIELDS = ("term", "session_period", "ey_number", "url")
COMMITMENT_FIELDS = (
    "title",
    "category",
    "status",
    "target_date_text",
    "target_value",
    "responsible_agency",
    "wording",
    "shows_reply",
    "created_date",
    "last_updated",
    "file_path",
)
LOG_FIELDS = (
    "entry_date",
    "kind",
    "shape",
    "text",
    "from_status",
    "to_status",
    "reason",
    "source_type",
    "document_number",
    "document_url",
    "summary",
    "judgement",
)


@dataclass
class ParsedFile:
    display: str
    file_path: str
    text: str
    data: fmt.CommitmentData
    reason: str = ""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    # Ids created by this run: a newer copy replacing one of them is still one creation.
    created_ids: set[str] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{self.files} files: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed; "
            f"{len(self.duplicates)} duplicate-id copies set aside"
        )


class ImportFileError(Exception):
    pass


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


def commitments_import_paths(*, paths: list[str | os.PathLike]) -> ImportReport:
    """Import every commitment file under the given files and folders.

    Files stream through in batches, so memory stays flat however many there are. Copies of
    one id in the same batch are settled before writing; a copy in a later batch meets the
    stored record and the same rule settles it (newer last_updated, then more entries).
    """
    found, errors = find_commitment_files(paths)
    report = ImportReport(files=len(found), failed=errors)
    for start in range(0, len(found), BATCH_SIZE):
        parsed: list[ParsedFile] = []
        for display, file_path in found[start : start + BATCH_SIZE]:
            try:
                parsed.append(read_commitment_file(display, file_path))
            except ImportFileError as error:
                report.failed.append(str(error))
        winners, losers = _choose_among_duplicate_ids(parsed)
        _import_batch(winners, report)
        for loser, winner in losers:
            _set_aside_copy(loser, winner.data.id, report)
    return report


def _rank(item: ParsedFile) -> tuple:
    """Order copies of one id: newer last_updated first, then more log entries."""
    return (item.data.last_updated, len(item.data.log))


def _why_kept(kept: tuple, other: tuple) -> str:
    if kept[0] != other[0]:
        return f"newer last_updated ({kept[0].isoformat()} vs {other[0].isoformat()})"
    if kept[1] != other[1]:
        return f"more log entries ({kept[1]} vs {other[1]})"
    return "same last_updated and log count; kept the first by path"


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
                reason = _why_kept(_rank(best), _rank(item))
                item.reason = f"{best.file_path} kept: {reason}"
    return winners, losers


def _import_batch(batch: list[ParsedFile], report: ImportReport) -> None:
    existing = {
        commitment.uid: commitment
        for commitment in Commitment.objects.with_timeline().filter(
            uid__in=[item.data.id for item in batch]
        )
    }
    sources = {
        source.document_id: source
        for source in Source.objects.filter(
            document_id__in={item.data.source.document_id for item in batch}
        )
    }
    path_owners = dict(
        Commitment.objects.filter(file_path__in=[item.file_path for item in batch]).values_list(
            "file_path", "uid"
        )
    )
    for item in batch:
        current = existing.get(item.data.id)
        # Another file already holds this id: the stored record stays unless the incoming
        # copy is strictly newer (or as new with more log entries).
        if (
            current is not None
            and current.file_path != item.file_path
            and _rank_of_record(current) >= _rank(item)
        ):
            _set_aside_copy(item, current.uid, report, kept_path=current.file_path)
            continue
        if current is not None and _unchanged(current, item):
            report.unchanged += 1
            continue
        old_path = current.file_path if current is not None else None
        try:
            with transaction.atomic():
                created = _write(item, current, sources, path_owners, report)
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
        if created:
            report.created += 1
            report.created_ids.add(item.data.id)
        elif item.data.id not in report.created_ids:
            report.updated += 1


def _rank_of_record(commitment: Commitment) -> tuple:
    return (commitment.last_updated, len(commitment.log_entries.all()))


def _unchanged(current: Commitment, item: ParsedFile) -> bool:
    if current.file_path != item.file_path:
        return False
    return fmt.render(current.to_data()) == fmt.render(item.data)


def _write(item: ParsedFile, current, sources: dict, path_owners: dict, report) -> bool:
    data = item.data
    taken = path_owners.get(item.file_path)
    if taken and taken != data.id:
        raise ImportFileError(
            f"path {item.file_path} already belongs to commitment {taken}; "
            "rename the file or change that commitment's path first"
        )
    source = _upsert_source(item, sources, report)
    _check_lengths(data)
    values = {
        "title": data.title,
        "category": data.category,
        "status": data.status,
        "target_date_text": data.target_date,
        "target_value": data.target_value,
        "responsible_agency": data.responsible_agency,
        "wording": data.wording,
        "shows_reply": data.reply is not None,
        "created_date": data.created_at,
        "last_updated": data.last_updated,
        "file_path": item.file_path,
    }
    if current is None:
        commitment = Commitment(uid=data.id, source=source, **values)
        commitment.save()
        # The history records let an editor see and restore what the file said.
        bulk_create_with_history(
            [_log_entry(commitment, position, entry) for position, entry in enumerate(data.log)],
            TrackingLog,
        )
        search_document_commitment_set(commitment=commitment, entries=data.log, new=True)
        return True
    if current.file_path != item.file_path:
        _set_aside_record(current, item, report)
    for name, value in values.items():
        setattr(current, name, value)
    current.source = source
    current.save()
    _replace_log(current, data.log)
    search_document_commitment_set(commitment=current, entries=data.log)
    return False


def _upsert_source(item: ParsedFile, sources: dict, report: ImportReport) -> Source:
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
    if changed:
        source.save()
        sources[wanted.document_id] = source
    if changed & {"new", "subject", "reply_text"}:
        search_document_source_set(source=source, new="new" in changed)
    return source


def _log_entry(commitment: Commitment, position: int, entry: fmt.LogEntryData) -> TrackingLog:
    return TrackingLog(
        commitment=commitment,
        position=position,
        **{name: getattr(entry, name) for name in LOG_FIELDS},
    )


def _replace_log(commitment: Commitment, entries: list[fmt.LogEntryData]) -> None:
    """Update the stored timeline in place by position, keeping unchanged rows as they are."""
    stored = list(commitment.log_entries.all())
    changed = []
    for row, entry in zip(stored, entries, strict=False):
        if any(getattr(row, name) != getattr(entry, name) for name in LOG_FIELDS):
            for name in LOG_FIELDS:
                setattr(row, name, getattr(entry, name))
            changed.append(row)
    for row in changed:
        row.save()
    if len(stored) > len(entries):
        TrackingLog.objects.filter(pk__in=[row.pk for row in stored[len(entries) :]]).delete()
    bulk_create_with_history(
        [
            _log_entry(commitment, position, entry)
            for position, entry in enumerate(entries)
            if position >= len(stored)
        ],
        TrackingLog,
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
    reason = item.reason or (
        f"{kept_path} kept: " + _why_kept(_rank_of_record(commitment), _rank(item))
    )
    _keep_copy(commitment, item.file_path, reason, item.data, item.text, report)


def _set_aside_record(current: Commitment, item: ParsedFile, report: ImportReport) -> None:
    """Keep the stored version whole when a copy from another path replaces it."""
    reason = f"{item.file_path} kept: " + _why_kept(_rank(item), _rank_of_record(current))
    data = current.to_data()
    _keep_copy(current, current.file_path, reason, data, fmt.render(data), report)


def _keep_copy(commitment, file_path, reason, data, text, report) -> None:
    copy = DuplicateCopy.objects.filter(commitment=commitment, file_path=file_path).first()
    if copy is None or copy.file_text != text:
        DuplicateCopy.objects.update_or_create(
            commitment=commitment,
            file_path=file_path,
            defaults={
                "reason": reason[:300],
                "last_updated": data.last_updated,
                "log_count": len(data.log),
                "file_text": text,
            },
        )
    report.duplicates.append(f"id {commitment.uid}: {reason}; {file_path} set aside for review")


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
