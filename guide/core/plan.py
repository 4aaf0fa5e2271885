"""Planning a trip: which dates a visitor may ask for, and what is expected at its best on each.

Pure functions only: no request, no database.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from guide.core.bloom import BloomStage, BloomWindow
from guide.core.forecast import Basis, Forecast, season_year

T = TypeVar("T")
MAX_DAYS = 14  # one trip, from the first day to the last
MAX_AHEAD = 366  # a year ahead


class PlanError(enum.Enum):
    """Why dates were refused; the page says each in its language."""

    MISSING = "missing"
    NOT_A_DATE = "not_a_date"
    BACKWARDS = "backwards"
    PAST = "past"
    TOO_FAR = "too_far"
    TOO_LONG = "too_long"


class Refused(ValueError):
    def __init__(self, reason: PlanError):
        super().__init__(reason.value)
        self.reason = reason


def parse_day(text: str) -> date:
    """A day as a date input sends it, 2026-04-15; raise Refused for anything else."""
    text = text.strip()
    if len(text) != 10 or not text[:4].isdigit():
        raise Refused(PlanError.NOT_A_DATE)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(PlanError.NOT_A_DATE) from None


def input_date(text: str) -> str:
    """What a date input may show again: the day as typed if it is one, else nothing (HTML
    allows no other value)."""
    try:
        return parse_day(text).isoformat()
    except Refused:
        return ""


def trip(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """The days of a trip from the form: one day, or a range of up to MAX_DAYS days, from
    today to a year ahead."""
    if not first:
        raise Refused(PlanError.MISSING)
    start = parse_day(first)
    end = parse_day(last) if last else start
    if end < start:
        raise Refused(PlanError.BACKWARDS)
    if start < today:
        raise Refused(PlanError.PAST)
    if end > today + timedelta(days=MAX_AHEAD):
        raise Refused(PlanError.TOO_FAR)
    if (end - start).days + 1 > MAX_DAYS:
        raise Refused(PlanError.TOO_LONG)
    return start, end


class Certainty(enum.Enum):
    """How sure the plan is, surest first."""

    REPORT = "report"  # a fresh report says so
    FORECAST = "forecast"  # this season's reports (here or elsewhere) moved the usual window
    USUAL = "usual"  # only the usual window

    @property
    def rank(self) -> int:
        return list(Certainty).index(self)


@dataclass(frozen=True)
class Candidate:
    """A plant as the planner sees it: its usual window, its forecast, its stage by a fresh report."""

    key: int
    window: BloomWindow
    forecast: Forecast
    reported: BloomStage | None = None


@dataclass(frozen=True)
class Expected:
    key: int
    stage: BloomStage
    certainty: Certainty


WORTH = (BloomStage.PEAK, BloomStage.BLOOMING)


def expected_on(candidate: Candidate, day: date, today: date) -> Expected:
    """The stage a plant is expected at on a day, and how sure that is."""
    if day == today and candidate.reported is not None:
        return Expected(candidate.key, candidate.reported, Certainty.REPORT)
    made = candidate.forecast
    if season_year(candidate.window, day) == made.year and not made.over:
        certainty = Certainty.USUAL if made.basis is Basis.USUAL else Certainty.FORECAST
        return Expected(candidate.key, made.stage_on(day), certainty)
    return Expected(candidate.key, candidate.window.stage_on(day), Certainty.USUAL)


def best_on_trip(candidate: Candidate, start: date, end: date, today: date) -> Expected | None:
    """The best a plant is expected to be on any day of a trip (the surest of equal stages), or
    None when it is in season on none of them: what a card made for those dates shows."""
    best: Expected | None = None
    day = start
    while day <= end:
        found = expected_on(candidate, day, today)
        if found.stage.in_season and (
            best is None or (found.stage.rank, -found.certainty.rank) > (best.stage.rank, -best.certainty.rank)
        ):
            best = found
        day += timedelta(days=1)
    return best


def runs(days: Sequence[tuple[date, list[T]]], same: Callable[[T], Hashable]) -> list[tuple[date, date, list[T]]]:
    """Consecutive days whose lists are the same (item by item, as `same` sees them) as one run,
    (first day, last day, the first day's list): a plan that says a thing once, not day after day."""
    found: list[tuple[date, date, list[T]]] = []
    for day, items in days:
        if found and [same(i) for i in found[-1][2]] == [same(i) for i in items]:
            found[-1] = (found[-1][0], day, found[-1][2])
        else:
            found.append((day, day, items))
    return found


def plan(candidates: Sequence[Candidate], start: date, end: date, today: date) -> list[tuple[date, list[Expected]]]:
    """Each day of a trip with what is expected at its best (peak first, then well in flower),
    the surest first."""
    days = []
    day = start
    while day <= end:
        found = [e for c in candidates if (e := expected_on(c, day, today)).stage in WORTH]
        found.sort(key=lambda e: (-e.stage.rank, e.certainty.rank))
        days.append((day, found))
        day += timedelta(days=1)
    return days


LAST_CHANCE_DAYS = 5  # a peak ending within this many days is the last chance to see it


def weekend(today: date) -> list[date]:
    """The days of this weekend still to come: Saturday and Sunday (on a Sunday, today)."""
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        return [today]
    return [saturday, saturday + timedelta(days=1)]


def peak_ends(candidate: Candidate, today: date) -> date | None:
    """The day a peak under way is expected to end, when that is within LAST_CHANCE_DAYS."""
    if expected_on(candidate, today, today).stage is not BloomStage.PEAK:
        return None
    made = candidate.forecast
    if season_year(candidate.window, today) != made.year or "peak_end" in made.seen:
        return None
    end = max(made.likely_peak().end, today)
    return end if (end - today).days <= LAST_CHANCE_DAYS else None


def peak_begins_this_weekend(candidate: Candidate, today: date) -> bool:
    """Not at its peak today, expected to be by this weekend."""
    if expected_on(candidate, today, today).stage is BloomStage.PEAK:
        return False
    return any(expected_on(candidate, day, today).stage is BloomStage.PEAK for day in weekend(today))
