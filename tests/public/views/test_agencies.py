"""The agencies' index and pages: aliases grouped at one address, counts, overdue, feed."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.factories import make_commitment, make_log
from tracker.core import format as fmt
from tracker.public.views import agencies

pytestmark = pytest.mark.django_db


def test_the_index_merges_aliases_and_links_each_agency(client):
    make_commitment(responsible_agency="衛福部")
    make_commitment(responsible_agency="衛生福利部", status=fmt.STATUS_ACHIEVED)
    make_commitment(responsible_agency="衛生福利部、教育部")
    make_commitment(responsible_agency="內政部", is_published=False)
    response = client.get(reverse("public:agency_list"))
    rows = {row["name"]: row["total"] for row in response.context["rows"]}
    assert rows == {"衛生福利部": 3, "教育部": 1}
    assert reverse("public:agency_detail", args=["衛生福利部"]) in response.content.decode()


def test_an_alias_redirects_to_the_canonical_address(client):
    make_commitment(responsible_agency="衛福部")
    response = client.get(reverse("public:agency_detail", args=["衛福部"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("public:agency_detail", args=["衛生福利部"])


def test_the_page_counts_statuses_lists_overdue_and_recent_entries(client):
    late = make_commitment(
        title="逾期的承諾", responsible_agency="衛福部", target_date_text="2020-01-01"
    )
    make_log(
        late, entry_date=dt.date(2026, 2, 1), kind="進度更新", shape="evidence", summary="新進度"
    )
    make_commitment(
        title="已達成的承諾",
        responsible_agency="衛生福利部",
        status=fmt.STATUS_ACHIEVED,
        target_date_text="2020-01-01",
    )
    make_commitment(title="別的機關", responsible_agency="教育部", target_date_text="2020-01-01")
    make_commitment(
        title="兩個機關", responsible_agency="衛福部 、內政部", status=fmt.STATUS_ACHIEVED
    )
    response = client.get(reverse("public:agency_detail", args=["衛生福利部"]))
    assert response.status_code == 200
    counts = dict(response.context["counts"])
    assert counts[fmt.STATUS_TRACKING] == 1
    assert counts[fmt.STATUS_ACHIEVED] == 2
    assert [c.title for c in response.context["overdue"]] == ["逾期的承諾"]
    assert response.context["recent"][0].summary == "新進度"
    assert response.context["aliases"] == ["衛福部"]
    html = response.content.decode()
    assert reverse("public:agency_feed", args=["衛生福利部"]) in html
    assert "別的機關" not in html


def test_the_page_lists_the_longest_overdue_and_links_the_list_for_the_rest(client):
    shown = agencies.OVERDUE_SHOWN
    for number in range(shown + 3):
        make_commitment(
            title=f"逾期 {number:02d}",
            responsible_agency="衛福部" if number % 2 else "衛生福利部",
            target_date_text=f"2020-01-{number + 1:02d}",
        )
    make_commitment(title="未到期", responsible_agency="衛生福利部", target_date_text="2099-01-01")
    response = client.get(reverse("public:agency_detail", args=["衛生福利部"]))
    assert [c.title for c in response.context["overdue"]] == [
        f"逾期 {number:02d}" for number in range(shown)
    ]
    html = response.content.decode()
    assert f"已過目標日期而未達成（{shown + 3}）" in html
    link = re.search(
        r'href="([^"]*overdue=on[^"]*)">以上是最早到期的 (\d+) 項；全部 (\d+) 項',
        html,
    )
    assert link is not None and link.group(2, 3) == (str(shown), str(shown + 3))
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert listed.context["page"].paginator.count == shown + 3
    titles = [row.title for row in listed.context["rows"]]
    assert titles == [f"逾期 {number:02d}" for number in range(min(shown + 3, len(titles)))]


def test_a_short_overdue_list_is_whole_without_a_link(client):
    for _ in range(3):
        make_commitment(responsible_agency="教育部", target_date_text="2020-01-01")
    html = client.get(reverse("public:agency_detail", args=["教育部"])).content.decode()
    assert "已過目標日期而未達成（3）" in html
    assert "overdue=on" not in html


def test_an_agency_without_published_commitments_is_not_found(client):
    make_commitment(responsible_agency="內政部", is_published=False)
    assert client.get(reverse("public:agency_detail", args=["內政部"])).status_code == 404
    assert client.get(reverse("public:agency_detail", args=["沒有這個"])).status_code == 404


def test_agency_names_are_escaped(client):
    make_commitment(responsible_agency="<b>署</b>")
    html = client.get(reverse("public:agency_detail", args=["<b>署</b>"])).content.decode()
    assert "<b>署</b>" not in html
    assert "&lt;b&gt;署&lt;/b&gt;" in html


def test_every_place_showing_an_agency_links_its_page(client):
    commitment = make_commitment(responsible_agency="衛福部、教育部")
    link = reverse("public:agency_detail", args=["衛生福利部"])
    pages = [
        reverse("public:commitment_list"),
        reverse("public:commitment_detail", args=[commitment.uid]),
        reverse("public:source_detail", args=[commitment.source.document_id]),
    ]
    for page in pages:
        html = client.get(page).content.decode()
        assert f'<a href="{link}">衛福部</a>' in html, page
        assert reverse("public:agency_detail", args=["教育部"]) in html, page
    overview = client.get(reverse("public:overview")).content.decode()
    assert f'href="{reverse("public:agency_list")}"' in overview


def test_agency_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    for number in range(30):
        commitment = make_commitment(
            responsible_agency="衛福部" if number % 2 else "衛生福利部",
            target_date_text="2020-01-01",
        )
        make_log(commitment, entry_date=dt.date(2026, 2, 1), text="更新")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("public:agency_detail", args=["衛生福利部"])).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("public:agency_list")).status_code == 200


@pytest.mark.parametrize(
    ("values", "label"),
    [
        ({"judgement": "進度更新", "summary": "機器寫的摘要"}, "自動判斷"),
        ({"judgement": "", "summary": "上游的摘要", "origin": "upstream"}, "上游 AI 管線"),
        ({"judgement": "", "summary": "編輯寫的摘要", "origin": "newsroom"}, "編輯部"),
    ],
)
def test_recent_entries_say_who_wrote_them_and_what_they_did(client, values, label):
    commitment = make_commitment(responsible_agency="衛福部")
    make_log(
        commitment,
        kind="狀態變更",
        shape="evidence",
        entry_date=dt.date(2026, 2, 1),
        document_number="（行政院函　中華民國110年12月30日院臺專字第1號）",
        **values,
    )
    html = client.get(reverse("public:agency_detail", args=["衛生福利部"])).content.decode()
    summary = html[html.index('<p class="latest-summary">') :]
    summary = summary[: summary.index("</p>")]
    assert label in summary
    assert values["summary"] in summary
    assert "已達成" in html  # an evidence status change says what it changed the status to
    english = client.get("/en" + reverse("public:agency_detail", args=["衛生福利部"]))
    text = english.content.decode()
    body = text[text.index("<main") : text.index("</main>")]
    for mark in ("：", "None"):
        assert mark not in body.replace(commitment.title, "").replace(values["summary"], "")
