"""The sync's three-way merge rules, as pure functions (no database).

Each incoming upstream file is compared with the *base* (the last file upstream delivered for
that commitment, kept verbatim) and with the newsroom's current record:

- entries are aligned by their permanent keys (:func:`tracker.core.format.timeline_keys`):
  base entries that are a prefix of the incoming ones mean upstream appended; incoming
  entries that are a strict prefix of the base mean an older file; anything else diverged;
- a field upstream changed is taken only where the newsroom left it as upstream last had it;
  where both changed it differently, the newsroom's value stays and the change is queued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tracker.core import format as fmt

# Commitment fields the merge compares: model field -> how to read it from the file's data.
MERGED_FIELDS = {
    "title": lambda data: data.title,
    "category": lambda data: data.category,
    "status": lambda data: data.status,
    "target_date_text": lambda data: data.target_date,
    "target_value": lambda data: data.target_value,
    "responsible_agency": lambda data: data.responsible_agency,
    "wording": lambda data: data.wording,
    "shows_reply": lambda data: data.reply is not None,
    "source": lambda data: data.source.document_id,
    "created_date": lambda data: data.created_at,
}


def stored_value(commitment, name: str):
    """Return a commitment's value of a merged field, as the file's data spells it."""
    if name == "source":
        return commitment.source.document_id
    return getattr(commitment, name)


def field_text(value) -> str | None:
    """Return a field's value as the review queue keeps it (None: the file's null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class Verdict(StrEnum):
    SAME = "same"  # the same entries as the base
    NEWER = "newer"  # the base's entries, then more
    OLDER = "older"  # a strict prefix of the base's entries, or the same ones dated earlier
    DIVERGED = "diverged"  # upstream rewrote, dropped or inserted entries


@dataclass
class EntryPlan:
    verdict: Verdict
    incoming_keys: list[str]
    base_keys: list[str] = field(default_factory=list)
    # Incoming entries the base does not have: (key, entry), in upstream's order.
    appended: list[tuple[str, fmt.LogEntryData]] = field(default_factory=list)
    # Keys of base entries upstream no longer delivers (rewritten or dropped).
    vanished: list[str] = field(default_factory=list)


def plan_entries(
    base: list[fmt.LogEntryData],
    incoming: list[fmt.LogEntryData],
    *,
    base_last_updated: dt.date | None = None,
    incoming_last_updated: dt.date | None = None,
) -> EntryPlan:
    """Return how upstream's incoming timeline relates to the base's."""
    base_keys = fmt.timeline_keys(base)
    incoming_keys = fmt.timeline_keys(incoming)
    if incoming_keys == base_keys:
        older = (
            base_last_updated is not None
            and incoming_last_updated is not None
            and incoming_last_updated < base_last_updated
        )
        return EntryPlan(Verdict.OLDER if older else Verdict.SAME, incoming_keys, base_keys)
    if incoming_keys[: len(base_keys)] == base_keys:
        appended = list(zip(incoming_keys, incoming, strict=True))[len(base_keys) :]
        return EntryPlan(Verdict.NEWER, incoming_keys, base_keys, appended=appended)
    if base_keys[: len(incoming_keys)] == incoming_keys:
        return EntryPlan(Verdict.OLDER, incoming_keys, base_keys)
    known = set(base_keys)
    present = set(incoming_keys)
    return EntryPlan(
        Verdict.DIVERGED,
        incoming_keys,
        base_keys,
        appended=[
            (key, entry)
            for key, entry in zip(incoming_keys, incoming, strict=True)
            if key not in known
        ],
        vanished=[key for key in base_keys if key not in present],
    )


class FieldDecision(StrEnum):
    KEEP = "keep"  # upstream did not change it (or both made the same change)
    TAKE = "take"  # only upstream changed it
    CONFLICT = "conflict"  # both changed it, differently: keep ours and queue


def decide_field(base: Any, theirs: Any, ours: Any) -> FieldDecision:
    """Return what a sync does with one field, given base, upstream's and our value."""
    if theirs in (base, ours):
        return FieldDecision.KEEP
    if ours == base:
        return FieldDecision.TAKE
    return FieldDecision.CONFLICT


@dataclass(frozen=True)
class Placed:
    """One timeline entry as the order sees it."""

    ref: Any  # whatever the caller uses to find the row again
    entry_date: dt.date
    upstream: bool


def merged_order(upstream: list[Placed], newsroom: list[Placed]) -> list[Placed]:
    """Return the timeline order: upstream's entries in upstream's order, and each newsroom
    entry after upstream's entries of the same day or earlier (newsroom entries by date,
    keeping their own order within a day)."""
    pending = sorted(enumerate(newsroom), key=lambda item: (item[1].entry_date, item[0]))
    order: list[Placed] = []
    index = 0
    for entry in upstream:
        while index < len(pending) and pending[index][1].entry_date < entry.entry_date:
            order.append(pending[index][1])
            index += 1
        order.append(entry)
    order.extend(item for _, item in pending[index:])
    return order
