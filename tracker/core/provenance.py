"""Where a commitment's values and timeline entries came from: upstream's files or an editor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.core import format as fmt
from tracker.core import merge
from tracker.core.models import Commitment, TrackingLog
from tracker.core.services.edit_conflicts import who


@dataclass(frozen=True)
class Provenance:
    upstream: bool
    by: str  # 同步 #12 (the sync run) or the editor's name
    when: dt.datetime | None
    path: str = ""  # the upstream file, for upstream values

    def describe(self) -> str:
        when = timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M") if self.when else ""
        if self.upstream:
            return _("上游檔案 %(path)s（%(by)s，%(when)s 匯入）") % {
                "path": self.path,
                "by": self.by,
                "when": when,
            }
        return _("編輯部：%(by)s，%(when)s") % {"by": self.by, "when": when}


def field_provenance(commitment: Commitment) -> dict[str, Provenance]:
    """Return, per merged field, whether its value is upstream's or who in the newsroom set it.

    A value equal to the last upstream file's is upstream's; any other was saved by someone,
    found in the commitment's history (the save that gave the field its current value).
    """
    base_record = getattr(commitment, "upstream_base", None)
    base = fmt.parse(base_record.text) if base_record is not None else None
    result = {}
    newsroom = []
    for name, read in merge.MERGED_FIELDS.items():
        if base is not None and read(base) == merge.stored_value(commitment, name):
            result[name] = Provenance(
                upstream=True,
                by=_("同步 #%(number)s") % {"number": base_record.sync_run_id or "?"},
                when=base_record.imported_at,
                path=base_record.file_path,
            )
        else:
            newsroom.append(name)
    setters = _setters(commitment, newsroom)
    for name in newsroom:
        setter = setters.get(name)
        result[name] = Provenance(
            upstream=False,
            by=who(setter.history_user, setter.history_change_reason) if setter else _("不明"),
            when=setter.history_date if setter else None,
        )
    return {name: result[name] for name in merge.MERGED_FIELDS}


def _setters(commitment: Commitment, names: list[str]) -> dict:
    """Return, per field, the history record that gave it its current value (two queries).

    That is the oldest save after the newest one that held another value. History rows are
    numbered in the order they were written, so their ids order them.
    """
    if not names:
        return {}
    history = commitment.history.order_by()
    firsts = {}
    for name in names:
        attname = Commitment._meta.get_field(name).attname
        value = getattr(commitment, attname)
        same = Q(**{attname: value} if value is not None else {f"{attname}__isnull": True})
        last_other = history.exclude(same).order_by("-history_id").values("history_id")[:1]
        firsts[f"set_{name}"] = Min(
            "history_id", filter=same & Q(history_id__gt=Coalesce(Subquery(last_other), 0))
        )
    found = history.aggregate(**firsts)
    ids = {name: found[f"set_{name}"] for name in names}
    records = commitment.history.select_related("history_user").in_bulk(
        [pk for pk in ids.values() if pk is not None]
    )
    return {name: records.get(pk) for name, pk in ids.items()}


def entry_provenance(entry: TrackingLog) -> Provenance:
    """Return where one timeline entry came from (expects sync_run and created_by loaded)."""
    if entry.is_upstream:
        run = entry.sync_run
        return Provenance(
            upstream=True,
            by=_("同步 #%(number)s") % {"number": entry.sync_run_id or "?"},
            when=run.started_at if run is not None else None,
            path=getattr(getattr(entry.commitment, "upstream_base", None), "file_path", ""),
        )
    if entry.created_by is None:
        return Provenance(upstream=False, by=_("本站的日期規則（自動）"), when=entry.modified_at)
    return Provenance(upstream=False, by=who(entry.created_by), when=entry.modified_at)
