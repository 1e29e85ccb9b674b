"""Create, edit, publish and re-status commitments from the editors' desk.

Every function is keyword-only and atomic. Status changes still go through
:func:`tracker.core.services.timeline.commitment_change_status`, which writes the 狀態變更 entry;
these functions never set ``status`` themselves.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker.core import format as fmt
from tracker.core.models import (
    MAX_NAME_BYTES,
    UNSAFE_IN_FILE_NAME,
    Commitment,
    Status,
    TrackingLog,
)
from tracker.core.services.edit_conflicts import locked_with_changes
from tracker.core.services.search_index import search_document_commitment_set, search_rows_refresh
from tracker.core.services.timeline import (
    Evidence,
    commitment_change_status,
    record_user,
    today,
    tracking_log_add_created,
    validate_entry_date,
    validate_evidence,
    validate_new_entry_date,
    write_progress,
    write_status_change,
)

# What an editor may change in the commitment form. Status changes only through
# commitment_change_status (it writes the entry), publishing only through commitment_publish.
EDITABLE_FIELDS = (
    "title",
    "category",
    "responsible_agency",
    "target_date_text",
    "target_value",
    "source",
    "wording",
    "shows_reply",
    "file_path",
)
# The fields search reads (tracker.core.services.search_index.commitment_search_parts).
SEARCHED_FIELDS = {"title", "wording", "responsible_agency"}
PUBLISH_PERMISSION = "tracker.publish_commitment"
# Slashes and backslashes, and what file_path_problem refuses (control characters).
_UNSAFE_IN_NAME = re.compile(f"(?:[/\\\\]|{UNSAFE_IN_FILE_NAME.pattern})+")
# Default names are cut to whole characters: a title leaves room within MAX_NAME_BYTES for
# ".md" and the "-NNNNN" commitment_free_path adds to keep two long titles apart.
CATEGORY_NAME_BYTES = 120
TITLE_NAME_BYTES = MAX_NAME_BYTES - len(".md") - len("-99999")


def format_problem(error: fmt.FormatError) -> str:
    """Return a format error as an editor reads it, in Chinese where it is a known one."""
    message = error.message
    known = {
        "must not be empty": _("不可空白"),
        "must be a single line": _("只能有一行文字"),
        "contains a carriage return": _("不可包含歸位字元（CR）"),
        "a line after a blank line starts with '### '": _(
            "空行之後的一行不可以「### 」開頭（匯出時會被當成新的紀錄）"
        ),
    }
    if message in known:
        return known[message]
    if message.startswith("a line may not start with '## '"):
        return _("任何一行都不可以「## 」開頭（匯出時會被當成新的章節）：%(line)s") % {
            "line": message.partition(": ")[2]
        }
    return message


def renderable_errors(data: fmt.CommitmentData) -> dict[str, list[str]]:
    """Return field -> problems for values the file format cannot hold (empty when fine)."""
    try:
        fmt.check_renderable(data)
    except fmt.FormatError as error:
        if error.where == fmt.SECTION_WORDING:
            return {"wording": [format_problem(error)]}
        if error.where.startswith(fmt.SECTION_REPLY):
            return {
                "source": [
                    _("來源答復的主旨或內容無法寫入檔案：%(problem)s")
                    % {"problem": format_problem(error)}
                ]
            }
        return {NON_FIELD_ERRORS: [f"{error.where}: {format_problem(error)}"]}
    return {}


def _check_renderable(commitment: Commitment) -> None:
    errors = renderable_errors(commitment.to_data())
    if errors:
        raise ValidationError(errors)


def commitment_default_path(*, category: str, title: str) -> str:
    """Return ``<category>/<title>.md``, names cut to fit a file system, unsafe characters -."""

    def clean(part: str, limit: int) -> str:
        part = _UNSAFE_IN_NAME.sub("-", part).strip().lstrip(".").strip()
        return _cut_to_bytes(part, limit).rstrip() or "未命名"

    return f"{clean(category, CATEGORY_NAME_BYTES)}/{clean(title, TITLE_NAME_BYTES)}.md"


def _cut_to_bytes(text: str, limit: int) -> str:
    """Return the longest start of TEXT whose UTF-8 fits in LIMIT bytes (whole characters)."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def commitment_free_path(*, category: str, title: str) -> str:
    """Return the default path, with -2, -3… added when another commitment has it."""
    path = commitment_default_path(category=category, title=title)
    stem = path[: -len(".md")]
    candidate, number = path, 1
    while Commitment.objects.filter(file_path=candidate).exists():
        number += 1
        candidate = f"{stem}-{number}.md"
    return candidate


def commitment_create(
    *,
    title: str,
    category: str,
    wording: str,
    source,
    responsible_agency: str | None = None,
    target_date_text: str | None = None,
    target_value: str | None = None,
    shows_reply: bool = True,
    file_path: str = "",
    entry_date: dt.date | None = None,
    user=None,
) -> Commitment:
    """Create a draft commitment with a new id and its 初始建立 entry.

    Without a file path it gets ``<category>/<title>.md`` (made unique); the editor can see
    and change it. A new commitment is a draft until a chief editor publishes it.
    """
    entry_date = entry_date or today()
    validate_entry_date(entry_date)
    with transaction.atomic():
        commitment = Commitment(
            uid=str(uuid.uuid4()),
            title=title,
            category=category,
            status=Status.TRACKING,
            target_date_text=target_date_text,
            target_value=target_value,
            responsible_agency=responsible_agency,
            source=source,
            wording=wording,
            shows_reply=shows_reply,
            file_path=file_path or commitment_free_path(category=category, title=title),
            created_date=entry_date,
            last_updated=entry_date,
            is_published=False,
        )
        commitment.full_clean()
        record_user(commitment, user)
        commitment.save()
        tracking_log_add_created(commitment=commitment, entry_date=entry_date, user=user)
        _check_renderable(commitment)
    return commitment


def commitment_update(
    *,
    commitment: Commitment,
    base_version: int,
    changes: dict[str, Any],
    watched: Iterable[str] | None = None,
    user=None,
) -> Commitment:
    """Save an editor's changes unless someone saved the watched fields since base_version.

    Changing nothing is never a conflict. Raises EditConflict (nothing saved) naming who
    saved in between and what changed, and ValidationError naming the field for a value that
    cannot be stored or exported.
    """
    commitment_save(
        commitment=commitment,
        base_version=base_version,
        changes=changes,
        watched=watched,
        user=user,
    )
    return commitment


@dataclass(frozen=True)
class ProgressUpdate:
    """A cited document to log as a progress update."""

    evidence: Evidence
    entry_date: dt.date | None = None


@dataclass(frozen=True)
class StatusChange:
    """A new status with its reason, or (use_evidence) with the progress update's document."""

    to_status: str
    reason: str = ""
    use_evidence: bool = False
    entry_date: dt.date | None = None


def commitment_save(
    *,
    commitment: Commitment,
    base_version: int,
    changes: dict[str, Any],
    watched: Iterable[str] | None = None,
    published: bool | None = None,
    progress: ProgressUpdate | None = None,
    status_change: StatusChange | None = None,
    user=None,
) -> list[str]:
    """Save everything an editor did on a commitment's page, all or nothing.

    One transaction, one row lock and one conflict check: field changes (unless someone
    saved the watched fields since base_version; a status change also watches the status),
    publishing, a progress update and a status change, each checked by the rules of its
    own service. Raises EditConflict or ValidationError (keyed by field: progress_…,
    status_…) with nothing saved. Returns what was done, for the editor.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if published is not None and (user is None or not user.has_perm(PUBLISH_PERMISSION)):
        raise PermissionDenied(_("只有主編可以公開或撤下承諾"))
    # Changing no field overwrites nobody's work: only a status change watches the status.
    watched = list(watched if watched is not None else changes) if changes else []
    if status_change is not None:
        watched.append("status")
    done = []
    with transaction.atomic():
        locked = locked_with_changes(
            model=Commitment,
            pk=commitment.pk,
            base_version=base_version,
            changes=changes,
            watched=watched,
        )
        if changes:
            record_user(locked, user)
            locked.save()
            _check_renderable(locked)
            if SEARCHED_FIELDS & set(changes):
                search_document_commitment_set(commitment=locked)
            else:
                search_rows_refresh()  # another source: its row holds another reply
            done.append(_("已儲存修改。"))
        if published is not None and published != locked.is_published:
            if published:
                _check_renderable(locked)
            locked.is_published = published
            record_user(locked, user)
            locked.save(update_fields=["is_published"])
            search_rows_refresh()
            done.append(_("已公開。") if published else _("已撤下（改為草稿）。"))
        evidence_change = status_change is not None and status_change.use_evidence
        if evidence_change and progress is None:
            raise ValidationError(
                {"status_use_evidence": _("請填寫引用文件（至少內容摘要），或改填原因")}
            )
        if progress is not None:
            _prefixed("progress_", validate_evidence, progress.evidence)
        if progress is not None and not evidence_change:
            entry_date = progress.entry_date or today()
            _prefixed("progress_", validate_new_entry_date, locked, entry_date)
            _prefixed(
                "progress_",
                write_progress,
                locked,
                evidence=progress.evidence,
                entry_date=entry_date,
                user=user,
            )
            done.append(_("已新增一筆進度更新。"))
        if status_change is not None:
            entry_date = (
                progress.entry_date if evidence_change else status_change.entry_date
            ) or today()
            before = locked.status
            _prefixed(
                "progress_" if evidence_change else "status_",
                validate_new_entry_date,
                locked,
                entry_date,
            )
            _prefixed(
                "status_",
                write_status_change,
                locked,
                to_status=status_change.to_status,
                reason=status_change.reason,
                evidence=progress.evidence if evidence_change else None,
                entry_date=entry_date,
                user=user,
            )
            done.append(
                _("狀態已由「%(from)s」變更為「%(to)s」。")
                % {"from": before, "to": status_change.to_status}
            )
    _copy_back(commitment, locked)
    return done


def _prefixed(prefix: str, function, *args, **kwargs):
    """Call a service rule; name its errors as the page's fields (progress_summary, …)."""
    try:
        return function(*args, **kwargs)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        names = {"entry_date": "date", "to_status": "to"}
        raise ValidationError(
            {
                f"{prefix}{names.get(name, name)}": messages
                for name, messages in error.message_dict.items()
            }
        ) from None


def _copy_back(commitment: Commitment, saved: Commitment) -> None:
    for model_field in Commitment._meta.concrete_fields:
        setattr(commitment, model_field.attname, getattr(saved, model_field.attname))


def commitment_publish(*, commitment: Commitment, user, published: bool = True) -> Commitment:
    """Publish a draft (or withdraw a published commitment); chief editors only."""
    if user is None or not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("只有主編可以公開或撤下承諾"))
    with transaction.atomic():
        locked = Commitment.objects.locked(commitment.pk)
        if locked.is_published != published:
            if published:
                _check_renderable(locked)
            locked.is_published = published
            record_user(locked, user)
            locked.save()
            search_rows_refresh()
    _copy_back(commitment, locked)
    return commitment


def commitments_publish(*, commitments: Iterable[Commitment], user, published: bool = True) -> int:
    """Publish (or withdraw) several commitments at once; return how many changed."""
    if user is None or not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("只有主編可以公開或撤下承諾"))
    changed = 0
    with transaction.atomic():
        for commitment in Commitment.objects.select_for_update().filter(
            pk__in=[c.pk for c in commitments]
        ):
            if commitment.is_published == published:
                continue
            if published:
                try:
                    _check_renderable(commitment)
                except ValidationError as error:
                    raise ValidationError(
                        _("「%(title)s」無法匯出，沒有公開任何一筆：%(problem)s")
                        % {"title": commitment.title, "problem": " ".join(error.messages)}
                    ) from None
            commitment.is_published = published
            record_user(commitment, user)
            commitment.save()
            changed += 1
        search_rows_refresh()
    return changed


def commitments_change_status_bulk(
    *,
    commitments: Iterable[Commitment],
    to_status: str,
    reason: str,
    entry_date: dt.date | None = None,
    user=None,
) -> list[TrackingLog]:
    """Change several commitments' status with one reason: one 狀態變更 entry each.

    All or nothing: if any of them cannot change (it already has that status, say), nothing
    is written and the ValidationError names them.
    """
    commitments = list(commitments)
    if not commitments:
        raise ValidationError(_("沒有選取任何承諾"))
    if to_status not in Status.values:
        raise ValidationError({"to_status": _("未知的狀態：%(status)s") % {"status": to_status}})
    with transaction.atomic():
        stored = {
            row.pk: row
            for row in Commitment.objects.select_for_update().filter(
                pk__in=[c.pk for c in commitments]
            )
        }
        already = [row.title for row in stored.values() if row.status == to_status]
        if already:
            raise ValidationError(
                {
                    "to_status": _(
                        "以下 %(count)d 筆已經是「%(status)s」，請取消選取後再試：%(titles)s"
                    )
                    % {"count": len(already), "status": to_status, "titles": "、".join(already)}
                }
            )
        return [
            commitment_change_status(
                commitment=stored[commitment.pk],
                to_status=to_status,
                reason=reason,
                entry_date=entry_date,
                user=user,
            )
            for commitment in commitments
            if commitment.pk in stored
        ]


def commitments_set_agency(*, commitments: Iterable[Commitment], agency: str, user=None) -> int:
    """Write one spelling of the responsible agency on several commitments; return how many."""
    agency = agency.strip()
    if not agency:
        raise ValidationError({"responsible_agency": _("請填寫機關名稱")})
    changed = 0
    with transaction.atomic():
        for commitment in Commitment.objects.select_for_update().filter(
            pk__in=[c.pk for c in commitments]
        ):
            if commitment.responsible_agency != agency:
                commitment.responsible_agency = agency
                record_user(commitment, user)
                commitment.save()
                search_document_commitment_set(commitment=commitment)
                changed += 1
    return changed
