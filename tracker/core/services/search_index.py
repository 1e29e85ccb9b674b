"""Keep the search documents in step with the commitments, sources and log entries.

Every service that writes searchable text calls one of these in its own transaction
(import, the timeline services); ``manage.py rebuild_search_index`` rebuilds everything
after a path that did not. See tracker/search.py for the design.
"""

from __future__ import annotations

from django.db import transaction

from tracker.core.models import Commitment, SearchDocument, Source
from tracker.core.search import document_tokens

REBUILD_BATCH = 500


def commitment_search_parts(*, title, wording, responsible_agency, entries) -> list[str | None]:
    """Return the texts of a commitment that search reads: title, wording, agency, timeline."""
    parts = [title, wording, responsible_agency]
    for entry in entries:
        parts += [entry.text, entry.reason, entry.summary]
    return parts


def source_search_parts(*, subject, reply_text) -> list[str]:
    return [subject, reply_text]


def search_document_commitment_set(
    *, commitment, entries=None, document_model=None, new: bool = False
) -> None:
    """Write the search document of one commitment (entries: its log, if already at hand).

    ``new``: the commitment was just created, so it has no document yet (one INSERT).
    """
    document_model = document_model or SearchDocument
    if entries is None:
        entries = commitment.log_entries.order_by("position")
    tokens = document_tokens(
        commitment_search_parts(
            title=commitment.title,
            wording=commitment.wording,
            responsible_agency=commitment.responsible_agency,
            entries=entries,
        )
    )
    if new:
        document_model.objects.create(commitment_id=commitment.pk, tokens=tokens)
    else:
        document_model.objects.update_or_create(
            commitment_id=commitment.pk, defaults={"tokens": tokens}
        )


def search_document_source_set(*, source, document_model=None, new: bool = False) -> None:
    """Write the search document of one source reply (``new``: it has none yet)."""
    document_model = document_model or SearchDocument
    tokens = document_tokens(
        source_search_parts(subject=source.subject, reply_text=source.reply_text)
    )
    if new:
        document_model.objects.create(source_id=source.pk, tokens=tokens)
    else:
        document_model.objects.update_or_create(source_id=source.pk, defaults={"tokens": tokens})


def search_index_rebuild(*, commitment_model=None, source_model=None, document_model=None):
    """Rebuild every search document from scratch; return (commitments, sources) indexed.

    The model arguments let a migration pass its historical models.
    """
    commitment_model = commitment_model or Commitment
    source_model = source_model or Source
    document_model = document_model or SearchDocument
    with transaction.atomic():
        document_model.objects.all().delete()
        batch = []
        commitments = 0
        for commitment in commitment_model.objects.prefetch_related("log_entries").iterator(
            chunk_size=REBUILD_BATCH
        ):
            entries = sorted(commitment.log_entries.all(), key=lambda entry: entry.position)
            parts = commitment_search_parts(
                title=commitment.title,
                wording=commitment.wording,
                responsible_agency=commitment.responsible_agency,
                entries=entries,
            )
            batch.append(document_model(commitment_id=commitment.pk, tokens=document_tokens(parts)))
            commitments += 1
            if len(batch) >= REBUILD_BATCH:
                document_model.objects.bulk_create(batch)
                batch = []
        sources = 0
        for source in source_model.objects.iterator(chunk_size=REBUILD_BATCH):
            parts = source_search_parts(subject=source.subject, reply_text=source.reply_text)
            batch.append(document_model(source_id=source.pk, tokens=document_tokens(parts)))
            sources += 1
            if len(batch) >= REBUILD_BATCH:
                document_model.objects.bulk_create(batch)
                batch = []
        document_model.objects.bulk_create(batch)
    return commitments, sources
