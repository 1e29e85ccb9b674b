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
