import pytest
from django.urls import reverse

from tests.factories import make_commitment
from tracker.core.models import Correction, CorrectionStatus


@pytest.fixture
def correction(db):
    return Correction.objects.create(commitment=make_commitment(), message="請更正", client_key="k")


def test_accepting_without_a_public_note_is_refused(admin_client, correction):
    url = reverse("admin:tracker_correction_change", args=[correction.pk])
    response = admin_client.post(url, {"status": "accepted", "public_note": ""})
    assert response.status_code == 200
    assert "採納更正時必須填寫公開說明" in response.content.decode()
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING


def test_an_editor_accepts_with_a_note(admin_client, admin_user, correction):
    url = reverse("admin:tracker_correction_change", args=[correction.pk])
    response = admin_client.post(url, {"status": "accepted", "public_note": "已更正。"})
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED
    assert correction.decided_by == admin_user
    assert correction.decided_at is not None


def test_bulk_reject(admin_client, correction):
    response = admin_client.post(
        reverse("admin:tracker_correction_changelist"),
        {"action": "reject", "_selected_action": [correction.pk]},
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
