"""Migrations that move data: a database made before the sync gets provenance and a base."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tracker.core import format as fmt

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tracker", "0005_admin_history_versions")]
AFTER = [("tracker", "0008_sync_entry_keys_unique")]


@pytest.fixture(autouse=True)
def back_to_the_latest():
    """Leave the test database fully migrated for the tests that come after."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_existing_entries_get_origin_and_key_and_each_commitment_a_base():
    apps = migrate(BEFORE)
    User = apps.get_model("auth", "User")
    Source = apps.get_model("tracker", "Source")
    Commitment = apps.get_model("tracker", "Commitment")
    TrackingLog = apps.get_model("tracker", "TrackingLog")
    editor = User.objects.create(username="old-editor")
    source = Source.objects.create(
        document_id="d" * 36, term="10", session_period="05", ey_number="院臺字第1號", url=""
    )
    commitment = Commitment.objects.create(
        uid="c" * 36,
        title="舊資料庫的承諾",
        category="測試",
        status="追蹤中",
        source=source,
        wording="原文",
        shows_reply=False,
        file_path="測試/舊.md",
        created_date=dt.date(2026, 1, 26),
        last_updated=dt.date(2026, 1, 28),
    )
    values = {"kind": "進度更新", "shape": "text", "commitment": commitment}
    TrackingLog.objects.create(position=0, entry_date=dt.date(2026, 1, 26), text="匯入的", **values)
    TrackingLog.objects.create(position=1, entry_date=dt.date(2026, 1, 26), text="匯入的", **values)
    TrackingLog.objects.create(
        position=2, entry_date=dt.date(2026, 1, 28), text="編輯寫的", created_by=editor, **values
    )

    apps = migrate(AFTER)
    TrackingLog = apps.get_model("tracker", "TrackingLog")
    UpstreamBase = apps.get_model("tracker", "UpstreamBase")
    rows = list(TrackingLog.objects.order_by("position"))
    assert [row.origin for row in rows] == ["upstream", "upstream", "newsroom"]
    entries = [
        fmt.LogEntryData(entry_date=row.entry_date, kind=row.kind, shape=row.shape, text=row.text)
        for row in rows
    ]
    assert [row.key for row in rows] == fmt.timeline_keys(entries)
    assert rows[1].key == f"{rows[0].key}-2"
    base = fmt.parse(UpstreamBase.objects.get().text)
    assert [entry.text for entry in base.log] == ["匯入的", "匯入的"]
    assert base.last_updated == dt.date(2026, 1, 26)  # the newsroom's entry is not upstream's


def test_set_aside_copies_keep_their_reason_as_a_code():
    apps = migrate([("tracker", "0009_correction_form_nonce")])
    Source = apps.get_model("tracker", "Source")
    Commitment = apps.get_model("tracker", "Commitment")
    DuplicateCopy = apps.get_model("tracker", "DuplicateCopy")
    source = Source.objects.create(
        document_id="e" * 36, term="10", session_period="05", ey_number="院臺字第2號", url=""
    )
    commitment = Commitment.objects.create(
        uid="f" * 36,
        title="有副本的承諾",
        category="測試",
        status="追蹤中",
        source=source,
        wording="原文",
        shows_reply=False,
        file_path="測試/保留.md",
        created_date=dt.date(2026, 1, 26),
        last_updated=dt.date(2026, 1, 28),
    )
    words = {
        "測試/新.md": "測試/保留.md kept: newer last_updated (2026-01-28 vs 2026-01-20)",
        "測試/短.md": "測試/保留.md kept: more log entries (4 vs 1)",
        "測試/同.md": "測試/保留.md kept: same last_updated and log count; kept the first by path",
    }
    for path, reason in words.items():
        DuplicateCopy.objects.create(
            commitment=commitment,
            file_path=path,
            reason=reason,
            last_updated=dt.date(2026, 1, 20),
            log_count=1,
            file_text="---\n",
        )

    apps = migrate([("tracker", "0012_duplicate_reason_codes")])

    codes = dict(
        apps.get_model("tracker", "DuplicateCopy").objects.values_list("file_path", "reason")
    )
    assert codes == {
        "測試/新.md": "newer",
        "測試/短.md": "more_entries",
        "測試/同.md": "first_by_path",
    }
