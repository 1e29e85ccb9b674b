"""The sync over upstream's real daily history: every editor change survives every import."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import CORPUS
from tracker.core import format as fmt
from tracker.core.models import Commitment, Origin, SyncConflict
from tracker.core.services.commitment_editing import commitment_update
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.timeline import Evidence, commitment_change_status, tracking_log_add

pytestmark = [pytest.mark.corpus, pytest.mark.django_db]

DAYS = ["2026-01-28", "2026-01-29", "2026-01-30"]


def snapshots():
    history = CORPUS / "history"
    first = history / "2026-01-27"
    if not first.is_dir() or not (CORPUS / "commitments").is_dir():
        pytest.skip(f"upstream's daily history is not at {history} (set CORPUS_DIR)")
    return first, [history / day for day in DAYS] + [CORPUS / "commitments"]


def newest_files(folder) -> dict[str, tuple[str, str]]:
    """Return id -> (path, text) for the files of a snapshot (first path of a duplicate id)."""
    files = {}
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        files.setdefault(fmt.parse(text).id, (path.relative_to(folder).as_posix(), text))
    return files


def test_editors_work_survives_upstreams_daily_history():
    first, later = snapshots()
    editor = get_user_model().objects.create_user("chen", password="x", is_staff=True)
    assert commitments_import_paths(paths=[first]).ok
    start = newest_files(first)
    final = newest_files(later[-1])
    growing = [uid for uid in start if uid in final and final[uid][1] != start[uid][1]]
    flipped = [
        uid for uid in growing if fmt.parse(final[uid][1]).status != fmt.parse(start[uid][1]).status
    ]
    assert len(growing) > 100 and flipped

    made = []
    for uid in growing[:20]:
        made.append(
            tracking_log_add(
                commitment=Commitment.objects.get(uid=uid),
                evidence=Evidence(
                    document_number=f"編輯部查證 {uid[:8]}",
                    document_url="https://example.org/newsroom",
                    summary="編輯部電話查證，機關表示仍在辦理。",
                    judgement="進度更新",
                ),
                entry_date=dt.date(2026, 1, 27),
                user=editor,
            )
        )
    status_uid = flipped[0]
    ours = "無更新" if fmt.parse(start[status_uid][1]).status != "無更新" else "追蹤中"
    commitment_change_status(
        commitment=Commitment.objects.get(uid=status_uid),
        to_status=ours,
        reason="編輯部查證：進度落後",
        entry_date=dt.date(2026, 1, 27),
        user=editor,
    )
    title_uid = growing[25]
    title_fixed = Commitment.objects.get(uid=title_uid)
    commitment_update(
        commitment=title_fixed,
        base_version=title_fixed.version,
        changes={"title": title_fixed.title + "（編輯部修正）"},
        user=editor,
    )
    touched = {*(entry.commitment.uid for entry in made), status_uid, title_uid}

    reports = [commitments_import_paths(paths=[folder]) for folder in later]
    assert all(report.ok for report in reports)
    # Imported twice in the wrong order: the older snapshot changes nothing.
    again = commitments_import_paths(paths=[later[0]])
    assert again.created == again.updated == again.merged == 0

    for entry in made:
        entry.refresh_from_db()
        assert entry.origin == Origin.NEWSROOM and entry.created_by == editor
    assert Commitment.objects.get(uid=status_uid).status == ours
    assert Commitment.objects.get(uid=title_uid).title.endswith("（編輯部修正）")
    assert SyncConflict.objects.filter(
        commitment__uid=status_uid,
        field_name="status",
        upstream_value=fmt.parse(final[status_uid][1]).status,
    ).exists()

    expected = taken = 0
    identical = untouched = 0
    for commitment in Commitment.objects.with_timeline():
        # Of a duplicate-id pair, the file the sync kept (the other is set aside for review).
        text = (later[-1] / commitment.file_path).read_text(encoding="utf-8")
        upstream = fmt.parse(text)
        assert upstream.id == commitment.uid
        keys = [row.key for row in commitment.log_entries.all() if row.is_upstream]
        expected += len(upstream.log)
        taken += len(set(keys) & set(fmt.timeline_keys(upstream.log)))
        if commitment.uid not in touched:
            untouched += 1
            identical += commitment_render(commitment=commitment) == text
    assert taken == expected
    assert identical == untouched
