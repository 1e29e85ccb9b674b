"""The commitment list: columns, filters, Chinese search, and a bounded number of queries."""

import datetime as dt

import pytest

from tests.factories import make_commitment, make_log, make_source
from tracker.core.models import EntryKind, EntryShape, Status
from tracker.core.services.timeline import today

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/tracker/commitment/"


def titles(response) -> list[str]:
    return sorted(c.title for c in response.context["cl"].result_list)


def test_lists_status_category_agency_target_last_update_and_log_count(editor_client):
    commitment = make_commitment(
        title="改善偏鄉交通", category="交通建設", target_date_text="109-12-31"
    )
    make_log(commitment, kind=EntryKind.PROGRESS, text="進度")

    html = editor_client.get(CHANGELIST).content.decode()

    for text in ("改善偏鄉交通", "追蹤中", "交通建設", "衛生福利部", "109-12-31", "= 2020-12-31"):
        assert text in html
    assert '<td class="field-last_updated nowrap">2026-01-26</td>' in html
    assert '<td class="field-log_count">2</td>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=已延宕", ["延宕的"]),
        ("category__exact=交通建設", ["交通的"]),
        ("agency=衛生福利部", ["延宕的", "衛福部寫法"]),
        ("session=11-01", ["交通的"]),
        ("overdue=yes", ["延宕的"]),
        ("is_published__exact=0", ["草稿"]),
        ("target_format=non_iso", ["交通的", "草稿"]),
        ("target_format=unparsed", ["草稿"]),
        ("review=pending", ["衛福部寫法"]),
    ],
)
def test_filters(editor_client, query, expected):
    past = (today() - dt.timedelta(days=10)).isoformat()
    make_commitment(title="延宕的", status=Status.DELAYED, target_date_text=past)
    make_commitment(
        title="已達成的", status=Status.ACHIEVED, target_date_text=past, responsible_agency="教育部"
    )
    make_commitment(
        title="交通的",
        category="交通建設",
        responsible_agency="交通部",
        target_date_text="120-01-01",
        source=make_source(term="11", session_period="01"),
    )
    automated = make_commitment(title="衛福部寫法", responsible_agency="衛福部")
    make_log(automated, shape=EntryShape.EVIDENCE, summary="摘要", judgement="進度更新")
    make_commitment(
        title="草稿", is_published=False, target_date_text="YYYY-05-31", responsible_agency=None
    )

    response = editor_client.get(f"{CHANGELIST}?{query}")

    assert response.status_code == 200
    assert titles(response) == sorted(expected)


@pytest.fixture
def searchable(db):
    """Four commitments that mention 疫苗 in four different places, and one that doesn't."""
    make_commitment(title="疫苗採購", wording="採購。")
    make_commitment(title="原文提到", wording="確保流感疫苗充足。")
    make_commitment(
        title="答復提到",
        wording="確保供應。",
        source=make_source(reply_text="本部將持續推動疫苗接種。"),
    )
    in_log = make_commitment(
        title="紀錄提到", wording="確保供應。", source=make_source(reply_text="")
    )
    for summary in ("第一批疫苗到貨", "第二批疫苗到貨"):  # two matches, still one row
        make_log(in_log, kind=EntryKind.PROGRESS, shape=EntryShape.EVIDENCE, summary=summary)
    make_commitment(title="不相關", wording="興建道路。", source=make_source(reply_text="道路"))


def test_two_character_chinese_query_finds_every_place_it_occurs(editor_client, searchable):
    response = editor_client.get(CHANGELIST, {"q": "疫苗"})

    assert titles(response) == ["原文提到", "疫苗採購", "答復提到", "紀錄提到"]
    assert response.context["cl"].result_count == 4


def test_several_terms_must_all_match(editor_client, searchable):
    response = editor_client.get(CHANGELIST, {"q": "疫苗 到貨"})

    assert titles(response) == ["紀錄提到"]


def test_changelist_queries_do_not_grow_with_the_page(editor_client, django_assert_max_num_queries):
    for number in range(3):
        commitment = make_commitment(title=f"承諾{number}")
        make_log(commitment, shape=EntryShape.EVIDENCE, summary="疫苗", judgement="進度更新")
    with django_assert_max_num_queries(12) as few:
        editor_client.get(CHANGELIST, {"q": "疫苗"})
    for number in range(40):
        commitment = make_commitment(title=f"更多承諾{number}", category=f"類別{number % 7}")
        make_log(commitment, shape=EntryShape.EVIDENCE, summary="疫苗", judgement="進度更新")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = editor_client.get(CHANGELIST, {"q": "疫苗"})

    assert response.context["cl"].result_count == 43


def test_category_filter_merges_a_group(editor_client):
    make_commitment(title="文化一", category="文化政策")
    make_commitment(title="文化二", category="文化產業")
    make_commitment(title="教育一", category="教育")
    url = "/admin/tracker/commitment/"
    response = editor_client.get(url)
    choices = [
        choice["display"]
        for choice in response.context["cl"].filter_specs[1].choices(response.context["cl"])
    ]
    assert "文化政策" in choices and "文化產業" not in choices
    filtered = editor_client.get(url, {"category": "文化產業"})
    assert sorted(c.title for c in filtered.context["cl"].result_list) == ["文化一", "文化二"]
