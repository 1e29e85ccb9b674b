"""Create and correct Executive Yuan replies (sources) from the editors' desk."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.core import format as fmt
from tracker.core.models import Source
from tracker.core.services.commitment_editing import renderable_errors
from tracker.core.services.edit_conflicts import locked_with_changes
from tracker.core.services.search_index import search_document_source_set
from tracker.core.services.timeline import record_user

EDITABLE_FIELDS = ("term", "session_period", "ey_number", "url", "subject", "reply_text")


def source_create(*, document_id: str, user=None, **values: Any) -> Source:
    """Create a reply; it can then be cited by new commitments."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        source = Source(document_id=document_id, **values)
        source.full_clean()
        _check_renderable(source)
        record_user(source, user)
        source.save()
        search_document_source_set(source=source)
    return source


def source_update(
    *,
    source: Source,
    base_version: int,
    changes: dict[str, Any],
    watched: Iterable[str] | None = None,
    user=None,
) -> Source:
    """Correct a reply unless someone saved it since base_version (EditConflict).

    Every commitment citing the reply exports the corrected values.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if not changes:
        return source
    with transaction.atomic():
        locked = locked_with_changes(
            model=Source,
            pk=source.pk,
            base_version=base_version,
            changes=changes,
            watched=watched,
        )
        _check_renderable(locked)
        record_user(locked, user)
        locked.save()
        if {"subject", "reply_text"} & set(changes):
            search_document_source_set(source=locked)
    for model_field in Source._meta.concrete_fields:
        setattr(source, model_field.attname, getattr(locked, model_field.attname))
    return source


def _check_renderable(source: Source) -> None:
    reply = fmt.ReplyData(subject=source.subject, text=source.reply_text)
    problems = renderable_errors(fmt.stub(reply=reply)).get("source")
    if problems:
        raise ValidationError({"reply_text": problems})


def sources_mark_reviewed(*, sources: Iterable[Source], user=None) -> int:
    """Set new replies aside as reviewed (no commitment needs them); return how many."""
    marked = 0
    with transaction.atomic():
        for source in Source.objects.select_for_update().filter(
            pk__in=[s.pk for s in sources], reviewed_at__isnull=True
        ):
            source.reviewed_at = timezone.now()
            record_user(source, user)
            source.save(update_fields=["reviewed_at"])
            marked += 1
    return marked
