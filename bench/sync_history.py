"""Replay upstream's daily history with editors at work, and time a daily sync.

    python bench/sync_history.py [--corpus ../shared/corpus]

Imports history/2026-01-27, makes editor changes through the services (progress entries on
commitments upstream changes later, a status change, a title fix), imports 01-28, 01-29,
01-30 and commitments/ in order, and prints: editor entries kept / made, upstream entries
taken in / expected, untouched commitments identical to upstream's newest files / total,
conflicts queued, moves; then the wall time of the daily import (commitments/ after 01-30,
most files unchanged) against a first import of the same folder into an empty database.
Production settings, SQLite in a temporary folder.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import PRODUCTION  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    arguments = parser.parse_args()
    corpus = Path(arguments.corpus).resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    os.environ.update(PRODUCTION)
    os.environ["SQLITE_PATH"] = str(work / "db.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tracker.core import format as fmt
    from tracker.core.models import Commitment, Origin, SyncConflict, TrackingLog
    from tracker.core.services.commitment_editing import commitment_update
    from tracker.core.services.commitment_export import commitment_render
    from tracker.core.services.commitment_import import commitments_import_paths
    from tracker.core.services.timeline import (
        Evidence,
        commitment_change_status,
        tracking_log_add,
    )

    call_command("migrate", verbosity=0)
    history = corpus / "history"
    days = [history / day for day in ("2026-01-28", "2026-01-29", "2026-01-30")]
    newest = corpus / "commitments"
    started = time.perf_counter()
    commitments_import_paths(paths=[history / "2026-01-27"])
    first_history = time.perf_counter() - started

    def files(folder):
        found = {}
        for path in sorted(folder.rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            found.setdefault(fmt.parse(text).id, text)
        return found

    start, final = files(history / "2026-01-27"), files(newest)
    growing = [uid for uid in start if uid in final and final[uid] != start[uid]]
    flipped = [
        uid for uid in growing if fmt.parse(final[uid]).status != fmt.parse(start[uid]).status
    ]
    editor = get_user_model().objects.create_user("bench-editor", is_staff=True)
    made = [
        tracking_log_add(
            commitment=Commitment.objects.get(uid=uid),
            evidence=Evidence(
                document_number=f"編輯部查證 {uid[:8]}",
                document_url="https://example.org/newsroom",
                summary="編輯部電話查證。",
                judgement="進度更新",
            ),
            entry_date=dt.date(2026, 1, 27),
            user=editor,
        ).pk
        for uid in growing[:50]
    ]
    for uid in flipped[:5]:
        current = Commitment.objects.get(uid=uid)
        ours = "無更新" if current.status != "無更新" else "追蹤中"
        commitment_change_status(
            commitment=current,
            to_status=ours,
            reason="編輯部查證",
            entry_date=dt.date(2026, 1, 27),
            user=editor,
        )
    titled = Commitment.objects.get(uid=growing[60])
    commitment_update(
        commitment=titled,
        base_version=titled.version,
        changes={"title": titled.title + "（編輯部修正）"},
        user=editor,
    )
    touched = {*flipped[:5], growing[60], *growing[:50]}
    moves = conflicts = 0
    for folder in days:
        report = commitments_import_paths(paths=[folder])
        moves += report.moved
        conflicts += report.conflicts
    started = time.perf_counter()
    daily = commitments_import_paths(paths=[newest])
    daily_seconds = time.perf_counter() - started
    moves += daily.moved
    conflicts += daily.conflicts

    kept = TrackingLog.objects.filter(pk__in=made, origin=Origin.NEWSROOM).count()
    expected = taken = identical = untouched = 0
    for commitment in Commitment.objects.with_timeline():
        text = (newest / commitment.file_path).read_text(encoding="utf-8")
        upstream = fmt.parse(text)
        keys = {row.key for row in commitment.log_entries.all() if row.is_upstream}
        expected += len(upstream.log)
        taken += len(keys & set(fmt.timeline_keys(upstream.log)))
        if commitment.uid not in touched:
            untouched += 1
            identical += commitment_render(commitment=commitment) == text
    print(f"editor entries kept / made: {kept} / {len(made)}")
    print(f"upstream entries taken in / expected: {taken} / {expected}")
    print(f"untouched commitments identical to upstream's newest file: {identical} / {untouched}")
    print(f"conflicts queued: {conflicts} (open now: {SyncConflict.objects.open().count()})")
    print(f"moves: {moves}")
    print(f"daily import of commitments/ after 01-30: {daily_seconds:.2f} s ({daily.summary()})")

    os.environ["SQLITE_PATH"] = str(work / "fresh.sqlite3")
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = str(work / "fresh.sqlite3")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    commitments_import_paths(paths=[newest])
    first = time.perf_counter() - started
    print(f"first import of the same folder into an empty database: {first:.2f} s")
    print(f"(first import of history/2026-01-27: {first_history:.2f} s)")


if __name__ == "__main__":
    main()
