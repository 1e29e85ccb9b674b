"""One timeline entry's own page: correct it, review it, delete it (with the status rule)."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.desk.conftest import logged_in
from tests.desk.helpers import errors_of, form_data
from tracker.core.models import Commitment, EntryKind, Status, TrackingLog
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.timeline import commitment_change_status, today

pytestmark = pytest.mark.django_db


def entry_url(entry) -> str:
    return reverse("admin:tracker_trackinglog_change", args=[entry.pk])


def exported(commitment) -> str:
    return commitment_render(commitment=Commitment.objects.with_timeline().get(pk=commitment.pk))


def test_an_entry_is_corrected_on_its_page_and_the_editor_returns_to_the_timeline(
    editor_client, editor, commitment
):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    page = editor_client.get(entry_url(entry))
    assert page.status_code == 200
    data = form_data(page) | {"summary": "已完成第一批採購（更正）。"}
    response = editor_client.post(entry_url(entry), data)
    assert response.status_code == 302, errors_of(response)
    assert response["Location"].endswith(f"#timeline-{entry.pk}")
    entry.refresh_from_db()
    assert entry.summary == "已完成第一批採購（更正）。"
    assert entry.history.first().history_user == editor


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"summary": ""}, "summary", "請填寫內容摘要"),
        ({"document_url": "ftp//broken"}, "document_url", "來源連結必須是"),
        (
            {"entry_date": (today() + dt.timedelta(days=3)).isoformat()},
            "entry_date",
            "日期不可晚於今天",
        ),
        ({"document_number": "第一行\n第二行"}, "document_number", "只能有一行文字"),
    ],
)
def test_a_bad_correction_is_named_next_to_its_field_and_saves_nothing(
    editor_client, commitment, changes, field, message
):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    before = exported(commitment)
    data = form_data(editor_client.get(entry_url(entry))) | changes
    response = editor_client.post(entry_url(entry), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors.get(field, []))
    html = response.content.decode()
    assert f'href="#id_{field}"' in html  # the summary at the top links to the field
    assert exported(commitment) == before


def test_an_empty_reason_in_a_status_rule_entry_is_refused(editor_client, commitment):
    entry = commitment_change_status(
        commitment=commitment, to_status=Status.DELAYED, reason="目標日期已過"
    )
    data = form_data(editor_client.get(entry_url(entry))) | {"reason": ""}
    response = editor_client.post(entry_url(entry), data)
    assert response.status_code == 200
    assert "變更狀態必須填寫原因" in errors_of(response)
    entry.refresh_from_db()
    assert entry.reason == "目標日期已過"


def test_two_editors_correcting_one_entry_conflict(commitment, editor, second_editor):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    first, second = logged_in(editor), logged_in(second_editor)
    first_data = form_data(first.get(entry_url(entry)))
    second_data = form_data(second.get(entry_url(entry)))
    assert first.post(entry_url(entry), first_data | {"summary": "王的摘要"}).status_code == 302
    response = second.post(entry_url(entry), second_data | {"summary": "林的摘要"})
    assert response.status_code == 200
    errors = errors_of(response)
    assert "王小明（editor）" in errors
    assert "內容摘要：「已完成第一批採購。」→「王的摘要」" in errors
    assert form_data(response)["summary"] == "林的摘要"  # the second editor's input is kept
    entry.refresh_from_db()
    assert entry.summary == "王的摘要"
    # Saving again after seeing the other editor's work is a deliberate choice.
    again = form_data(response) | {"summary": "林的摘要（合併）"}
    assert second.post(entry_url(entry), again).status_code == 302
    entry.refresh_from_db()
    assert entry.summary == "林的摘要（合併）"


def test_an_entry_deleted_while_open_is_named_with_who_deleted_it(commitment, editor, chief_client):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    client = logged_in(editor)
    data = form_data(client.get(entry_url(entry)))
    delete = reverse("admin:tracker_trackinglog_delete", args=[entry.pk])
    assert chief_client.post(delete, {}).status_code == 302
    response = client.post(entry_url(entry), data | {"summary": "來不及的更正"}, follow=True)
    html = response.content.decode()
    assert "chief" in html and "刪除" in html
    assert not TrackingLog.objects.filter(pk=entry.pk).exists()


def test_marking_an_automated_judgement_reviewed_records_who_and_keeps_the_file(
    editor_client, editor, commitment
):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    before = exported(commitment)
    data = form_data(editor_client.get(entry_url(entry))) | {"mark_reviewed": "on"}
    assert editor_client.post(entry_url(entry), data).status_code == 302
    entry.refresh_from_db()
    assert (entry.reviewed_by, entry.reviewed_at is not None) == (editor, True)
    assert exported(commitment) == before


def test_deleting_the_entry_that_explains_the_status_asks_for_the_status(chief_client, commitment):
    change = commitment_change_status(
        commitment=commitment, to_status=Status.DELAYED, reason="延後"
    )
    delete = reverse("admin:tracker_trackinglog_delete", args=[change.pk])
    page = chief_client.get(delete).content.decode()
    assert "說明了目前的狀態" in page and 'name="status_after"' in page
    response = chief_client.post(delete, {"status_after": "", "reason": ""})
    assert response.status_code == 200
    assert TrackingLog.objects.filter(pk=change.pk).exists()
    response = chief_client.post(delete, {"status_after": Status.ACHIEVED, "reason": "其實已完成"})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == Status.ACHIEVED
    assert commitment.log_entries.order_by("position").last().reason == "其實已完成"


def test_an_editor_cannot_delete_an_entry(editor_client, commitment):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    delete = reverse("admin:tracker_trackinglog_delete", args=[entry.pk])
    assert editor_client.post(delete, {}).status_code == 403
    assert TrackingLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("object_id", ["abc", "999999", "1%00"])
def test_a_bad_entry_address_is_not_a_server_error(editor_client, object_id):
    response = editor_client.get(f"/admin/tracker/trackinglog/{object_id}/change/", follow=True)
    assert response.status_code in (200, 400, 404)
