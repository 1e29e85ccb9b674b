import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_commitment, make_source
from tracker.core.models import (
    MAX_NAME_BYTES,
    Commitment,
    EntryKind,
    Status,
    file_path_problem,
)
from tracker.core.services.commitment_editing import (
    commitment_create,
    commitment_default_path,
    commitment_publish,
    commitment_update,
    commitments_change_status_bulk,
    commitments_set_agency,
)
from tracker.core.services.edit_conflicts import EditConflict

pytestmark = pytest.mark.django_db


def test_default_path_cannot_escape_the_folder():
    assert commitment_default_path(category="../國防", title="a/b\\c") == "-國防/a-b-c.md"
    assert commitment_default_path(category="", title="...") == "未命名/未命名.md"


@pytest.mark.parametrize(
    ("category", "title"),
    [
        ("國防外交", "長" * 85),
        ("國防外交", "強化國防自主與區域安全合作，" * 20),
        ("類" * 200, "短標題"),
        ("教育", "a" * 300),
        ("教育", "🇹🇼" * 100),
        ("教育", "混合 mixed 文字 " * 40),
    ],
)
def test_default_path_names_fit_the_file_system_and_stay_readable(category, title):
    path = commitment_default_path(category=category, title=title)
    folder, name = path.split("/")
    assert len(folder.encode("utf-8")) <= MAX_NAME_BYTES
    # Room for the -NNNNN commitment_free_path adds.
    assert len(name.encode("utf-8")) + len("-99999") <= MAX_NAME_BYTES
    assert file_path_problem(path) is None
    assert name.startswith(title.strip()[:20])
    assert "\ufffd" not in path  # cut between characters, never inside one


def test_two_long_titles_alike_at_the_start_get_different_paths():
    first, second = ("長" * 90 + "甲", "長" * 90 + "乙")
    created = [
        commitment_create(
            title=title, category="教育", wording="本部將推動。", source=make_source()
        )
        for title in (first, second)
    ]
    paths = [commitment.file_path for commitment in created]
    assert paths[0] != paths[1]
    assert paths[1] == paths[0][: -len(".md")] + "-2.md"
    assert all(file_path_problem(path) is None for path in paths)


@pytest.mark.parametrize("character", ["\n", "\r", "\t", "\x1b", "\x7f", "\x85", "\u2028"])
def test_control_characters_in_a_title_never_reach_the_path(character):
    path = commitment_default_path(category=f"教{character}育", title=f"標{character}題")
    assert path == "教-育/標-題.md"
    assert file_path_problem(f"教育/標{character}題.md") is not None


def test_create_makes_a_draft_with_its_created_entry():
    commitment = commitment_create(
        title="新承諾", category="教育", wording="本部將推動。", source=make_source()
    )

    assert not commitment.is_published
    assert commitment.file_path == "教育/新承諾.md"
    assert [e.kind for e in commitment.log_entries.all()] == [EntryKind.CREATED]


def test_create_refuses_what_cannot_be_exported_and_writes_nothing():
    with pytest.raises(ValidationError) as error:
        commitment_create(title="新承諾", category="教育", wording="## 標題", source=make_source())

    assert "wording" in error.value.message_dict
    assert not Commitment.objects.exists()


def test_update_refuses_a_stale_version_and_names_the_editor():
    user = User.objects.create(username="wang", first_name="小明", last_name="王")
    commitment = make_commitment(title="原標題")
    opened = commitment.version
    commitment_update(
        commitment=commitment, base_version=opened, changes={"title": "王"}, user=user
    )

    stale = Commitment.objects.get(pk=commitment.pk)
    with pytest.raises(EditConflict) as conflict:
        commitment_update(commitment=stale, base_version=opened, changes={"title": "林"})

    assert "王小明（wang）" in conflict.value.message()
    assert conflict.value.both == {"title"}
    assert Commitment.objects.get(pk=commitment.pk).title == "王"


def test_update_with_other_fields_changed_meanwhile_needs_watching_to_conflict():
    commitment = make_commitment(title="原標題", category="教育")
    opened = commitment.version
    commitment_update(commitment=commitment, base_version=opened, changes={"title": "新"})

    commitment_update(commitment=commitment, base_version=opened, changes={"category": "文化"})
    with pytest.raises(EditConflict):
        commitment_update(
            commitment=commitment,
            base_version=opened,
            changes={"category": "體育"},
            watched=["title", "category"],
        )

    assert Commitment.objects.values_list("title", "category").get() == ("新", "文化")


def test_update_cannot_change_the_status():
    commitment = make_commitment()

    with pytest.raises(ValueError, match="status"):
        commitment_update(
            commitment=commitment,
            base_version=commitment.version,
            changes={"status": Status.ACHIEVED},
        )


def test_publish_needs_the_permission():
    commitment = make_commitment(is_published=False)
    nobody = User.objects.create(username="nobody")

    with pytest.raises(PermissionDenied):
        commitment_publish(commitment=commitment, user=nobody)

    assert not Commitment.objects.get().is_published


def test_bulk_status_change_is_all_or_nothing():
    done = make_commitment(status=Status.ACHIEVED)
    open_one = make_commitment()

    with pytest.raises(ValidationError, match=done.title):
        commitments_change_status_bulk(
            commitments=[open_one, done], to_status=Status.ACHIEVED, reason="完工"
        )

    assert Commitment.objects.get(pk=open_one.pk).status == Status.TRACKING
    assert not open_one.log_entries.filter(kind=EntryKind.STATUS_CHANGE).exists()


def test_bulk_status_change_writes_one_dated_entry_each():
    commitments = [make_commitment(), make_commitment()]

    entries = commitments_change_status_bulk(
        commitments=commitments,
        to_status=Status.DELAYED,
        reason="預算刪減",
        entry_date=dt.date(2026, 2, 1),
    )

    assert [(e.commitment_id, e.reason, e.entry_date) for e in entries] == [
        (c.pk, "預算刪減", dt.date(2026, 2, 1)) for c in commitments
    ]
    assert {c.last_updated for c in Commitment.objects.all()} == {dt.date(2026, 2, 1)}


def test_set_agency_saves_each_commitment_with_history():
    commitments = [make_commitment(responsible_agency="衛福部"), make_commitment()]

    changed = commitments_set_agency(commitments=commitments, agency="衛生福利部")

    assert changed == 1
    assert commitments[0].history.first().responsible_agency == "衛生福利部"
