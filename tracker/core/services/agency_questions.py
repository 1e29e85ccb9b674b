"""Ask the responsible agency about a commitment, on the clock, and record its answer.

The answer joins the commitment's timeline as a newsroom progress entry citing the agency's
document (tracker.core.services.timeline), so it is exported and fed like any newsroom
entry; the question's own record (channel, deadline, dates) stays out of the file.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tracker.core.links import web_url_problem
from tracker.core.models import AgencyQuestion, Commitment, QuestionChannel
from tracker.core.services.edit_conflicts import check_version, locked_with_changes
from tracker.core.services.timeline import (
    Evidence,
    record_user,
    today,
    validate_new_entry_date,
    write_progress,
)

ANSWER_SOURCE_TYPE = "機關回覆"
# The editor who records the answer judges it related information, not evidence of progress:
# the agency speaks for itself. An editor may change it on the entry's page.
ANSWER_JUDGEMENT = "相關資訊"
EDITABLE_FIELDS = ("agency", "sent_on", "channel", "question", "deadline")
ANSWER_FIELDS = ("answered_on", "answer", "answer_document_number", "answer_document_url")


def default_deadline(*, sent_on: dt.date, channel: str) -> dt.date:
    """Return the deadline a question sent on a day through a channel gets by default."""
    return sent_on + dt.timedelta(days=settings.TRACKER_QUESTION_DEADLINE_DAYS[channel])


def _validate_question(question: AgencyQuestion) -> None:
    errors: dict[str, str] = {}
    if not question.agency.strip():
        errors["agency"] = _("請填寫詢問的機關")
    if "\n" in question.agency:
        errors["agency"] = _("只能有一行文字")
    if question.channel not in QuestionChannel.values:
        errors["channel"] = _("請從清單中選擇管道")
    if not question.question.strip():
        errors["question"] = _("請填寫詢問內容")
    if question.sent_on is None:
        errors["sent_on"] = _("請填寫詢問日期")
    elif question.sent_on > today():
        errors["sent_on"] = _("詢問日期不可晚於今天")
    if question.deadline is None:
        errors.setdefault("deadline", _("請填寫回覆期限"))
    elif question.sent_on is not None and question.deadline < question.sent_on:
        errors["deadline"] = _("回覆期限不可早於詢問日期 %(date)s") % {
            "date": question.sent_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)


def question_ask(
    *,
    commitment: Commitment,
    agency: str,
    sent_on: dt.date,
    channel: str,
    question: str,
    deadline: dt.date | None = None,
    user=None,
) -> AgencyQuestion:
    """Record a question sent to an agency; without a deadline, the channel's default."""
    if channel in QuestionChannel.values and deadline is None and sent_on is not None:
        deadline = default_deadline(sent_on=sent_on, channel=channel)
    record = AgencyQuestion(
        uid=str(uuid.uuid4()),
        commitment=commitment,
        agency=" ".join(agency.split()),
        sent_on=sent_on,
        channel=channel,
        question=question.strip(),
        deadline=deadline,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    _validate_question(record)
    with transaction.atomic():
        Commitment.objects.locked(commitment.pk)
        record_user(record, user)
        record.save()
    return record


def question_update(
    *,
    question: AgencyQuestion,
    base_version: int,
    changes: dict[str, Any],
    watched: Iterable[str] | None = None,
    user=None,
) -> AgencyQuestion:
    """Correct a question (or move its deadline, when the agency lawfully extends it)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if not changes:
        return question
    with transaction.atomic():
        locked = locked_with_changes(
            model=AgencyQuestion,
            pk=question.pk,
            base_version=base_version,
            changes=changes,
            watched=watched,
        )
        _validate_question(locked)
        record_user(locked, user)
        locked.save()
    _copy(locked, question)
    return question


def question_answer(
    *,
    question: AgencyQuestion,
    base_version: int,
    answered_on: dt.date,
    answer: str,
    document_number: str = "",
    document_url: str = "",
    user=None,
) -> AgencyQuestion:
    """Record the agency's answer, verbatim, and add it to the commitment's timeline.

    The timeline entry is a newsroom progress update citing the answer (source type
    機關回覆), dated the day the answer came.
    """
    errors: dict[str, str] = {}
    if answered_on is None:
        errors["answered_on"] = _("請填寫回覆日期")
    elif answered_on > today():
        errors["answered_on"] = _("回覆日期不可晚於今天")
    elif answered_on < question.sent_on:
        errors["answered_on"] = _("回覆日期不可早於詢問日期 %(date)s") % {
            "date": question.sent_on.isoformat()
        }
    if not answer.strip():
        errors["answer"] = _("請貼上機關回覆的原文")
    if "\n" in document_number:
        errors["answer_document_number"] = _("只能有一行文字")
    if document_url and web_url_problem(document_url):
        errors["answer_document_url"] = _("回覆文件連結必須是 http:// 或 https:// 開頭的完整網址")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        commitment = Commitment.objects.locked(question.commitment_id)
        locked = AgencyQuestion.objects.select_for_update().get(pk=question.pk)
        submitted = {
            "answered_on": answered_on,
            "answer": answer,
            "answer_document_number": document_number,
            "answer_document_url": document_url,
        }
        check_version(current=locked, base_version=base_version, submitted=submitted)
        if locked.is_answered:
            raise ValidationError(
                {"answered_on": _("這個詢問已記錄了回覆；要更正，請修改它的追蹤紀錄")}
            )
        try:
            validate_new_entry_date(commitment, answered_on)
        except ValidationError as error:
            raise ValidationError({"answered_on": error.message_dict["entry_date"]}) from None
        entry = write_progress(
            commitment,
            evidence=Evidence(
                source_type=ANSWER_SOURCE_TYPE,
                document_number=document_number.strip(),
                document_url=document_url.strip(),
                summary=answer_summary(locked, answered_on=answered_on, answer=answer),
                judgement=ANSWER_JUDGEMENT,
            ),
            entry_date=answered_on,
            user=user,
        )
        for name, value in submitted.items():
            setattr(locked, name, value)
        locked.answer_entry = entry
        record_user(locked, user)
        locked.save()
    _copy(locked, question)
    return question


def answer_summary(question: AgencyQuestion, *, answered_on: dt.date, answer: str) -> str:
    """Return the one-line summary of an answer, as the timeline entry (and file) writes it.

    In Chinese whatever the editor's language: it is part of the commitment's file.
    """
    with translation.override("zh-hant"):
        channel = str(QuestionChannel(question.channel).label)
    one_line = " ".join(answer.split())
    return (
        f"{question.agency}於 {answered_on.isoformat()} 回覆本站 "
        f"{question.sent_on.isoformat()} 的詢問（{channel}）：{one_line}"
    )


def _copy(source: AgencyQuestion, target: AgencyQuestion) -> None:
    for model_field in AgencyQuestion._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))
