"""Replies: searched, corrected with the same conflict check, recorded in history."""

import pytest
from django.urls import reverse

from tests.desk.conftest import logged_in
from tests.desk.helpers import errors_of
from tests.factories import make_commitment, make_source
from tracker.core.models import Commitment, Source
from tracker.core.services.commitment_export import commitment_render

pytestmark = pytest.mark.django_db


def source_data(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for bound in form:
        value = bound.value()
        data[bound.html_name] = "" if value is None else str(value)
    return data


def test_corrected_reply_is_exported_by_every_commitment_citing_it(editor_client):
    source = make_source(subject="舊主旨")
    commitments = [make_commitment(source=source), make_commitment(source=source)]
    url = reverse("admin:tracker_source_change", args=[source.pk])
    data = source_data(editor_client.get(url)) | {"subject": "新主旨"}

    response = editor_client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    for commitment in Commitment.objects.with_timeline().filter(pk__in=[c.pk for c in commitments]):
        assert "**主旨**：新主旨" in commitment_render(commitment=commitment)


def test_second_editor_of_a_reply_gets_conflict(editor, second_editor):
    source = make_source(subject="舊主旨")
    url = reverse("admin:tracker_source_change", args=[source.pk])
    first, second = logged_in(editor), logged_in(second_editor)
    first_data, second_data = source_data(first.get(url)), source_data(second.get(url))
    first.post(url, first_data | {"subject": "王的主旨"})

    response = second.post(url, second_data | {"subject": "林的主旨"})

    assert response.status_code == 200
    assert "王小明（editor）" in " ".join(response.context["adminform"].form.non_field_errors())
    source.refresh_from_db()
    assert source.subject == "王的主旨"


def test_reply_subject_must_be_one_line(editor_client):
    source = make_source()
    url = reverse("admin:tracker_source_change", args=[source.pk])

    response = editor_client.post(url, source_data(editor_client.get(url)) | {"subject": "a\nb"})

    assert response.status_code == 200
    assert "主旨只能有一行文字" in str(response.context["adminform"].form.errors)


def test_new_reply_can_be_added(editor_client, editor):
    response = editor_client.post(
        reverse("admin:tracker_source_add"),
        {
            "document_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "term": "11",
            "session_period": "02",
            "ey_number": "院臺字第1號",
            "url": "https://example.org/a.doc",
            "subject": "主旨",
            "reply_text": "內容",
            "base_version": "",
        },
    )

    assert response.status_code == 302
    source = Source.objects.get(document_id="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
    assert source.history.first().history_user == editor


def test_list_search_covers_reply_text(editor_client):
    make_source(subject="甲", reply_text="推動電網韌性")
    make_source(subject="乙", reply_text="其他")

    response = editor_client.get(reverse("admin:tracker_source_changelist"), {"q": "電網"})

    assert [s.subject for s in response.context["cl"].result_list] == ["甲"]
