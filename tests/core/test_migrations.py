"""Migrations that move data: a database made before the sync gets provenance and a base."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tracker.core import format as fmt
from tracker.core import search

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


def test_search_documents_are_keyed_by_owner_and_part_and_stay_searchable():
    apps = migrate([("tracker", "0020_list_updated_index")])
    Source = apps.get_model("tracker", "Source")
    Commitment = apps.get_model("tracker", "Commitment")
    SearchDocument = apps.get_model("tracker", "SearchDocument")
    sources = [
        Source.objects.create(
            document_id=f"{number}" * 36, term="10", session_period="05", ey_number="", url=""
        )
        for number in (1, 2)
    ]
    commitments = [
        Commitment.objects.create(
            uid=f"{letter}" * 36,
            title=f"承諾{letter}",
            category="測試",
            status="追蹤中",
            source=source,
            wording="原文",
            shows_reply=False,
            file_path=f"測試/{letter}.md",
            created_date=dt.date(2026, 1, 26),
            last_updated=dt.date(2026, 1, 28),
        )
        for letter, source in zip("ab", sources, strict=True)
    ]
    # Counter ids in an order that collides with the new keys on the way.
    documents = [
        (commitments[1].pk, None, search.TITLE, " 離 岸 風 電 "),
        (commitments[0].pk, None, search.TIMELINE, " 追 蹤 "),
        (None, sources[0].pk, search.REPLY, " 電 網 韌 性 "),
        (commitments[0].pk, None, search.TITLE, " 疫 苗 "),
        (None, sources[1].pk, search.REPLY, " 長 照 "),
        (commitments[1].pk, None, search.OWN, " 原 文 "),
    ]
    for number, (commitment_id, source_id, part, tokens) in enumerate(documents, start=1):
        SearchDocument.objects.create(
            id=number, commitment_id=commitment_id, source_id=source_id, part=part, tokens=tokens
        )

    migrate([("tracker", "0021_search_document_keys")])

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, commitment_id, source_id, part FROM tracker_searchdocument")
        rows = cursor.fetchall()
    assert sorted(row[0] for row in rows) == sorted(
        search.document_key(commitment_id or source_id, part)
        for commitment_id, source_id, part, _ in documents
    )
    for key, commitment_id, source_id, part in rows:
        assert key == search.document_key(commitment_id or source_id, part)
    # The index was built again over the new keys: each term finds its own commitment.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    found = {
        text: set(
            Commitment.objects.filter(search.matching(search.parse_query(text))).values_list(
                "uid", flat=True
            )
        )
        for text in ("疫苗", "離岸", "電網", "長照", "追蹤")
    }
    assert found == {
        "疫苗": {"a" * 36},
        "離岸": {"b" * 36},
        "電網": {"a" * 36},
        "長照": {"b" * 36},
        "追蹤": {"a" * 36},
    }
