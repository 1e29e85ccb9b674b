"""Completion criteria: the steps an editor says a commitment needs, and what settled each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tracker.core.links import web_url_problem
from tracker.core.models import Commitment, CompletionCriterion, CriterionState, Milestone
from tracker.core.services.edit_conflicts import check_not_deleted, locked_with_changes
from tracker.core.services.timeline import record_user, today

EDITABLE_FIELDS = (
    "milestone",
    "description",
    "position",
    "state",
    "settled_on",
    "evidence",
    "evidence_url",
)


def _validate(criterion: CompletionCriterion) -> None:
    errors: dict[str, str] = {}
    if criterion.milestone not in Milestone.values:
        errors["milestone"] = _("請從清單中選擇里程碑")
    if criterion.milestone == Milestone.OTHER and not criterion.description.strip():
        errors["description"] = _("選「其他」時請寫明這一步是什麼")
    if "\n" in criterion.description:
        errors["description"] = _("只能有一行文字")
    if criterion.state not in CriterionState.values:
        errors["state"] = _("請從清單中選擇狀態")
    if criterion.state != CriterionState.OPEN:
        # A settled step says what settled it and when.
        if criterion.settled_on is None:
            errors["settled_on"] = _("已確認的標準請填寫確認日期")
        if not criterion.evidence.strip():
            errors["evidence"] = _("已確認的標準請寫明依據的文件")
    if criterion.settled_on is not None and criterion.settled_on > today():
        errors["settled_on"] = _("確認日期不可晚於今天")
    if "\n" in criterion.evidence:
        errors["evidence"] = _("只能有一行文字")
    if criterion.evidence_url and web_url_problem(criterion.evidence_url):
        errors["evidence_url"] = _("依據連結必須是 http:// 或 https:// 開頭的完整網址")
    if errors:
        raise ValidationError(errors)


def criterion_add(
    *,
    commitment: Commitment,
    milestone: str,
    description: str = "",
    state: str = CriterionState.OPEN,
    settled_on=None,
    evidence: str = "",
    evidence_url: str = "",
    user=None,
) -> CompletionCriterion:
    """Add a step to what "done" means for a commitment, at the end of its list."""
    criterion = CompletionCriterion(
        commitment=commitment,
        milestone=milestone,
        description=description.strip(),
        state=state,
        settled_on=settled_on,
        evidence=evidence.strip(),
        evidence_url=evidence_url.strip(),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    _validate(criterion)
    with transaction.atomic():
        Commitment.objects.locked(commitment.pk)
        last = commitment.criteria.aggregate(last=Max("position"))["last"]
        criterion.position = 0 if last is None else last + 1
        record_user(criterion, user)
        criterion.save()
    return criterion


def criterion_update(
    *,
    criterion: CompletionCriterion,
    base_version: int,
    changes: dict[str, Any],
    watched: Iterable[str] | None = None,
    user=None,
) -> CompletionCriterion:
    """Change a step or settle it (met or failed, with its evidence), conflict-checked."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if not changes:
        return criterion
    with transaction.atomic():
        check_not_deleted(model=CompletionCriterion, pk=criterion.pk)
        locked = locked_with_changes(
            model=CompletionCriterion,
            pk=criterion.pk,
            base_version=base_version,
            changes=changes,
            watched=watched,
        )
        if locked.state == CriterionState.OPEN and "state" in changes:
            # Reopened: the old evidence no longer settles anything.
            locked.settled_on = None
        _validate(locked)
        record_user(locked, user)
        locked.save()
    for model_field in CompletionCriterion._meta.concrete_fields:
        setattr(criterion, model_field.attname, getattr(locked, model_field.attname))
    return criterion


def criterion_delete(*, criterion: CompletionCriterion, user=None) -> None:
    """Delete a step (its history keeps the last version)."""
    with transaction.atomic():
        record_user(criterion, user)
        criterion.delete()
