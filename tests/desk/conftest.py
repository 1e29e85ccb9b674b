"""Users in the newsroom's roles, logged-in clients, and a small sample of commitments."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tests.factories import make_commitment, make_log, make_source
from tracker.core.models import EntryKind, EntryShape
from tracker.core.services.roles import CHIEF_EDITOR, EDITOR


def make_user(username: str, group: str | None, password: str | None = None, **values) -> User:
    # Without a password by default: hashing one costs a tenth of a second, and
    # Client.force_login needs none.
    user = User.objects.create_user(username=username, password=password, is_staff=True, **values)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db) -> User:
    return make_user("editor", EDITOR, first_name="小明", last_name="王")


@pytest.fixture
def second_editor(db) -> User:
    return make_user("editor2", EDITOR, first_name="美玲", last_name="林")


@pytest.fixture
def chief(db) -> User:
    return make_user("chief", CHIEF_EDITOR)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor) -> Client:
    return logged_in(editor)


@pytest.fixture
def chief_client(chief) -> Client:
    return logged_in(chief)


@pytest.fixture
def commitment(db):
    """A commitment with a created entry, an automated progress update and a status change."""
    source = make_source(
        subject="行政院函送委員質詢之書面答復。",
        reply_text="衛福部將擴大疫苗採購，確保供應。",
    )
    commitment = make_commitment(
        source=source,
        title="確保疫苗供應充足",
        wording="本部將確保流感疫苗供應充足。",
        target_date_text="2025-12-31",
        last_updated=dt.date(2026, 1, 27),
    )
    make_log(
        commitment,
        entry_date=dt.date(2026, 1, 27),
        kind=EntryKind.PROGRESS,
        shape=EntryShape.EVIDENCE,
        text="",
        source_type="立法院答復",
        document_number="（行政院函　中華民國113年1月2日院臺衛字第1130000001號）",
        document_url="https://example.org/doc/1.doc",
        summary="已完成第一批採購。",
        judgement="進度更新",
    )
    return commitment
