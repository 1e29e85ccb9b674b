"""Two editors, two real sessions: the second to save is told, and loses nothing."""

import pytest
from django.urls import reverse

from tests.desk.conftest import logged_in
from tests.desk.helpers import errors_of, form_data
from tracker.core.models import Status

pytestmark = pytest.mark.django_db


def change_url(commitment):
    return reverse("admin:tracker_commitment_change", args=[commitment.pk])


def non_field_errors(response) -> str:
    return " ".join(response.context["adminform"].form.non_field_errors())


def test_second_editor_gets_conflict(editor, second_editor, commitment):
    first, second = logged_in(editor), logged_in(second_editor)
    first_data = form_data(first.get(change_url(commitment)))
    second_data = form_data(second.get(change_url(commitment)))

    saved = first.post(change_url(commitment), first_data | {"title": "確保疫苗供應（王）"})
    assert saved.status_code == 302, errors_of(saved)
    response = second.post(change_url(commitment), second_data | {"title": "確保疫苗供應（林）"})

    assert response.status_code == 200
    message = non_field_errors(response)
    assert "王小明" in message  # who saved in between
    assert "標題：「確保疫苗供應充足」→「確保疫苗供應（王）」" in message  # what changed
    form = response.context["adminform"].form
    assert "對方已改為「確保疫苗供應（王）」" in " ".join(form.errors["title"])
    assert 'value="確保疫苗供應（林）"' in response.content.decode()  # own input kept
    commitment.refresh_from_db()
    assert commitment.title == "確保疫苗供應（王）"


def test_conflicting_editor_saves_deliberately_after_merging(editor, second_editor, commitment):
    first, second = logged_in(editor), logged_in(second_editor)
    first_data = form_data(first.get(change_url(commitment)))
    second_data = form_data(second.get(change_url(commitment)))
    first.post(change_url(commitment), first_data | {"title": "王的標題"})
    conflict = second.post(change_url(commitment), second_data | {"title": "林的標題"})

    again = second.post(change_url(commitment), form_data(conflict) | {"title": "合併後的標題"})

    assert again.status_code == 302, errors_of(again)
    commitment.refresh_from_db()
    assert commitment.title == "合併後的標題"


def test_conflict_fills_in_fields_only_the_other_editor_changed(editor, second_editor, commitment):
    first, second = logged_in(editor), logged_in(second_editor)
    first_data = form_data(first.get(change_url(commitment)))
    second_data = form_data(second.get(change_url(commitment)))
    first.post(change_url(commitment), first_data | {"category": "公共衛生"})

    response = second.post(change_url(commitment), second_data | {"title": "林的標題"})

    assert response.status_code == 200
    assert "類別：「醫療衛生」→「公共衛生」" in non_field_errors(response)
    resubmitted = form_data(response)
    assert resubmitted["category"] == "公共衛生"  # theirs, since this editor did not touch it
    assert resubmitted["title"] == "林的標題"  # this editor's input
    assert second.post(change_url(commitment), resubmitted).status_code == 302
    commitment.refresh_from_db()
    assert (commitment.title, commitment.category) == ("林的標題", "公共衛生")


def test_conflict_keeps_the_progress_update_being_written(editor, second_editor, commitment):
    first, second = logged_in(editor), logged_in(second_editor)
    first_data = form_data(first.get(change_url(commitment)))
    second_data = form_data(second.get(change_url(commitment)))
    first.post(change_url(commitment), first_data | {"wording": "王改寫的原文。"})

    response = second.post(
        change_url(commitment),
        second_data | {"wording": "林改寫的原文。", "progress_summary": "林寫到一半的摘要"},
    )

    assert response.status_code == 200
    assert form_data(response)["progress_summary"] == "林寫到一半的摘要"
    assert not commitment.log_entries.filter(summary="林寫到一半的摘要").exists()


def test_logging_progress_after_someone_else_saved_is_no_conflict(
    editor, second_editor, commitment
):
    first, second = logged_in(editor), logged_in(second_editor)
    first_data = form_data(first.get(change_url(commitment)))
    second_data = form_data(second.get(change_url(commitment)))
    first.post(change_url(commitment), first_data | {"title": "王的標題"})

    response = second.post(change_url(commitment), second_data | {"progress_summary": "新進度"})

    assert response.status_code == 302, errors_of(response)
    commitment.refresh_from_db()
    assert commitment.title == "王的標題"  # not overwritten by the stale form
    assert commitment.log_entries.filter(summary="新進度").exists()


def test_status_change_on_a_stale_page_is_a_conflict(editor, second_editor, commitment):
    first, second = logged_in(editor), logged_in(second_editor)
    first_data = form_data(first.get(change_url(commitment)))
    second_data = form_data(second.get(change_url(commitment)))
    first.post(
        change_url(commitment),
        first_data | {"status_to": Status.ACHIEVED, "status_reason": "已全數到貨"},
    )

    response = second.post(
        change_url(commitment),
        second_data | {"status_to": Status.DELAYED, "status_reason": "目標日期已過"},
    )

    assert response.status_code == 200
    assert "狀態：「追蹤中」→「已達成」" in non_field_errors(response)
    commitment.refresh_from_db()
    assert commitment.status == Status.ACHIEVED
