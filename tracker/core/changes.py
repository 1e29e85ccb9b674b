"""What editors changed in published commitments and their timelines, read from history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from tracker.core.models import ENTRY_FIELDS, Commitment, Source, TrackingLog

# The fields a reader cares about; status and last_updated move with every new entry, which
# the feeds already announce, and the rest is bookkeeping.
COMMITMENT_FIELDS = (
    "title",
    "category",
    "target_date_text",
    "target_value",
    "responsible_agency",
    "source",
    "wording",
)
# The shape follows from the kind and the fields: not a change of its own.
READ_ENTRY_FIELDS = tuple(name for name in ENTRY_FIELDS if name != "shape")
# History rows read per kind before keeping those that changed a field above.
CANDIDATES = 200


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    """One save by an editor: which commitment, when, and the fields it changed."""

    commitment_id: int
    changed_at: dt.datetime
    is_entry: bool
    fields: tuple[FieldChange, ...]


def editor_changes(commitment_ids, *, limit: int) -> list[Change]:
    """Return the latest editors' changes to the given commitments and their entries."""
    changes = _changes(Commitment, COMMITMENT_FIELDS, "id", commitment_ids, is_entry=False)
    changes += _changes(
        TrackingLog, READ_ENTRY_FIELDS, "commitment_id", commitment_ids, is_entry=True
    )
    changes.sort(key=lambda change: change.changed_at, reverse=True)
    return changes[:limit]


def _changes(model, fields, commitment_field, commitment_ids, *, is_entry) -> list[Change]:
    history = model.history.model
    previous = (
        history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    records = list(
        history.objects.filter(
            history_type="~",
            history_user__isnull=False,
            **{f"{commitment_field}__in": commitment_ids},
        )
        .annotate(previous_id=Subquery(previous))
        .order_by("-history_date", "-history_id")[:CANDIDATES]
    )
    before = history.objects.in_bulk(
        [record.previous_id for record in records if record.previous_id]
    )
    replies = _reply_numbers(model, [*records, *before.values()])
    changes = []
    for record in records:
        old = before.get(record.previous_id)
        if old is None:
            continue
        changed = []
        for name in fields:
            field = model._meta.get_field(name)
            attribute = field.attname
            old_value, new_value = getattr(old, attribute), getattr(record, attribute)
            if name == "source":
                old_value, new_value = replies.get(old_value), replies.get(new_value)
            if old_value != new_value:
                changed.append(
                    FieldChange(str(field.verbose_name), _shown(old_value), _shown(new_value))
                )
        if changed:
            changes.append(
                Change(
                    commitment_id=getattr(record, commitment_field),
                    changed_at=record.history_date,
                    is_entry=is_entry,
                    fields=tuple(changed),
                )
            )
    return changes


def _reply_numbers(model, records) -> dict[int, str]:
    """Return the document id of each reply the records point to (readers know no row ids)."""
    if model is not Commitment or not records:
        return {}
    ids = {record.source_id for record in records}
    return dict(Source.objects.filter(pk__in=ids).values_list("pk", "document_id"))


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
