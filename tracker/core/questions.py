"""What the questions to an agency show: how many it answered, how fast, how many are late.

Pure: works on any objects with ``sent_on``, ``deadline`` and ``answered_on`` dates.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionStats:
    asked: int
    answered: int
    overdue: int  # unanswered and past the deadline
    answered_late: int
    median_days_to_answer: float | None

    @property
    def answer_rate(self) -> float | None:
        """Return answered / asked (None when nothing was asked)."""
        return self.answered / self.asked if self.asked else None

    @property
    def answer_percent(self) -> int | None:
        rate = self.answer_rate
        return None if rate is None else round(rate * 100)


def question_stats(questions: Iterable, today: dt.date) -> QuestionStats:
    """Return the answer rate, the median days to answer and the overdue count."""
    questions = list(questions)
    answered = [q for q in questions if q.answered_on is not None]
    days = [(q.answered_on - q.sent_on).days for q in answered]
    return QuestionStats(
        asked=len(questions),
        answered=len(answered),
        overdue=sum(1 for q in questions if q.answered_on is None and q.deadline < today),
        answered_late=sum(1 for q in answered if q.answered_on > q.deadline),
        median_days_to_answer=statistics.median(days) if days else None,
    )
