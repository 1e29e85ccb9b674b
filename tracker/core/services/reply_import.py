"""Import the Legislative Yuan's open-data rows of Executive Yuan written replies (JSON lines).

One row a line: ``{"id", "payload": {"term", "sessionPeriod", "sessionTimes", "eyNumber",
"lyNumber", "subject", "content", "docUrl", "baseId", "isChunked", "chunkIndex",
"totalChunks", "chunkText"}}``. A long reply is split into rows (chunks) that share
``baseId`` and each carry the full ``content``; they become one :class:`Source`.

A reply already known from commitment files is enriched (session, LY number, and any text
the files left out), never duplicated, also where the files cite it by a chunk's id. Where
the reply row disagrees with what those files say, the files win (they must export back
byte for byte) and the difference is reported.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, fields, replace

from django.db import DatabaseError, transaction
from django.utils import timezone

from tracker.core import format as fmt
from tracker.core.files import UnreadableFile, open_regular_file
from tracker.core.links import web_url_problem
from tracker.core.models import Source
from tracker.core.services.search_index import search_document_source_set, search_rows_deferred

MAX_LINE_BYTES = fmt.MAX_FILE_BYTES
BATCH_SIZE = 200

# payload key -> (Source field, required)
PAYLOAD_FIELDS = {
    "baseId": ("document_id", True),
    "term": ("term", True),
    "sessionPeriod": ("session_period", True),
    "sessionTimes": ("session_times", False),
    "eyNumber": ("ey_number", False),
    "lyNumber": ("ly_number", False),
    "subject": ("subject", False),
    "content": ("reply_text", False),
    "docUrl": ("url", False),
}
# What commitment files also hold: for a reply they cite, the files' values are kept.
FILE_FIELDS = ("term", "session_period", "ey_number", "url", "subject", "reply_text")
_IDENTIFIER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.:-]*$")


class ReplyLineError(ValueError):
    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class ReplyRow:
    """One reply as the row describes it, with where it was read."""

    location: str
    row_id: str
    document_id: str
    term: str
    session_period: str
    session_times: str
    ey_number: str
    ly_number: str
    subject: str
    reply_text: str
    url: str
    # The ids of all its chunks: some commitment files cite a chunk's id, not the baseId.
    chunk_ids: tuple[str, ...] = ()

    def values(self) -> dict[str, str]:
        skip = {"location", "row_id", "document_id", "chunk_ids"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


@dataclass
class ReplyImportReport:
    lines: int = 0
    replies: int = 0
    created: int = 0
    enriched: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"{self.lines} lines, {self.replies} replies: {self.created} new, "
            f"{self.enriched} enriched or updated, {self.unchanged} unchanged; "
            f"{len(self.errors)} lines skipped"
        )


def parse_reply_line(line: str, location: str) -> ReplyRow:
    """Return the reply one JSON line describes, or raise ReplyLineError naming the field."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise ReplyLineError(
            location, f"not valid JSON ({error.msg}, column {error.colno})"
        ) from None
    except RecursionError:
        raise ReplyLineError(location, "nested too deeply") from None
    if not isinstance(row, dict) or not isinstance(row.get("payload"), dict):
        raise ReplyLineError(location, 'expected an object {"id": ..., "payload": {...}}')
    payload = row["payload"]
    values: dict[str, str] = {}
    for key, (name, required) in PAYLOAD_FIELDS.items():
        value = payload.get(key)
        if value is None and not required:
            value = ""
        if not isinstance(value, str):
            got = "missing" if value is None else f"a {type(value).__name__}, not a string"
            raise ReplyLineError(f"{location}: payload.{key}", got)
        value = value.replace("\r\n", "\n")
        if required and not value.strip():
            raise ReplyLineError(f"{location}: payload.{key}", "must not be empty")
        limit = getattr(Source._meta.get_field(name), "max_length", None)
        if limit and len(value) > limit:
            raise ReplyLineError(
                f"{location}: payload.{key}", f"{len(value)} characters; at most {limit} fit"
            )
        values[name] = value
    _check(values, location)
    row_id = row.get("id") if isinstance(row.get("id"), str) else ""
    return ReplyRow(
        location=location,
        row_id=row_id,
        chunk_ids=(row_id,) if row_id and row_id != values["document_id"] else (),
        **values,
    )


def _check(values: dict[str, str], location: str) -> None:
    if not _IDENTIFIER.match(values["document_id"]):
        raise ReplyLineError(
            f"{location}: payload.baseId",
            f"{values['document_id'][:60]!r} is not an identifier (letters, digits, -)",
        )
    for key, name in (("sessionTimes", "session_times"), ("term", "term")):
        if "\n" in values[name]:
            raise ReplyLineError(f"{location}: payload.{key}", "must be one line")
    for key in ("eyNumber", "lyNumber", "subject"):
        name = PAYLOAD_FIELDS[key][0]
        if "\n" in values[name] or "\r" in values[name]:
            raise ReplyLineError(f"{location}: payload.{key}", "must be one line")
    problem = values["url"] and web_url_problem(values["url"])
    if problem:
        raise ReplyLineError(f"{location}: payload.docUrl", f"{values['url'][:60]!r} {problem}")
    # The reply is written into commitment files: it must come back out as it went in.
    reply = fmt.ReplyData(subject=values["subject"], text=values["reply_text"])
    if reply.subject or reply.text:
        problem = _round_trip_problem(reply)
        if problem:
            raise ReplyLineError(f"{location}: payload.content", problem)


def _round_trip_problem(reply: fmt.ReplyData) -> str | None:
    sample = fmt.stub(reply=reply)
    try:
        back = fmt.parse(fmt.render(sample)).reply
    except fmt.FormatError as error:
        return f"cannot be written into a commitment file: {error.message}"
    if back != reply:
        return "cannot be written into a commitment file unchanged (blank lines or '## ')"
    return None


def read_reply_rows(paths: list[str | os.PathLike], report: ReplyImportReport) -> list[ReplyRow]:
    """Return the rows of every file, reporting unreadable files and malformed lines."""
    rows: list[ReplyRow] = []
    for path in paths:
        try:
            handle = open_regular_file(path)
        except UnreadableFile as error:
            report.errors.append(f"{path}: {error}")
            continue
        with handle:
            for number, (raw, size) in enumerate(bounded_lines(handle, MAX_LINE_BYTES), start=1):
                location = f"{path}:{number}"
                if raw is not None and not raw.strip():
                    continue
                report.lines += 1
                if raw is None:
                    report.errors.append(
                        f"{location}: {size:,} bytes; a line may hold at most "
                        f"{MAX_LINE_BYTES:,} bytes (skipped without reading it into memory)"
                    )
                    continue
                try:
                    rows.append(parse_reply_line(_decode(raw, location), location))
                except ReplyLineError as error:
                    report.errors.append(str(error))
    return rows


def bounded_lines(handle, limit: int, chunk: int = 64 * 1024):
    """Yield (line bytes, size) per line; (None, size) for a line over LIMIT bytes.

    A line too long is skipped a chunk at a time, so memory stays near LIMIT whatever the
    file holds (a 200 MB line peaked at 469 MB when read whole).
    """
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        body = line[:-1] if line.endswith(b"\n") else line
        if len(body) <= limit:
            yield line, len(body)
            continue
        size = len(body)
        while not line.endswith(b"\n"):
            line = handle.readline(chunk)
            if not line:
                break
            size += len(line) - line.endswith(b"\n")
        yield None, size


def _decode(raw: bytes, location: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReplyLineError(location, f"not UTF-8 text (byte {error.start})") from None


def merge_chunks(rows: list[ReplyRow], report: ReplyImportReport) -> list[ReplyRow]:
    """Return one row per reply (baseId); a chunk that disagrees with the first is skipped."""
    merged: dict[str, ReplyRow] = {}
    for row in rows:
        first = merged.get(row.document_id)
        if first is None:
            merged[row.document_id] = row
            continue
        differ = [name for name, value in row.values().items() if first.values()[name] != value]
        if differ:
            report.errors.append(
                f"{row.location}: reply {row.document_id}: {', '.join(differ)} differ from "
                f"its chunk at {first.location}; this line was skipped"
            )
        elif row.chunk_ids:
            chunk_ids = tuple(dict.fromkeys(first.chunk_ids + row.chunk_ids))
            merged[row.document_id] = replace(first, chunk_ids=chunk_ids)
    return list(merged.values())


def replies_import(*, paths: list[str | os.PathLike]) -> ReplyImportReport:
    """Import reply rows from JSON-lines files: one Source per reply, enriched in place."""
    report = ReplyImportReport()
    replies = merge_chunks(read_reply_rows(paths, report), report)
    report.replies = len(replies)
    with search_rows_deferred():  # a reply is copied into each citing commitment's row
        for start in range(0, len(replies), BATCH_SIZE):
            _import_batch(replies[start : start + BATCH_SIZE], report)
    return report


def _import_batch(batch: list[ReplyRow], report: ReplyImportReport) -> None:
    wanted = [key for row in batch for key in (row.document_id, *row.chunk_ids)]
    stored = {
        source.document_id: source for source in Source.objects.filter(document_id__in=wanted)
    }
    cited = set(
        Source.objects.filter(pk__in=[source.pk for source in stored.values()])
        .filter(commitments__isnull=False)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    for row in batch:
        # A reply some files cite by a chunk's id is that same reply: enrich, don't add.
        known = [stored[key] for key in (row.document_id, *row.chunk_ids) if key in stored]
        try:
            with transaction.atomic():
                if not known:
                    source = Source.objects.create(
                        document_id=row.document_id, imported_from_replies=now, **row.values()
                    )
                    search_document_source_set(source=source, new=True)
                    report.created += 1
                    continue
                changed = [
                    source
                    for source in known
                    if _enrich(source, row, source.pk in cited, now, report)
                ]
                for source in changed:
                    source.save()
                    search_document_source_set(source=source)
                if changed:
                    report.enriched += 1
                else:
                    report.unchanged += 1
        except DatabaseError as error:
            report.errors.append(f"{row.location}: the database refused reply: {error}")


def _enrich(source: Source, row: ReplyRow, cited: bool, now, report) -> bool:
    """Set what the row adds to a stored reply; return whether anything changed."""
    changed = False
    kept = []
    for name, value in row.values().items():
        old = getattr(source, name)
        if old == value or (not value and name in FILE_FIELDS):
            continue
        if cited and old and name in FILE_FIELDS:
            kept.append(name)
            continue
        setattr(source, name, value)
        changed = True
    if kept:
        report.warnings.append(
            f"{row.location}: reply {row.document_id}: {', '.join(kept)} differ from the "
            "commitment files citing it; the files' values are kept"
        )
    if source.imported_from_replies is None:
        source.imported_from_replies = now
        changed = True
    return changed
