"""Parse and render the commitment Markdown interchange format.

A pure module: text in, dataclasses out, and back again. No database, no Django.
``render(parse(text)) == text`` holds for every file written in the canonical form
(FORMAT.md); a file that parses but is written differently (other quoting, key order,
blank lines) is reported by :func:`canonical_difference`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

import yaml

from tracker.core.links import web_url_problem

STATUS_TRACKING = "追蹤中"
STATUS_ACHIEVED = "已達成"
STATUS_DELAYED = "已延宕"
STATUS_STALE = "無更新"
STATUSES = (STATUS_TRACKING, STATUS_ACHIEVED, STATUS_DELAYED, STATUS_STALE)

KIND_CREATED = "初始建立"
KIND_PROGRESS = "進度更新"
KIND_STATUS_CHANGE = "狀態變更"
KINDS = (KIND_CREATED, KIND_PROGRESS, KIND_STATUS_CHANGE)

# A log entry body has one of three shapes; anything else is kept as written (TEXT).
SHAPE_TEXT = "text"
SHAPE_STATUS_RULE = "status_rule"
SHAPE_EVIDENCE = "evidence"

SECTION_WORDING = "承諾原文"
SECTION_REPLY = "來源回覆"
SECTION_LOG = "追蹤紀錄"
SECTIONS = (SECTION_WORDING, SECTION_REPLY, SECTION_LOG)

FIELD_SUBJECT = "主旨"
FIELD_STATUS = "狀態"
FIELD_REASON = "原因"
EVIDENCE_FIELDS = ("來源類型", "文件編號", "來源連結", "內容摘要", "AI 判斷")
STATUS_ARROW = " → "

FRONT_MATTER_KEYS = (
    "id",
    "title",
    "category",
    "status",
    "target_date",
    "target_value",
    "responsible_agency",
    "source",
    "created_at",
    "last_updated",
)
SOURCE_KEYS = ("document_id", "term", "session_period", "ey_number", "url")

ENTRY_KEY_HEX = 16
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_YAML_DEPTH = 8

# A date written as ISO YYYY-MM-DD: the one pattern the database filters and checks use too.
ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ISO_DATE = re.compile(ISO_DATE_PATTERN)


def is_iso_date(text: str) -> bool:
    """Whether a text is a date written YYYY-MM-DD."""
    return bool(_ISO_DATE.match(text))


_ROC_DATE = re.compile(r"^(\d{2,3})-(\d{1,2})-(\d{1,2})$")
_ENTRY_HEADING = re.compile(r"^### (\S+) \[(.+)\]$")
_FIELD_LINE = re.compile(r"^\*\*(.+?)\*\*：(.*)$", re.DOTALL)
# Characters YAML will not keep inside a double-quoted scalar as they are: C0/C1 controls,
# DEL, the Unicode line separators (YAML folds them) and the non-characters.
_YAML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


class FormatError(ValueError):
    """A file or record that does not fit the format; ``where`` names the field or line."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


class _UniqueKeyLoader(yaml.CSafeLoader):
    """The safe loader, refusing a mapping that names a key twice (YAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: construct_mapping reports it
                continue
            if repeated:
                # The front matter starts on the file's second line.
                raise FormatError(
                    f"line {key_node.start_mark.line + 2}",
                    f"the front-matter key {key!r} appears twice; keep one of them",
                )
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class SourceData:
    document_id: str
    term: str
    session_period: str
    ey_number: str
    url: str


@dataclass(frozen=True)
class ReplyData:
    subject: str
    text: str


@dataclass
class LogEntryData:
    entry_date: dt.date
    kind: str
    shape: str = SHAPE_TEXT
    text: str = ""
    from_status: str = ""
    to_status: str = ""
    reason: str = ""
    source_type: str = ""
    document_number: str = ""
    document_url: str = ""
    summary: str = ""
    judgement: str = ""


@dataclass
class CommitmentData:
    id: str
    title: str
    category: str
    status: str
    target_date: str | None
    target_value: str | None
    responsible_agency: str | None
    source: SourceData
    created_at: dt.date
    last_updated: dt.date
    wording: str
    reply: ReplyData | None = None
    log: list[LogEntryData] = field(default_factory=list)


def stub(*, wording: str = "-", reply: ReplyData | None = None, log=()) -> CommitmentData:
    """Return a minimal commitment around some values, to check that they can be written."""
    return CommitmentData(
        id="0" * 36,
        title="-",
        category="-",
        status=STATUS_TRACKING,
        target_date=None,
        target_value=None,
        responsible_agency=None,
        source=SourceData("-", "-", "-", "", ""),
        created_at=dt.date(2000, 1, 1),
        last_updated=dt.date(2000, 1, 1),
        wording=wording,
        reply=reply,
        log=list(log),
    )


def parse_target_date(text: str | None) -> dt.date | None:
    """Return the date a target-date text means, or None when it cannot be understood.

    ISO dates (``2024-12-31``) and Republic-of-China calendar dates (``109-12-31``, year +
    1911) are understood; placeholders such as ``YYYY-05-31`` are not.
    """
    if not text:
        return None
    text = text.strip()
    try:
        if is_iso_date(text):
            return dt.date.fromisoformat(text)
        match = _ROC_DATE.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year + 1911, month, day)
    except ValueError:
        return None
    return None


# A date written out in a document number: 中華民國110年12月30日, 民國110年12月30日, 110年12月30日
# (ROC years, 1 to 3 digits) or 2021年12月30日 (a four-digit western year). Dotted (110.12.30)
# and run-together (1101230, the serial inside 院臺專字第1100099574號) forms are not dates.
_WRITTEN_DATE = re.compile(
    r"(?<![0-9])(?:(?P<roc_mark>(?:中華)?民國)\s*)?(?P<year>[0-9]{1,4})\s*年\s*"
    r"(?P<month>[0-9]{1,2})\s*月\s*(?P<day>[0-9]{1,2})\s*日"
)
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
ROC_YEAR_OFFSET = 1911


def parse_document_date(text: str | None) -> dt.date | None:
    """Return the date a cited document's number gives (its first 年月日 date), or None.

    ``（行政院函　中華民國110年12月30日院臺專字第1100099574號）`` is 2021-12-30: a year of
    up to three digits is a Republic-of-China year (+ 1911), four digits a western one.
    Full-width digits are read as digits; an impossible date (110年2月30日) gives None.
    """
    if not text:
        return None
    match = _WRITTEN_DATE.search(text.translate(_FULL_WIDTH_DIGITS))
    if match is None:
        return None
    year, month, day = (int(match.group(name)) for name in ("year", "month", "day"))
    if len(match.group("year")) == 4:
        if match.group("roc_mark"):
            return None
    elif year == 0:
        return None
    else:
        year += ROC_YEAR_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# Parsing -----------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Return the text of a file's bytes, refusing what is not a UTF-8 text file."""
    if not data.strip():
        raise FormatError("", "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise FormatError(
            "", f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes"
        )
    nul = data.find(b"\x00")
    if nul != -1:
        raise FormatError(f"byte {nul}", "a NUL character: this is not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(
            f"byte {error.start}", "not valid UTF-8 text (save the file as UTF-8)"
        ) from None
    return text


def parse(text: str) -> CommitmentData:
    """Parse one commitment file's text into a CommitmentData, or raise FormatError."""
    if "\x00" in text:
        raise FormatError("", "a NUL character: this is not a text file")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise FormatError("", "the file is empty")
    if not text.startswith("---\n"):
        raise FormatError("line 1", "no front matter: the file must start with a '---' line")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise FormatError("front matter", "unterminated: no closing '---' line")
    front_matter = text[4 : end + 1]
    body = text[end + 5 :]
    meta = _load_front_matter(front_matter)
    body_line = front_matter.count("\n") + 3
    data = _commitment_from_meta(meta)
    data.wording, data.reply, data.log = _parse_body(body, body_line)
    check_renderable(data)
    return data


def _load_front_matter(front_matter: str) -> dict:
    if len(front_matter.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise FormatError(
            "front matter", f"longer than {MAX_FRONT_MATTER_BYTES:,} bytes; refusing to load it"
        )
    _check_yaml_tokens(front_matter)
    try:
        meta = yaml.load(front_matter, Loader=_UniqueKeyLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        raise FormatError("front matter", f"YAML syntax error: {_yaml_problem(error)}") from None
    except RecursionError:
        raise FormatError("front matter", "nested too deeply") from None
    if not isinstance(meta, dict):
        kind = "empty" if meta is None else f"a {type(meta).__name__}"
        raise FormatError("front matter", f"must be a mapping of keys to values, got {kind}")
    return meta


def _check_yaml_tokens(front_matter: str) -> None:
    """Refuse anchors, aliases, tags and deep nesting before the loader sees them.

    ``safe_load`` builds no objects, but an alias "billion laughs" still expands when the
    data is used (PyYAML issue #235) and deep nesting raises RecursionError, not YAMLError.
    The scanner is flat, so checking its tokens first is safe at any depth.
    """
    depth = 0
    try:
        for token in yaml.scan(front_matter, Loader=yaml.CSafeLoader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise FormatError(
                    f"front matter line {token.start_mark.line + 1}",
                    "YAML anchors and aliases (& and *) are not allowed",
                )
            if isinstance(token, yaml.TagToken):
                raise FormatError(
                    f"front matter line {token.start_mark.line + 1}",
                    "YAML tags (!) are not allowed",
                )
            if isinstance(
                token,
                (
                    yaml.BlockMappingStartToken,
                    yaml.BlockSequenceStartToken,
                    yaml.FlowMappingStartToken,
                    yaml.FlowSequenceStartToken,
                ),
            ):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise FormatError(
                        f"front matter line {token.start_mark.line + 1}",
                        f"nested more than {MAX_YAML_DEPTH} levels deep",
                    )
            elif isinstance(
                token, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
            ):
                depth -= 1
    except yaml.YAMLError as error:
        raise FormatError("front matter", f"YAML syntax error: {_yaml_problem(error)}") from None


def _yaml_problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        # The front matter starts on the file's second line.
        return f"{problem} (line {mark.line + 2}, column {mark.column + 1})"
    return problem


def _commitment_from_meta(meta: dict) -> CommitmentData:
    unknown = [str(key) for key in meta if key not in FRONT_MATTER_KEYS]
    if unknown:
        raise FormatError(unknown[0], "unknown front-matter key")
    for key in FRONT_MATTER_KEYS:
        if key not in meta:
            raise FormatError(key, "missing from the front matter")
    source = meta["source"]
    if not isinstance(source, dict):
        raise FormatError("source", f"must be a mapping of {', '.join(SOURCE_KEYS)}")
    unknown = [str(key) for key in source if key not in SOURCE_KEYS]
    if unknown:
        raise FormatError(f"source.{unknown[0]}", "unknown key")
    for key in SOURCE_KEYS:
        if key not in source:
            raise FormatError(f"source.{key}", "missing")
    identifier = _required_text(meta, "id")
    if len(identifier) != 36 or not re.fullmatch(r"[0-9A-Za-z-]{36}", identifier):
        raise FormatError("id", f"{identifier!r} is not a 36-character identifier")
    status = _required_text(meta, "status")
    if status not in STATUSES:
        raise FormatError("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    document_id = _required_text(source, "document_id", "source.")
    return CommitmentData(
        id=identifier,
        title=_required_text(meta, "title"),
        category=_required_text(meta, "category"),
        status=status,
        target_date=_optional_text(meta, "target_date"),
        target_value=_optional_text(meta, "target_value"),
        responsible_agency=_optional_text(meta, "responsible_agency"),
        source=SourceData(
            document_id=document_id,
            term=_required_text(source, "term", "source."),
            session_period=_required_text(source, "session_period", "source."),
            ey_number=_text(source, "ey_number", "source."),
            url=_text(source, "url", "source."),
        ),
        created_at=_date(meta, "created_at"),
        last_updated=_date(meta, "last_updated"),
        wording="",
    )


def _text(mapping: dict, key: str, prefix: str = "") -> str:
    value = mapping[key]
    if not isinstance(value, str):
        raise FormatError(prefix + key, f"must be a quoted string, got {_describe(value)}")
    return value


def _required_text(mapping: dict, key: str, prefix: str = "") -> str:
    value = _text(mapping, key, prefix)
    if not value.strip():
        raise FormatError(prefix + key, "must not be empty")
    return value


def _optional_text(mapping: dict, key: str) -> str | None:
    if mapping[key] is None:
        return None
    return _text(mapping, key)


def _date(mapping: dict, key: str) -> dt.date:
    value = mapping[key]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and is_iso_date(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise FormatError(key, f"{_describe(value)} is not a date written as YYYY-MM-DD")


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    return f"{type(value).__name__} {value!r}"[:80]


def _parse_body(body: str, first_line: int):
    lines = body.split("\n")
    headings = [i for i, line in enumerate(lines) if line.startswith("## ")]
    preamble = [line for line in lines[: headings[0] if headings else len(lines)] if line.strip()]
    if preamble:
        raise FormatError(
            f"line {first_line + lines.index(preamble[0])}",
            f"text before the first section; expected '## {SECTION_WORDING}'",
        )
    sections: dict[str, tuple[int, str]] = {}
    for number, start in enumerate(headings):
        name = lines[start][3:]
        line_number = first_line + start
        if name not in SECTIONS:
            raise FormatError(
                f"line {line_number}",
                f"unknown section '## {name}'; expected one of "
                + ", ".join(f"'## {s}'" for s in SECTIONS),
            )
        if name in sections:
            raise FormatError(f"line {line_number}", f"section '## {name}' appears twice")
        stop = headings[number + 1] if number + 1 < len(headings) else len(lines)
        sections[name] = (line_number, "\n".join(lines[start + 1 : stop]))
    for name in (SECTION_WORDING, SECTION_LOG):
        if name not in sections:
            raise FormatError("body", f"missing section '## {name}'")
    wording = _section_text(sections[SECTION_WORDING][1])
    reply = None
    if SECTION_REPLY in sections:
        reply = _parse_reply(*sections[SECTION_REPLY])
    log = _parse_log(*sections[SECTION_LOG])
    return wording, reply, log


def _section_text(content: str) -> str:
    """Return a section's text without the one blank line before and after it."""
    if content.startswith("\n") and content.endswith("\n") and len(content) >= 2:
        return content[1:-1]
    return content.strip("\n")


def _parse_reply(line_number: int, content: str) -> ReplyData:
    text = _section_text(content)
    prefix = f"**{FIELD_SUBJECT}**："
    if not text.startswith(prefix):
        raise FormatError(
            f"line {line_number + 2}",
            f"'## {SECTION_REPLY}' must start with '{prefix}' and the reply's subject",
        )
    subject, _, reply_text = text[len(prefix) :].partition("\n\n")
    if "\n" in subject:
        raise FormatError(f"line {line_number + 2}", "the subject must be one line")
    return ReplyData(subject=subject, text=reply_text)


def _parse_log(line_number: int, content: str) -> list[LogEntryData]:
    text = _section_text(content)
    if not text:
        return []
    if not text.startswith("### "):
        raise FormatError(
            f"line {line_number + 2}", "expected a log entry heading '### YYYY-MM-DD [kind]'"
        )
    entries = []
    offset = line_number + 2
    for chunk in re.split(r"\n\n(?=### )", text):
        entries.append(_parse_entry(chunk, offset))
        offset += chunk.count("\n") + 2
    return entries


def _parse_entry(chunk: str, line_number: int) -> LogEntryData:
    heading, _, body = chunk.partition("\n")
    match = _ENTRY_HEADING.match(heading)
    if not match:
        raise FormatError(
            f"line {line_number}",
            f"log entry heading {heading!r} is not '### YYYY-MM-DD [kind]'",
        )
    date_text, kind = match.groups()
    try:
        if not is_iso_date(date_text):
            raise ValueError
        entry_date = dt.date.fromisoformat(date_text)
    except ValueError:
        raise FormatError(
            f"line {line_number}", f"log entry date {date_text!r} is not a valid YYYY-MM-DD date"
        ) from None
    entry = LogEntryData(entry_date=entry_date, kind=kind)
    fields = _fields(body)
    if fields is not None:
        names = tuple(name for name, _ in fields)
        values = [value for _, value in fields]
        if names == EVIDENCE_FIELDS:
            entry.shape = SHAPE_EVIDENCE
            (
                entry.source_type,
                entry.document_number,
                entry.document_url,
                entry.summary,
                entry.judgement,
            ) = values
            return entry
        if names == (FIELD_STATUS, FIELD_REASON):
            before, arrow, after = values[0].partition(STATUS_ARROW)
            if arrow and before in STATUSES and after in STATUSES:
                entry.shape = SHAPE_STATUS_RULE
                entry.from_status, entry.to_status, entry.reason = before, after, values[1]
                return entry
    entry.text = body
    return entry


def _fields(body: str) -> list[tuple[str, str]] | None:
    result = []
    for line in body.split("\n"):
        match = _FIELD_LINE.match(line)
        if not match:
            return None
        result.append(match.groups())
    return result


# Rendering ---------------------------------------------------------------------------------


def render(data: CommitmentData) -> str:
    """Return the canonical file text of a commitment."""
    check_renderable(data)
    source = data.source
    lines = [
        "---",
        f"id: {_quote(data.id)}",
        f"title: {_quote(data.title)}",
        f"category: {_quote(data.category)}",
        f"status: {_quote(data.status)}",
        f"target_date: {_quote_or_null(data.target_date)}",
        f"target_value: {_quote_or_null(data.target_value)}",
        f"responsible_agency: {_quote_or_null(data.responsible_agency)}",
        "source:",
        f"  document_id: {_quote(source.document_id)}",
        f"  term: {_quote(source.term)}",
        f"  session_period: {_quote(source.session_period)}",
        f"  ey_number: {_quote(source.ey_number)}",
        f"  url: {_quote(source.url)}",
        f"created_at: {_quote(data.created_at.isoformat())}",
        f"last_updated: {_quote(data.last_updated.isoformat())}",
        "---",
        "",
        f"## {SECTION_WORDING}",
        "",
        data.wording,
        "",
    ]
    if data.reply is not None:
        subject_line = f"**{FIELD_SUBJECT}**：{data.reply.subject}"
        lines += [f"## {SECTION_REPLY}", "", subject_line]
        if data.reply.text:
            lines += ["", data.reply.text]
        lines.append("")
    lines.append(f"## {SECTION_LOG}")
    if data.log:
        lines += ["", "\n\n".join(render_entry(entry) for entry in data.log)]
    return "\n".join(lines) + "\n"


def render_entry(entry: LogEntryData) -> str:
    """Return one log entry as written in the file, without the blank line after it."""
    heading = f"### {entry.entry_date.isoformat()} [{entry.kind}]"
    body = entry_body(entry)
    return f"{heading}\n{body}" if body else heading


def entry_fingerprint(entry: LogEntryData) -> str:
    """Return a short hash of one entry's bytes as the file writes them."""
    return hashlib.sha256(render_entry(entry).encode("utf-8")).hexdigest()[:ENTRY_KEY_HEX]


def timeline_keys(entries: list[LogEntryData]) -> list[str]:
    """Return each entry's permanent key: its fingerprint, with -2, -3… for repeats.

    The key depends only on the entry's bytes and how many identical entries come before
    it, so it survives export and import into a fresh database; anchors, feeds and
    downloads name entries by it (with the commitment's id), never by a row id or position.
    """
    seen: dict[str, int] = {}
    keys = []
    for entry in entries:
        fingerprint = entry_fingerprint(entry)
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        count = seen[fingerprint]
        keys.append(fingerprint if count == 1 else f"{fingerprint}-{count}")
    return keys


def entry_body(entry: LogEntryData) -> str:
    """Return the lines under a log entry's heading."""
    if entry.shape == SHAPE_STATUS_RULE:
        return (
            f"**{FIELD_STATUS}**：{entry.from_status}{STATUS_ARROW}{entry.to_status}\n"
            f"**{FIELD_REASON}**：{entry.reason}"
        )
    if entry.shape == SHAPE_EVIDENCE:
        values = (
            entry.source_type,
            entry.document_number,
            entry.document_url,
            entry.summary,
            entry.judgement,
        )
        return "\n".join(
            f"**{name}**：{value}" for name, value in zip(EVIDENCE_FIELDS, values, strict=False)
        )
    return entry.text


def _quote(value: str) -> str:
    # JSON's string syntax is a subset of YAML's double-quoted scalars; the corpus is written
    # exactly so. Characters YAML would fold or refuse are escaped as \uXXXX on top.
    text = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _quote_or_null(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def check_renderable(data: CommitmentData) -> None:
    """Raise FormatError for values the file format cannot hold unambiguously."""
    _check_url("source.url", data.source.url)
    _check_block(SECTION_WORDING, data.wording)
    if not data.wording.strip():
        raise FormatError(SECTION_WORDING, "must not be empty")
    if data.reply is not None:
        _check_line(f"{SECTION_REPLY}.{FIELD_SUBJECT}", data.reply.subject)
        _check_block(SECTION_REPLY, data.reply.text)
    for number, entry in enumerate(data.log, start=1):
        where = f"{SECTION_LOG} entry {number}"
        if "[" in entry.kind or "]" in entry.kind or "\n" in entry.kind or not entry.kind:
            raise FormatError(where, f"kind {entry.kind!r} cannot be written in a heading")
        if entry.shape == SHAPE_TEXT:
            _check_block(where, entry.text)
            if "\n\n### " in entry.text or entry.text.startswith("### "):
                raise FormatError(where, "a line after a blank line starts with '### '")
            continue
        if entry.shape == SHAPE_STATUS_RULE:
            values = (entry.from_status, entry.to_status, entry.reason)
        elif entry.shape == SHAPE_EVIDENCE:
            values = (
                entry.source_type,
                entry.document_number,
                entry.document_url,
                entry.summary,
                entry.judgement,
            )
            _check_url(f"{where} {EVIDENCE_FIELDS[2]}", entry.document_url)
        else:
            raise FormatError(where, f"unknown shape {entry.shape!r}")
        for value in values:
            _check_line(where, value)


def _check_url(where: str, value: str) -> None:
    """Refuse an address that is neither empty nor http(s): it would become a link."""
    problem = value and web_url_problem(value)
    if problem:
        raise FormatError(where, f"{value[:60]!r} {problem}")


def _check_line(where: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise FormatError(where, "must be a single line")


def _check_block(where: str, value: str) -> None:
    if "\r" in value:
        raise FormatError(where, "contains a carriage return")
    for line in value.split("\n"):
        if line.startswith("## "):
            raise FormatError(where, f"a line may not start with '## ': {line[:40]!r}")


def canonical_difference(original: str, rendered: str) -> str | None:
    """Return where two texts first differ ("line N: ..."), or None when identical."""
    if original == rendered:
        return None
    old_lines = original.split("\n")
    new_lines = rendered.split("\n")
    for number, (old, new) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if old != new:
            return f"line {number}: {old[:60]!r} would be written {new[:60]!r}"
    number = min(len(old_lines), len(new_lines)) + 1
    return f"line {number}: the files differ in length"
