import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_commitment, make_log
from tracker.core.entries import entry_facts_by_pk
from tracker.core.models import (
    Commitment,
    Correction,
    CorrectionStatus,
    Origin,
    Source,
    TrackingLog,
)
from tracker.core.services.commitment_editing import commitment_update
from tracker.core.services.commitment_export import commitments_export
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.corrections import correction_decide
from tracker.core.services.timeline import Evidence, commitment_change_status, tracking_log_add
from tracker.core.services.tracking_log_editing import tracking_log_update
from tracker.public.identity import entry_uri

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return root.findall(f"{ATOM}entry")


def test_site_feed_lists_new_timeline_entries_newest_first(client, sample):
    response = client.get(reverse("public:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    found = entries(response)
    assert found[0].find(f"{ATOM}updated") is not None
    assert "#entry-" in found[0].find(f"{ATOM}link").get("href")
    assert len(found) == 22  # every entry of the nine sample files


def test_category_and_commitment_feeds(client, sample):
    category = client.get(reverse("public:category_feed", args=["醫療衛生"]))
    assert len(entries(category)) == 5
    one = client.get(
        reverse("public:commitment_feed", args=["7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503"])
    )
    assert len(entries(one)) == 2
    assert client.get(reverse("public:category_feed", args=["沒有"])).status_code == 404


def test_feeds_leave_out_drafts_and_escape_text(client, db):
    make_commitment(title="草稿", is_published=False)
    make_commitment(title="<b>公開</b>")
    content = client.get(reverse("public:feed")).content.decode()
    assert "草稿" not in content
    assert "&lt;b&gt;公開&lt;/b&gt;" in content


def feed_paths(commitment=None):
    """One address of every feed kind, in both languages."""
    uid = commitment.uid if commitment else "7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503"
    paths = [
        reverse("public:feed"),
        reverse("public:category_feed", args=["醫療衛生"]),
        reverse("public:agency_feed", args=["衛生福利部"]),
        reverse("public:commitment_feed", args=[uid]),
    ]
    return paths + ["/en" + path for path in paths]


def parse(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, path
    return feedparser.parse(response.content)


def test_every_feed_kind_is_well_formed_atom_with_the_required_elements(client, sample):
    for path in feed_paths():
        parsed = parse(client, path)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        feed = parsed.feed
        assert feed.id.startswith("tag:")
        assert feed.title and feed.updated
        assert feed.author_detail.name  # RFC 4287 §4.1.1: the feed names its author
        assert parsed.entries, path
        for entry in parsed.entries:
            assert entry.id.startswith("tag:") and entry.title and entry.updated
            assert entry.author_detail.name
            assert any(link.rel == "alternate" for link in entry.links)
            assert entry.summary_detail.type == "text/plain"


def test_summaries_are_text_so_markup_in_the_data_stays_text(client, db):
    commitment = make_commitment()
    make_log(commitment, text="<b>粗體</b> &amp; <script>", position=1)
    response = client.get(reverse("public:commitment_feed", args=[commitment.uid]))
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    summaries = [entry.find(f"{ATOM}summary") for entry in root.findall(f"{ATOM}entry")]
    assert {summary.get("type") for summary in summaries} == {"text"}
    assert "<b>粗體</b> &amp; <script>" in [summary.text for summary in summaries]
    parsed = parse(client, reverse("public:commitment_feed", args=[commitment.uid]))
    assert "<b>粗體</b> &amp; <script>" in [entry.summary for entry in parsed.entries]


def test_entries_name_who_wrote_them(client, db, admin_user):
    commitment = make_commitment()
    commitment.log_entries.update(origin=Origin.UPSTREAM)
    tracking_log_add(
        commitment=commitment,
        entry_date=dt.date(2026, 2, 1),
        evidence=Evidence("院臺第1號", "", "編輯加的進度", ""),
        user=admin_user,
    )
    parsed = parse(client, reverse("public:commitment_feed", args=[commitment.uid]))
    authors = {entry.summary: entry.author_detail.name for entry in parsed.entries}
    assert authors["編輯加的進度"] == settings.TRACKER_PUBLISHER
    assert authors["從第10屆第05會期答復文件中萃取此承諾。"] == "上游資料"


def test_ids_do_not_change_with_the_host_or_scheme(client, sample, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.net"]
    plain = parse(client, reverse("public:feed"))
    other = parse(client, reverse("public:feed"), HTTP_HOST="mirror.example.net", secure=True)
    assert plain.feed.id == other.feed.id
    assert [entry.id for entry in plain.entries] == [entry.id for entry in other.entries]
    assert plain.entries[0].link.startswith("http://testserver/")
    assert other.entries[0].link.startswith("https://mirror.example.net/")


def all_entry_ids():
    entries = list(TrackingLog.objects.select_related("commitment"))
    facts = entry_facts_by_pk(entries)
    return {entry_uri(entry.commitment.uid, facts[entry.pk].key) for entry in entries}


def test_ids_and_dates_survive_export_and_import_into_a_fresh_database(client, sample, tmp_path):
    before_ids = all_entry_ids()
    before = {path: parse(client, path) for path in feed_paths()}
    commitments_export(directory=tmp_path / "export")
    Commitment.objects.all().delete()
    Source.objects.all().delete()
    report = commitments_import_paths(paths=[tmp_path / "export"])
    assert report.ok and report.created == 9
    assert all_entry_ids() == before_ids
    assert len(before_ids) == TrackingLog.objects.count()
    for path, old in before.items():
        new = parse(client, path)
        assert [entry.id for entry in new.entries] == [entry.id for entry in old.entries]
        assert [entry.updated for entry in new.entries] == [entry.updated for entry in old.entries]
        assert new.feed.updated == old.feed.updated
        assert new.feed.id == old.feed.id


def test_an_entry_link_lands_on_its_anchor(client, sample):
    parsed = parse(client, reverse("public:feed"))
    link = parsed.entries[0].link
    path, anchor = link.removeprefix("http://testserver").split("#")
    assert f'id="{anchor}"' in client.get(path).content.decode()


def test_an_evidence_status_change_says_the_new_status(client, db, admin_user):
    commitment = make_commitment()
    commitment_change_status(
        commitment=commitment,
        to_status="已達成",
        evidence=Evidence("院臺第2號", "", "已完成採購", "達成證據"),
        entry_date=dt.date(2026, 2, 2),
        user=admin_user,
    )
    parsed = parse(client, reverse("public:commitment_feed", args=[commitment.uid]))
    assert parsed.entries[0].summary == "新狀態：已達成；依據：已完成採購"
    english = parse(client, "/en" + reverse("public:commitment_feed", args=[commitment.uid]))
    assert english.entries[0].summary.startswith("New status: Achieved")


def test_english_titles_use_an_ascii_colon(client, sample):
    parsed = parse(client, "/en" + reverse("public:feed"))
    assert parsed.entries
    for entry in [parsed.feed, *parsed.entries]:
        assert "：" not in entry.title, entry.title
        assert ": " in entry.title


def test_edits_and_published_corrections_make_entries(client, db, admin_user):
    commitment = make_commitment(title="舊標題")
    commitment_update(
        commitment=commitment,
        base_version=commitment.version,
        changes={"title": "新標題"},
        user=admin_user,
    )
    correction = Correction.objects.create(
        commitment=commitment, message="日期有誤", client_key="k"
    )
    correction_decide(
        correction=correction,
        status=CorrectionStatus.ACCEPTED,
        public_note="日期已更正",
        user=admin_user,
    )
    parsed = parse(client, reverse("public:commitment_feed", args=[commitment.uid]))
    summaries = [entry.summary for entry in parsed.entries]
    assert "標題：舊標題 → 新標題" in summaries
    assert "日期已更正" in summaries
    titles = [entry.title for entry in parsed.entries]
    assert "新標題：資料修正" in titles and "新標題：更正" in titles
    assert len({entry.id for entry in parsed.entries}) == len(parsed.entries)
    site = parse(client, reverse("public:feed"))
    assert "日期已更正" in [entry.summary for entry in site.entries]


def test_a_progress_update_is_not_reported_as_an_edit(client, db, admin_user):
    commitment = make_commitment()
    tracking_log_add(
        commitment=commitment,
        entry_date=dt.date(2026, 2, 1),
        evidence=Evidence("院臺第1號", "", "進度", ""),
        user=admin_user,
    )
    parsed = parse(client, reverse("public:commitment_feed", args=[commitment.uid]))
    assert [entry.title for entry in parsed.entries].count(f"{commitment.title}：資料修正") == 0


def test_feeds_for_unknown_scopes_are_404(client, sample):
    assert client.get(reverse("public:agency_feed", args=["沒有這個機關"])).status_code == 404
    assert client.get(reverse("public:category_feed", args=["a/b"])).status_code == 404


def test_feeds_run_a_bounded_number_of_queries(client, db, django_assert_max_num_queries):
    for _ in range(30):
        make_log(make_commitment(), position=1, text="更多")
    with django_assert_max_num_queries(14):
        client.get(reverse("public:feed"))


def test_a_corrected_entry_keeps_its_id_and_the_correction_is_an_item(client, db, admin_user):
    commitment = make_commitment()
    entry = make_log(commitment, position=1, kind="進度更新", shape="evidence", summary="舊摘要")
    path = reverse("public:commitment_feed", args=[commitment.uid])
    before = {item.summary: item.id for item in parse(client, path).entries}
    tracking_log_update(
        entry=entry, base_version=entry.version, changes={"summary": "新摘要"}, user=admin_user
    )
    after = parse(client, path).entries
    ids = {item.summary: item.id for item in after}
    assert ids["新摘要"] == before["舊摘要"]
    edit = next(item for item in after if item.title.endswith("：追蹤紀錄修正"))
    assert edit.summary == "內容摘要：舊摘要 → 新摘要"
    assert edit.id not in before.values()


@pytest.mark.django_db
def test_no_entry_id_of_the_real_corpus_changes_after_export_and_import(
    corpus_commitments, tmp_path
):
    report = commitments_import_paths(paths=[corpus_commitments])
    assert report.created > 1000
    before = all_entry_ids()
    commitments_export(directory=tmp_path / "export")
    Commitment.objects.all().delete()
    Source.objects.all().delete()
    commitments_import_paths(paths=[tmp_path / "export"])
    assert all_entry_ids() == before


@pytest.mark.parametrize("spelling", ["衛福部", "衞福部", "衛生福利部"])
def test_an_agency_feed_under_any_spelling_follows_the_whole_group(client, sample, spelling):
    canonical = parse(client, reverse("public:agency_feed", args=["衛生福利部"]))
    parsed = parse(client, reverse("public:agency_feed", args=[spelling]))
    assert parsed.feed.id == canonical.feed.id
    assert parsed.feed.title == canonical.feed.title
    assert "衛生福利部" in parsed.feed.title
    assert [entry.id for entry in parsed.entries] == [entry.id for entry in canonical.entries]
    assert parsed.entries


def test_machine_written_text_in_a_feed_carries_its_label(client, judged_timeline):
    commitment, label = judged_timeline
    parsed = feedparser.parse(
        client.get(reverse("public:commitment_feed", args=[commitment.uid])).content
    )
    summaries = {entry.summary for entry in parsed.entries}
    automated = label != "編輯判斷"
    suffix = f"（{label}）" if automated else ""
    assert "疫苗摘要甲" + suffix in summaries
    assert "新狀態：已達成；依據：疫苗摘要乙" + suffix in summaries
    assert "狀態維持：已達成；再一份依據：疫苗摘要丙" + suffix in summaries
