"""What "done" means: progress through a commitment's completion criteria, and how often its
target date slipped. Pure functions over plain values (no database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.core import format as fmt


@dataclass(frozen=True)
class Progress:
    met: int
    total: int

    @property
    def percent(self) -> int:
        return round(self.met * 100 / self.total) if self.total else 0


def criteria_progress(states: Iterable[str], met: str = "met") -> Progress:
    """Return how many of the criteria (given by state) are met, of how many."""
    states = list(states)
    return Progress(met=sum(1 for state in states if state == met), total=len(states))


@dataclass(frozen=True)
class Slip:
    changed_on: dt.date
    before: str
    after: str
    days: int  # how much later the new date is (negative: moved earlier)


@dataclass(frozen=True)
class Slips:
    changes: tuple[Slip, ...]

    @property
    def later(self) -> list[Slip]:
        return [slip for slip in self.changes if slip.days > 0]

    @property
    def count(self) -> int:
        """Return how many times the target date moved later."""
        return len(self.later)

    @property
    def total_days(self) -> int:
        """Return by how many days, in all, it moved later."""
        return sum(slip.days for slip in self.later)


def target_date_slips(versions: Iterable[tuple[dt.datetime | dt.date, str | None]]) -> Slips:
    """Return the moves of a target date, from its versions oldest first (when, text as written).

    Only moves between two dates that can be understood count (ROC dates are read as the
    rest of the site reads them); a date written differently but meaning the same day is no
    move.
    """
    changes: list[Slip] = []
    previous_text: str | None = None
    previous: dt.date | None = None
    for when, text in versions:
        current = fmt.parse_target_date(text)
        if previous is not None and current is not None and current != previous:
            day = when.date() if isinstance(when, dt.datetime) else when
            changes.append(
                Slip(
                    changed_on=day,
                    before=previous_text or "",
                    after=text or "",
                    days=(current - previous).days,
                )
            )
        if current is not None:
            previous, previous_text = current, text
    return Slips(tuple(changes))
