"""Keep the search documents in step with the commitments, sources and log entries.

Every service that writes searchable text calls one of these in its own transaction
(import, the timeline services); ``manage.py rebuild_search_index`` rebuilds everything
after a path that did not. See tracker/search.py for the design.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools

from django.db import connection, transaction

from tracker.core.agencies import agency_spellings, split_agencies
from tracker.core.models import Commitment, SearchDocument, Source
from tracker.core.search import (
    OWN,
    REPLY,
    ROWS_SQL,
    ROWS_STALE_SQL,
    ROWS_UNSTALE_SQL,
    TIMELINE,
    TITLE,
    columns_table_exists,
    document_key,
    document_tokens,
    row_converter,
    rows_delete_sql,
    rows_insert_sql,
    rows_orphans_sql,
)
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
        search_rows_refresh()
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
    search_rows_refresh()


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
    search_rows_refresh()


# Set while an import runs: its files' services leave the rows stale, and the import
# refreshes them all at its end (a batch at a time, each reply paired once per batch).
_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("search_rows_deferred")


@contextlib.contextmanager
def search_rows_deferred():
    """Leave the one-row index's stale rows to the end of the block, then refresh them all.

    For imports: one refresh per file cost more than the file's own writes (the real
    corpus: 1,587 files, 10.5 → 13.5 s). Until the end, searches read the documents'
    index (correct, slower); a killed run leaves rows stale for the next refresh."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
    with transaction.atomic():
        search_rows_refresh(every=True)


# How many stale rows an editor's write refreshes at most (about 2.6 ms each at 100× the
# corpus): its own are a few, but a killed import or a change outside the services can
# leave thousands, which the next import or rebuild_search_index refreshes instead.
REFRESH_LIMIT = 1000


def search_rows_refresh(*, batch: int = REBUILD_BATCH, every: bool = False) -> int:
    """Re-index the commitments whose one-row index entry went stale (migrations 0024 and
    0025); return how many.

    Triggers note them as their commitment, documents or source reply change; this rewrites
    their rows from the documents (paired: :func:`tracker.core.search.row_converter`), in the
    caller's transaction, BATCH at a time, up to REFRESH_LIMIT rows (EVERY: all). Every search-index
    service calls it after its writes, and so do the services that publish or withdraw
    commitments; imports and rebuilds refresh every stale row. Until no row is stale,
    searches read the documents' own index instead.
    """
    if _deferred.get(False) or not columns_table_exists():
        return 0
    refreshed = 0
    limit = None if every else REFRESH_LIMIT
    with connection.cursor() as cursor:
        while limit is None or refreshed < limit:
            size = batch if limit is None else min(batch, limit - refreshed)
            cursor.execute(ROWS_STALE_SQL, [size])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return refreshed
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(ROWS_SQL.format(ids=marks), ids)
            rows = cursor.fetchall()
            cursor.execute(rows_delete_sql(marks), ids)
            convert = functools.lru_cache(maxsize=batch)(row_converter())  # a reply: once
            cursor.executemany(
                rows_insert_sql(), [(row[0], *map(convert, row[1:])) for row in rows]
            )
            cursor.execute(ROWS_UNSTALE_SQL.format(ids=marks), ids)
            refreshed += len(ids)
    return refreshed


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
        if commitment_model is Commitment and columns_table_exists():  # not in a migration
            with connection.cursor() as cursor:
                cursor.execute(rows_orphans_sql())
            search_rows_refresh(every=True)
    return commitments, sources
