"""The open data: five tables (commitments, sources, timeline, questions, criteria) and their
documentation.

Each table is described once, here, as a list of fields; the Frictionless Table Schemas in
datapackage.json, the JSON Schema of commitments.json, the downloads page and the rows
themselves all come from these lists, so the documentation cannot drift from the data.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from tracker.core import format as fmt
from tracker.core.agencies import split_agencies
from tracker.core.entries import (
    JUDGEMENT_CODES,
    EntryOutcome,
    document_dates,
    entry_judgement_label,
    entry_outcomes,
    timeline_entry_keys,
)
from tracker.core.models import (
    AgencyQuestion,
    Commitment,
    CompletionCriterion,
    CriterionState,
    EntryKind,
    EntryShape,
    Milestone,
    Origin,
    QuestionChannel,
    Source,
    Status,
)
from tracker.public.identity import entry_uri

# The layout of the tables and the JSON: raised when a field is renamed or removed (major)
# or added (minor), never for new data.
FORMAT_VERSION = "2.2.0"
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# A cell that starts with one of these gets a leading "'", so a reader strips exactly one
# "'" from any cell that starts with it to get the value back.
ESCAPED_STARTS = (*FORMULA_STARTS, "'")
DATE_PATTERN = fmt.ISO_DATE_PATTERN
STATUSES = list(Status.values)


STATUS_EFFECT_CHANGE = "change"
STATUS_EFFECT_FURTHER = "further_evidence"
STATUS_EFFECTS = (STATUS_EFFECT_CHANGE, STATUS_EFFECT_FURTHER)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type: string, date, integer; "list" is an array in JSON
    description: str  # lazily translated: the page shows it in the reader's language
    required: bool = False
    enum: tuple[str, ...] | None = None
    unique: bool = False

    def table_schema(self) -> dict:
        field = {
            "name": self.name,
            "type": "string" if self.type == "list" else self.type,
            "description": str(self.description),
        }
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            field["constraints"] = constraints
        return field

    def json_schema(self) -> dict:
        if self.type == "list":
            return {
                "type": "array",
                "items": {"type": "string"},
                "description": str(self.description),
            }
        schema: dict = {"type": "integer" if self.type == "integer" else "string"}
        if self.type == "date":
            schema["pattern"] = DATE_PATTERN
        if self.enum:
            schema["enum"] = list(self.enum)
        if not self.required:
            schema = {"anyOf": [schema, {"type": "null"}]}
        schema["description"] = str(self.description)
        return schema


COMMITMENT_FIELDS = [
    Field("id", "string", _("承諾識別碼（36 字元，檔案的 id）"), required=True, unique=True),
    Field("title", "string", _("標題"), required=True),
    Field("status", "string", _("狀態"), required=True, enum=tuple(STATUSES)),
    Field("category", "string", _("類別"), required=True),
    Field("responsible_agency", "string", _("負責機關（原文；可能列出數個，可能為空）")),
    Field("agencies", "list", _("負責機關（統一寫法；CSV 以「、」分隔，JSON 為陣列）")),
    Field("target_date", "string", _("目標日期（原文：ISO、民國紀年或預留字）")),
    Field("target_date_iso", "date", _("目標日期（ISO，能解讀時）")),
    Field("target_value", "string", _("目標值")),
    Field("term", "string", _("屆別（含前導零）"), required=True),
    Field("session_period", "string", _("會期（含前導零）"), required=True),
    Field("document_id", "string", _("來源答復識別碼（對應 sources 表）"), required=True),
    Field("ey_number", "string", _("行政院函號")),
    Field("source_url", "string", _("答復文件連結")),
    Field("created_at", "date", _("建立日期"), required=True),
    Field("last_updated", "date", _("最後更新日期"), required=True),
    Field("url", "string", _("本站承諾頁網址"), required=True),
    Field("wording", "string", _("承諾原文"), required=True),
    Field("file_path", "string", _("在 commitments.zip 中的檔案路徑"), required=True),
]
SOURCE_FIELDS = [
    Field("document_id", "string", _("答復識別碼"), required=True, unique=True),
    Field("term", "string", _("屆別"), required=True),
    Field("session_period", "string", _("會期"), required=True),
    Field("session_times", "string", _("會次（立法院開放資料）")),
    Field("ey_number", "string", _("行政院函號")),
    Field("ly_number", "string", _("立法院函號（立法院開放資料）")),
    Field("url", "string", _("答復文件連結")),
    Field("subject", "string", _("主旨")),
    Field("reply_text", "string", _("答復內容")),
]
TIMELINE_FIELDS = [
    Field("commitment_id", "string", _("承諾識別碼（對應 commitments 表的 id）"), required=True),
    Field("position", "integer", _("在時間軸中的順序（0 起算，舊到新）"), required=True),
    Field("entry_key", "string", _("紀錄的永久鍵：由紀錄內容算出，匯出再匯入不變"), required=True),
    Field(
        "entry_id", "string", _("紀錄的永久識別碼（tag: URI，與訂閱中的 id 相同）"), required=True
    ),
    Field("date", "date", _("日期"), required=True),
    Field("kind", "string", _("類型"), required=True, enum=tuple(EntryKind.values)),
    Field(
        "shape",
        "string",
        _("格式：text（自由文字）、status_rule（狀態與原因）、evidence（引用文件）"),
        required=True,
        enum=tuple(EntryShape.values),
    ),
    Field("text", "string", _("內容（text 格式）")),
    Field("from_status", "string", _("原狀態（status_rule 格式）"), enum=tuple(STATUSES)),
    Field("to_status", "string", _("新狀態（status_rule 格式）"), enum=tuple(STATUSES)),
    Field("reason", "string", _("原因（status_rule 格式）")),
    Field("source_type", "string", _("來源類型（evidence 格式）")),
    Field("document_number", "string", _("文件編號（evidence 格式）")),
    Field("document_url", "string", _("來源連結（evidence 格式）")),
    Field("summary", "string", _("內容摘要（evidence 格式）")),
    Field("judgement", "string", _("AI 判斷（原文，evidence 格式）")),
    Field(
        "document_date",
        "date",
        _("引用文件的日期（由文件編號讀出，民國年已換算；讀不出時為空）"),
    ),
    Field(
        "status_after",
        "string",
        _(
            "狀態變更後的狀態（上游引用文件格式的變更為 AI 判斷已達成，即「已達成」）；"
            "其他類型的紀錄為空"
        ),
        enum=tuple(STATUSES),
    ),
    Field(
        "status_effect",
        "string",
        _(
            "狀態變更的效果：change（改變了狀態）、further_evidence（狀態已是如此，"
            "只是再一份證據）；其他類型的紀錄為空"
        ),
        enum=STATUS_EFFECTS,
    ),
    Field(
        "provenance",
        "string",
        _("來源：upstream（上游資料管線的檔案）或 newsroom（編輯部：編輯或本站的日期規則）"),
        required=True,
        enum=tuple(Origin.values),
    ),
    Field(
        "judgement_label",
        "string",
        _(
            "判斷的標示：automated_unreviewed（自動判斷，未經編輯審核）、automated_reviewed"
            "（自動判斷，經編輯審核）、editor（編輯判斷）；無判斷時為空"
        ),
        enum=JUDGEMENT_CODES,
    ),
]
QUESTION_FIELDS = [
    Field("id", "string", _("詢問的識別碼"), required=True, unique=True),
    Field("commitment_id", "string", _("承諾識別碼（對應 commitments 表的 id）"), required=True),
    Field("agency", "string", _("詢問的機關（編輯記錄的寫法）"), required=True),
    Field("agency_group", "string", _("詢問的機關（不同寫法合併後的名稱）"), required=True),
    Field("sent_on", "date", _("詢問日期"), required=True),
    Field(
        "channel",
        "string",
        _("管道：letter（公文）、foi（政府資訊公開申請）、email、press（記者聯繫窗口）、other"),
        required=True,
        enum=tuple(QuestionChannel.values),
    ),
    Field("question", "string", _("詢問內容"), required=True),
    Field("deadline", "date", _("回覆期限"), required=True),
    Field("answered_on", "date", _("回覆日期（未回覆時為空）")),
    Field("days_to_answer", "integer", _("自詢問到回覆的天數（未回覆時為空）")),
    Field("answer", "string", _("回覆內容（原文）")),
    Field("answer_document_number", "string", _("回覆文件編號")),
    Field("answer_document_url", "string", _("回覆文件連結")),
    Field(
        "answer_entry_key",
        "string",
        _("回覆在時間軸上的紀錄（對應 timeline 表的 entry_key；未回覆時為空）"),
    ),
    Field("provenance", "string", _("來源：newsroom（編輯部）"), required=True, enum=("newsroom",)),
]
CRITERION_FIELDS = [
    Field("id", "integer", _("完成標準的識別碼"), required=True, unique=True),
    Field("commitment_id", "string", _("承諾識別碼（對應 commitments 表的 id）"), required=True),
    Field("position", "integer", _("在該承諾完成標準中的順序"), required=True),
    Field(
        "milestone",
        "string",
        _(
            "里程碑：law_passed（修法三讀）、budget（預算編列）、started（開工）、completed（完成）、other（其他）"
        ),
        required=True,
        enum=tuple(Milestone.values),
    ),
    Field("milestone_label", "string", _("里程碑名稱"), required=True),
    Field("description", "string", _("說明")),
    Field(
        "state",
        "string",
        _("狀態：open（尚未達成）、met（已達成）、failed（未能達成）"),
        required=True,
        enum=tuple(CriterionState.values),
    ),
    Field("settled_on", "date", _("確認日期（尚未確認時為空）")),
    Field("evidence", "string", _("依據（文件名稱、字號）")),
    Field("evidence_url", "string", _("依據連結")),
    Field("provenance", "string", _("來源：newsroom（編輯部）"), required=True, enum=("newsroom",)),
]
TABLES = {
    "commitments": COMMITMENT_FIELDS,
    "sources": SOURCE_FIELDS,
    "timeline": TIMELINE_FIELDS,
    "questions": QUESTION_FIELDS,
    "criteria": CRITERION_FIELDS,
}
PRIMARY_KEYS = {
    "commitments": ["id"],
    "sources": ["document_id"],
    "timeline": ["commitment_id", "entry_key"],
    "questions": ["id"],
    "criteria": ["id"],
}
FOREIGN_KEYS = {
    "commitments": [
        {"fields": ["document_id"], "reference": {"resource": "sources", "fields": ["document_id"]}}
    ],
    "timeline": [
        {"fields": ["commitment_id"], "reference": {"resource": "commitments", "fields": ["id"]}}
    ],
    "questions": [
        {"fields": ["commitment_id"], "reference": {"resource": "commitments", "fields": ["id"]}}
    ],
    "criteria": [
        {"fields": ["commitment_id"], "reference": {"resource": "commitments", "fields": ["id"]}}
    ],
}
# The fields of an entry inside commitments.json (its commitment is the enclosing object).
JSON_TIMELINE_FIELDS = [field for field in TIMELINE_FIELDS if field.name != "commitment_id"]


def data_date():
    """Return the date of the newest change to the published record (None when empty)."""
    return Commitment.objects.published().aggregate(latest=Max("last_updated"))["latest"]


def license_descriptor() -> dict:
    return {
        "name": settings.TRACKER_DATA_LICENSE,
        "title": settings.TRACKER_DATA_LICENSE_TITLE,
        "path": settings.TRACKER_DATA_LICENSE_URL,
    }


def _nullable(value):
    return value if value not in ("", None) else None


def commitment_row(commitment: Commitment, detail_url) -> dict:
    """Return one commitment as a row of the commitments table."""
    source = commitment.source
    return {
        "id": commitment.uid,
        "title": commitment.title,
        "status": commitment.status,
        "category": commitment.category,
        "responsible_agency": commitment.responsible_agency,
        "agencies": split_agencies(commitment.responsible_agency),
        "target_date": commitment.target_date_text,
        "target_date_iso": commitment.target_date.isoformat() if commitment.target_date else None,
        "target_value": commitment.target_value,
        "term": source.term,
        "session_period": source.session_period,
        "document_id": source.document_id,
        "ey_number": _nullable(source.ey_number),
        "source_url": _nullable(source.url),
        "created_at": commitment.created_date.isoformat(),
        "last_updated": commitment.last_updated.isoformat(),
        "url": detail_url(commitment.uid),
        "wording": commitment.wording,
        "file_path": commitment.file_path,
    }


def status_effect(outcome: EntryOutcome) -> str:
    """Return the code of what a status change did (status_effect column; "" for others)."""
    if not outcome.status:
        return ""
    return STATUS_EFFECT_CHANGE if outcome.changed else STATUS_EFFECT_FURTHER


def _iso(day) -> str:
    return day.isoformat() if day is not None else ""


def timeline_rows(commitment: Commitment) -> list[dict]:
    """Return a commitment's timeline as rows (expects the timeline prefetched)."""
    entries = list(commitment.log_entries.all())
    keys = timeline_entry_keys(entries)
    outcomes = entry_outcomes(entries)
    dates = document_dates(entries)
    rows = []
    for entry, key, outcome in zip(entries, keys, outcomes, strict=True):
        rows.append(
            {
                "commitment_id": commitment.uid,
                "position": entry.position,
                "entry_key": key,
                "entry_id": entry_uri(commitment.uid, key),
                "date": entry.entry_date.isoformat(),
                "kind": entry.kind,
                "shape": entry.shape,
                "text": _nullable(entry.text),
                "from_status": _nullable(entry.from_status),
                "to_status": _nullable(entry.to_status),
                "reason": _nullable(entry.reason),
                "source_type": _nullable(entry.source_type),
                "document_number": _nullable(entry.document_number),
                "document_url": _nullable(entry.document_url),
                "summary": _nullable(entry.summary),
                "judgement": _nullable(entry.judgement),
                "document_date": _nullable(_iso(dates.get(entry.document_number.strip()))),
                "status_after": _nullable(outcome.status),
                "status_effect": _nullable(status_effect(outcome)),
                "provenance": entry.origin,
                "judgement_label": _nullable(entry_judgement_label(entry)),
            }
        )
    return rows


def question_row(question: AgencyQuestion) -> dict:
    """Return one question to an agency (expects commitment and answer_entry loaded)."""
    entry = question.answer_entry
    return {
        "id": question.uid,
        "commitment_id": question.commitment.uid,
        "agency": question.agency,
        "agency_group": "、".join(split_agencies(question.agency)),
        "sent_on": question.sent_on.isoformat(),
        "channel": question.channel,
        "question": question.question,
        "deadline": question.deadline.isoformat(),
        "answered_on": _nullable(question.answered_on and question.answered_on.isoformat()),
        "days_to_answer": question.days_to_answer,
        "answer": question.answer,
        "answer_document_number": question.answer_document_number,
        "answer_document_url": question.answer_document_url,
        "answer_entry_key": entry.key if entry is not None else None,
        "provenance": "newsroom",
    }


def criterion_row(criterion: CompletionCriterion) -> dict:
    """Return one completion criterion (expects its commitment loaded)."""
    return {
        "id": criterion.pk,
        "commitment_id": criterion.commitment.uid,
        "position": criterion.position,
        "milestone": criterion.milestone,
        "milestone_label": str(criterion.get_milestone_display()),
        "description": criterion.description,
        "state": criterion.state,
        "settled_on": _nullable(criterion.settled_on and criterion.settled_on.isoformat()),
        "evidence": criterion.evidence,
        "evidence_url": criterion.evidence_url,
        "provenance": "newsroom",
    }


def source_row(source: Source) -> dict:
    return {field.name: _nullable(getattr(source, field.name)) for field in SOURCE_FIELDS}


def spreadsheet_safe(value) -> str:
    """Return a cell value that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "、".join(value)
    text = str(value)
    if text.startswith(ESCAPED_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_lines(fields: list[Field], rows: Iterable[dict]) -> Iterator[str]:
    """Yield a table as CSV text: UTF-8 with a byte-order mark, so Excel shows Chinese."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([field.name for field in fields])
    for row in rows:
        yield writer.writerow([spreadsheet_safe(row[field.name]) for field in fields])


def json_chunks(rows: Iterable[dict], *, schema_url: str) -> Iterator[str]:
    """Yield commitments.json: the envelope, then one commitment (with its timeline) a line."""
    date = data_date()
    head = {
        "$schema": schema_url,
        "version": FORMAT_VERSION,
        "data_date": date.isoformat() if date else None,
        "license": license_descriptor(),
        "fields": [field.name for field in COMMITMENT_FIELDS],
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "commitments": ['
    for number, row in enumerate(rows):
        yield ("," if number else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def json_schema() -> dict:
    """Return the JSON Schema (draft 2020-12) of commitments.json."""

    def entity(fields, extra=None):
        properties = {field.name: field.json_schema() for field in fields}
        properties |= extra or {}
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }

    entry = entity(JSON_TIMELINE_FIELDS)
    commitment = entity(
        COMMITMENT_FIELDS,
        {"timeline": {"type": "array", "items": entry, "description": "追蹤紀錄，舊到新"}},
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "政策承諾追蹤 commitments.json",
        "type": "object",
        "properties": {
            "$schema": {"type": "string"},
            "version": {"type": "string", "description": "資料格式版本（語意化版本）"},
            "data_date": {
                "anyOf": [{"type": "string", "pattern": DATE_PATTERN}, {"type": "null"}],
                "description": "資料日期：公開承諾最新一次更新的日期",
            },
            "license": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "title": {"type": "string"},
                    "path": {"type": "string"},
                },
                "required": ["name", "title", "path"],
            },
            "fields": {"type": "array", "items": {"type": "string"}},
            "commitments": {"type": "array", "items": commitment},
        },
        "required": ["version", "data_date", "license", "fields", "commitments"],
        "additionalProperties": False,
    }


def table_schema(name: str) -> dict:
    """Return the Frictionless Table Schema of one table."""
    schema = {
        "fields": [field.table_schema() for field in TABLES[name]],
        "missingValues": [""],
        "primaryKey": PRIMARY_KEYS[name],
    }
    if name in FOREIGN_KEYS:
        schema["foreignKeys"] = FOREIGN_KEYS[name]
    return schema
