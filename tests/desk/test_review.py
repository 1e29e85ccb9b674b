"""Judgements made by software are labelled, and an editor can mark them reviewed."""

import pytest
from django.urls import reverse

from tests.desk.helpers import errors_of, form_data
from tracker.core.models import Commitment, EntryKind
from tracker.core.services.commitment_export import commitment_render

pytestmark = pytest.mark.django_db


def exported(commitment):
    return commitment_render(commitment=Commitment.objects.with_timeline().get(pk=commitment.pk))


def change_url(commitment):
    return reverse("admin:tracker_commitment_change", args=[commitment.pk])


def test_reviewing_in_the_timeline_records_who_and_keeps_the_file(
    editor_client, editor, commitment
):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    before = exported(commitment)
    page = editor_client.get(change_url(commitment))
    assert "自動判斷，未經編輯審核：進度更新" in page.content.decode()
    entry_url = reverse("admin:tracker_trackinglog_change", args=[entry.pk])
    data = form_data(editor_client.get(entry_url)) | {"mark_reviewed": "on"}

    response = editor_client.post(entry_url, data)

    assert response.status_code == 302, errors_of(response)
    entry.refresh_from_db()
    assert entry.reviewed_by == editor
    assert entry.reviewed_at is not None
    assert exported(commitment) == before
    html = editor_client.get(change_url(commitment)).content.decode()
    assert "自動判斷，經編輯審核：進度更新" in html
    assert "王小明（editor） 於" in html and "審核了自動判斷" in html


def test_reviewing_from_the_entry_list(editor_client, editor, commitment):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    before = exported(commitment)
    changelist = reverse("admin:tracker_trackinglog_changelist")
    pending = editor_client.get(changelist, {"judged": "pending"})
    assert [e.pk for e in pending.context["cl"].result_list] == [entry.pk]

    editor_client.post(changelist, {"action": "mark_reviewed", "_selected_action": [entry.pk]})

    entry.refresh_from_db()
    assert entry.reviewed_by == editor
    assert exported(commitment) == before
    assert not editor_client.get(changelist, {"judged": "pending"}).context["cl"].result_list


def test_entries_an_editor_logged_are_not_labelled_automated(editor_client, commitment):
    data = form_data(editor_client.get(change_url(commitment))) | {"progress_summary": "編輯寫的"}
    editor_client.post(change_url(commitment), data)

    html = editor_client.get(change_url(commitment)).content.decode()

    assert "編輯判斷：進度更新" in html
    assert html.count("自動判斷，未經編輯審核") == 1


def test_an_entrys_page_leads_back_to_its_place_on_the_timeline(editor_client, commitment):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)

    response = editor_client.get(reverse("admin:tracker_trackinglog_change", args=[entry.pk]))

    assert response.status_code == 200
    assert f"{change_url(commitment)}#timeline-{entry.pk}" in response.content.decode()


def test_public_label_tells_automated_from_reviewed_and_editor_judgements(commitment, editor):
    from django.template import engines

    from tracker.core.services.tracking_log_editing import tracking_log_review

    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    template = engines["django"].from_string("{% load public %}{% judgement_label entry %}")

    assert "自動判斷，未經編輯審核：進度更新" in template.render({"entry": entry})
    tracking_log_review(entries=[entry], user=editor)
    entry.refresh_from_db()
    assert "自動判斷，經編輯審核：進度更新" in template.render({"entry": entry})
    entry.created_by = editor
    assert "編輯判斷：進度更新" in template.render({"entry": entry})
