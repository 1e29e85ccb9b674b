"""Who changed what, visible in the admin; deleted timeline entries come back."""

import pytest
from django.urls import reverse

from tests.desk.conftest import logged_in
from tests.desk.helpers import form_data
from tracker.core.models import Commitment, EntryKind, TrackingLog
from tracker.core.services.commitment_export import commitment_render

pytestmark = pytest.mark.django_db


def change_url(commitment):
    return reverse("admin:tracker_commitment_change", args=[commitment.pk])


def exported(commitment):
    return commitment_render(commitment=Commitment.objects.with_timeline().get(pk=commitment.pk))


def test_history_page_names_who_changed_which_field(editor_client, commitment):
    data = form_data(editor_client.get(change_url(commitment)))
    editor_client.post(change_url(commitment), data | {"responsible_agency": "疾病管制署"})

    response = editor_client.get(reverse("admin:tracker_commitment_history", args=[commitment.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>負責機關:</strong>\n                    衛生福利部" in html
    assert "疾病管制署" in html
    assert ">editor</a>" in html  # who
    # simple-history's own strings, in Chinese from locale/zh_Hant
    assert "修改紀錄：確保疫苗供應充足" in html
    for english in ("View history", "Changed by", "Created", ">None<"):
        assert english not in html


def test_history_records_timeline_changes_on_the_commitment_page(editor_client, commitment):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    entry_url = reverse("admin:tracker_trackinglog_change", args=[entry.pk])
    data = form_data(editor_client.get(entry_url)) | {"summary": "更正後的摘要"}
    assert editor_client.post(entry_url, data).status_code == 302

    response = editor_client.get(reverse("admin:tracker_commitment_history", args=[commitment.pk]))

    rows = response.context["timeline_history"]
    (changed,) = [row for row in rows if row["changes"]]
    assert changed["who"] == "王小明（editor）"
    assert [(c.label, c.before, c.after) for c in changed["changes"]] == [
        ("內容摘要", "已完成第一批採購。", "更正後的摘要")
    ]


def test_deleted_entry_is_restored_where_it_was(chief, editor, commitment):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    before = exported(commitment)
    chief_client = logged_in(chief)
    response = chief_client.post(reverse("admin:tracker_trackinglog_delete", args=[entry.pk]))
    assert response.status_code == 302
    assert exported(commitment) != before
    (record,) = TrackingLog.history.filter(history_type="-")

    editor_client = logged_in(editor)
    history = editor_client.get(reverse("admin:tracker_commitment_history", args=[commitment.pk]))
    assert [r.history_id for r in history.context["deleted_entries"]] == [record.history_id]
    restored = editor_client.post(
        reverse("admin:tracker_trackinglog_restore", args=[record.history_id])
    )

    assert restored.status_code == 302
    assert exported(commitment) == before
    assert TrackingLog.objects.get(pk=entry.pk).history.first().history_user == editor
    assert not editor_client.get(
        reverse("admin:tracker_commitment_history", args=[commitment.pk])
    ).context["deleted_entries"]


def test_restore_needs_a_post(editor_client, commitment):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    entry.delete()
    record = TrackingLog.history.get(history_type="-")

    response = editor_client.get(
        reverse("admin:tracker_trackinglog_restore", args=[record.history_id])
    )

    assert response.status_code == 405
    assert not TrackingLog.objects.filter(pk=entry.pk).exists()


def test_past_version_is_shown_read_only(editor_client, commitment):
    record = commitment.history.earliest()
    url = reverse(
        "admin:tracker_commitment_simple_history", args=[commitment.pk, record.history_id]
    )

    response = editor_client.get(url)
    refused = editor_client.post(url, {"title": "改掉"})

    assert response.status_code == 200
    assert "確保疫苗供應充足" in response.content.decode()
    assert refused.status_code == 405
    commitment.refresh_from_db()
    assert commitment.title == "確保疫苗供應充足"


def test_the_history_manager_class_is_built_once_not_on_every_save():
    # simple-history builds a new manager class per access; every save reads it.
    assert type(Commitment.history) is type(Commitment.history)
    # One class for all models; each manager still reads its own model's history.
    assert TrackingLog.history.model is not Commitment.history.model
    assert Commitment.history.model.__name__ == "HistoricalCommitment"


def test_the_deleted_entries_page_lists_what_was_deleted(chief, commitment):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    client = logged_in(chief)
    assert (
        client.post(reverse("admin:tracker_trackinglog_delete", args=[entry.pk])).status_code == 302
    )
    response = client.get(reverse("admin:tracker_trackinglog_deleted"))
    assert response.status_code == 200
    assert entry.summary[:10] in response.content.decode()
