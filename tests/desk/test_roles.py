"""編輯 and 主編: what each may do, enforced by the server."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from tests.desk.conftest import logged_in, make_user
from tests.desk.helpers import errors_of, form_data
from tracker.core.models import Commitment, EntryKind
from tracker.core.services.roles import CHIEF_EDITOR, EDITOR

pytestmark = pytest.mark.django_db


def change_url(commitment):
    return reverse("admin:tracker_commitment_change", args=[commitment.pk])


def codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_groups_exist_after_migrate_with_their_permissions():
    editor, chief = codenames(EDITOR), codenames(CHIEF_EDITOR)

    assert {
        "add_commitment",
        "change_commitment",
        "add_trackinglog",
        "change_trackinglog",
    } <= editor
    assert not {code for code in editor if code.startswith("delete_")}
    assert "publish_commitment" not in editor
    assert {"delete_commitment", "delete_trackinglog", "publish_commitment"} <= chief
    assert {"add_user", "change_user", "view_user"} <= chief
    assert editor < chief


def test_setup_roles_can_run_again(capsys):
    call_command("setup_roles")
    call_command("setup_roles")

    assert "編輯:" in capsys.readouterr().out
    assert Group.objects.filter(name__in=[EDITOR, CHIEF_EDITOR]).count() == 2


def test_editor_cannot_delete_a_commitment(editor_client, commitment):
    url = reverse("admin:tracker_commitment_delete", args=[commitment.pk])

    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Commitment.objects.filter(pk=commitment.pk).exists()


def test_chief_can_delete_a_commitment(chief_client, commitment):
    url = reverse("admin:tracker_commitment_delete", args=[commitment.pk])

    response = chief_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


def test_editor_cannot_delete_a_timeline_entry(editor_client, commitment):
    entry = commitment.log_entries.get(kind=EntryKind.PROGRESS)
    response = editor_client.post(reverse("admin:tracker_trackinglog_delete", args=[entry.pk]))

    assert response.status_code == 403
    assert commitment.log_entries.filter(pk=entry.pk).exists()


def test_editor_cannot_publish_through_the_form(editor_client, commitment):
    commitment.is_published = False
    commitment.save()
    page = editor_client.get(change_url(commitment))
    assert "is_published" not in page.context["adminform"].form.fields
    assert "草稿（未公開，需由主編公開）" in page.content.decode()

    response = editor_client.post(change_url(commitment), form_data(page) | {"is_published": "on"})

    assert response.status_code == 302, errors_of(response)
    commitment.refresh_from_db()
    assert commitment.is_published is False


def test_chief_publishes_through_the_form(chief_client, chief, commitment):
    commitment.is_published = False
    commitment.save()
    page = chief_client.get(change_url(commitment))

    response = chief_client.post(change_url(commitment), form_data(page) | {"is_published": "on"})

    assert response.status_code == 302, errors_of(response)
    commitment.refresh_from_db()
    assert commitment.is_published is True
    assert commitment.history.first().history_user == chief


def test_publish_actions_are_offered_to_chiefs_only(editor_client, chief_client, commitment):
    changelist = reverse("admin:tracker_commitment_changelist")

    editor_actions = editor_client.get(changelist).context["action_form"].fields["action"].choices
    chief_actions = chief_client.get(changelist).context["action_form"].fields["action"].choices

    assert "publish_action" not in dict(editor_actions)
    assert "delete_selected" not in dict(editor_actions)
    assert {"publish_action", "unpublish_action", "delete_selected"} <= set(dict(chief_actions))


def test_editor_cannot_manage_users(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_user_add")).status_code == 403


def test_chief_manages_editors_but_cannot_create_a_superuser(chief_client, editor):
    admin = make_user("root", None, is_superuser=True)
    changelist = chief_client.get(reverse("admin:auth_user_changelist"))
    assert admin not in changelist.context["cl"].result_list
    assert chief_client.get(reverse("admin:auth_user_change", args=[admin.pk])).status_code == 302

    page = chief_client.get(reverse("admin:auth_user_change", args=[editor.pk]))
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {
        EDITOR,
        CHIEF_EDITOR,
    }
    data = {
        "username": "editor",
        "first_name": "小明",
        "last_name": "王",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [Group.objects.get(name=CHIEF_EDITOR).pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }

    response = chief_client.post(reverse("admin:auth_user_change", args=[editor.pk]), data)

    assert response.status_code == 302
    editor = User.objects.get(pk=editor.pk)
    assert editor.is_superuser is False
    assert editor.groups.filter(name=CHIEF_EDITOR).exists()


def test_viewer_without_role_sees_nothing(client):
    someone = make_user("someone", None)
    client.force_login(someone)

    assert client.get(reverse("admin:tracker_commitment_changelist")).status_code == 403
    assert client.get(reverse("admin:tracker_commitment_quality")).status_code == 403


def test_role_pages_are_reachable(editor, chief, commitment):
    for user in (editor, chief):
        client = logged_in(user)
        for url in (
            reverse("admin:tracker_commitment_changelist"),
            change_url(commitment),
            reverse("admin:tracker_commitment_quality"),
            reverse("admin:tracker_trackinglog_changelist"),
            reverse("admin:tracker_source_changelist"),
            reverse("admin:tracker_duplicatecopy_changelist"),
        ):
            assert client.get(url).status_code == 200, (user, url)


def test_chief_adds_an_account(chief_client):
    response = chief_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-long-test-password-1",
            "password2": "a-long-test-password-1",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(username="newcomer", is_superuser=False).exists()


def test_timeline_entries_are_not_deleted_in_bulk(chief_client, commitment):
    response = chief_client.get(reverse("admin:tracker_trackinglog_changelist"))

    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)
