"""What "done" means for one commitment: its criteria's progress and its target date's slips."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.core.criteria import Progress, Slips, criteria_progress, target_date_slips
from tracker.core.models import Commitment, CompletionCriterion


@dataclass(frozen=True)
class Done:
    criteria: list[CompletionCriterion]
    progress: Progress
    slips: Slips


def what_done_means(commitment: Commitment) -> Done:
    """Return the commitment's criteria with their progress, and its target date's slips
    (read from its history: every saved version, the sync's and the editors').

    COMMITMENT comes from CommitmentQuerySet.with_page_parts: what it does not have is not
    read (no criteria; no slip where every version wrote the date as it is now)."""
    criteria = list(commitment.criteria.all()) if commitment.has_criteria else []
    versions = (
        commitment.history.order_by("history_date", "history_id").values_list(
            "history_date", "target_date_text"
        )
        if commitment.target_date_rewritten
        else []
    )
    return Done(
        criteria=criteria,
        progress=criteria_progress(criterion.state for criterion in criteria),
        slips=target_date_slips(versions),
    )
