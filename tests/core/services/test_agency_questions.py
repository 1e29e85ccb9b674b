"""Asking an agency on the clock, and its answer joining the timeline as a newsroom entry."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from tests.factories import make_commitment, make_question
from tracker.core import format as fmt
from tracker.core.models import AgencyQuestion, Origin
from tracker.core.questions import question_stats
from tracker.core.services.agency_questions import (
    default_deadline,
    question_answer,
    question_ask,
    question_update,
)
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.edit_conflicts import EditConflict

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def ask(commitment, **values):
    defaults = {
        "commitment": commitment,
        "agency": "衛福部",
        "sent_on": TODAY - dt.timedelta(days=3),
        "channel": "foi",
        "question": "請問採購進度？",
    }
    return question_ask(**(defaults | values))


def test_a_foi_request_gets_the_15_days_of_the_law_by_default():
    question = ask(make_commitment(), sent_on=dt.date(2026, 10, 2))
    assert question.deadline == dt.date(2026, 10, 17)
    assert question.uid and len(question.uid) == 36
    assert question.history.count() == 1


@override_settings(TRACKER_QUESTION_DEADLINE_DAYS={"letter": 30, "foi": 15, "email": 3})
def test_the_default_deadline_follows_the_setting_per_channel():
    assert default_deadline(sent_on=dt.date(2026, 1, 1), channel="email") == dt.date(2026, 1, 4)
    assert default_deadline(sent_on=dt.date(2026, 1, 1), channel="letter") == dt.date(2026, 1, 31)


def test_an_editor_given_deadline_is_kept():
    question = ask(make_commitment(), deadline=TODAY + dt.timedelta(days=60))
    assert question.deadline == TODAY + dt.timedelta(days=60)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"agency": "  "}, "agency"),
        ({"question": ""}, "question"),
        ({"channel": "fax"}, "channel"),
        ({"sent_on": TODAY + dt.timedelta(days=1)}, "sent_on"),
        ({"deadline": TODAY - dt.timedelta(days=30)}, "deadline"),
    ],
)
def test_bad_input_is_refused_naming_the_field(values, field):
    with pytest.raises(ValidationError) as refused:
        ask(make_commitment(), **values)
    assert field in refused.value.message_dict
    assert not AgencyQuestion.objects.exists()


def test_the_answer_becomes_a_newsroom_timeline_entry_that_is_exported(django_user_model):
    editor = django_user_model.objects.create_user("editor")
    commitment = make_commitment()
    question = ask(commitment, sent_on=TODAY - dt.timedelta(days=10))
    question_answer(
        question=question,
        base_version=question.version,
        answered_on=TODAY,
        answer="本部已於本月完成採購。\n詳如附件。",
        document_number="衛部字第1150001號",
        document_url="https://example.org/a.pdf",
        user=editor,
    )
    question.refresh_from_db()
    entry = question.answer_entry
    assert question.answer == "本部已於本月完成採購。\n詳如附件。"
    assert question.days_to_answer == 10
    assert entry.origin == Origin.NEWSROOM
    assert entry.created_by == editor
    assert entry.source_type == "機關回覆"
    assert entry.entry_date == TODAY
    assert "衛福部於" in entry.summary and "本部已於本月完成採購。 詳如附件。" in entry.summary
    commitment.refresh_from_db()
    assert commitment.last_updated == TODAY
    text = commitment_render(commitment=commitment)
    parsed = fmt.parse(text)
    assert parsed.log[-1].source_type == "機關回覆"
    assert parsed.log[-1].document_number == "衛部字第1150001號"
    # The question's own record (channel, deadline) is not part of the file.
    assert "政府資訊公開申請" not in text.split("## 追蹤紀錄")[0]


def test_an_answer_is_recorded_once():
    question = make_question(make_commitment(), answered_on=TODAY)
    with pytest.raises(ValidationError) as refused:
        question_answer(
            question=question, base_version=question.version, answered_on=TODAY, answer="again"
        )
    assert "answered_on" in refused.value.message_dict


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"answered_on": TODAY + dt.timedelta(days=1)}, "answered_on"),
        ({"answered_on": TODAY - dt.timedelta(days=400)}, "answered_on"),
        ({"answer": "  "}, "answer"),
        ({"document_url": "javascript:alert(1)"}, "answer_document_url"),
    ],
)
def test_a_bad_answer_is_refused_naming_the_field(values, field):
    question = ask(make_commitment())
    arguments = {"answered_on": TODAY, "answer": "好"} | values
    with pytest.raises(ValidationError) as refused:
        question_answer(question=question, base_version=question.version, **arguments)
    assert field in refused.value.message_dict
    question.refresh_from_db()
    assert not question.is_answered


def test_an_answer_dated_before_the_last_entry_names_the_answer_date():
    commitment = make_commitment(created_date=TODAY, last_updated=TODAY)
    question = ask(commitment, sent_on=TODAY - dt.timedelta(days=5))
    with pytest.raises(ValidationError) as refused:
        question_answer(
            question=question,
            base_version=question.version,
            answered_on=TODAY - dt.timedelta(days=1),
            answer="好",
        )
    assert "answered_on" in refused.value.message_dict


def test_a_second_editor_gets_a_conflict_instead_of_overwriting():
    question = ask(make_commitment())
    opened = question.version
    question_update(
        question=question, base_version=opened, changes={"deadline": TODAY + dt.timedelta(days=30)}
    )
    stale = AgencyQuestion.objects.get(pk=question.pk)
    with pytest.raises(EditConflict):
        question_update(
            question=stale, base_version=opened, changes={"deadline": TODAY + dt.timedelta(days=9)}
        )
    stale.refresh_from_db()
    assert stale.deadline == TODAY + dt.timedelta(days=30)


def test_overdue_questions_count_their_days():
    commitment = make_commitment()
    late = ask(commitment, sent_on=TODAY - dt.timedelta(days=55))  # due 40 days ago
    on_time = ask(commitment)
    assert late.days_overdue(TODAY) == 40
    assert on_time.days_overdue(TODAY) == 0
    assert list(AgencyQuestion.objects.overdue(TODAY)) == [late]


def test_stats_give_the_answer_rate_and_median_days():
    commitment = make_commitment()
    make_question(commitment, sent_on=TODAY - dt.timedelta(days=10), answered_on=TODAY)
    make_question(commitment, sent_on=TODAY - dt.timedelta(days=4), answered_on=TODAY)
    make_question(commitment, sent_on=TODAY - dt.timedelta(days=60))
    stats = question_stats(AgencyQuestion.objects.all(), TODAY)
    assert (stats.asked, stats.answered, stats.overdue) == (3, 2, 1)
    assert stats.answer_percent == 67
    assert stats.median_days_to_answer == 7
    assert question_stats([], TODAY).answer_rate is None
