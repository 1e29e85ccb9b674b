"""Merging a duplicate: both timelines kept, the old address redirects, the id stays an alias."""

import dataclasses
import datetime as dt
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.helpers import database_snapshot
from tracker.core import format as fmt
from tracker.core.models import (
    Commitment,
    CommitmentAlias,
    ConflictKind,
    Correction,
    SyncConflict,
    TrackingLog,
)
from tracker.core.services.commitment_export import commitment_render, iter_rendered
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.commitment_merge import MergeRefused, commitment_merge

pytestmark = pytest.mark.django_db

KEPT_PATH = "國防外交/捍衛國家主權.md"
KEPT_UID = "0d78eb7d-7b0b-e027-1696-c2f7314f1bdb"
COPY_PATH = "國防外交/捍衛國家主權-重複.md"
COPY_UID = "0d78eb7d-7b0b-e027-1696-000000000002"


def entry(day: int, summary: str) -> fmt.LogEntryData:
    return fmt.LogEntryData(
        entry_date=dt.date(2026, 1, day),
        kind=fmt.KIND_PROGRESS,
        shape=fmt.SHAPE_EVIDENCE,
        source_type="立法院答復",
        document_number=f"（行政院函　中華民國110年1月{day}日院臺字第{day}號）",
        document_url=f"https://example.org/{day}.doc",
        summary=summary,
        judgement="進度更新",
    )


def publish(folder, data: fmt.CommitmentData, path: str) -> None:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(fmt.render(data), encoding="utf-8")


@pytest.fixture
def upstream(tmp_path, fixtures_dir):
    """Upstream's snapshot with the founding commitment extracted twice."""
    target = tmp_path / "upstream"
    shutil.copytree(fixtures_dir, target)
    kept = fmt.parse((target / KEPT_PATH).read_text(encoding="utf-8"))
    copy = dataclasses.replace(
        kept,
        id=COPY_UID,
        log=[kept.log[0], entry(26, "重複的那一筆在 1 月 26 日看到的文件。")],
        last_updated=dt.date(2026, 1, 26),
    )
    publish(target, copy, COPY_PATH)
    assert commitments_import_paths(paths=[target]).ok
    return target


@pytest.fixture
def chief(db):
    return get_user_model().objects.create_user("chief", is_staff=True)


def pair():
    return Commitment.objects.get(uid=KEPT_UID), Commitment.objects.get(uid=COPY_UID)


def timeline(uid=KEPT_UID):
    return list(Commitment.objects.get(uid=uid).log_entries.order_by("position"))


def test_both_timelines_are_kept_in_date_order_and_marked(upstream, chief):
    kept, absorbed = pair()
    own = [row.pk for row in timeline()]
    moved = [row.pk for row in absorbed.log_entries.order_by("position")]

    commitment_merge(kept=kept, absorbed=absorbed, by=chief)

    rows = timeline()
    assert {row.pk for row in rows} == {*own, *moved}
    assert [row.pk for row in rows if row.pk in own] == own  # the kept order stays
    dates = [row.entry_date for row in rows]
    assert dates == sorted(dates)
    assert {row.merged_from for row in rows if row.pk in moved} == {COPY_UID}
    assert {row.merged_from for row in rows if row.pk in own} == {""}
    assert len({row.key for row in rows}) == len(rows)  # the two 初始建立 got distinct keys
    assert not Commitment.objects.filter(uid=COPY_UID).exists()
    alias = CommitmentAlias.objects.get(uid=COPY_UID)
    assert (alias.commitment.uid, alias.file_path, alias.merged_by) == (KEPT_UID, COPY_PATH, chief)
    assert alias.upstream_text == (upstream / COPY_PATH).read_text(encoding="utf-8")


def test_history_records_the_merge(upstream, chief):
    kept, absorbed = pair()
    moved_pk = absorbed.log_entries.order_by("position").last().pk
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)

    gone = Commitment.history.filter(uid=COPY_UID).order_by("history_date")
    assert gone.count() >= 2  # its import, then its deletion
    assert (gone.last().history_type, gone.last().history_change_reason) == (
        "-",
        f"併入 {KEPT_UID}",
    )
    assert gone.last().history_user == chief
    moved = TrackingLog.history.filter(id=moved_pk).order_by("history_date")
    assert moved.first().commitment_id == absorbed.pk
    assert moved.last().commitment_id == kept.pk
    assert moved.last().history_change_reason == f"併入 {KEPT_UID}"
    assert Commitment.objects.get(pk=kept.pk).history.first().history_user == chief


def test_the_absorbed_address_redirects_permanently(upstream, chief, client):
    kept, absorbed = pair()
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    response = client.get(reverse("public:commitment_detail", args=[COPY_UID]))
    assert response.status_code == 301
    assert response["Location"] == reverse("public:commitment_detail", args=[KEPT_UID])
    old_path = reverse("public:legacy", args=["國防外交", "捍衛國家主權-重複"])
    assert client.get(old_path)["Location"].endswith(KEPT_UID + "/")
    assert client.get(reverse("public:commitment_detail", args=["0" * 36])).status_code == 404
    feed = client.get(reverse("public:commitment_feed", args=[COPY_UID]))
    assert feed.status_code == 301
    assert feed["Location"] == reverse("public:commitment_feed", args=[KEPT_UID])
    assert client.get(reverse("public:commitment_feed", args=["0" * 36])).status_code == 404


def test_a_later_upstream_file_for_the_absorbed_id_merges_into_the_kept_record(upstream, chief):
    kept, absorbed = pair()
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    before = len(timeline())
    copy = fmt.parse((upstream / COPY_PATH).read_text(encoding="utf-8"))
    later = entry(29, "上游之後為重複的 id 寫了新紀錄。")
    newer = dataclasses.replace(
        copy, log=[*copy.log, later], last_updated=later.entry_date, status="已達成"
    )
    (upstream / COPY_PATH).unlink()
    publish(upstream, newer, "國防外交/改名的重複.md")

    report = commitments_import_paths(paths=[upstream])

    assert report.ok, report.failed
    assert report.created == 0
    assert not Commitment.objects.filter(uid=COPY_UID).exists()
    rows = timeline()
    assert len(rows) == before + 1
    assert (rows[-1].summary, rows[-1].merged_from) == (later.summary, COPY_UID)
    kept = Commitment.objects.get(uid=KEPT_UID)
    assert kept.status != "已達成"  # the merged id's fields are not taken
    assert kept.last_updated == later.entry_date
    assert CommitmentAlias.objects.get(uid=COPY_UID).file_path == "國防外交/改名的重複.md"
    again = commitments_import_paths(paths=[upstream])
    assert (again.created, len(timeline())) == (0, before + 1)


def test_the_kept_records_own_sync_leaves_the_merged_entries(upstream, chief):
    kept, absorbed = pair()
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    merged = {row.pk for row in timeline() if row.merged_from}
    data = fmt.parse((upstream / KEPT_PATH).read_text(encoding="utf-8"))
    later = entry(30, "保留的那一筆有新紀錄。")
    publish(
        upstream,
        dataclasses.replace(data, log=[*data.log, later], last_updated=later.entry_date),
        KEPT_PATH,
    )

    report = commitments_import_paths(paths=[upstream])

    assert report.ok and report.conflicts == 0
    rows = timeline()
    assert merged <= {row.pk for row in rows}
    assert rows[-1].summary == later.summary
    dates = [row.entry_date for row in rows]
    assert dates == sorted(dates)


def test_the_export_writes_one_file_holding_both_timelines(upstream, chief):
    kept, absorbed = pair()
    copy_summary = absorbed.log_entries.order_by("position").last().summary
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    files = dict(iter_rendered())
    assert COPY_PATH not in files
    text = commitment_render(commitment=Commitment.objects.with_timeline().get(uid=KEPT_UID))
    assert files[KEPT_PATH].decode() == text
    assert copy_summary in text
    assert text.count("[初始建立]") == 2
    assert fmt.render(fmt.parse(text)) == text


def test_corrections_move_to_the_kept_record(upstream, chief):
    kept, absorbed = pair()
    correction = Correction.objects.create(commitment=absorbed, message="標題有誤", client_key="k")
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    correction.refresh_from_db()
    assert correction.commitment_id == kept.pk


def test_merging_a_record_into_itself_is_refused(upstream, chief):
    kept, _absorbed = pair()
    with pytest.raises(MergeRefused, match="併入它自己"):
        commitment_merge(kept=kept, absorbed=Commitment.objects.get(pk=kept.pk), by=chief)


def test_merging_twice_is_refused_and_writes_nothing(upstream, chief):
    kept, absorbed = pair()
    stale_copy = Commitment.objects.get(pk=absorbed.pk)
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    before = database_snapshot()
    with pytest.raises(MergeRefused, match="已經併入"):
        commitment_merge(kept=Commitment.objects.get(pk=kept.pk), absorbed=stale_copy, by=chief)
    with pytest.raises(MergeRefused, match="已經併入"):
        commitment_merge(kept=stale_copy, absorbed=Commitment.objects.get(pk=kept.pk), by=chief)
    assert database_snapshot() == before


@pytest.mark.parametrize("changed", ["kept", "absorbed"])
def test_a_stale_view_is_refused_and_writes_nothing(upstream, chief, changed):
    kept, absorbed = pair()
    seen = {"kept": kept, "absorbed": absorbed}[changed]
    fresh = Commitment.objects.get(pk=seen.pk)
    fresh.title = "有人改了標題"
    fresh.save()
    before = database_snapshot()
    with pytest.raises(MergeRefused, match="被修改過"):
        commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    assert database_snapshot() == before
    assert not CommitmentAlias.objects.exists()


def test_open_sync_items_of_the_absorbed_record_are_refused(upstream, chief):
    kept, absorbed = pair()
    SyncConflict.objects.create(commitment=absorbed, kind=ConflictKind.FIELD, field_name="title")
    before = database_snapshot()
    with pytest.raises(MergeRefused, match="同步衝突"):
        commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    assert database_snapshot() == before


def test_merged_entries_say_where_they_came_from(upstream, chief, client):
    kept, absorbed = pair()
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    html = client.get(reverse("public:commitment_detail", args=[KEPT_UID])).content.decode()
    moved = sum(1 for row in timeline() if row.merged_from)
    assert html.count("原屬一筆重複的承諾，已合併至此") == moved == 2


def test_an_absorbed_record_without_a_kept_base_syncs_without_repeating_entries(upstream, chief):
    """A record from before the sync kept bases: its upstream entries are the alias's base."""
    kept, absorbed = pair()
    absorbed.upstream_base.delete()
    absorbed = Commitment.objects.get(pk=absorbed.pk)
    commitment_merge(kept=kept, absorbed=absorbed, by=chief)
    assert CommitmentAlias.objects.get(uid=COPY_UID).upstream_text
    before = len(timeline())

    report = commitments_import_paths(paths=[upstream])

    assert report.ok, report.failed
    assert (report.created, len(timeline())) == (0, before)
