import pytest

from tests.factories import make_commitment
from tracker.core.models import Commitment
from tracker.core.services.edit_conflicts import EditConflict, check_version, display

pytestmark = pytest.mark.django_db


def test_same_version_is_never_a_conflict():
    commitment = make_commitment()

    check_version(current=commitment, base_version=commitment.version, submitted={"title": "x"})


def test_conflict_tells_every_save_in_between():
    commitment = make_commitment(title="一")
    opened = commitment.version
    for title in ("二", "三"):
        commitment.title = title
        commitment.save()

    with pytest.raises(EditConflict) as conflict:
        check_version(current=commitment, base_version=opened, submitted={"title": "四"})

    assert [c.after for e in conflict.value.edits for c in e.changes] == ["二", "三"]
    assert conflict.value.theirs == {"title": ("一", "三")}
    assert conflict.value.both == {"title"}


def test_agreeing_with_the_other_editor_is_no_clash_on_that_field():
    commitment = make_commitment(title="一")
    opened = commitment.version
    commitment.title = "二"
    commitment.save()

    with pytest.raises(EditConflict) as conflict:
        check_version(
            current=Commitment.objects.get(), base_version=opened, submitted={"title": "二"}
        )

    assert conflict.value.both == set()


def test_display_keeps_messages_short():
    assert display(None) == "（空白）"
    assert display(True) == "是"
    assert len(display("字" * 500)) == 80


def test_record_without_a_history_copy_still_conflicts_on_what_differs():
    commitment = make_commitment(title="一", category="教育")
    opened = commitment.version
    Commitment.history.all().delete()  # as for rows written before history was kept
    Commitment.objects.filter(pk=commitment.pk).update(title="二", version=opened + 1)

    with pytest.raises(EditConflict) as conflict:
        check_version(
            current=Commitment.objects.get(),
            base_version=opened,
            submitted={"title": "三", "category": "教育"},
        )

    assert set(conflict.value.theirs) == {"title"}
