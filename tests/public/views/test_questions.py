"""The newsroom's questions to agencies, in public: the line on the commitment, the overdue
page, the agency's answer rate, and the feed."""

import datetime as dt

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_commitment, make_question, make_source

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_an_overdue_question_says_how_late_it_is(client):
    commitment = make_commitment()
    make_question(commitment, agency="衛生福利部", sent_on=TODAY - dt.timedelta(days=55))
    html = client.get(reverse("public:commitment_detail", args=[commitment.uid])).content.decode()
    sent = (TODAY - dt.timedelta(days=55)).isoformat()
    agency = reverse("public:agency_detail", args=["衛生福利部"])
    assert f'已於 {sent} 詢問<a href="{agency}">衛生福利部</a>，已逾期 40 天未回覆' in html
    assert "來源：編輯部" in html


def test_an_answered_question_shows_the_answer_verbatim_and_links_its_entry(client):
    commitment = make_commitment()
    make_question(
        commitment,
        sent_on=TODAY - dt.timedelta(days=12),
        answered_on=TODAY,
        answer="<b>已完成</b>\n第二段",
    )
    html = client.get(reverse("public:commitment_detail", args=[commitment.uid])).content.decode()
    assert f"衛生福利部</a>已於 {TODAY.isoformat()} 回覆" in html
    assert "&lt;b&gt;已完成&lt;/b&gt;<br>第二段" in html
    assert 'href="https://example.org/answer.pdf"' in html
    assert 'href="#entry-' in html


def test_the_questions_page_lists_overdue_waiting_and_answered(client):
    late = make_commitment(title="逾期的")
    make_question(late, sent_on=TODAY - dt.timedelta(days=30))
    make_question(make_commitment(title="等待中的"), sent_on=TODAY - dt.timedelta(days=1))
    make_question(make_commitment(title="已回覆的"), answered_on=TODAY)
    make_question(make_commitment(title="草稿的", is_published=False), sent_on=TODAY)
    response = client.get(reverse("public:questions"))
    assert [q.commitment.title for q in response.context["overdue"]] == ["逾期的"]
    assert [q.commitment.title for q in response.context["waiting"]] == ["等待中的"]
    assert [q.commitment.title for q in response.context["answered"]] == ["已回覆的"]
    assert "草稿的" not in response.content.decode()


def test_the_agency_page_shows_answer_rate_and_median_days(client):
    commitment = make_commitment(responsible_agency="衛福部")
    make_question(
        commitment, agency="衛福部", sent_on=TODAY - dt.timedelta(days=9), answered_on=TODAY
    )
    make_question(commitment, agency="衛生福利部", sent_on=TODAY - dt.timedelta(days=40))
    make_question(
        commitment, agency="教育部", sent_on=TODAY - dt.timedelta(days=3), answered_on=TODAY
    )
    response = client.get(reverse("public:agency_detail", args=["衛生福利部"]))
    stats = response.context["stats"]
    assert (stats.asked, stats.answered, stats.overdue) == (2, 1, 1)
    assert stats.median_days_to_answer == 9
    assert "50%" in response.content.decode()


def test_the_feed_has_each_question_and_each_answer(client):
    commitment = make_commitment(title="疫苗採購")
    question = make_question(commitment, sent_on=TODAY - dt.timedelta(days=5), answered_on=TODAY)
    feed = feedparser.parse(client.get(reverse("public:questions_feed")).content)
    assert not feed.bozo
    ids = {entry.id for entry in feed.entries}
    assert any(i.endswith(f"question/{question.uid}/asked") for i in ids)
    assert any(i.endswith(f"question/{question.uid}/answered") for i in ids)
    answer = next(e for e in feed.entries if e.id.endswith("answered"))
    assert answer.summary.startswith("本部已完成採購。")


def test_question_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    for number in range(12):
        commitment = make_commitment()
        make_question(
            commitment,
            sent_on=TODAY - dt.timedelta(days=number * 3),
            answered_on=TODAY if number % 3 == 0 else None,
        )
    with django_assert_max_num_queries(4):
        assert client.get(reverse("public:questions")).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("public:questions_feed")).status_code == 200


def test_the_feed_is_well_formed_atom_in_both_languages(client):
    make_question(make_commitment(), sent_on=TODAY - dt.timedelta(days=5), answered_on=TODAY)
    for path in (reverse("public:questions_feed"), "/en" + reverse("public:questions_feed")):
        parsed = feedparser.parse(client.get(path).content)
        assert not parsed.bozo and parsed.version == "atom10", path
        assert parsed.feed.id.startswith("tag:") and parsed.feed.author_detail.name
        assert len(parsed.entries) == 2
        for entry in parsed.entries:
            assert entry.id.startswith("tag:") and entry.title and entry.updated
            assert entry.author_detail.name
            assert entry.summary_detail.type == "text/plain"


def test_the_sitemap_lists_the_new_pages(client):
    commitment = make_commitment(
        source=make_source(subject="行政院函送張委員育美就長照問題所提質詢之書面答復")
    )
    make_question(commitment)
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-agencies.xml" in index and "sitemap-legislators.xml" in index
    agencies = client.get("/sitemap-agencies.xml").content.decode()
    assert reverse("public:agency_detail", args=["衛生福利部"]) in agencies
    legislators = client.get("/sitemap-legislators.xml").content.decode()
    assert reverse("public:legislator_detail", args=["張育美"]) in legislators
    pages = client.get("/sitemap-pages.xml").content.decode()
    assert reverse("public:questions") in pages


def test_the_methodology_page_gives_each_channels_deadline(client, settings):
    settings.TRACKER_QUESTION_DEADLINE_DAYS = {
        "letter": 30,
        "foi": 15,
        "email": 9,
        "press": 7,
        "other": 14,
    }
    html = client.get(reverse("public:methodology")).content.decode()
    assert "政府資訊公開申請：15 日" in html
    assert "e-mail：9 日" in html
    assert "政府資訊公開法第12條" in html
