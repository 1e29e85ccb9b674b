"""Keep the search documents in step with the commitments, sources and log entries.

Every service that writes searchable text calls one of these in its own transaction
(import, the timeline services); ``manage.py rebuild_search_index`` rebuilds everything
after a path that did not. See tracker/search.py for the design.
"""

from __future__ import annotations

from django.db import transaction

from tracker.core.agencies import agency_spellings, split_agencies
from tracker.core.models import Commitment, SearchDocument, Source
from tracker.core.search import OWN, REPLY, TIMELINE, TITLE, document_key, document_tokens
from tracker.core.services.row_writes import rows_insert

REBUILD_BATCH = 500


def commitment_search_parts(
    *, title, wording, responsible_agency, entries
) -> dict[int, list[str | None]]:
    """Return the texts of a commitment that search reads, by part: title, own, timeline.

    The agency is indexed with every spelling of its group (衛福部 also as 衛生福利部).
    """
    agency = [responsible_agency]
    for canonical in split_agencies(responsible_agency):
        agency += agency_spellings(canonical)
    timeline: list[str | None] = []
    for entry in entries:
        timeline += [entry.text, entry.reason, entry.summary]
    return {TITLE: [title], OWN: [wording, *agency], TIMELINE: timeline}


def source_search_parts(*, subject, reply_text) -> list[str]:
    return [subject, reply_text]


def _commitment_tokens(commitment, entries) -> dict[int, str]:
    """Return the tokens of each part of a commitment that has any."""
    parts = commitment_search_parts(
        title=commitment.title,
        wording=commitment.wording,
        responsible_agency=commitment.responsible_agency,
        entries=entries,
    )
    tokens = {part: document_tokens(texts) for part, texts in parts.items()}
    return {part: text for part, text in tokens.items() if text}


def _commitment_rows(commitment, entries) -> list[dict]:
    """Return the search documents of a commitment as rows, each keyed by its part."""
    return [
        {
            "id": document_key(commitment.pk, part),
            "commitment_id": commitment.pk,
            "part": part,
            "tokens": tokens,
        }
        for part, tokens in _commitment_tokens(commitment, entries).items()
    ]


def _commitment_documents(commitment, entries, document_model) -> list:
    return [document_model(**row) for row in _commitment_rows(commitment, entries)]


def search_document_commitment_set(*, commitment, entries=None, new: bool = False) -> None:
    """Write the search documents of one commitment (entries: its log, if already at hand).

    ``new``: the commitment was just created, so it has no documents yet (one INSERT).
    Otherwise only the parts whose tokens changed are written.
    """
    if entries is None:
        entries = commitment.log_entries.order_by("position")
    if new:
        rows_insert(SearchDocument, _commitment_rows(commitment, entries))
        return
    documents = _commitment_documents(commitment, entries, SearchDocument)
    stored = {
        document.part: document
        for document in SearchDocument.objects.filter(commitment_id=commitment.pk).only(
            "part", "tokens"
        )
    }
    for document in documents:
        old = stored.pop(document.part, None)
        if old is None:
            document.save(force_insert=True)
        elif old.tokens != document.tokens:
            old.tokens = document.tokens
            old.save(update_fields=["tokens"])
    if stored:
        SearchDocument.objects.filter(pk__in=[document.pk for document in stored.values()]).delete()


def _source_row(source) -> dict:
    """Return the search document of a source reply as a row."""
    parts = source_search_parts(subject=source.subject, reply_text=source.reply_text)
    return {
        "id": document_key(source.pk, REPLY),
        "source_id": source.pk,
        "part": REPLY,
        "tokens": document_tokens(parts),
    }


def search_document_source_set(*, source, new: bool = False) -> None:
    """Write the search document of one source reply (``new``: it has none yet)."""
    row = _source_row(source)
    if new:
        rows_insert(SearchDocument, [row])
    else:
        SearchDocument.objects.update_or_create(id=row.pop("id"), defaults=row)


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
            batch += _commitment_documents(commitment, entries, document_model)
            commitments += 1
            if len(batch) >= REBUILD_BATCH:
                document_model.objects.bulk_create(batch)
                batch = []
        sources = 0
        for source in source_model.objects.iterator(chunk_size=REBUILD_BATCH):
            batch.append(document_model(**_source_row(source)))
            sources += 1
            if len(batch) >= REBUILD_BATCH:
                document_model.objects.bulk_create(batch)
                batch = []
        document_model.objects.bulk_create(batch)
    return commitments, sources
