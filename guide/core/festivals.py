"""Festivals that come back every year: their usual dates, and which edition is next.

A festival has a usual time of year (month-days, inclusive, perhaps across New Year) and the
editions the park has announced: confirmed dates, or cancelled. The next edition is always
known: the announced one, or else one expected from the usual dates and labelled so. Pure:
no request, no database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from guide.core.bloom import MonthDay


class Standing(enum.Enum):
    CONFIRMED = "confirmed"  # dates announced, with a source
    EXPECTED = "expected"  # not announced: from the usual dates
    CANCELLED = "cancelled"


class When(enum.Enum):
    NOW = "now"
    COMING = "coming"
    PAST = "past"


@dataclass(frozen=True)
class Usual:
    """A festival's usual time of year, first and last day included."""

    start: MonthDay
    end: MonthDay
    # The latest of its openings over the years, when they spread out (none: it opens on `start`).
    start_latest: MonthDay | None = None

    def in_year(self, year: int) -> tuple[date, date]:
        """The usual dates of the edition that starts in `year` (ending in the next if it crosses New Year)."""
        return self.start.in_year(year), self.end.in_year(year if self.end >= self.start else year + 1)


@dataclass(frozen=True)
class Edition:
    """One year's festival: its dates, and whether they are confirmed, expected or cancelled."""

    year: int
    start: date
    end: date
    standing: Standing
    end_approximate: bool = False
    sequence: int = 0  # rises with every change of dates or standing (iCalendar SEQUENCE)

    def when(self, today: date) -> When:
        if self.end < today:
            return When.PAST
        return When.NOW if self.start <= today else When.COMING

    @property
    def cancelled(self) -> bool:
        return self.standing is Standing.CANCELLED


def expected(usual: Usual, year: int) -> Edition:
    start, end = usual.in_year(year)
    return Edition(year, start, end, Standing.EXPECTED)


def upcoming(usual: Usual | None, announced: dict[int, Edition], today: date) -> list[Edition]:
    """The editions a visitor needs now: the one on or next, preceded by any cancelled one of
    that time (so the page can say so). Without usual dates (a one-off), only what is announced."""
    found: list[Edition] = []
    for year in range(today.year - 1, today.year + 3):
        edition = announced.get(year) or (expected(usual, year) if usual else None)
        if edition is None or edition.end < today:
            continue
        found.append(edition)
        if not edition.cancelled:
            break
    return found


def past(announced: dict[int, Edition], today: date, limit: int = 3) -> list[Edition]:
    """Confirmed editions that have ended, latest first: when to expect the next one."""
    ended = [e for e in announced.values() if e.standing is Standing.CONFIRMED and e.end < today]
    return sorted(ended, key=lambda e: e.start, reverse=True)[:limit]
