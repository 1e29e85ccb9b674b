"""The desk adds and settles completion criteria through the services."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.desk.helpers import errors_of
from tests.factories import make_commitment
from tracker.core.models import CompletionCriterion

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_an_editor_adds_then_settles_a_criterion(editor_client, editor):
    commitment = make_commitment()
    response = editor_client.post(
        reverse("admin:tracker_completioncriterion_add"),
        {
            "commitment": commitment.pk,
            "milestone": "law_passed",
            "description": "三讀",
            "position": 0,
            "state": "open",
            "settled_on": "",
            "evidence": "",
            "evidence_url": "",
        },
    )
    assert response.status_code == 302, errors_of(response)
    criterion = CompletionCriterion.objects.get()
    assert criterion.history.get().history_user == editor
    url = reverse("admin:tracker_completioncriterion_change", args=[criterion.pk])
    data = {
        "milestone": "law_passed",
        "description": "三讀",
        "position": 0,
        "state": "met",
        "settled_on": "",
        "evidence": "",
        "evidence_url": "",
        "base_version": criterion.version,
    }
    response = editor_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "settled_on" in errors and "evidence" in errors
    data |= {"settled_on": TODAY.isoformat(), "evidence": "立法院公報第115卷"}
    assert editor_client.post(url, data).status_code == 302
    criterion.refresh_from_db()
    assert criterion.is_met


def test_editors_cannot_delete_criteria(editor):
    assert editor.has_perm("tracker.change_completioncriterion")
    assert not editor.has_perm("tracker.delete_completioncriterion")
