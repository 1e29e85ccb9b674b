"""Suggest links between replies and commitments, and log a reply as evidence in one step."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from tracker.core import format as fmt
from tracker.core.data_version import data_version_for
from tracker.core.models import Commitment, Source, TrackingLog
from tracker.core.services.timeline import (
    DEFAULT_SOURCE_TYPE,
    Evidence,
    commitment_change_status,
    tracking_log_add,
)
from tracker.core.suggestions import (
    CommitmentDoc,
    Passage,
    SuggestionIndex,
    commitment_text,
    highlight_spans,
    matched_terms,
    reply_text,
    segments,
)

JUDGEMENT_PROGRESS = "進度更新"
JUDGEMENT_ACHIEVED = "達成證據"
JUDGEMENT_RELATED = "相關資訊"
JUDGEMENTS = (JUDGEMENT_PROGRESS, JUDGEMENT_ACHIEVED, JUDGEMENT_RELATED)

_lock = threading.Lock()
_cache: dict[str, object] = {"data_version": None, "key": None, "index": None}


def suggestion_index() -> SuggestionIndex:
    """Return the index over every commitment and reply text, rebuilt when a text changes.

    The data version (one primary-key read) says whether anything changed at all; only then
    are the commitments' matched fields and the replies' modification times read and
    compared, so a change that leaves every text as it was (a logged entry, a status) keeps
    the index.
    """
    current = data_version_for()
    version = (current.version, current.changed_at)
    with _lock:
        if _cache["data_version"] == version:
            return _cache["index"]
        commitments = list(
            Commitment.objects.order_by("pk").values_list(
                "pk", "title", "wording", "responsible_agency", "category", "source_id"
            )
        )
        sources = Source.objects.exclude(subject="", reply_text="").order_by("pk")
        key = hash((tuple(commitments), tuple(sources.values_list("pk", "modified_at"))))
        if _cache["key"] != key:
            _cache["index"] = SuggestionIndex(
                [
                    CommitmentDoc(
                        pk, commitment_text(title, wording, agency), agency, category, source
                    )
                    for pk, title, wording, agency, category, source in commitments
                ],
                [
                    (pk, reply_text(subject, text))
                    for pk, subject, text in sources.values_list("pk", "subject", "reply_text")
                ],
            )
            _cache["key"] = key
        _cache["data_version"] = version
        return _cache["index"]


@dataclass
class CommitmentSuggestion:
    commitment: Commitment
    score: float
    passage: list[tuple[str, bool]]
    passage_text: str
    terms: list[str]
    already_cites: bool
    from_this_reply: bool


@dataclass
class ReplySuggestion:
    source: Source
    score: float
    passage: list[tuple[str, bool]]
    passage_text: str
    terms: list[str]
    already_cited: bool


def _marked(passage: Passage, query: str) -> dict:
    """Return the passage's text, its marked segments and the terms that matched the query."""
    text = passage.text.strip()
    spans = highlight_spans(text, query)
    return {
        "passage": segments(text, spans),
        "passage_text": text,
        "terms": matched_terms(text, spans),
    }


def suggestions_for_reply(*, source: Source, limit: int = 10) -> list[CommitmentSuggestion]:
    """Return the commitments a reply most likely concerns, with its matching passage."""
    index = suggestion_index()
    if index.has_reply(source.pk):
        ranked = index.commitments_for_reply(source.pk, limit=limit)
    else:
        ranked = index.commitments_for_text(
            reply_text(source.subject, source.reply_text), limit=limit
        )
    commitments = Commitment.objects.in_bulk([item.key for item in ranked])
    citing = set(
        TrackingLog.objects.filter(
            commitment__in=list(commitments), document_number=source.ey_number
        )
        .exclude(document_number="")
        .values_list("commitment_id", flat=True)
    )
    result = []
    for item in ranked:
        commitment = commitments.get(item.key)
        if commitment is None:
            continue
        query = commitment_text(commitment.title, commitment.wording, commitment.responsible_agency)
        result.append(
            CommitmentSuggestion(
                commitment=commitment,
                score=item.score,
                **_marked(item.passage, query),
                already_cites=commitment.pk in citing,
                from_this_reply=commitment.source_id == source.pk,
            )
        )
    return result


def suggestions_for_commitment(*, commitment: Commitment, limit: int = 10) -> list[ReplySuggestion]:
    """Return the replies most likely concerning a commitment (not its own source)."""
    index = suggestion_index()
    if not index.has_commitment(commitment.pk):
        return []
    ranked = index.replies_for_commitment(
        commitment.pk, limit=limit, exclude=[commitment.source_id]
    )
    sources = Source.objects.in_bulk([item.key for item in ranked])
    cited_numbers = set(
        commitment.log_entries.exclude(document_number="").values_list("document_number", flat=True)
    )
    query = commitment_text(commitment.title, commitment.wording, commitment.responsible_agency)
    return [
        ReplySuggestion(
            source=sources[item.key],
            score=item.score,
            **_marked(item.passage, query),
            already_cited=bool(sources[item.key].ey_number)
            and sources[item.key].ey_number in cited_numbers,
        )
        for item in ranked
        if item.key in sources
    ]


def evidence_from_reply(*, source: Source, summary: str, judgement: str) -> Evidence:
    """Return the five cited-document fields for a reply, as the pipeline writes them."""
    return Evidence(
        document_number=source.ey_number,
        document_url=source.url,
        summary=" ".join(summary.split()),
        judgement=judgement,
        source_type=DEFAULT_SOURCE_TYPE,
    )


def commitment_log_reply(
    *,
    commitment: Commitment,
    source: Source,
    summary: str,
    judgement: str,
    entry_date: dt.date | None = None,
    user=None,
) -> TrackingLog:
    """Log a reply on a commitment's timeline; 達成證據 also marks it achieved.

    Evidence of achievement on a commitment not yet achieved is the evidence-shaped
    狀態變更 entry (as the pipeline writes it); anything else is a 進度更新 entry.
    """
    evidence = evidence_from_reply(source=source, summary=summary, judgement=judgement)
    if judgement == JUDGEMENT_ACHIEVED and commitment.status != fmt.STATUS_ACHIEVED:
        return commitment_change_status(
            commitment=commitment,
            to_status=fmt.STATUS_ACHIEVED,
            evidence=evidence,
            entry_date=entry_date,
            user=user,
        )
    return tracking_log_add(
        commitment=commitment, evidence=evidence, entry_date=entry_date, user=user
    )
