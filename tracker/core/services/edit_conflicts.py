"""Notice when an editor saves a record someone else saved after they opened it.

Every save of a versioned record (tracker.core.models.Versioned) raises its version, and
django-simple-history keeps a copy of each saved state. An editor's form carries the version it
was opened at; before saving, :func:`check_version` compares the record as it was then (its
history copy) with the record now, and raises :class:`EditConflict` naming who saved in between
and what they changed. Nothing is written when it raises.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

# Fields that change on every save or are derived: never worth telling an editor about.
UNTOLD_FIELDS = frozenset({"version", "modified_at", "detected_at", "target_date"})
SHORT_VALUE = 80


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after one save, ready to show."""

    name: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Edit:
    """One save by someone: who, when, and what it changed."""

    who: str
    when: dt.datetime
    action: str
    changes: tuple[FieldChange, ...] = ()

    def describe(self) -> str:
        when = timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M")
        if self.action == "-":
            return _("%(who)s 於 %(when)s 刪除了這筆資料") % {"who": self.who, "when": when}
        if not self.changes:
            return _("%(who)s 於 %(when)s 儲存了這筆資料") % {"who": self.who, "when": when}
        changed = "；".join(
            _("%(label)s：「%(before)s」→「%(after)s」")
            % {"label": change.label, "before": change.before, "after": change.after}
            for change in self.changes
        )
        return _("%(who)s 於 %(when)s 修改了 %(changes)s") % {
            "who": self.who,
            "when": when,
            "changes": changed,
        }


@dataclass
class EditConflict(Exception):
    """Someone else changed fields of this record after the editor opened it."""

    edits: list[Edit]
    # field name -> (value when the editor opened the form, value now)
    theirs: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # fields both the editor and someone else changed (to different values)
    both: set[str] = field(default_factory=set)
    current_version: int = 0
    deleted: bool = False

    def __str__(self) -> str:
        return self.message()

    def message(self) -> str:
        if self.deleted:
            lead = _("您開啟這個頁面之後，這筆資料已被刪除。")
        else:
            lead = _("您開啟這個頁面之後，有人儲存了這筆資料，您的修改尚未儲存。")
        told = " ".join(edit.describe() + "。" for edit in self.edits)
        return f"{lead}{told}"


_CJK = re.compile(r"[\u3400-\u9fff]")


def who(user, reason: str | None = None) -> str:
    """Return how an editor is named in messages: 王小明（editor）, or the user name.

    A save by no editor is named by its history reason where it has one (同步 #12: the sync
    run that made it).
    """
    if user is None:
        return reason or _("系統（匯入或自動規則）")
    first, last = user.first_name.strip(), user.last_name.strip()
    if _CJK.search(first + last):
        name = f"{last}{first}"
    else:
        name = " ".join(part for part in (first, last) if part)
    username = user.get_username()
    return f"{name}（{username}）" if name else username


def display(value: Any, *, full: bool = False) -> str:
    """Return a field value as a short line of text for a message (whole, if full)."""
    if value is None or value == "":
        return _("（空白）")
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, dt.date):
        return value.isoformat()
    if full:
        return str(value)
    text = " ".join(str(value).split())
    return text if len(text) <= SHORT_VALUE else text[: SHORT_VALUE - 1] + "…"


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _value(record, model, name: str):
    return getattr(record, model._meta.get_field(name).attname)


def display_field(model, name: str, value, *, full: bool = False) -> str:
    """Return a stored value of a model's field as an editor reads it."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.ForeignKey) and value is not None:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return display(str(related) if related is not None else value, full=full)
    if model_field.choices and value:
        return display(dict(model_field.flatchoices).get(value, value), full=full)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return display(value, full=full)


def tracked_fields(model) -> list[str]:
    """Return the names of the fields history keeps and an editor cares about."""
    return [
        model_field.name
        for model_field in model.history.model.tracked_fields
        if model_field.name not in UNTOLD_FIELDS and not model_field.primary_key
    ]


def edits_between(model, records) -> list[Edit]:
    """Return the saves in a list of consecutive history records (the first is the base)."""
    edits = []
    names = tracked_fields(model)
    for previous, record in pairwise(records):
        changes = []
        if record.history_type != "-":
            for name in names:
                before = _value(previous, model, name)
                after = _value(record, model, name)
                if before != after:
                    changes.append(
                        FieldChange(
                            name=name,
                            label=_label(model, name),
                            before=display_field(model, name, before),
                            after=display_field(model, name, after),
                        )
                    )
        edits.append(
            Edit(
                who=who(record.history_user, record.history_change_reason),
                when=record.history_date,
                action=record.history_type,
                changes=tuple(changes),
            )
        )
    return edits


def _records_since(model, pk, base_version: int) -> tuple[Any, list]:
    """Return (the history record at base_version or None, the records after it)."""
    records = list(
        model.history.filter(**{model._meta.pk.attname: pk}, version__gte=base_version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    base = None
    later = []
    for record in records:
        if record.version == base_version and not later:
            base = record
        elif record.version > base_version or record.history_type == "-":
            later.append(record)
    return base, later


def check_version(
    *,
    current: models.Model,
    base_version: int,
    submitted: dict[str, Any],
    watched: list[str] | tuple[str, ...] | None = None,
) -> None:
    """Raise EditConflict if someone saved one of the watched fields since base_version.

    ``current`` is the record as stored now (read under a lock by the caller); ``submitted``
    maps field names to the editor's values; ``watched`` are the fields the editor's form
    showed (by default those submitted). Saves that changed only other fields (a status change
    while the editor fixed a typo) are no conflict: saving the editor's fields loses nothing.
    """
    if current.version == base_version:
        return
    model = type(current)
    watched = list(watched if watched is not None else submitted)
    base, later = _records_since(model, current.pk, base_version)
    theirs: dict[str, tuple[Any, Any]] = {}
    both: set[str] = set()
    for name in watched:
        now = _value(current, model, name)
        mine = submitted.get(name, now)
        if isinstance(mine, models.Model):
            mine = mine.pk
        if base is None:
            # No copy of the state the editor started from (a record written in bulk):
            # anything that differs from what they submit may be someone else's work.
            if mine != now:
                theirs[name] = (None, now)
                both.add(name)
            continue
        then = _value(base, model, name)
        if then != now:
            theirs[name] = (then, now)
            if mine not in (then, now):
                both.add(name)
    if not theirs:
        return
    if base is not None:
        edits = edits_between(model, [base, *later])
    else:
        # Without the starting copy, the first save's changes cannot be told, only its author.
        edits = [
            Edit(
                who=who(record.history_user, record.history_change_reason),
                when=record.history_date,
                action="~",
            )
            for record in later[:1]
        ] + edits_between(model, later)
    raise EditConflict(edits=edits, theirs=theirs, both=both, current_version=current.version)


def locked_with_changes(
    *,
    model,
    pk,
    base_version: int,
    changes: dict[str, Any],
    watched: Iterable[str] | None = None,
):
    """Lock a record, check it for conflicts, and return it with the changes set and validated.

    Call inside a transaction. Raises EditConflict if someone saved a watched field since
    base_version, and ValidationError naming the field for a value that cannot be stored.
    Nothing is saved: the caller saves (with its own checks) and the lock holds until then.
    """
    locked = model.objects.select_for_update().get(pk=pk)
    check_version(
        current=locked,
        base_version=base_version,
        submitted=changes,
        watched=list(watched) if watched is not None else None,
    )
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=[f.name for f in model._meta.fields if f.name not in changes])
    return locked


def check_not_deleted(*, model, pk) -> None:
    """Raise EditConflict naming who deleted the record, if it no longer exists."""
    try:
        model._default_manager.get(pk=pk)
        return
    except ObjectDoesNotExist:
        pass
    record = (
        model.history.filter(**{model._meta.pk.attname: pk}, history_type="-")
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
    edits = []
    if record is not None:
        edits.append(
            Edit(
                who=who(record.history_user, record.history_change_reason),
                when=record.history_date,
                action="-",
            )
        )
    raise EditConflict(edits=edits, deleted=True)
