import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_commitment, make_log, make_question, make_source
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
    # completion criteria and the versions of the target date.
    with django_assert_max_num_queries(8):
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
