"""The sync's review queue over HTTP: editors and chief editors decide what upstream changed."""

import pytest
from django.urls import reverse

from tests.desk.conftest import logged_in, make_user
from tests.factories import make_commitment
from tracker.core.models import ConflictKind, ConflictState, Origin, Status, SyncConflict, SyncRun

pytestmark = pytest.mark.django_db

LIST = reverse("admin:tracker_syncconflict_changelist")


def queued(commitment, **values) -> SyncConflict:
    run = SyncRun.objects.create(source="upstream/")
    defaults = {
        "kind": ConflictKind.FIELD,
        "field_name": "title",
        "base_value": commitment.title,
        "upstream_value": "上游的<b>標題</b>",
        "our_value": "我們的標題",
        "sync_run": run,
    }
    return SyncConflict.objects.create(commitment=commitment, **(defaults | values))


def decide_url(conflict) -> str:
    return reverse("admin:tracker_syncconflict_change", args=[conflict.pk])


@pytest.fixture(params=["editor", "chief"])
def any_client(request, editor, chief):
    return logged_in(editor if request.param == "editor" else chief), (
        editor if request.param == "editor" else chief
    )


def test_the_list_shows_open_items_first_and_only_them_by_default(editor_client):
    commitment = make_commitment(title="我們的標題")
    open_item = queued(commitment)
    done = queued(commitment, field_name="category", state=ConflictState.KEPT_OURS)
    response = editor_client.get(LIST, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0].endswith("state__exact=open")
    links = response.content.decode()
    assert decide_url(open_item) in links and decide_url(done) not in links


def test_the_decision_page_shows_base_theirs_and_ours_escaped(editor_client):
    commitment = make_commitment(title="我們的標題")
    conflict = queued(commitment)
    page = editor_client.get(decide_url(conflict)).content.decode()
    assert "上游的新值" in page and "編輯部的值（目前）" in page
    assert "&lt;b&gt;" in page and "<b>" not in page
    assert "<ins>" in page  # what upstream changed is marked
    assert reverse("admin:tracker_commitment_change", args=[commitment.pk]) in page


def test_both_roles_can_take_upstream(any_client):
    client, user = any_client
    commitment = make_commitment(title="我們的標題")
    conflict = queued(commitment, upstream_value="上游的標題")
    response = client.post(decide_url(conflict), {"_take_upstream": "1", "note": ""})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "上游的標題"
    conflict.refresh_from_db()
    assert (conflict.state, conflict.decided_by) == (ConflictState.TOOK_UPSTREAM, user)
    assert commitment.history.first().history_user == user


def test_keeping_our_status_needs_a_reason_next_to_the_field(editor_client, editor):
    commitment = make_commitment(status=Status.DELAYED)
    conflict = queued(
        commitment,
        field_name="status",
        base_value=Status.TRACKING,
        upstream_value=Status.ACHIEVED,
        our_value=Status.DELAYED,
    )
    response = editor_client.post(decide_url(conflict), {"_keep_ours": "1", "note": ""})
    assert response.status_code == 200
    assert "保留編輯部的狀態必須填寫原因" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.OPEN
    response = editor_client.post(decide_url(conflict), {"_keep_ours": "1", "note": "上游誤判"})
    assert response.status_code == 302
    last = commitment.log_entries.order_by("position").last()
    assert (last.from_status, last.to_status, last.reason) == (
        Status.ACHIEVED,
        Status.DELAYED,
        "上游誤判",
    )
    assert last.origin == Origin.NEWSROOM and last.created_by == editor


def test_an_editor_can_set_a_value_of_their_own(editor_client):
    commitment = make_commitment(title="我們的標題")
    conflict = queued(commitment)
    response = editor_client.post(
        decide_url(conflict), {"_set_value": "1", "value": "兩邊合併後的標題", "note": "合併"}
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "兩邊合併後的標題"
    conflict.refresh_from_db()
    assert (conflict.state, conflict.note) == (ConflictState.EDITED, "合併")


def test_a_decided_item_cannot_be_decided_again(editor_client, second_editor):
    commitment = make_commitment(title="我們的標題")
    conflict = queued(commitment)
    assert editor_client.post(decide_url(conflict), {"_keep_ours": "1"}).status_code == 302
    other = logged_in(second_editor)
    response = other.post(decide_url(conflict), {"_take_upstream": "1"})
    assert response.status_code == 200
    commitment.refresh_from_db()
    assert commitment.title == "我們的標題"
    assert "已處理" in response.content.decode()


def test_a_viewer_without_change_permission_cannot_decide(db):
    from django.contrib.auth.models import Permission

    viewer = make_user("viewer", None)
    viewer.user_permissions.add(Permission.objects.get(codename="view_syncconflict"))
    client = logged_in(viewer)
    conflict = queued(make_commitment(title="我們的標題"))
    assert client.get(decide_url(conflict)).status_code == 200
    assert client.post(decide_url(conflict), {"_take_upstream": "1"}).status_code == 403
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.OPEN


@pytest.mark.parametrize(("object_id", "status"), [("abc", 404), ("99999", 404), ("%00", 400)])
def test_a_bad_address_is_not_found(editor_client, object_id, status):
    response = editor_client.get(f"/admin/tracker/syncconflict/{object_id}/change/")
    assert response.status_code == status


def test_the_commitment_page_shows_provenance_and_links_open_items(editor_client):
    commitment = make_commitment(title="我們的標題")
    queued(commitment)
    page = editor_client.get(
        reverse("admin:tracker_commitment_change", args=[commitment.pk])
    ).content.decode()
    # Announced above the form, where the editor starts, not in the folded 資料來源.
    notice = page.index('class="tracker-open-conflicts"')
    assert notice < page.index("新增進度更新")
    assert "1 項同步衝突待處理" in page[notice:]
    assert f"commitment__id__exact={commitment.pk}&amp;state__exact=open" in page[notice:]
    assert "各欄位的來源" in page and "編輯部" in page


def test_the_data_quality_page_counts_open_items(editor_client):
    commitment = make_commitment(title="我們的標題")
    queued(commitment)
    queued(commitment, field_name="category", state=ConflictState.KEPT_OURS)
    page = editor_client.get(reverse("admin:tracker_commitment_quality")).content.decode()
    assert "同步衝突待處理（1）" in page
    assert f"{LIST}?state__exact=open" in page


def value_box(page: str) -> str:
    start = page.index('id="id_value')
    return page[page.rindex("<", 0, start) : page.index('<div class="help"', start)]


@pytest.mark.parametrize(
    ("name", "values", "shown"),
    [
        ("status", {"status": Status.DELAYED}, f'value="{Status.DELAYED}" selected'),
        ("created_date", {}, 'value="2026-01-26"'),
        ("shows_reply", {"shows_reply": False}, 'value="false" required id="id_value_1" checked'),
        ("target_value", {"target_value": "一百座"}, ">\n一百座</textarea>"),
        ("source", {}, "00000000-0000-0000-0000-"),
    ],
)
def test_the_value_to_set_starts_from_the_current_value_of_any_kind(
    editor_client, name, values, shown
):
    commitment = make_commitment(**values)
    conflict = queued(commitment, field_name=name, base_value="x", upstream_value="y")

    page = editor_client.get(decide_url(conflict)).content.decode()

    assert shown in value_box(page)


def test_empty_values_are_said_in_words_and_a_cleared_field_is_not_a_removed_entry(
    editor_client,
):
    commitment = make_commitment(target_date_text="2027-01-01")
    conflict = queued(
        commitment,
        field_name="target_date_text",
        base_value="2026-12-31",
        upstream_value=None,
        our_value="",
    )

    page = editor_client.get(decide_url(conflict)).content.decode()

    cells = page[page.index("tracker-conflict-values") : page.index("</table>")]
    assert cells.count("（空白）") == 2
    assert "上游已移除這一筆" not in page


def test_a_bad_date_is_refused_next_to_the_value_and_nothing_changes(editor_client):
    commitment = make_commitment()
    conflict = queued(commitment, field_name="created_date", base_value="2026-01-01")

    response = editor_client.post(
        decide_url(conflict), {"_set_value": "1", "value": "2026-02-30", "note": ""}
    )

    assert response.status_code == 200
    assert response.context["value_form"].errors["value"]
    conflict.refresh_from_db()
    commitment.refresh_from_db()
    assert (conflict.state, commitment.created_date.isoformat()) == (
        ConflictState.OPEN,
        "2026-01-26",
    )


def test_a_date_a_yes_no_and_a_status_are_set_as_chosen(editor_client):
    commitment = make_commitment(status=Status.TRACKING, shows_reply=True)
    dated = queued(
        commitment,
        field_name="created_date",
        base_value="2026-01-01",
        upstream_value="2026-01-02",
        our_value="2026-01-26",
    )
    reply = queued(
        commitment,
        field_name="shows_reply",
        base_value="true",
        upstream_value="false",
        our_value="true",
    )
    status = queued(
        commitment,
        field_name="status",
        base_value=Status.TRACKING,
        upstream_value=Status.DELAYED,
        our_value=Status.TRACKING,
    )

    for conflict, value in ((dated, "2026-01-05"), (reply, "false"), (status, Status.ACHIEVED)):
        response = editor_client.post(
            decide_url(conflict), {"_set_value": "1", "value": value, "note": "查證後"}
        )
        assert response.status_code == 302, response.context["value_form"].errors

    commitment.refresh_from_db()
    assert (commitment.created_date.isoformat(), commitment.shows_reply, commitment.status) == (
        "2026-01-05",
        False,
        Status.ACHIEVED,
    )


def test_an_empty_value_clears_an_optional_field_and_is_refused_for_a_required_one(
    editor_client,
):
    commitment = make_commitment(title="我們的標題", target_value="一百座")
    optional = queued(commitment, field_name="target_value", base_value="五十座")
    required = queued(commitment)

    cleared = editor_client.post(decide_url(optional), {"_set_value": "1", "value": ""})
    refused = editor_client.post(decide_url(required), {"_set_value": "1", "value": ""})

    assert cleared.status_code == 302 and refused.status_code == 200
    assert refused.context["value_form"].errors["value"]
    commitment.refresh_from_db()
    assert (commitment.target_value, commitment.title) == (None, "我們的標題")


def test_the_value_box_is_ignored_unless_the_editor_sets_it(editor_client):
    commitment = make_commitment()
    conflict = queued(commitment, field_name="created_date", upstream_value="2026-01-20")

    response = editor_client.post(
        decide_url(conflict), {"_take_upstream": "1", "value": "不是日期"}
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.created_date.isoformat() == "2026-01-20"
