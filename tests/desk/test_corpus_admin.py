"""The editors' desk on the real corpus: bounded queries, and saving changes no bytes."""

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse

from tests.conftest import CORPUS
from tests.desk.helpers import errors_of, form_data
from tracker.core.models import (
    Commitment,
    DuplicateCopy,
    SearchDocument,
    Source,
    SyncConflict,
    SyncRun,
    TrackingLog,
    UpstreamBase,
)
from tracker.core.search import COLUMNS_TABLE, STALE_TABLE, columns_table_exists
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.search_index import search_rows_refresh

pytestmark = [pytest.mark.corpus, pytest.mark.django_db]


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """The real corpus imported once for this module (outside the per-test transactions)."""
    folder = CORPUS / "commitments"
    if not folder.is_dir():
        pytest.skip(f"the shared corpus is not at {folder} (set CORPUS_DIR to run this test)")
    with django_db_blocker.unblock():
        report = commitments_import_paths(paths=[folder])
        assert report.ok, report.failed[:3]
    yield folder
    with django_db_blocker.unblock():
        models = (TrackingLog, DuplicateCopy, Commitment, Source)
        for model in (
            SearchDocument,
            UpstreamBase,
            SyncConflict,
            *(m.history.model for m in models),
            *models,
            SyncRun,
        ):
            model.objects.all()._raw_delete(connection.alias)
        # The deletes marked every commitment's search row stale: left so, every later
        # test of the run re-indexed (and rolled back) 1,185 gone rows at each save, ten
        # times its own time.
        with transaction.atomic():
            search_rows_refresh(every=True)
        if not columns_table_exists():  # SQLite without FTS5: no rows to check
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {STALE_TABLE}")  # noqa: S608 - a constant
            assert cursor.fetchone() == (0,)
            cursor.execute(f"SELECT COUNT(*) FROM {COLUMNS_TABLE}")  # noqa: S608 - a constant
            assert cursor.fetchone() == (0,)


def quirky(corpus) -> list[Commitment]:
    """One commitment for each oddity of the real data an editor's save must keep."""
    commitments = Commitment.objects.with_log_count()
    picks = [
        commitments.order_by("-log_count", "pk").first(),
        commitments.filter(shows_reply=False).order_by("pk").first(),
        commitments.exclude(target_date_text=None)
        .exclude(target_date_text__regex=r"^\d{4}-\d{2}-\d{2}$")
        .order_by("pk")
        .first(),
        commitments.filter(log_entries__judgement="其他相關資訊").order_by("pk").first(),
        commitments.filter(
            Q(log_entries__summary__endswith=" ") | Q(log_entries__document_number__endswith=" ")
        )
        .order_by("pk")
        .first(),
        commitments.exclude(target_value=None).order_by("pk").first(),
    ]
    return list({c.pk: c for c in picks if c is not None}.values())


def test_changelist_and_longest_timeline_run_few_queries(
    corpus, editor_client, django_assert_max_num_queries
):
    longest = Commitment.objects.with_log_count().order_by("-log_count").first()
    # Once unmeasured: the first admin page a process renders fills Django's per-process
    # caches (content types), which the count must not depend on (this module alone failed).
    editor_client.get(reverse("admin:tracker_commitment_change", args=[longest.pk]))

    with django_assert_max_num_queries(12):
        listed = editor_client.get(reverse("admin:tracker_commitment_changelist"))
    with django_assert_max_num_queries(12):
        page = editor_client.get(reverse("admin:tracker_commitment_change", args=[longest.pk]))

    assert len(listed.context["cl"].result_list) == 100
    assert page.status_code == 200


def test_saving_unchanged_keeps_every_byte_of_the_file(corpus, editor_client):
    for commitment in quirky(corpus):
        url = reverse("admin:tracker_commitment_change", args=[commitment.pk])
        original = (corpus / commitment.file_path).read_text("utf-8")

        response = editor_client.post(url, form_data(editor_client.get(url)))

        assert response.status_code == 302, f"{commitment.file_path}: {errors_of(response)}"
        stored = Commitment.objects.with_timeline().get(pk=commitment.pk)
        assert commitment_render(commitment=stored) == original, commitment.file_path
