"""The tallies the database keeps (CommitmentTally) equal a recount after every kind of write."""

import datetime as dt
import random
from collections import Counter
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F

from tests.factories import make_commitment, make_source
from tracker.core import format as fmt
from tracker.core.models import Commitment, CommitmentTally, DataVersion, Source, Status
from tracker.core.services.commitment_editing import commitment_publish, commitments_publish
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.commitment_merge import commitment_merge
from tracker.core.services.timeline import Evidence, commitment_change_status, tracking_log_add

pytestmark = pytest.mark.django_db(transaction=True)

KEY = ("status", "category", "responsible_agency", "target_date", "is_published", "term", "session")
AGENCIES = [None, "", "衛生福利部", "經濟部、衛生福利部", "交通部"]
CATEGORIES = ["醫療衛生", "交通建設", "能源政策"]
TARGETS = [None, "", "2025-06-30", "2031-12-31", "115年12月31日", "待定"]


def recount() -> Counter:
    """Return the number of commitments per tally key, counted from the table."""
    rows = (
        Commitment.objects.order_by()
        .values(*KEY[:5], term=F("source__term"), session=F("source__session_period"))
        .annotate(n=Count("pk"))
    )
    return Counter({tuple(row[name] for name in KEY): row["n"] for row in rows})


def kept() -> Counter:
    """Return the tallies the database kept, empty ones left out (and none negative)."""
    assert not CommitmentTally.objects.filter(number__lt=0).exists()
    rows = CommitmentTally.objects.filter(number__gt=0).values(
        *KEY[:6], "number", session=F("session_period")
    )
    return Counter({tuple(row[name] for name in KEY): row["number"] for row in rows})


def random_values(rng: random.Random) -> dict:
    return {
        "status": rng.choice(Status.values),
        "category": rng.choice(CATEGORIES),
        "responsible_agency": rng.choice(AGENCIES),
        "target_date_text": rng.choice(TARGETS),
        "is_published": rng.random() < 0.8,
    }


def some(rng: random.Random):
    ids = list(Commitment.objects.values_list("pk", flat=True))
    return Commitment.objects.filter(pk__in=rng.sample(ids, min(len(ids), rng.randint(1, 4))))


def test_tallies_count_what_is_there_and_nothing_more():
    a = make_commitment(status=Status.DELAYED, responsible_agency=None)
    make_commitment(status=Status.DELAYED, responsible_agency=None, source=a.source)
    make_commitment(responsible_agency="", target_date_text="2025-01-01", is_published=False)
    assert kept() == recount()
    assert sum(kept().values()) == 3
    # NULL and "" are two agency fields, not one: the key tells them apart.
    assert kept()[(Status.DELAYED, "醫療衛生", None, None, True, "10", "05")] == 2


def test_tallies_follow_a_random_sequence_of_writes(fixtures_dir):
    rng = random.Random(17)
    editor = get_user_model().objects.create_superuser("chief", "chief@example.org", "pw")
    sources = [
        make_source(term=term, session_period=session)
        for term in ("10", "11")
        for session in ("01", "02")
    ]
    for _ in range(6):
        make_commitment(source=rng.choice(sources), log=False, **random_values(rng))
    assert commitments_import_paths(paths=[fixtures_dir]).ok
    number = 0

    def saved_one():
        nonlocal number
        number += 1
        make_commitment(source=rng.choice(sources), log=False, **random_values(rng))

    def bulk_created():
        nonlocal number
        rows = []
        for _ in range(rng.randint(1, 5)):
            number += 1
            values = random_values(rng)
            rows.append(
                Commitment(
                    uid=f"99999999-0000-0000-0000-{number:012d}",
                    title=f"批次 {number}",
                    file_path=f"批次/{number}.md",
                    wording="將推動。",
                    source=rng.choice(sources),
                    created_date=dt.date(2026, 1, 1),
                    last_updated=dt.date(2026, 1, 1),
                    target_date=fmt.parse_target_date(values.pop("target_date_text")),
                    **values,
                )
            )
        Commitment.objects.bulk_create(rows)

    def edited_one():
        commitment = some(rng).first()
        for name, value in random_values(rng).items():
            setattr(commitment, name, value)
        commitment.save()

    def saved_some_fields():
        commitment = some(rng).first()
        commitment.target_date_text = rng.choice(TARGETS)
        commitment.status = rng.choice(Status.values)
        commitment.save(update_fields=["target_date_text", "status"])

    def updated_many():
        field, value = rng.choice(
            [
                ("status", rng.choice(Status.values)),
                ("responsible_agency", rng.choice(AGENCIES)),
                ("category", rng.choice(CATEGORIES)),
                ("target_date", rng.choice([None, dt.date(2024, 5, 1), dt.date(2030, 1, 1)])),
                ("is_published", rng.random() < 0.5),
                ("source", rng.choice(sources)),
                ("title", "只改標題"),  # a field the tallies do not count
            ]
        )
        some(rng).update(**{field: value})

    def deleted():
        some(rng).first().delete()

    def published():
        commitments_publish(commitments=list(some(rng)), user=editor, published=False)
        commitment = Commitment.objects.filter(is_published=False).first()
        if commitment is not None:
            commitment_publish(commitment=commitment, user=editor)

    def merged():
        pair = list(some(rng)[:2])
        if len(pair) == 2:
            commitment_merge(kept=pair[0], absorbed=pair[1], by=editor)

    def moved_source():
        source = rng.choice(sources)
        if rng.random() < 0.5:
            source.term, source.session_period = rng.choice(["10", "11", "12"]), "03"
            source.save()
        else:
            Source.objects.filter(pk=source.pk).update(session_period=rng.choice(["01", "04"]))
        source.refresh_from_db()

    writes = [
        saved_one,
        bulk_created,
        edited_one,
        saved_some_fields,
        updated_many,
        deleted,
        published,
        merged,
        moved_source,
    ]
    done = Counter()
    for _ in range(120):
        write = rng.choice(writes)
        counts, token = kept(), DataVersion.objects.get().counts_token
        write()
        done[write.__name__] += 1
        assert kept() == recount(), f"after {write.__name__} ({dict(done)})"
        # What is kept under the counts token is never stale: a count that moved drew a new one.
        if kept() != counts:
            assert DataVersion.objects.get().counts_token != token, f"after {write.__name__}"
    assert set(done) == {write.__name__ for write in writes}
    assert Commitment.objects.count() > 10


def test_a_commitment_saved_before_its_source_is_counted_under_its_term():
    # Both databases check foreign keys at commit (Django makes them deferrable).
    with transaction.atomic():
        commitment = Commitment(
            uid="99999999-0000-0000-0000-000000000001",
            title="先於來源",
            category="教育",
            file_path="教育/先於來源.md",
            wording="將推動。",
            source_id=987654,
            created_date=dt.date(2026, 1, 1),
            last_updated=dt.date(2026, 1, 1),
        )
        commitment.save()
        make_source(pk=987654, term="11", session_period="02")
    assert kept() == recount()
    assert kept()[(Status.TRACKING, "教育", None, None, True, "11", "02")] == 1


def test_overview_tallies_equal_the_recount():
    make_commitment(status=Status.DELAYED, target_date_text="2020-01-01")
    make_commitment(status=Status.ACHIEVED, target_date_text="2020-01-01")
    make_commitment(target_date_text="2099-01-01", responsible_agency=None)
    make_commitment(is_published=False, target_date_text="2020-01-01")
    # One status, category and agency over several kept rows (dates, terms): summed, the
    # overdue ones among them apart.
    for target, term in [
        ("2020-01-01", "10"),
        ("2099-01-01", "11"),
        (None, "11"),
        ("2021-06-30", "9"),
    ]:
        make_commitment(target_date_text=target, source=make_source(term=term))
    today = dt.date(2026, 12, 1)

    def rows(tallies):
        return sorted((tuple(sorted(row.items())) for row in tallies), key=repr)

    assert rows(CommitmentTally.objects.published().tallies(today)) == rows(
        Commitment.objects.published().tallies(today)
    )
    overdue = sum(row["overdue"] for row in CommitmentTally.objects.published().tallies(today))
    assert overdue == 3


def test_counts_by_agency_and_status_from_the_tallies_equal_the_table_s():
    for agency, status, published in [
        ("衛福部", Status.DELAYED, True),
        ("衛生福利部", Status.ACHIEVED, True),
        ("衛生福利部、教育部", Status.DELAYED, True),
        ("教育部 、 衛福部", Status.TRACKING, True),
        ("", Status.TRACKING, True),
        (None, Status.ACHIEVED, True),
        ("交通部", Status.DELAYED, False),
    ]:
        make_commitment(responsible_agency=agency, status=status, is_published=published)
    published = Commitment.objects.published()
    kept = CommitmentTally.objects.published()
    assert kept.counts_by_agency() == published.counts_by_agency()
    assert set(kept.counts_by_agency()) == {"衛生福利部", "教育部"}
    assert kept.status_counts() == published.status_counts()
    spellings = published.agency_fields("衛福部")
    assert len(spellings) == 4
    assert (
        kept.filter(responsible_agency__in=spellings).status_counts()
        == published.filter(responsible_agency__in=spellings).status_counts()
    )


def counts_token() -> int:
    return DataVersion.objects.get().counts_token


def test_the_counts_token_is_drawn_anew_when_a_count_moves_and_kept_when_none_does(admin_user):
    commitment = make_commitment(status=Status.TRACKING, target_date_text="2030-01-01")
    other_source = make_source(term="11", session_period="03")
    # Saves that move no count keep the token (and what is computed from the tallies).
    for unchanged in [
        lambda: tracking_log_add(
            commitment=commitment,
            evidence=Evidence(
                document_number="院臺字第1140000001號",
                document_url="https://example.org/a.doc",
                summary="進度更新",
                judgement="進度更新",
            ),
            entry_date=dt.date(2026, 2, 1),
        ),
        lambda: Commitment.objects.filter(pk=commitment.pk).update(title="只改標題"),
        lambda: Commitment.objects.filter(pk=commitment.pk).update(status=Status.TRACKING),
        lambda: Source.objects.filter(pk=commitment.source_id).update(subject="只改主旨"),
    ]:
        before = counts_token()
        unchanged()
        assert counts_token() == before
    # Every write that moves one draws a new token.
    for moved in [
        lambda: commitment_change_status(commitment=commitment, to_status="已達成", reason="完成"),
        lambda: Commitment.objects.filter(pk=commitment.pk).update(category="教育"),
        lambda: Commitment.objects.filter(pk=commitment.pk).update(responsible_agency="教育部"),
        lambda: Commitment.objects.filter(pk=commitment.pk).update(target_date=None),
        lambda: commitments_publish(commitments=[commitment], user=admin_user, published=False),
        lambda: Commitment.objects.filter(pk=commitment.pk).update(source=other_source),
        lambda: Source.objects.filter(pk=other_source.pk).update(term="12"),
        lambda: make_commitment(),
        lambda: Commitment.objects.filter(pk=commitment.pk).delete(),
    ]:
        before = counts_token()
        moved()
        assert counts_token() != before


def test_the_migration_makes_sure_the_data_version_row_is_there(transactional_db):
    # Without the row a trigger's draw changes nothing; 0026 creates it where it is missing.
    migration = import_module("tracker.core.migrations.0026_counts_token")
    DataVersion.objects.all().delete()
    with connection.schema_editor() as editor:
        migration.create_the_row(django_apps, editor)
        migration.create_the_row(django_apps, editor)  # and leaves one that is there alone
    row = DataVersion.objects.get()
    assert (row.pk, row.version) == (1, 0)
    before = row.counts_token
    make_commitment()
    assert counts_token() != before
