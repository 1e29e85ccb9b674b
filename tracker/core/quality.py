"""Data-quality findings: what in the record an editor should look at, as plain data.

The checks are pure functions over :class:`Record` (one commitment file as the checks see
it); :func:`records_from_database` and :func:`records_from_files` build the records, so
``manage.py check_data`` can check the database or a folder of files before import, and
the admin can show the same findings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import unicodedata
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
LIKELY_DUPLICATE = "likely_duplicate"

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
    LIKELY_DUPLICATE: ("可能重複的承諾（同標題，或同一答復中原文幾乎相同）", True),
}

# Two commitments from one reply whose wordings, compared without spaces and punctuation,
# have a difflib ratio (2 × matching characters / both lengths) of at least this are likely
# one promise extracted twice. Read on the shared corpus: pairs of one reply at 0.85 and above
# are one promise reworded (a clause added, 碳費 "初期以大排放源（年排放2.5萬噸以上）為主"),
# and so are most between 0.8 and 0.85; below, distinct promises on one subject appear.
# The page leads to a chief editor's decision, so it errs on showing a few more.
DUPLICATE_WORDING_RATIO = 0.85
SAME_TITLE = "same_title"
SIMILAR_WORDING = "similar_wording"

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
    title: str = ""
    wording: str = ""


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


def comparable_text(text: str) -> str:
    """Return a text without spaces, punctuation and symbols, letters folded to lower case."""
    return "".join(
        char
        for char in unicodedata.normalize("NFKC", text).casefold()
        if unicodedata.category(char)[0] in "LN"
    )


def wording_ratio(first: str, second: str) -> float:
    """Return how alike two comparable texts are (difflib's ratio, 0 to 1)."""
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    if matcher.real_quick_ratio() < DUPLICATE_WORDING_RATIO:
        return matcher.real_quick_ratio()
    if matcher.quick_ratio() < DUPLICATE_WORDING_RATIO:
        return matcher.quick_ratio()
    return matcher.ratio()


@dataclass(frozen=True)
class DuplicateCandidate:
    """What the duplicate check reads of one commitment."""

    key: object  # whatever the caller finds the commitment by (a row id, a file path)
    title: str
    wording: str
    document_id: str
    uid: str = ""  # two files of one id are the duplicate-id check's


@dataclass(frozen=True)
class LikelyDuplicate:
    first: DuplicateCandidate
    second: DuplicateCandidate
    reason: str  # SAME_TITLE or SIMILAR_WORDING
    ratio: float  # of the wordings


def likely_duplicates(candidates: Iterable[DuplicateCandidate]) -> list[LikelyDuplicate]:
    """Return pairs of commitments that are likely one promise: the same title (compared
    without spaces and punctuation), or, from the same reply, wordings whose ratio reaches
    DUPLICATE_WORDING_RATIO. Each pair once, in the candidates' order."""
    candidates = list(candidates)
    texts = [comparable_text(item.wording) for item in candidates]
    by_title: dict[str, list[int]] = defaultdict(list)
    by_reply: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(candidates):
        by_title[comparable_text(item.title)].append(index)
        by_reply[item.document_id].append(index)
    pairs: dict[tuple[int, int], str] = {}

    def one_id(first: int, second: int) -> bool:
        return bool(candidates[first].uid) and candidates[first].uid == candidates[second].uid

    for title, indexes in by_title.items():
        if title:
            for position, first in enumerate(indexes):
                for second in indexes[position + 1 :]:
                    if not one_id(first, second):
                        pairs[(first, second)] = SAME_TITLE
    for indexes in by_reply.values():
        for position, first in enumerate(indexes):
            for second in indexes[position + 1 :]:
                if (first, second) in pairs or one_id(first, second):
                    continue
                if not texts[first] or not texts[second]:
                    continue
                if wording_ratio(texts[first], texts[second]) >= DUPLICATE_WORDING_RATIO:
                    pairs[(first, second)] = SIMILAR_WORDING
    return [
        LikelyDuplicate(
            candidates[first],
            candidates[second],
            reason,
            difflib.SequenceMatcher(None, texts[first], texts[second], autojunk=False).ratio(),
        )
        for (first, second), reason in sorted(pairs.items())
    ]


def duplicate_commitments(records: Iterable[Record]) -> list[Finding]:
    found = likely_duplicates(
        DuplicateCandidate(
            record.file_path, record.title, record.wording, record.source.document_id, record.uid
        )
        for record in records
    )
    return [
        _finding(
            LIKELY_DUPLICATE,
            f"{pair.first.key} / {pair.second.key}",
            ("same title" if pair.reason == SAME_TITLE else "similar wording from one reply")
            + f"; wording ratio {pair.ratio:.2f}",
        )
        for pair in found
    ]


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
        *duplicate_commitments(records),
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
        title=data.title,
        wording=data.wording,
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
