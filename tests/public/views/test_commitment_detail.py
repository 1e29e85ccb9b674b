import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_citation, make_commitment, make_log, make_question, make_source
from tracker.core.models import Commitment, DuplicateCopy, EntryKind, EntryShape
from tracker.core.services.criteria import criterion_add

ROC = "7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e502"  # target 112-12-31, status changed by rule
VACCINE = "7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503"


def detail(client, uid):
    return client.get(reverse("public:commitment_detail", args=[uid]))


def test_shows_the_commitment_its_source_and_its_timeline(client, sample):
    response = detail(client, ROC)
    html = response.content.decode()
    assert response.status_code == 200
    assert "道路照明納入年度養護並優先改善事故熱點" in html
    assert "112-12-31（民國紀年，即 2023-12-31）" in html
    assert 'class="badge badge-delayed">已延宕' in html
    assert "展開答復全文" in html
    # The status change shows from → to and the reason.
    assert re.search(r'badge-tracking">追蹤中</span>\s*<span aria-hidden="true">→', html)
    assert "目標日期 112-12-31 已過" in html
    # Other commitments from the same reply are listed.
    siblings = {other.title for other in response.context["siblings"]}
    assert siblings == {
        "114年底前新增30條偏鄉需求反應式公車路線",
        "訂定大型活動噪音管制指引並通知地方政府",
    }


def test_timeline_entries_are_in_order_with_cited_documents_linked(client, sample):
    response = detail(client, VACCINE)
    entries = response.context["entries"]
    assert [entry.position for entry in entries] == sorted(entry.position for entry in entries)
    html = response.content.decode()
    assert (
        '<a href="https://example.org/ly/replies/113-11-0021.doc" rel="nofollow noopener">' in html
    )
    # The sample's judgements were made by software and nobody has reviewed them yet.
    assert "自動判斷，未經編輯審核" in html


def test_judgements_say_who_made_them_and_whether_an_editor_reviewed_them(
    client, db, django_user_model
):
    editor = django_user_model.objects.create_user("editor", password="x")
    commitment = make_commitment()
    evidence = {
        "kind": EntryKind.PROGRESS,
        "shape": EntryShape.EVIDENCE,
        "text": "",
        "source_type": "立法院答復",
        "document_number": "院臺字第1",
        "summary": "摘要",
    }
    make_log(commitment, judgement="軟體判斷甲", **evidence)
    make_log(
        commitment,
        judgement="軟體判斷乙",
        reviewed_by=editor,
        reviewed_at=timezone.now(),
        **evidence,
    )
    make_log(commitment, judgement="編輯判斷丙", created_by=editor, **evidence)
    html = detail(client, commitment.uid).content.decode()
    assert "自動判斷，未經編輯審核：軟體判斷甲" in html
    assert "自動判斷，經編輯審核：軟體判斷乙" in html
    assert "編輯判斷：編輯判斷丙" in html
    assert html.count("未經編輯審核") == 1


def test_unsafe_links_and_markup_in_untrusted_text_are_not_rendered(client, db):
    source = make_source(reply_text="<script>alert(1)</script>", url="javascript:alert(1)")
    commitment = make_commitment(source=source, wording="<b>粗體</b>")
    make_log(
        commitment,
        kind=EntryKind.PROGRESS,
        shape=EntryShape.EVIDENCE,
        document_number="第1號",
        document_url="javascript:alert(2)",
        summary="<img src=x onerror=alert(3)>",
        judgement="進度更新",
    )
    html = detail(client, commitment.uid).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>粗體</b>" not in html
    assert 'href="javascript:' not in html
    assert "<img src=x" not in html


def test_drafts_and_unknown_ids_are_not_found(client, db):
    draft = make_commitment(is_published=False)
    assert detail(client, draft.uid).status_code == 404
    assert detail(client, "x" * 36).status_code == 404


@pytest.mark.parametrize("suffix", ["", "/", ".md", ".html"])
def test_old_addresses_redirect_permanently_to_the_commitment(client, sample, suffix):
    response = client.get(f"/國防外交/捍衛國家主權{suffix}")
    assert response.status_code == 301
    assert response["Location"] == "/commitments/0d78eb7d-7b0b-e027-1696-c2f7314f1bdb/"


def test_the_old_address_of_a_set_aside_duplicate_redirects_to_the_kept_copy(client, sample):
    kept = Commitment.objects.get(uid=VACCINE)
    DuplicateCopy.objects.create(
        commitment=kept, file_path="其他/疫苗.md", reason="r", last_updated=kept.last_updated,
        log_count=1, file_text="x",
    )  # fmt: skip
    response = client.get("/其他/疫苗")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/commitments/{VACCINE}/")


def test_unknown_old_addresses_are_not_found(client, sample):
    assert client.get("/國防外交/沒有這個").status_code == 404


def test_english_version_of_the_page(client, sample):
    response = client.get(f"/en/commitments/{VACCINE}/")
    assert response.status_code == 200
    assert response.content.decode().startswith('<!DOCTYPE html>\n\n<html lang="en">')


def test_detail_runs_a_bounded_number_of_queries(client, db, django_assert_max_num_queries):
    commitment = make_commitment()
    for _ in range(30):
        make_log(commitment, kind=EntryKind.PROGRESS, shape=EntryShape.EVIDENCE, summary="s")
    for _ in range(10):
        make_commitment(source=commitment.source)
    for _ in range(5):
        make_question(commitment, answered_on=timezone.localdate())
        criterion_add(commitment=commitment, milestone="budget")
    # The commitment, its timeline, siblings, corrections, the questions to agencies, the
    # completion criteria, the versions of the target date, and (the answers' document numbers
    # hold no date) the known replies at the entries' links.
    with django_assert_max_num_queries(9):
        assert detail(client, commitment.uid).status_code == 200


def test_a_detail_reads_only_the_parts_its_commitment_has(client, db, django_assert_num_queries):
    commitment = make_commitment()
    make_log(commitment, kind=EntryKind.PROGRESS)
    make_commitment(source=commitment.source)
    # The data version, the commitment (knowing it has no questions, criteria, corrections
    # or rewritten target date), its timeline and the other commitments of its reply.
    with django_assert_num_queries(4):
        assert detail(client, commitment.uid).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("show_names", [False, True])
def test_each_entry_says_whether_the_pipeline_or_the_newsroom_wrote_it(
    client, settings, show_names
):
    from django.contrib.auth import get_user_model

    from tracker.core.models import Origin
    from tracker.core.services.timeline import Evidence, tracking_log_add

    settings.TRACKER_SHOW_EDITOR_NAMES = show_names
    commitment = make_commitment()
    commitment.log_entries.update(origin=Origin.UPSTREAM)
    editor = get_user_model().objects.create_user(
        "reporter7", first_name="美玲", last_name="林", is_staff=True
    )
    tracking_log_add(
        commitment=commitment,
        evidence=Evidence(document_number="電訪", document_url="", summary="查證", judgement=""),
        user=editor,
    )
    html = detail(client, commitment.uid).content.decode()
    assert "來源：上游 AI 管線（自動擷取）" in html
    assert ("來源：編輯部（林美玲）" in html) is show_names
    assert "來源：編輯部" in html
    assert "reporter7" not in html


@pytest.fixture
def cited_twice_and_fulfilled(db):
    """A created entry, one document cited on three days, then a run of three evidence
    status changes (upstream's: 已達成)."""
    commitment = make_commitment(status="已達成", last_updated=dt.date(2026, 1, 30))
    for day in (27, 28, 29):
        make_citation(commitment, 1, dt.date(2026, 1, day))
    for number in (2, 3, 4):
        make_citation(commitment, number, dt.date(2026, 1, 30), EntryKind.STATUS_CHANGE, "達成證據")
    return commitment


def timeline_html(response) -> str:
    html = response.content.decode()
    return html[html.index('id="timeline"') : html.index('id="corrections"')]


def test_cited_entries_show_the_documents_date_and_the_logging_date(
    client, cited_twice_and_fulfilled
):
    html = timeline_html(detail(client, cited_twice_and_fulfilled.uid))
    assert re.search(r'文件日期 <time datetime="2021-12-02">2021-12-02</time>', html)
    assert re.search(r'記錄於 <time datetime="2026-01-27">2026-01-27</time>', html)


def test_the_timeline_reads_newest_first_and_a_link_switches(client, cited_twice_and_fulfilled):
    uid = cited_twice_and_fulfilled.uid
    newest = timeline_html(detail(client, uid))
    assert newest.index("摘要 2") < newest.index("摘要 1 2026-01-27") < newest.index("萃取")
    assert 'href="?order=oldest#timeline"' in newest
    url = reverse("public:commitment_detail", args=[uid])
    oldest = timeline_html(client.get(url, {"order": "oldest"}))
    assert oldest.index("萃取") < oldest.index("摘要 1 2026-01-27") < oldest.index("摘要 2")
    assert 'href="?order=newest#timeline"' in oldest
    # Any other value reads newest first; the page cache keeps the orders apart.
    assert timeline_html(client.get(url, {"order": "x"})) == newest


def test_repeated_citations_of_one_document_are_one_event(client, cited_twice_and_fulfilled):
    html = timeline_html(detail(client, cited_twice_and_fulfilled.uid))
    assert html.count('class="entry ') == 3  # created, the cited document, the change
    assert "再次引用 2 次" in html
    assert re.search(r"再次引用 2 次：<time[^>]*>2026-01-28</time>、<time[^>]*>2026-01-29", html)
    # Nothing is lost: every entry's summary and anchor is on the page.
    for entry in cited_twice_and_fulfilled.log_entries.all():
        assert (entry.summary or entry.text) in html


def test_a_run_of_evidence_changes_reads_achieved_once_with_further_evidence(
    client, cited_twice_and_fulfilled
):
    html = timeline_html(detail(client, cited_twice_and_fulfilled.uid))
    assert html.count("entry-outcome-achieved") == 1
    assert "entry-outcome-delayed" not in html
    assert re.search(
        r'<span class="visually-hidden">變更為</span> <span class="badge badge-achieved">已達成',
        html,
    )
    assert "自動判斷，未經編輯審核" in html
    assert "另有 2 份文件作為進一步證據（狀態維持「已達成」）" in html


def test_long_timelines_fold_every_year_but_the_newest(client, db):
    commitment = make_commitment(created_date=dt.date(2024, 1, 2))
    for index in range(20):
        make_citation(
            commitment, index % 28 + 1 + 100 * index, dt.date(2024 + index // 8, 2, index % 8 + 1)
        )
    html = timeline_html(detail(client, commitment.uid))
    assert '<h3 class="timeline-year-heading">2026</h3>' in html
    assert re.search(r'<details class="timeline-year">\s*<summary>2025 年（8 筆紀錄）', html)
    assert re.search(r'<details class="timeline-year">\s*<summary>2024 年（9 筆紀錄）', html)


def test_a_long_timeline_with_repeats_runs_a_bounded_number_of_queries(
    client, db, django_assert_max_num_queries
):
    commitment = make_commitment()
    for index in range(40):
        kind = EntryKind.STATUS_CHANGE if index % 3 else EntryKind.PROGRESS
        make_citation(
            commitment, index % 7 + 1, dt.date(2026, 1, 26) + dt.timedelta(index // 5), kind
        )
    with django_assert_max_num_queries(8):
        assert detail(client, commitment.uid).status_code == 200


def test_an_evidence_change_shows_the_status_it_left(client, db):
    commitment = make_commitment(responsible_agency="衛福部")
    make_log(
        commitment,
        kind="狀態變更",
        shape="status_rule",
        from_status="追蹤中",
        to_status="已延宕",
        entry_date=dt.date(2026, 1, 27),
    )
    make_log(commitment, kind="狀態變更", shape="evidence", judgement="達成證據", summary="達成")
    html = client.get(reverse("public:commitment_detail", args=[commitment.uid])).content.decode()
    change = next(part for part in html.split('class="outcome ')[1:] if "已達成" in part[:600])
    assert "已延宕" in change[: change.index("已達成")]  # the badge of the status it left
