"""Small builders for test data: each returns a saved object with sensible defaults."""

import datetime as dt
import itertools

from tracker.core import format as fmt
from tracker.core.models import Commitment, EntryKind, EntryShape, Source, TrackingLog

_numbers = itertools.count(1)


def make_source(**values) -> Source:
    number = next(_numbers)
    defaults = {
        "document_id": f"00000000-0000-0000-0000-{number:012d}",
        "term": "10",
        "session_period": "05",
        "ey_number": f"（行政院函　中華民國111年1月1日院臺字第{number}號）",
        "url": f"https://example.org/replies/{number}.doc",
        "subject": "行政院函送委員質詢之書面答復，請查照案。",
        "reply_text": "經交據相關部會查復如下：將持續推動疫苗採購與電網強化。",
    }
    return Source.objects.create(**(defaults | values))


def make_commitment(*, log=True, **values) -> Commitment:
    number = next(_numbers)
    if "source" not in values:
        values["source"] = make_source()
    defaults = {
        "uid": f"11111111-2222-3333-4444-{number:012d}",
        "title": f"測試承諾 {number}",
        "category": "醫療衛生",
        "status": fmt.STATUS_TRACKING,
        "target_date_text": None,
        "target_value": None,
        "responsible_agency": "衛生福利部",
        "wording": "本部將確保疫苗供應充足。",
        "shows_reply": True,
        "file_path": f"醫療衛生/測試承諾-{number}.md",
        "created_date": dt.date(2026, 1, 26),
        "last_updated": dt.date(2026, 1, 26),
    }
    commitment = Commitment.objects.create(**(defaults | values))
    if log:
        make_log(commitment, entry_date=commitment.created_date)
    return commitment


def make_log(commitment: Commitment, **values) -> TrackingLog:
    position = commitment.log_entries.count()
    defaults = {
        "position": position,
        "entry_date": dt.date(2026, 1, 26),
        "kind": EntryKind.CREATED,
        "shape": EntryShape.TEXT,
        "text": "從第10屆第05會期答復文件中萃取此承諾。",
    }
    return TrackingLog.objects.create(commitment=commitment, **(defaults | values))


def make_question(
    commitment: Commitment,
    *,
    agency: str | None = None,
    sent_on: dt.date | None = None,
    channel: str = "foi",
    deadline: dt.date | None = None,
    answered_on: dt.date | None = None,
    answer: str = "本部已完成採購。\n第二段。",
):
    """Record a question to the commitment's agency through the services; answered when
    ``answered_on`` is given."""
    from tracker.core.services.agency_questions import question_answer, question_ask

    today = dt.date.today()
    question = question_ask(
        commitment=commitment,
        agency=agency or commitment.responsible_agency or "衛生福利部",
        sent_on=sent_on or today - dt.timedelta(days=20),
        channel=channel,
        question="=請問進度？",
        deadline=deadline,
    )
    if answered_on is not None:
        question_answer(
            question=question,
            base_version=question.version,
            answered_on=answered_on,
            answer=answer,
            document_number="衛部字第1號",
            document_url="https://example.org/answer.pdf",
        )
    return question


def make_citation(
    commitment: Commitment,
    number: int,
    day: dt.date,
    kind: str = EntryKind.PROGRESS,
    judgement: str = "進度更新",
    **values,
) -> TrackingLog:
    """Log an entry citing reply NUMBER (dated 110-12-<number % 28 + 1>), as upstream writes it:
    a progress update, or with kind 狀態變更 its evidence of achievement (no 狀態 line)."""
    defaults = {
        "kind": kind,
        "shape": EntryShape.EVIDENCE,
        "text": "",
        "source_type": "立法院答復",
        "document_number": (
            f"（行政院函　中華民國110年12月{number % 28 + 1}日院臺專字第{number}號）"
        ),
        "document_url": f"https://example.org/{number}.doc",
        "summary": f"摘要 {number} {day.isoformat()}",
        "judgement": judgement,
        "entry_date": day,
    }
    return make_log(commitment, **(defaults | values))
