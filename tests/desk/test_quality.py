"""The data-quality page: duplicate ids, non-ISO target dates, agency aliases."""

import pytest
from django.urls import reverse

from tests.factories import make_commitment
from tracker.core import format as fmt
from tracker.core.models import Commitment, DuplicateCopy
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


def test_lists_delayed_commitments_whose_target_has_not_passed(editor_client):
    make_commitment(title="民國未到", target_date_text="116-10-31", status=fmt.STATUS_DELAYED)
    make_commitment(title="ISO未到", target_date_text="2999-01-01", status=fmt.STATUS_DELAYED)
    make_commitment(title="真的延宕", target_date_text="2020-01-01", status=fmt.STATUS_DELAYED)
    make_commitment(title="追蹤中", target_date_text="2999-01-01")

    response = editor_client.get(QUALITY)

    assert [c.title for c in response.context["delayed_early"]] == ["民國未到", "ISO未到"]
    assert "2027-10-31" in response.content.decode()
