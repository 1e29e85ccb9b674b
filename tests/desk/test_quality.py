"""The data-quality page: duplicate ids, non-ISO target dates, agency aliases."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_commitment, make_source
from tracker.core import format as fmt
from tracker.core.models import Commitment, CommitmentAlias, DuplicateCopy, DuplicateReason
from tracker.core.services.commitment_import import commitments_import_paths

pytestmark = pytest.mark.django_db
QUALITY = "/admin/tracker/commitment/quality/"


@pytest.fixture
def duplicate(tmp_path, fixtures_dir):
    """Import a fixture file twice under two paths, the second one older."""
    original = next(fixtures_dir.rglob("*.md"))
    data = fmt.parse(original.read_text("utf-8"))
    (tmp_path / "甲").mkdir()
    (tmp_path / "乙").mkdir()
    (tmp_path / "甲" / "新.md").write_text(original.read_text("utf-8"), "utf-8")
    older = original.read_text("utf-8").replace(
        f'last_updated: "{data.last_updated.isoformat()}"', 'last_updated: "2020-01-01"'
    )
    (tmp_path / "乙" / "舊.md").write_text(older, "utf-8")
    commitments_import_paths(paths=[tmp_path])
    return DuplicateCopy.objects.get()


def test_a_copys_reason_is_shown_in_the_editors_language(editor_client, duplicate):
    assert duplicate.reason == DuplicateReason.NEWER

    page = editor_client.get(QUALITY).content.decode()

    assert "保留的版本最後更新日期較新" in page and "kept:" not in page
    with translation.override("en"):
        assert duplicate.get_reason_display().startswith("The kept version was updated")


def test_lists_duplicate_copies_with_a_diff(editor_client, duplicate):
    page = editor_client.get(QUALITY)
    assert "乙/舊.md" in page.content.decode()

    detail = editor_client.get(
        reverse("admin:tracker_duplicatecopy_change", args=[duplicate.pk])
    ).content.decode()

    assert "-last_updated: &quot;2020-01-01&quot;" in detail
    assert "+last_updated:" in detail


def test_lists_non_iso_target_dates_with_their_meaning(editor_client):
    make_commitment(title="民國年", target_date_text="109-12-31")
    make_commitment(title="佔位", target_date_text="YYYY-05-31")
    make_commitment(title="正常", target_date_text="2024-01-01")

    response = editor_client.get(QUALITY)

    assert [c.title for c in response.context["non_iso"]] == ["民國年", "佔位"]
    html = response.content.decode()
    assert "2020-12-31" in html and "無法解讀" in html


def test_lists_agency_aliases_and_unifies_them(editor_client, editor):
    make_commitment(title="一", responsible_agency="衛福部")
    make_commitment(title="二", responsible_agency="衛生福利部")
    make_commitment(title="三", responsible_agency="衛生福利部")
    make_commitment(title="四", responsible_agency="教育部")

    response = editor_client.get(QUALITY)

    (group,) = response.context["alias_groups"]
    assert group["canonical"] == "衛生福利部"
    assert [(r["spelling"], r["count"]) for r in group["rows"]] == [
        ("衛生福利部", 2),
        ("衛福部", 1),
    ]
    listed = editor_client.get(group["rows"][1]["url"])
    assert [c.title for c in listed.context["cl"].result_list] == ["一"]

    editor_client.post(QUALITY, {"canonical": "衛生福利部", "spelling": "衛生福利部"})

    assert set(Commitment.objects.values_list("responsible_agency", flat=True)) == {
        "衛生福利部",
        "教育部",
    }
    assert Commitment.objects.get(title="一").history.first().history_user == editor


def test_unifying_to_a_spelling_outside_the_group_is_refused(editor_client):
    make_commitment(title="一", responsible_agency="衛福部")
    make_commitment(title="二", responsible_agency="衛生福利部")

    editor_client.post(QUALITY, {"canonical": "衛生福利部", "spelling": "教育部"})

    assert Commitment.objects.filter(responsible_agency="教育部").count() == 0


def test_lists_replies_whose_subject_names_no_legislator(editor_client):
    from tests.factories import make_source

    make_source(subject="行政院函送張委員育美就長照問題所提質詢之書面答復")
    unreadable = make_source(subject="行政院函送之書面答復（主旨缺漏）")
    html = editor_client.get(QUALITY).content.decode()
    assert "主旨讀不出質詢委員的答復（1）" in html
    assert unreadable.document_id in html
    assert "主旨缺漏" in html


def test_flags_achieved_commitments_with_an_unmet_criterion(editor_client):
    from tracker.core.services.criteria import criterion_add

    achieved = make_commitment(title="說達成了", status=fmt.STATUS_ACHIEVED)
    criterion_add(commitment=achieved, milestone="completed")
    criterion_add(commitment=make_commitment(title="還在追蹤"), milestone="completed")
    html = editor_client.get(QUALITY).content.decode()
    assert "已達成但仍有未達成的完成標準（1）" in html
    assert "說達成了" in html
    assert "還在追蹤" not in html


def test_lists_delayed_commitments_whose_target_has_not_passed(editor_client):
    make_commitment(title="民國未到", target_date_text="116-10-31", status=fmt.STATUS_DELAYED)
    make_commitment(title="ISO未到", target_date_text="2999-01-01", status=fmt.STATUS_DELAYED)
    make_commitment(title="真的延宕", target_date_text="2020-01-01", status=fmt.STATUS_DELAYED)
    make_commitment(title="追蹤中", target_date_text="2999-01-01")

    response = editor_client.get(QUALITY)

    assert [c.title for c in response.context["delayed_early"]] == ["民國未到", "ISO未到"]
    assert "2027-10-31" in response.content.decode()


@pytest.fixture
def twins(db):
    """Two likely duplicates from one reply, and one distinct commitment from it."""
    source = make_source()
    first = make_commitment(
        title="疫苗採購", wording="本部將於明年完成疫苗採購，確保供應充足。", source=source
    )
    second = make_commitment(
        title="確保疫苗供應",
        wording="本部將於明年完成疫苗採購，並確保供應充足。",
        source=source,
        last_updated=dt.date(2026, 1, 27),
    )
    make_commitment(title="長照據點", wording="長照據點將擴充至每一國中學區。", source=source)
    return first, second


def merge_form(first, second, kept, **changes):
    return {
        "merge": "合併",
        "first_pk": first.pk,
        "first_version": first.version,
        "second_pk": second.pk,
        "second_version": second.version,
        "kept": kept.pk,
        **changes,
    }


def test_lists_likely_duplicates_with_a_merge_form_for_chief_editors(
    chief_client, editor_client, twins
):
    first, second = twins
    response = chief_client.get(QUALITY)
    (pair,) = response.context["likely_duplicates"]
    assert {pair["first"].title, pair["second"].title} == {"疫苗採購", "確保疫苗供應"}
    assert pair["suggested"].title == "確保疫苗供應"  # newer
    html = response.content.decode()
    assert 'name="merge"' in html
    assert "原文相似度達 0.85" in html
    assert 'name="merge"' not in editor_client.get(QUALITY).content.decode()
    forbidden = editor_client.post(QUALITY, merge_form(first, second, kept=second))
    assert forbidden.status_code == 403
    assert Commitment.objects.filter(pk=first.pk).exists()


def test_a_chief_editor_merges_a_pair(chief_client, chief, twins):
    first, second = twins
    response = chief_client.post(QUALITY, merge_form(first, second, kept=second), follow=True)
    assert "已將「疫苗採購」" in response.content.decode()
    assert not Commitment.objects.filter(pk=first.pk).exists()
    alias = CommitmentAlias.objects.get(uid=first.uid)
    assert (alias.commitment_id, alias.merged_by) == (second.pk, chief)
    assert response.context["likely_duplicates"] == []
    change = chief_client.get(reverse("admin:tracker_commitment_change", args=[second.pk]))
    assert f"併入自重複的承諾 {first.uid}" in change.content.decode()


def test_a_merge_from_a_stale_page_is_refused(chief_client, twins):
    first, second = twins
    form = merge_form(first, second, kept=second)
    first.title = "有人改過"
    first.save()
    response = chief_client.post(QUALITY, form, follow=True)
    assert "合併未執行" in response.content.decode()
    assert "被修改過" in response.content.decode()
    assert Commitment.objects.filter(pk=first.pk).exists()
    again = chief_client.post(QUALITY, merge_form(first, second, kept=first), follow=True)
    assert not Commitment.objects.filter(pk=second.pk).exists()
    twice = chief_client.post(QUALITY, merge_form(first, second, kept=first), follow=True)
    assert "已不存在" in twice.content.decode()
    assert again.status_code == twice.status_code == 200


@pytest.mark.parametrize(
    "changes", [{"kept": ""}, {"kept": "999999"}, {"first_version": "x"}, {"second_pk": ""}]
)
def test_a_bad_merge_form_gets_a_message_not_an_error(chief_client, twins, changes):
    first, second = twins
    form = merge_form(first, second, kept=second) | changes
    response = chief_client.post(QUALITY, form, follow=True)
    assert response.status_code == 200
    assert "請選擇要保留哪一筆承諾" in response.content.decode()
    assert Commitment.objects.count() == 3


def test_lists_category_groups_and_ungrouped_lookalikes(editor_client):
    for category in ("文化", "文化政策", "文化政策", "農業", "教育政策", "教育"):
        make_commitment(category=category)
    response = editor_client.get(QUALITY)
    (group,) = response.context["category_groups"]
    assert group["canonical"] == "文化政策"
    assert [(row["name"], row["count"]) for row in group["rows"]] == [("文化", 1), ("文化政策", 2)]
    assert response.context["ungrouped_categories"] == [["教育", "教育政策"]]
    listed = editor_client.get(group["url"])
    assert len(listed.context["cl"].result_list) == 3


def test_the_page_runs_a_bounded_number_of_queries(
    chief_client, twins, django_assert_max_num_queries
):
    for number in range(30):
        make_commitment(title=f"承諾 {number}", category=["文化", "農業政策"][number % 2])
    chief_client.get(QUALITY)
    with django_assert_max_num_queries(15):
        response = chief_client.get(QUALITY)
    assert len(response.context["likely_duplicates"]) == 1
