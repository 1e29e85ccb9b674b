import datetime as dt

import pytest

from tests.factories import make_commitment, make_log
from tracker.core.models import TrackingLog


def test_entries_of_published_commitments_leave_out_the_unpublished_ones_newest_first(db):
    shown = make_commitment(log=False)
    hidden = make_commitment(log=False, is_published=False)
    older = make_log(shown, entry_date=dt.date(2026, 1, 27))
    make_log(hidden, entry_date=dt.date(2026, 1, 29))  # newer, but not public
    newer = make_log(shown, entry_date=dt.date(2026, 1, 28))

    latest = TrackingLog.objects.of_published().order_by("-entry_date", "-pk")

    assert list(latest) == [newer, older]
    assert latest.count() == 2


def test_entries_of_published_commitments_are_a_semi_join_not_a_filtered_join(db):
    # With a join SQLite builds a Bloom filter over every published commitment before it
    # reads the newest entry (the overview's latest entries read the whole table at scale).
    sql = str(TrackingLog.objects.of_published().order_by("-entry_date")[:10].query)

    assert "EXISTS" in sql
    assert "JOIN" not in sql


def test_choice_labels_are_django_s_in_the_active_language():
    from django.db import models
    from django.utils import translation

    from tracker.core.models import Commitment, EntryKind, Status

    entry = TrackingLog(kind=EntryKind.choices[-1][0])
    commitment = Commitment(status=Status.DELAYED)
    for language in ("zh-hant", "en"):
        with translation.override(language):
            # What Django's own get_FOO_display gives, language by language (kept labels
            # are translated when shown, not when first kept).
            for row, field in ((entry, "kind"), (commitment, "status")):
                django_s = models.Model._get_FIELD_display(row, row._meta.get_field(field))
                assert getattr(row, f"get_{field}_display")() == django_s
    with translation.override("en"):
        assert commitment.get_status_display() == "Delayed"
    with translation.override("zh-hant"):
        assert commitment.get_status_display() == "已延宕"
    # A value outside the choices is shown as it is, as Django does.
    assert Commitment(status="舊狀態").get_status_display() == "舊狀態"


def _parts(commitment) -> dict:
    from tracker.core.models import Commitment

    row = Commitment.objects.with_page_parts().get(pk=commitment.pk)
    names = ("has_questions", "has_criteria", "has_corrections", "target_date_rewritten")
    return {name: getattr(row, name) for name in names}


def test_page_parts_say_which_parts_a_commitment_has(db):
    from tests.factories import make_question
    from tracker.core.models import Commitment, Correction, CorrectionStatus
    from tracker.core.services.criteria import criterion_add

    commitment = make_commitment(target_date_text="2025-12-31")
    other = make_commitment()  # another commitment's parts are not this one's
    make_question(other)
    criterion_add(commitment=other, milestone="budget")
    assert not any(_parts(commitment).values())
    make_question(commitment)
    assert _parts(commitment)["has_questions"]
    criterion_add(commitment=commitment, milestone="budget")
    assert _parts(commitment)["has_criteria"]
    # A correction only once it is accepted: the page shows none other.
    correction = Correction.objects.create(commitment=commitment, message="錯字")
    assert not _parts(commitment)["has_corrections"]
    correction.status = CorrectionStatus.ACCEPTED
    correction.save()
    assert _parts(commitment)["has_corrections"]
    assert not _parts(commitment)["target_date_rewritten"]
    # Saved again as it was: no version wrote the date otherwise.
    Commitment.objects.get(pk=commitment.pk).save()
    assert not _parts(commitment)["target_date_rewritten"]


@pytest.mark.parametrize(
    ("first", "then"),
    [("2025-12-31", "2026-06-30"), (None, "2026-06-30"), ("2025-12-31", None), ("明年", "後年")],
)
def test_a_target_date_written_otherwise_in_any_version_is_noticed(db, first, then):
    from tracker.core.models import Commitment

    commitment = make_commitment(target_date_text=first)
    stored = Commitment.objects.get(pk=commitment.pk)
    stored.target_date_text = then
    stored.save()
    assert _parts(commitment)["target_date_rewritten"]
    stored.target_date_text = first  # and back: the versions still differ
    stored.save()
    assert _parts(commitment)["target_date_rewritten"]
