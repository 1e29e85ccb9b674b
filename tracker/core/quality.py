"""Data-quality findings: what in the record an editor should look at, as plain data.

The checks are pure functions over :class:`Record` (one commitment file as the checks see
it); :func:`records_from_database` and :func:`records_from_files` build the records, so
``manage.py check_data`` can check the database or a folder of files before import, and
the admin can show the same findings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.core import format as fmt
from tracker.core.agencies import alias_groups_in, normalise

DUPLICATE_ID = "duplicate_id"
TARGET_DATE = "target_date"
AGENCY_ALIAS = "agency_alias"
CATEGORY = "near_duplicate_category"
SOURCE_DISAGREES = "source_disagrees"
LOG_ORDER = "log_order"
DELAYED_EARLY = "delayed_before_target"

# Check -> (title, whether its findings need an editor). Findings of the others are
# information: the data is usable as it is (aliases are grouped, ROC dates understood).
CHECKS: dict[str, tuple[str, bool]] = {
    DUPLICATE_ID: ("重複的 id（同一承諾存成兩個檔案）", True),
    TARGET_DATE: ("非 ISO 格式的目標日期", False),
    AGENCY_ALIAS: ("同一機關的不同寫法", False),
    CATEGORY: ("相近的類別名稱", False),
    SOURCE_DISAGREES: ("同一答復在不同承諾中的資料不一致", True),
    LOG_ORDER: ("追蹤紀錄未依日期排列", True),
    DELAYED_EARLY: ("目標日期未到卻標為已延宕", True),
}

_GENERIC_SUFFIXES = ("政策", "管理", "體系", "建設", "產業", "發展", "保護", "事務")


@dataclass(frozen=True)
class Finding:
    check: str
    where: str
    message: str
    needs_editor: bool


@dataclass
class Record:
    """One commitment file as the checks see it."""

    uid: str
    file_path: str
    category: str
    status: str
    target_date_text: str | None
    agency: str | None
    source: fmt.SourceData
    reply: fmt.ReplyData | None
    entry_dates: list[dt.date] = field(default_factory=list)
    log_reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Duplicate:
    uid: str
    kept_path: str
    other_path: str
    reason: str


def _finding(check: str, where: str, message: str, needs_editor: bool | None = None) -> Finding:
    default = CHECKS[check][1]
    return Finding(check, where, message, default if needs_editor is None else needs_editor)


def duplicate_ids(duplicates: Iterable[Duplicate]) -> list[Finding]:
    return [
        _finding(
            DUPLICATE_ID,
            item.other_path,
            f"id {item.uid} is also {item.kept_path}; {item.reason}",
        )
        for item in duplicates
    ]


def target_dates(records: Iterable[Record]) -> list[Finding]:
    """Return target dates not written as YYYY-MM-DD; unreadable ones need an editor."""
    result = []
    for record in records:
        text = record.target_date_text
        if text is None or fmt.is_iso_date(text):
            continue
        meaning = fmt.parse_target_date(text)
        if meaning is None:
            result.append(
                _finding(
                    TARGET_DATE,
                    record.file_path,
                    f"target_date {text!r} is not a date; the status rules skip it",
                    needs_editor=True,
                )
            )
        else:
            result.append(
                _finding(
                    TARGET_DATE,
                    record.file_path,
                    f"target_date {text!r} is a 民國 date, read as {meaning.isoformat()}",
                )
            )
    return result


def agency_aliases(records: Iterable[Record]) -> list[Finding]:
    names = [record.agency for record in records]
    counts: dict[str, int] = defaultdict(int)
    for name in names:
        if name:
            counts[normalise(name)] += 1
    return [
        _finding(
            AGENCY_ALIAS,
            canonical,
            "spelled " + ", ".join(f"{spelling} ({counts[spelling]})" for spelling in spellings),
        )
        for canonical, spellings in sorted(alias_groups_in(names).items())
    ]


def category_stem(name: str) -> tuple[str, bool]:
    """Return a category without a generic suffix (政策, 管理, …) and whether it had one."""
    for suffix in _GENERIC_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], True
    return name, False


def _similar_categories(first: str, second: str) -> bool:
    (stem_a, had_a), (stem_b, had_b) = category_stem(first), category_stem(second)
    if stem_a.startswith(stem_b) or stem_b.startswith(stem_a):
        return True
    # 水利政策 / 水資源管理: two generic names about the same thing.
    return had_a and had_b and stem_a[0] == stem_b[0]


def near_duplicate_categories(names: Iterable[str]) -> list[list[str]]:
    """Return groups of category names that likely mean the same (農業 / 農業政策)."""
    distinct = sorted({name.strip() for name in names if name and name.strip()})
    parent = {name: name for name in distinct}

    def root(name):
        while parent[name] != name:
            name = parent[name]
        return name

    for i, first in enumerate(distinct):
        for second in distinct[i + 1 :]:
            if _similar_categories(first, second):
                parent[root(second)] = root(first)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in distinct:
        groups[root(name)].append(name)
    return [group for group in groups.values() if len(group) > 1]


def categories(records: Iterable[Record]) -> list[Finding]:
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[record.category] += 1
    return [
        _finding(CATEGORY, " / ".join(group), ", ".join(f"{n} ({counts[n]})" for n in group))
        for group in near_duplicate_categories(counts)
    ]


def source_disagreements(records: Iterable[Record]) -> list[Finding]:
    """Return replies whose metadata or text differ between the commitments citing them."""
    by_reply: dict[str, list[Record]] = defaultdict(list)
    by_number: dict[str, set[str]] = defaultdict(set)
    for record in records:
        by_reply[record.source.document_id].append(record)
        if record.source.ey_number:
            by_number[record.source.ey_number].add(record.source.document_id)
    result = []
    for document_id, group in sorted(by_reply.items()):
        for name in ("term", "session_period", "ey_number", "url"):
            values = defaultdict(list)
            for record in group:
                values[getattr(record.source, name)].append(record.file_path)
            if len(values) > 1:
                result.append(_disagreement(document_id, f"source.{name}", values))
        for name in ("subject", "text"):
            values = defaultdict(list)
            for record in group:
                if record.reply is not None:
                    values[getattr(record.reply, name)].append(record.file_path)
            if len(values) > 1:
                result.append(_disagreement(document_id, f"{fmt.SECTION_REPLY} {name}", values))
    for number, document_ids in sorted(by_number.items()):
        if len(document_ids) > 1:
            result.append(
                _finding(
                    SOURCE_DISAGREES,
                    number,
                    "one ey_number, several document_ids: " + ", ".join(sorted(document_ids)),
                )
            )
    return result


def _disagreement(document_id: str, name: str, values: dict) -> Finding:
    shown = "; ".join(
        f"{str(value)[:40]!r} in {', '.join(sorted(paths)[:3])}"
        + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        for value, paths in values.items()
    )
    return _finding(SOURCE_DISAGREES, f"reply {document_id}", f"{name} differs: {shown}")


def log_order(records: Iterable[Record]) -> list[Finding]:
    result = []
    for record in records:
        for number, (before, after) in enumerate(
            zip(record.entry_dates, record.entry_dates[1:], strict=False), start=2
        ):
            if after < before:
                result.append(
                    _finding(
                        LOG_ORDER,
                        record.file_path,
                        f"entry {number} ({after.isoformat()}) comes after an entry dated "
                        f"{before.isoformat()}",
                    )
                )
    return result


def delayed_before_target(records: Iterable[Record], today: dt.date) -> list[Finding]:
    """Return 已延宕 commitments whose target date has not passed (a misread 民國 date)."""
    result = []
    for record in records:
        target = fmt.parse_target_date(record.target_date_text)
        if record.status == fmt.STATUS_DELAYED and target is not None and target >= today:
            result.append(
                _finding(
                    DELAYED_EARLY,
                    record.file_path,
                    f"status 已延宕 but target_date {record.target_date_text!r} is "
                    f"{target.isoformat()}, not passed",
                )
            )
    return result


def findings(
    records: list[Record], duplicates: Iterable[Duplicate], today: dt.date
) -> list[Finding]:
    """Return every finding, check by check in the order of CHECKS."""
    return [
        *duplicate_ids(duplicates),
        *target_dates(records),
        *agency_aliases(records),
        *categories(records),
        *source_disagreements(records),
        *log_order(records),
        *delayed_before_target(records, today),
    ]


def record_from_data(data: fmt.CommitmentData, file_path: str) -> Record:
    return Record(
        uid=data.id,
        file_path=file_path,
        category=data.category,
        status=data.status,
        target_date_text=data.target_date,
        agency=data.responsible_agency,
        source=data.source,
        reply=data.reply,
        entry_dates=[entry.entry_date for entry in data.log],
    )


def records_from_database() -> tuple[list[Record], list[Duplicate]]:
    """Return the stored commitments, and the set-aside duplicate copies, as records."""
    from tracker.core.models import Commitment, DuplicateCopy

    records = []
    for commitment in (
        Commitment.objects.with_timeline().order_by("file_path").iterator(chunk_size=500)
    ):
        records.append(record_from_data(commitment.to_data(), commitment.file_path))
    duplicates = []
    for copy in DuplicateCopy.objects.select_related("commitment").order_by("file_path"):
        duplicates.append(
            Duplicate(copy.commitment.uid, copy.commitment.file_path, copy.file_path, copy.reason)
        )
        # A copy that no longer parses is still reported above as a duplicate.
        with contextlib.suppress(fmt.FormatError):
            records.append(record_from_data(fmt.parse(copy.file_text), copy.file_path))
    return records, duplicates


def records_from_files(
    paths: list[str | os.PathLike],
) -> tuple[list[Record], list[Duplicate], list[str]]:
    """Return the records of every .md file under the paths, and files that cannot be read."""
    from tracker.core.services.commitment_import import (
        ImportFileError,
        find_commitment_files,
        read_commitment_file,
    )

    found, errors = find_commitment_files(paths)
    records = []
    for display, file_path in found:
        try:
            parsed = read_commitment_file(display, file_path)
        except ImportFileError as error:
            errors.append(str(error))
            continue
        records.append(record_from_data(parsed.data, file_path))
    first_path: dict[str, str] = {}
    duplicates = []
    for record in records:
        if record.uid in first_path:
            duplicates.append(
                Duplicate(record.uid, first_path[record.uid], record.file_path, "two files")
            )
        else:
            first_path[record.uid] = record.file_path
    return records, duplicates, errors
