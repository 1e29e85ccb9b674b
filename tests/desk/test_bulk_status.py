"""Changing the status of several commitments at once: one reason, one entry each."""

import pytest
from django.contrib.auth.models import Permission

from tests.desk.conftest import make_user
from tests.factories import make_commitment
from tracker.core.models import Commitment, EntryKind, Status, TrackingLog
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.timeline import today

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/tracker/commitment/"


def bulk(client, commitments, **values):
    data = {
        "action": "change_status_action",
        "_selected_action": [c.pk for c in commitments],
    }
    if values:
        data |= {"apply": "1", "entry_date": today().isoformat()} | values
    return client.post(CHANGELIST, data)


def test_asks_for_the_new_status_and_a_reason_first(editor_client):
    commitments = [make_commitment(), make_commitment()]

    response = bulk(editor_client, commitments)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/tracker/commitment/change_status.html"
    assert not TrackingLog.objects.filter(kind=EntryKind.STATUS_CHANGE).exists()


def test_one_reason_for_all_one_entry_each(editor_client, editor):
    commitments = [make_commitment(), make_commitment(), make_commitment()]

    response = bulk(editor_client, commitments, to_status=Status.DELAYED, reason="預算未通過")

    assert response.status_code == 302
    for commitment in Commitment.objects.with_timeline().filter(pk__in=[c.pk for c in commitments]):
        assert commitment.status == Status.DELAYED
        (entry,) = [e for e in commitment.log_entries.all() if e.kind == EntryKind.STATUS_CHANGE]
        assert (entry.from_status, entry.to_status, entry.reason) == (
            "追蹤中",
            "已延宕",
            "預算未通過",
        )
        assert entry.created_by == editor
        assert commitment_render(commitment=commitment).endswith(
            f"### {today().isoformat()} [狀態變更]\n"
            "**狀態**：追蹤中 → 已延宕\n"
            "**原因**：預算未通過\n"
        )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"to_status": Status.DELAYED, "reason": ""}, "變更狀態必須填寫原因"),
        ({"to_status": Status.DELAYED, "reason": "a\nb"}, "只能有一行"),
        ({"to_status": Status.TRACKING, "reason": "重新追蹤"}, "已經是「追蹤中」"),
        ({"to_status": Status.DELAYED, "reason": "x", "entry_date": "2999-01-01"}, "不可晚於今天"),
    ],
)
def test_bad_bulk_change_saves_nothing(editor_client, values, message):
    commitments = [make_commitment(), make_commitment()]

    response = bulk(editor_client, commitments, **values)

    assert response.status_code == 200
    assert message in str(response.context["form"].errors)
    assert not TrackingLog.objects.filter(kind=EntryKind.STATUS_CHANGE).exists()
    assert set(Commitment.objects.values_list("status", flat=True)) == {Status.TRACKING}


def test_bulk_change_goes_through_history(editor_client, editor):
    commitment = make_commitment()

    bulk(editor_client, [commitment], to_status=Status.ACHIEVED, reason="已完工")

    record = commitment.history.first()
    assert (record.status, record.history_user) == (Status.ACHIEVED, editor)


def test_bulk_action_needs_the_change_permission(client):
    viewer = make_user("viewer", None)
    viewer.user_permissions.add(Permission.objects.get(codename="view_commitment"))
    client.force_login(viewer)
    commitment = make_commitment()

    bulk(client, [commitment], to_status=Status.DELAYED, reason="x")

    commitment.refresh_from_db()
    assert commitment.status == Status.TRACKING
    assert not TrackingLog.objects.filter(kind=EntryKind.STATUS_CHANGE).exists()
