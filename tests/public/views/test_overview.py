import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests.factories import make_commitment
from tracker.core.models import Commitment


def test_counts_by_status_category_and_agency_with_links_into_the_list(client, sample):
    response = client.get(reverse("public:overview"))
    html = unquote(response.content.decode())
    assert response.context["total"] == 9
    assert dict((status.value, n) for status, n in response.context["statuses"]) == {
        "已延宕": 2, "無更新": 1, "追蹤中": 4, "已達成": 2,
    }  # fmt: skip
    agencies = {bar.label: bar.total for bar in response.context["agency_chart"].bars}
    assert agencies["衛生福利部"] == 2  # 衛福部 and 衛生福利部 are one agency
    assert "衛福部" not in agencies
    # Every segment is a link into the filtered list, with an accessible name.
    assert (
        '<a href="/commitments/?category=醫療衛生&status=無更新" aria-label="醫療衛生：無更新 1">'
        in html.replace("&amp;", "&")
    )


def test_charts_are_inline_svg_with_the_numbers_as_a_table(client, sample):
    html = client.get(reverse("public:overview")).content.decode()
    assert html.count("<svg") == 3
    assert html.count("<table") == 2
    assert "<script" not in html
    assert not re.search(r"\sstyle=", html)


def test_latest_entries_come_from_published_commitments_only(client, sample):
    make_commitment(title="草稿的紀錄", is_published=False)
    response = client.get(reverse("public:overview"))
    latest = response.context["latest"]
    assert latest[0].entry_date.isoformat() == "2026-03-02"
    assert "草稿的紀錄" not in response.content.decode()


def test_overview_runs_a_bounded_number_of_queries(client, db, django_assert_max_num_queries):
    for number in range(30):
        make_commitment(category=f"類別{number % 7}", responsible_agency=f"機關{number}")
    # The data version, the counts (one query for every chart) and the latest entries (2).
    with django_assert_max_num_queries(4):
        assert client.get(reverse("public:overview")).status_code == 200


def test_the_counts_are_read_once_per_data_version(
    client, sample, django_assert_num_queries, django_assert_max_num_queries
):
    from django.core.cache import caches

    client.get(reverse("public:overview"))
    caches["pages"].clear()
    with django_assert_max_num_queries(3):  # the version and the latest entries: no counting
        html = client.get(reverse("public:overview")).content.decode()
    make_commitment(title="新的承諾", category="新類別")
    assert "新類別" not in html
    assert "新類別" in client.get(reverse("public:overview")).content.decode()


def test_the_overview_counts_the_same_as_the_list(client, sample):
    make_commitment(title="逾期的承諾", target_date=dt.date(2020, 1, 1), status="追蹤中")
    make_commitment(title="未公開", is_published=False)
    context = client.get(reverse("public:overview")).context
    published = Commitment.objects.published()
    assert context["total"] == published.count()
    assert context["overdue"] == published.overdue().count() > 0
    assert dict(context["statuses"]) == {
        status: published.filter(status=status).count() for status, _count in context["statuses"]
    }


@pytest.mark.parametrize("page", ["/", "/recent/"])
def test_every_entry_link_lands_on_its_entry(client, sample, page):
    html = client.get(page).content.decode()
    links = set(re.findall(r'href="(/commitments/[^"#]+/)#(entry-[^"]+)"', html))
    assert links
    for path, anchor in links:
        assert f'id="{anchor}"' in client.get(path).content.decode()
    assert not any(anchor[len("entry-") :].isdigit() for _path, anchor in links)


def test_latest_entries_label_machine_written_summaries_and_say_what_changed(
    client, judged_timeline
):
    _commitment, label = judged_timeline
    html = client.get(reverse("public:overview")).content.decode()
    latest = html[html.index('id="latest"') :]
    for summary in ("疫苗摘要甲", "疫苗摘要乙", "疫苗摘要丙"):
        assert re.search(rf"［{label}］</span> {summary}", latest)
    # The change reads → 已達成; the run's next entry is further evidence, not a change.
    assert re.search(r'變更為</span> <span class="badge badge-achieved">已達成', latest)
    assert re.search(r'狀態維持 <span class="badge badge-achieved">已達成', latest)
    assert "badge-delayed" not in latest
