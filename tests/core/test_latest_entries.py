"""The newest-entry dates the database keeps (LatestEntry) equal a recount after every write."""

import datetime as dt
import random
import re
import threading
import time
from collections import Counter
from importlib import import_module

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max

from tests.factories import make_commitment, make_log
from tracker.core import latest_entries, tallies
from tracker.core.models import Commitment, EntryKind, EntryShape, LatestEntry, TrackingLog
from tracker.core.services.commitment_editing import commitment_publish, commitments_publish
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.commitment_merge import commitment_merge

pytestmark = pytest.mark.django_db(transaction=True)

DAYS = [dt.date(2026, 1, day) for day in (3, 9, 9, 17, 28)]


def recount() -> dict:
    """Return each commitment with entries: (newest entry, last update, published)."""
    rows = Commitment.objects.filter(log_entries__isnull=False).annotate(
        newest=Max("log_entries__entry_date")
    )
    return {row.pk: (row.newest, row.last_updated, row.is_published) for row in rows}


def kept() -> dict:
    return {
        row.commitment_id: (row.entry_date, row.last_updated, row.is_published)
        for row in LatestEntry.objects.all()
    }


def test_the_rows_are_there_from_the_first_entry_to_the_last():
    commitment = make_commitment(log=False, last_updated=dt.date(2026, 1, 5))
    assert kept() == {}
    first = make_log(commitment, entry_date=dt.date(2026, 1, 9))
    make_log(commitment, entry_date=dt.date(2026, 1, 3))
    assert kept() == {commitment.pk: (dt.date(2026, 1, 9), dt.date(2026, 1, 5), True)}
    first.delete()
    assert kept() == {commitment.pk: (dt.date(2026, 1, 3), dt.date(2026, 1, 5), True)}
    commitment.log_entries.all().delete()
    assert kept() == {}


def test_the_kept_dates_follow_a_random_sequence_of_writes(fixtures_dir):
    rng = random.Random(23)
    editor = get_user_model().objects.create_superuser("chief", "chief@example.org", "pw")
    for _ in range(5):
        make_commitment(log=rng.random() < 0.7, is_published=rng.random() < 0.8)
    assert commitments_import_paths(paths=[fixtures_dir]).ok

    def pick(model, number):
        ids = list(model.objects.values_list("pk", flat=True))
        return rng.sample(ids, min(number, len(ids)))

    def one(queryset):
        ids = list(queryset.values_list("pk", flat=True))
        return queryset.model.objects.get(pk=rng.choice(ids)) if ids else None

    # Positions no other entry has (moves and deletes leave gaps that a count would fill).
    bulk = iter(range(20_000, 30_000))

    def logged():
        commitment = one(Commitment.objects.all())
        make_log(commitment, position=next(bulk), entry_date=rng.choice(DAYS))

    def bulk_logged():
        commitment = one(Commitment.objects.all())
        TrackingLog.objects.bulk_create(
            TrackingLog(
                commitment=commitment,
                position=(number := next(bulk)),
                key=f"bulk-{number}",
                entry_date=rng.choice(DAYS),
                kind=EntryKind.PROGRESS,
                shape=EntryShape.TEXT,
                text="批次",
            )
            for _ in range(rng.randint(1, 3))
        )

    def redated():
        entry = one(TrackingLog.objects.all())
        if entry is not None:
            entry.entry_date = rng.choice(DAYS)
            entry.save()

    def redated_many():
        TrackingLog.objects.filter(pk__in=pick(TrackingLog, 3)).update(entry_date=rng.choice(DAYS))

    def moved_entry():
        entry = one(TrackingLog.objects.all())
        target = one(Commitment.objects.exclude(pk=entry.commitment_id))
        number = next(bulk)
        TrackingLog.objects.filter(pk=entry.pk).update(
            commitment=target, position=number, key=f"moved-{number}"
        )

    def deleted_entry():
        entry = one(TrackingLog.objects.all())
        if entry is not None:
            entry.delete()

    def deleted_commitment():
        if Commitment.objects.count() > 4:
            one(Commitment.objects.all()).delete()

    def touched():
        commitment = one(Commitment.objects.all())
        commitment.last_updated = rng.choice(DAYS)
        commitment.save()

    def touched_many():
        Commitment.objects.filter(pk__in=pick(Commitment, 2)).update(
            last_updated=rng.choice(DAYS), title="只改標題"
        )

    def published():
        ids = pick(Commitment, 2)
        commitments_publish(
            commitments=list(Commitment.objects.filter(pk__in=ids)), user=editor, published=False
        )
        hidden = Commitment.objects.filter(is_published=False).first()
        if hidden is not None:
            commitment_publish(commitment=hidden, user=editor)

    def merged():
        pair = list(Commitment.objects.order_by("?")[:2])
        if Commitment.objects.count() > 4:
            commitment_merge(kept=pair[0], absorbed=pair[1], by=editor)

    def raw_sql():
        entry = one(TrackingLog.objects.all())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tracker_trackinglog SET entry_date = %s WHERE id = %s",
                [rng.choice(DAYS), entry.pk],
            )

    def added_commitment():
        make_commitment(log=True, last_updated=rng.choice(DAYS))

    writes = [
        logged,
        bulk_logged,
        redated,
        redated_many,
        moved_entry,
        deleted_entry,
        deleted_commitment,
        touched,
        touched_many,
        published,
        merged,
        raw_sql,
        added_commitment,
    ]
    done = Counter()
    largest = 0
    for _ in range(150):
        write = rng.choice(writes)
        write()
        done[write.__name__] += 1
        assert kept() == recount(), f"after {write.__name__} ({dict(done)})"
        largest = max(largest, len(kept()))
    assert set(done) == {write.__name__ for write in writes}
    assert largest > 5


def test_every_kept_table_has_its_triggers_after_all_migrations():
    # A later migration that makes SQLite rebuild a table drops the table's triggers with it:
    # the tallies', the latest entries' and the search indexes'.
    vendor = connection.vendor
    statements = [*latest_entries.create_sql(vendor), *tallies.create_sql(vendor)]
    if vendor == "sqlite":
        statements += import_module(
            "tracker.core.migrations.0003_public_search_corrections"
        ).SQLITE_FORWARD
        statements += import_module("tracker.core.migrations.0024_search_columns").FORWARD
    else:
        statements += import_module(
            "tracker.core.migrations.0025_search_columns_postgresql"
        ).FORWARD
    expected = {
        re.match(r"CREATE TRIGGER (\w+)", statement).group(1)
        for statement in statements
        if statement.startswith("CREATE TRIGGER")
    }
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {name for (name,) in cursor.fetchall()}
    assert len(expected) >= (20 if vendor == "sqlite" else 13)
    assert expected <= present


def _second_connection():
    """Return a psycopg connection of its own to the test database (another transaction)."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        password=settings["PASSWORD"] or None,
    )


def _copy_entry(entry, *, entry_date, key, position, commitment=None):
    """Return SQL inserting a copy of ENTRY (another date, key, position, commitment)."""
    columns = [f.column for f in TrackingLog._meta.concrete_fields if not f.primary_key]
    given = {
        "entry_date": "%(date)s",
        "key": "%(key)s",
        "position": "%(position)s",
        "commitment_id": "%(commitment)s",
    }
    values = ", ".join(given.get(column, column) for column in columns)
    sql = (
        f"INSERT INTO tracker_trackinglog ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {values} FROM tracker_trackinglog WHERE id = %(pk)s"
    )
    return sql, {
        "date": entry_date,
        "key": key,
        "position": position,
        "commitment": commitment or entry.commitment_id,
        "pk": entry.pk,
    }


def _race(first, second):
    """Run FIRST in a transaction left open, start SECOND in another, then commit FIRST."""
    with _second_connection() as one, _second_connection() as two:
        two.execute("SET lock_timeout = '10s'")
        one.execute(*first)
        worker = threading.Thread(target=lambda: (two.execute(*second), two.commit()))
        worker.start()
        time.sleep(0.3)  # SECOND is now waiting, or done if nothing made it wait
        one.commit()
        worker.join(15)
        assert not worker.is_alive()


def _delete(entry):
    return "DELETE FROM tracker_trackinglog WHERE id = %s", [entry.pk]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer at a time")
def test_two_transactions_writing_one_timeline_at_once_keep_the_date_right():
    commitment = make_commitment(log=False, last_updated=dt.date(2026, 1, 1))
    old = make_log(commitment, position=0, entry_date=dt.date(2026, 1, 5))
    newest = make_log(commitment, position=1, entry_date=dt.date(2026, 1, 20))
    # A newer entry beside a delete of the newest: the delete must see the new one.
    _race(
        _copy_entry(old, entry_date=dt.date(2026, 2, 1), key="raced-1", position=10),
        _delete(newest),
    )
    assert kept() == recount()
    # Two deletes at once: neither may store the other's deleted date.
    a = make_log(commitment, position=11, entry_date=dt.date(2026, 3, 20))
    b = make_log(commitment, position=12, entry_date=dt.date(2026, 3, 25))
    _race(_delete(b), _delete(a))
    assert kept() == recount()
    # A new entry beside a delete of the only other one: the row must stay.
    lone = make_commitment(log=False)
    only = make_log(lone, position=0, entry_date=dt.date(2026, 1, 5))
    _race(
        _copy_entry(only, entry_date=dt.date(2026, 2, 1), key="raced-2", position=5), _delete(only)
    )
    assert kept() == recount()
    assert lone.pk in kept()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer at a time")
def test_a_commitment_saved_beside_its_first_entry_is_copied_as_saved():
    commitment = make_commitment(log=False, last_updated=dt.date(2026, 1, 1))
    with _second_connection() as second:
        second.execute("SET lock_timeout = '10s'")
        with transaction.atomic():
            make_log(commitment, position=0, entry_date=dt.date(2026, 1, 9))
            worker = threading.Thread(
                target=lambda: (
                    second.execute(
                        "UPDATE tracker_commitment SET last_updated = '2026-02-01' WHERE id = %s",
                        [commitment.pk],
                    ),
                    second.commit(),
                )
            )
            worker.start()
            time.sleep(0.3)
        worker.join(15)
        assert not worker.is_alive()
    assert kept() == recount()
    assert kept()[commitment.pk][1] == dt.date(2026, 2, 1)


def test_entries_written_before_their_commitment_are_counted_when_it_comes():
    # Both databases check foreign keys at commit: a path may write the timeline first.
    source = make_commitment(log=False)
    template = make_log(source, position=0, entry_date=dt.date(2026, 1, 3))
    with transaction.atomic():
        with connection.cursor() as cursor:
            for position, day in ((0, 7), (1, 12)):
                cursor.execute(
                    *_copy_entry(
                        template,
                        entry_date=dt.date(2026, 1, day),
                        key=f"early-{position}",
                        position=position,
                        commitment=987654,
                    )
                )
        make_commitment(pk=987654, log=False, last_updated=dt.date(2026, 1, 20))
    assert kept() == recount()
    assert kept()[987654] == (dt.date(2026, 1, 12), dt.date(2026, 1, 20), True)
