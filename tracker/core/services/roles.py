"""The newsroom's two roles as Django groups: 編輯 (editor) and 主編 (chief editor)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

EDITOR = "編輯"
CHIEF_EDITOR = "主編"

# Chief editors manage the newsroom's accounts (tracker.desk.admin.users limits what they can
# grant: no superusers, no single permissions, only these two groups).
USER_MANAGEMENT = (
    ("auth", "view_user"),
    ("auth", "add_user"),
    ("auth", "change_user"),
    ("auth", "delete_user"),
    ("auth", "view_group"),
)


def _editor_permissions():
    """Editors see, add and change everything the tracker keeps; they delete nothing.

    Defined by rule, not by list, so models other issues add (corrections, reply queues)
    are covered the next time roles are set up (after every migrate).
    """
    tracker = Permission.objects.filter(content_type__app_label="tracker")
    return tracker.filter(
        Q(codename__startswith="view_")
        | (
            (Q(codename__startswith="add_") | Q(codename__startswith="change_"))
            & ~Q(codename__contains="historical")
        )
    )


def _chief_permissions():
    tracker = Permission.objects.filter(content_type__app_label="tracker").exclude(
        Q(codename__contains="historical") & ~Q(codename__startswith="view_")
    )
    users = Q()
    for app_label, codename in USER_MANAGEMENT:
        users |= Q(content_type__app_label=app_label, codename=codename)
    return tracker | Permission.objects.filter(users)


def roles_setup() -> dict[str, int]:
    """Create or update the two groups; return group name -> number of permissions."""
    with transaction.atomic():
        result = {}
        for name, permissions in (
            (EDITOR, _editor_permissions()),
            (CHIEF_EDITOR, _chief_permissions()),
        ):
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.set(permissions)
            result[name] = group.permissions.count()
    return result
