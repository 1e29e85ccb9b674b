import datetime as dt

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
