import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_commitment, make_log, make_source
from tests.public.views.test_downloads import body
from tracker.core.agencies import ALIAS_GROUPS
from tracker.core.models import Commitment, EntryKind
from tracker.core.services.search_index import search_index_rebuild
from tracker.public.views import commitments

URL = reverse("public:commitment_list")
VACCINE = "每年10月前完成流感疫苗採購確保供應"
LONG_TERM_CARE = "長照服務據點擴充至每一國中學區一處"


def titles(response):
    return [row.title for row in response.context["rows"]]


def test_lists_every_published_commitment_with_the_count(client, sample):
    make_commitment(title="草稿不公開", is_published=False)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 9
    assert "草稿不公開" not in titles(response)
    assert "共 9 項承諾" in response.content.decode()


@pytest.mark.parametrize("extra", [{}, {"status": "追蹤中"}, {"term": "11"}])
def test_an_agency_list_reads_the_agency_s_spellings_once(client, sample, extra):
    # Its count (from the tallies, or from the table with a term) and its rows both need
    # the agency fields that name the agency: one read of the tallies' fields, not two.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"agency": "衛福部", **extra})
    assert response.status_code == 200
    reads = [
        query["sql"]
        for query in captured
        if 'DISTINCT "tracker_commitmenttally"."responsible_agency"' in query["sql"]
    ]
    assert len(reads) == 1, reads
    assert set(titles(response)) <= {VACCINE, LONG_TERM_CARE}  # the sample's 衛福部 rows
    # Kept with the counts: asked again, not read at all.
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(URL, {"agency": "衛福部", **extra})
    assert not any("tracker_commitmenttally" in query["sql"] for query in captured)


@pytest.mark.parametrize("params", [{}, {"status": "已延宕"}, {"category": "醫療衛生"}])
def test_the_list_after_a_count_moved_reads_the_tallies_once(client, sample, params):
    # Its length, its menus' counts and the terms, sessions and years on them: one read.
    caches["aggregates"].clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    reads = [query["sql"] for query in captured if "tracker_commitmenttally" in query["sql"]]
    assert len(reads) == 1, reads


def test_agency_filter_groups_aliases(client, sample):
    response = client.get(URL, {"agency": "衛生福利部"})
    assert set(titles(response)) == {VACCINE, LONG_TERM_CARE}
    choices = dict(response.context["form"].fields["agency"].choices)
    assert "衛福部" not in choices
    assert choices["衛生福利部"] == "衛生福利部（2）"


def test_the_term_session_and_year_menus_hold_what_published_commitments_have(client, db):
    make_commitment(
        source=make_source(term="9", session_period="12"), target_date_text="2031-06-30"
    )
    make_commitment(
        source=make_source(term="11", session_period="02"), target_date_text="2026-12-31"
    )
    make_commitment(source=make_source(term="10", session_period="02"), target_date_text=None)
    # Unpublished: its term, session and year are on no menu.
    make_commitment(
        source=make_source(term="8", session_period="07"),
        target_date_text="2040-01-01",
        is_published=False,
    )
    fields = client.get(URL).context["form"].fields

    def menu(name):
        return [value for value, _label in fields[name].choices if value]

    assert menu("term") == ["9", "10", "11"]  # in number order, not as text
    assert menu("session") == ["02", "12"]
    assert menu("target_year") == ["2026", "2031", "none"]


def test_agency_filter_includes_fields_naming_several_agencies(client, db):
    make_commitment(title="共同辦理", responsible_agency="衛福部、教育部")
    make_commitment(title="只有教育部", responsible_agency="教育部")
    assert set(titles(client.get(URL, {"agency": "教育部"}))) == {"共同辦理", "只有教育部"}
    assert titles(client.get(URL, {"agency": "衛生福利部"})) == ["共同辦理"]


ROAD_LIGHTS = "道路照明納入年度養護並優先改善事故熱點"
OFFSHORE_WIND = "離岸風電區塊開發依期程推動"
TABLETS = "中小學生每生一台學習載具"
GRID = "推動強化電網韌性計畫分散電源並增加備援"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "已延宕"}, {ROAD_LIGHTS, OFFSHORE_WIND}),
        ({"status": ["已達成", "無更新"]}, {VACCINE, LONG_TERM_CARE, TABLETS}),
        ({"category": "醫療衛生"}, {VACCINE, LONG_TERM_CARE}),
        ({"term": "11", "session": "01"}, {TABLETS, GRID, OFFSHORE_WIND}),
        # 112-12-31 is an ROC date: 2023-12-31.
        ({"target_year": "2023"}, {ROAD_LIGHTS, TABLETS}),
    ],
)
def test_filters_narrow_the_list(client, sample, params, expected):
    assert set(titles(client.get(URL, params))) == expected


def test_overdue_means_target_passed_and_not_achieved(client, db):
    make_commitment(title="逾期", target_date_text="2020-01-01", status="追蹤中")
    make_commitment(title="逾期但已達成", target_date_text="2020-01-01", status="已達成")
    make_commitment(title="未到期", target_date_text="2999-01-01")
    make_commitment(title="無期限")
    assert titles(client.get(URL, {"overdue": "on"})) == ["逾期"]


def test_target_year_none_lists_commitments_without_an_understood_date(client, sample):
    found = set(titles(client.get(URL, {"target_year": "none"})))
    assert "離岸風電區塊開發依期程推動" in found  # YYYY-05-31
    assert VACCINE not in found


def test_search_finds_two_character_chinese_and_highlights_it(client, sample):
    response = client.get(URL, {"q": "疫苗"})
    found = titles(response)
    assert found[0] == VACCINE  # its own text matches: ranked before reply-only matches
    html = response.content.decode()
    assert "每年10月前完成流感<mark>疫苗</mark>採購確保供應" in html
    assert "符合「疫苗」" in html


def test_search_shows_where_a_reply_only_match_was_found(client, sample):
    response = client.get(URL, {"q": "學區"})
    html = response.content.decode()
    assert LONG_TERM_CARE in titles(response)
    assert "<mark>學區</mark>" in html


def test_search_terms_are_escaped(client, sample):
    response = client.get(URL, {"q": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_untrusted_titles_are_escaped(client, db):
    make_commitment(title="<img src=x onerror=alert(1)>疫苗")
    search_index_rebuild()
    html = client.get(URL, {"q": "疫苗"}).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;<mark>疫苗</mark>" in html


@pytest.mark.parametrize(
    ("sort", "first"),
    [("title", "A"), ("-updated", "C"), ("updated", "A"), ("target", "B"), ("-target", "C")],
)
def test_sorting(client, db, sort, first):
    make_commitment(title="A", last_updated=dt.date(2026, 1, 1))
    make_commitment(title="B", last_updated=dt.date(2026, 1, 2), target_date_text="2024-01-01")
    make_commitment(title="C", last_updated=dt.date(2026, 1, 3), target_date_text="2025-01-01")
    assert titles(client.get(URL, {"sort": sort}))[0] == first


def test_pages_keep_the_filters_in_their_links(client, db):
    for number in range(25):
        make_commitment(title=f"承諾{number:02d}", category="教育")
    response = client.get(URL, {"category": "教育", "sort": "title"})
    assert len(titles(response)) == 20
    after = response.context["page"].after
    assert (
        f'href="?category=%E6%95%99%E8%82%B2&amp;sort=title&amp;page=2&amp;after={after}"'
        in response.content.decode()
    )
    second = client.get(URL, {"category": "教育", "sort": "title", "page": 2, "after": after})
    assert titles(second) == [f"承諾{number:02d}" for number in range(20, 25)]
    # A numbered address without the row still works (counted from the start).
    numbered = client.get(URL, {"category": "教育", "sort": "title", "page": 2})
    assert titles(numbered) == titles(second)


def test_a_bad_filter_value_gets_a_message_naming_the_field(client, sample):
    response = client.get(URL, {"status": "完成了", "sort": "nonsense"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "狀態：" in html
    assert "排序：" in html
    assert response.context["rows"] == []


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ("abc", "正整數"),
        ("0", "正整數"),
        ("-1", "正整數"),
        ("1.5", "正整數"),
        ("999999", "最後一頁"),
    ],
)
@pytest.mark.parametrize("name", ["public:commitment_list", "public:recent"])
def test_a_bad_page_number_is_refused_with_the_reason(client, sample, name, page, problem):
    response = client.get(reverse(name), {"page": page})
    assert response.status_code == 400
    html = response.content.decode()
    assert "page：" in html
    assert problem in html
    assert 'name="robots" content="noindex' in html or name == "public:recent"
    assert 'rel="next"' not in html


def test_a_category_with_a_slash_lists_and_links_its_feed(client, db):
    make_commitment(category="能源/環境", title="減碳")
    response = client.get(URL, {"category": "能源/環境"})
    assert response.status_code == 200
    feed = reverse("public:category_feed", args=["能源/環境"])
    html = response.content.decode()
    title = "訂閱「能源/環境」類的更新（Atom）"
    assert f'type="application/atom+xml" title="{title}" href="{feed}">' in html
    assert client.get(feed).status_code == 200
    assert client.get(reverse("public:overview")).status_code == 200


def test_an_unknown_category_links_no_feed(client, sample):
    response = client.get(URL, {"category": "沒有這類"})
    assert response.status_code == 400
    assert "/feed/" not in response.content.decode().split("<footer")[0].split("</head>")[1]


def test_an_agency_list_links_the_agency_feed(client, sample):
    response = client.get(URL, {"agency": "衛生福利部"})
    feed = reverse("public:agency_feed", args=["衛生福利部"])
    assert feed in response.content.decode()
    assert client.get(feed).status_code == 200


def _many(count):
    for number in range(count):
        make_commitment(title=f"疫苗承諾{number}", responsible_agency="衛福部")
    search_index_rebuild()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "疫苗"},
        {"q": "臺北 衛福部 疫苗"},
        {"agency": "衛生福利部", "overdue": "on"},
        {"agency": "衛福部", "q": "台灣"},
    ],
)
def test_the_list_runs_a_bounded_number_of_queries(
    client, db, django_assert_max_num_queries, params
):
    _many(3)
    with django_assert_max_num_queries(10):
        client.get(URL, params)
    _many(40)
    with django_assert_max_num_queries(10):
        assert client.get(URL, params).status_code == 200


def test_the_whole_list_takes_its_length_from_the_counts_kept_per_version(
    client, db, django_assert_max_num_queries
):
    _many(45)
    client.get(URL)  # counts the list and the menus once for this data version
    # The version and the page's ids and rows: no COUNT (the menus' counts are kept too).
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"page": "3", "sort": "title"})
    assert response.context["page"].paginator.count == 45
    assert len(response.context["rows"]) == 5


@pytest.fixture
def varied(sample):
    """The sample plus what a count read from the tallies could get wrong: a category and
    agencies filed under another name of their group, a field naming two agencies, an
    unpublished commitment, target dates on both sides of today and an achieved one."""
    today = timezone.localdate()
    make_commitment(
        category="健康衛生", responsible_agency="衞福部", target_date_text=today.isoformat()
    )
    make_commitment(
        responsible_agency="衛福部、教育部",
        target_date_text=(today - dt.timedelta(days=1)).isoformat(),
    )
    make_commitment(
        status="已達成",
        responsible_agency="衛福部",
        target_date_text=(today - dt.timedelta(days=9)).isoformat(),
    )
    make_commitment(responsible_agency="衛福部", is_published=False, target_date_text="2020-01-01")
    make_commitment(category="健康衛生", status="已延宕", target_date_text="110-05-31")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "追蹤中"},
        {"status": ["追蹤中", "已延宕"]},
        {"status": "已達成", "sort": "title"},
        {"category": "醫療衛生"},
        {"category": "健康衛生"},
        {"agency": "衛福部"},
        {"agency": "衞福部", "status": "追蹤中"},
        {"agency": "教育部"},
        {"overdue": "on"},
        {"overdue": "false"},
        {"overdue": "on", "agency": "衛生福利部"},
        {"category": "醫療衛生", "status": ["追蹤中", "已延宕"], "overdue": "on"},
        {"category": "醫療衛生", "term": "11"},
        {"agency": "衛福部", "q": "疫苗", "sort": "title"},
    ],
)
def test_a_length_read_from_the_counts_is_the_filtered_lists(client, varied, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.public.caching import page_cache
    from tracker.public.views.commitments import filtered_commitments

    client.get(URL)  # the counts, once for this data version
    page_cache.clear()  # the page itself is rendered again
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    expected = filtered_commitments(response.wsgi_request).qs.count()
    assert response.context["page"].paginator.count == expected
    if not {"q", "term"} & params.keys():
        # Read from the kept counts: the table is not counted again.
        assert not [query for query in captured if "COUNT(" in query["sql"].upper()]


def test_the_varied_lists_are_not_empty(client, varied):
    # So that the comparisons above compare something: each group and alias selects rows.
    for params in (
        {"category": "健康衛生"},
        {"agency": "衞福部", "status": "追蹤中"},
        {"agency": "教育部"},
        {"overdue": "on", "agency": "衛生福利部"},
        {"category": "醫療衛生", "status": ["追蹤中", "已延宕"], "overdue": "on"},
    ):
        assert client.get(URL, params).context["page"].paginator.count > 0, params


def test_the_sort_menu_shows_the_order_in_use(client, sample):
    plain = client.get(URL).content.decode()
    assert '<option value="-updated" selected>' in plain
    searched = client.get(URL, {"q": "疫苗"}).content.decode()
    assert '<option value="relevance" selected>' in searched


@pytest.mark.parametrize("spelling", ["衛福部", "衞福部", " 衛生福利部 ", "衛生福利部"])
def test_an_agency_alias_in_the_address_filters_by_its_group(client, sample, spelling):
    response = client.get(URL, {"agency": spelling})
    assert response.status_code == 200
    assert set(titles(response)) == {VACCINE, LONG_TERM_CARE}
    html = response.content.decode()
    assert '<option value="衛生福利部" selected>' in html  # the menu names the group
    assert reverse("public:agency_feed", args=["衛生福利部"]) in html
    english = client.get("/en" + URL, {"agency": spelling})
    assert english.status_code == 200
    assert set(titles(english)) == {VACCINE, LONG_TERM_CARE}


def test_every_alias_of_every_agency_group_filters_the_list_and_downloads(client, db):
    for number, canonical in enumerate(ALIAS_GROUPS):
        make_commitment(title=f"機關{number}", responsible_agency=canonical)
    for number, (canonical, aliases) in enumerate(ALIAS_GROUPS.items()):
        for spelling in (canonical, *aliases):
            response = client.get(URL, {"agency": spelling})
            assert response.status_code == 200, spelling
            assert f"機關{number}" in titles(response), spelling
    csv = client.get(reverse("public:commitments_csv"), {"agency": "疾管署"})
    assert csv.status_code == 200
    assert "衛生福利部疾病管制署" in body(csv).decode("utf-8-sig")
    json = client.get(reverse("public:commitments_json"), {"agency": "臺電"})
    assert json.status_code == 200
    assert "台灣電力公司" in body(json).decode()


@pytest.mark.parametrize("spelling", ["沒有這個機關", "國科會", "衛福", "<b>"])
def test_an_agency_nobody_here_is_refused_as_before(client, sample, spelling):
    # 國科會 is a known alias, but no published commitment names its agency.
    response = client.get(URL, {"agency": spelling})
    assert response.status_code == 400
    assert "負責機關：" in response.content.decode()
    assert response.context["rows"] == []
    assert client.get(reverse("public:commitments_csv"), {"agency": spelling}).status_code == 400


def test_search_ranks_titles_first_and_highlights_the_agency_it_matched(client, sample):
    response = client.get(URL, {"q": "衛福部"})
    html = response.content.decode()
    assert set(titles(response)) >= {VACCINE, LONG_TERM_CARE}
    assert "><mark>衛生福利部</mark></a></span>" in html
    found = titles(client.get(URL, {"q": "疫苗"}))
    with_title = [number for number, title in enumerate(found) if "疫苗" in title]
    assert with_title == list(range(len(with_title))) and with_title


def test_the_excerpt_comes_from_where_the_result_ranks_it(client, db):
    reply = make_commitment(
        title="甲", wording="無關", source=make_source(reply_text="前文。臺北站改建。後文。")
    )
    make_log(reply, kind=EntryKind.PROGRESS, text="台北站改建進度")
    search_index_rebuild()
    response = client.get(URL, {"q": "台北"})
    assert titles(response) == ["甲"]
    hit = response.context["rows"][0].hit
    assert str(hit.label) == "來源回覆"  # the reply ranks before the timeline
    assert "<mark>臺北</mark>站改建" in hit.excerpt


def test_timelines_are_read_only_for_results_matched_nowhere_else(client, db):
    worded = make_commitment(title="甲", wording="興建捷運站")
    replied = make_commitment(
        title="乙", wording="無關", source=make_source(reply_text="前文。捷運延伸。")
    )
    logged = [make_commitment(title=title, wording="無關") for title in ("丙", "丁")]
    for commitment in logged:
        make_log(commitment, kind=EntryKind.PROGRESS, text="捷運招標完成")
    for commitment in (worded, replied):
        make_log(commitment, kind=EntryKind.PROGRESS, text="捷運進度")
    search_index_rebuild()

    def timeline_reads(query: str):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": query})
        reads = [q["sql"] for q in captured if 'FROM "tracker_trackinglog"' in q["sql"]]
        return response, reads

    response, reads = timeline_reads("捷運")
    hits = {row.title: (str(row.hit.label), row.hit.excerpt) for row in response.context["rows"]}
    assert hits["甲"] == ("承諾原文", "興建<mark>捷運</mark>站")
    assert hits["乙"][0] == "來源回覆"
    for title in ("丙", "丁"):
        assert hits[title][0].startswith("追蹤紀錄 ")
        assert "<mark>捷運</mark>招標" in hits[title][1]
    # One read of the timelines, of the two results that needed it (not one read per row).
    assert len(reads) == 1, reads
    asked = re.search(r'"commitment_id" IN \(([^)]*)\)', reads[0])
    assert asked, reads[0]
    assert sorted(int(pk) for pk in asked.group(1).split(",")) == sorted(c.pk for c in logged)
    _response, reads = timeline_reads("興建")
    assert reads == []


def test_a_search_excerpt_from_a_summary_carries_its_label(client, judged_timeline):
    _commitment, label = judged_timeline
    search_index_rebuild()
    html = client.get(URL, {"q": "摘要"}).content.decode()
    assert f"［{label}］</span>：疫苗<mark>摘要</mark>丙" in html


def test_recent_labels_the_latest_summary_and_says_what_changed(client, judged_timeline):
    _commitment, label = judged_timeline
    html = client.get(reverse("public:recent")).content.decode()
    assert f"［{label}］</span> 疫苗摘要丙" in html
    assert '狀態維持 <span class="badge badge-achieved">已達成' in html


def test_recent_pages_list_commitments_by_their_newest_entry_then_last_update(
    client, db, django_assert_max_num_queries, monkeypatch
):
    # Ties on both dates, so the id decides; drafts and commitments without entries left out.
    for number in range(13):
        commitment = make_commitment(
            log=False,
            title=f"承諾 {number}",
            last_updated=dt.date(2026, 1, 1 + number % 3),
            is_published=number != 4,
        )
        for day in range(number % 4):
            make_log(commitment, position=day, entry_date=dt.date(2026, 2, 1 + day + number % 2))
    expected = list(
        Commitment.objects.published()
        .annotate(newest=Max("log_entries__entry_date"))
        .filter(newest__isnull=False)
        .order_by("-newest", "-last_updated", "pk")
        .values_list("title", "newest")
    )
    assert len(expected) == 9
    monkeypatch.setattr(commitments, "RECENT_PAGE_SIZE", 4)
    listed = []
    for page in (1, 2, 3):
        with django_assert_max_num_queries(6):
            response = client.get(reverse("public:recent"), {"page": page})
        assert response.context["page"].paginator.count == 9
        listed += [(row.title, day) for day, rows in response.context["groups"] for row in rows]
    assert listed == expected
    assert client.get(reverse("public:recent"), {"page": 4}).status_code == 400
