"""The desk records a question to an agency and, later, its answer, through the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.desk.conftest import logged_in
from tests.desk.helpers import errors_of
from tests.factories import make_commitment
from tracker.core.models import AgencyQuestion, Origin

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ADD = reverse("admin:tracker_agencyquestion_add")


def form_data(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for bound in form:
        value = bound.value()
        data[bound.html_name] = "" if value is None else str(value)
    return data


def ask(client, commitment, **values):
    data = {
        "commitment": commitment.pk,
        "agency": "衛生福利部",
        "sent_on": (TODAY - dt.timedelta(days=20)).isoformat(),
        "channel": "foi",
        "question": "請問疫苗採購進度？",
        "deadline": "",
    } | values
    return client.post(ADD, data)


def test_an_editor_asks_with_the_channels_default_deadline(editor_client, editor):
    commitment = make_commitment()
    response = ask(editor_client, commitment)
    assert response.status_code == 302, errors_of(response)
    question = AgencyQuestion.objects.get()
    assert question.deadline == TODAY - dt.timedelta(days=5)
    assert question.created_by == editor
    assert question.history.get().history_user == editor


def test_a_question_in_the_future_is_refused_on_its_field(editor_client):
    response = ask(
        editor_client, make_commitment(), sent_on=(TODAY + dt.timedelta(days=2)).isoformat()
    )
    assert response.status_code == 200
    assert "詢問日期不可晚於今天" in str(response.context["adminform"].form.errors["sent_on"])
    assert not AgencyQuestion.objects.exists()


def test_the_answer_is_recorded_and_joins_the_timeline(editor_client, editor):
    commitment = make_commitment()
    ask(editor_client, commitment)
    question = AgencyQuestion.objects.get()
    url = reverse("admin:tracker_agencyquestion_change", args=[question.pk])
    data = form_data(editor_client.get(url)) | {
        "answered_on": TODAY.isoformat(),
        "answer": "本部已完成採購。",
        "answer_document_number": "衛部字第1號",
        "answer_document_url": "https://example.org/a.pdf",
    }
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.answer == "本部已完成採購。"
    entry = commitment.log_entries.order_by("position").last()
    assert question.answer_entry == entry
    assert (entry.origin, entry.created_by, entry.source_type) == (
        Origin.NEWSROOM,
        editor,
        "機關回覆",
    )
    # Answered: the page is read-only (corrections go through the timeline entry).
    assert "answer" not in editor_client.get(url).context["adminform"].form.fields


def test_an_answer_without_its_date_is_refused(editor_client):
    ask(editor_client, make_commitment())
    question = AgencyQuestion.objects.get()
    url = reverse("admin:tracker_agencyquestion_change", args=[question.pk])
    response = editor_client.post(url, form_data(editor_client.get(url)) | {"answer": "好"})
    assert response.status_code == 200
    assert "記錄回覆時請填寫回覆日期" in str(response.context["adminform"].form.errors)


def test_second_editor_moving_the_deadline_gets_a_conflict(editor, second_editor):
    first, second = logged_in(editor), logged_in(second_editor)
    ask(first, make_commitment())
    question = AgencyQuestion.objects.get()
    url = reverse("admin:tracker_agencyquestion_change", args=[question.pk])
    first_data, second_data = form_data(first.get(url)), form_data(second.get(url))
    first.post(url, first_data | {"deadline": (TODAY + dt.timedelta(days=10)).isoformat()})
    response = second.post(
        url, second_data | {"deadline": (TODAY + dt.timedelta(days=3)).isoformat()}
    )
    assert response.status_code == 200
    assert "王小明（editor）" in " ".join(response.context["adminform"].form.non_field_errors())
    question.refresh_from_db()
    assert question.deadline == TODAY + dt.timedelta(days=10)


def test_editors_may_ask_and_answer_but_not_delete(editor):
    assert editor.has_perm("tracker.add_agencyquestion")
    assert editor.has_perm("tracker.change_agencyquestion")
    assert not editor.has_perm("tracker.delete_agencyquestion")
