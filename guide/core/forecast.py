"""Seasons as they happened, and this season's forecast.

A season is named by the year its buds come, so that a wintersweet flowering from December to
February is one season, not two calendar years. Its points (bud, first, peak start, peak end,
over) are the first days each stage was seen. This year's forecast moves the usual window by
how far ahead or behind the season runs: here, else at the same species' other places, else as
past seasons ran; the further ahead a point, and the fewer the reports, the wider its range.

Pure functions only: no request, no database.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from guide.core.bloom import BloomStage, BloomWindow

POINTS = ("bud", "first", "peak_start", "peak_end", "over")
# The first report of these stages marks the point of the same name.
_MARKS = {
    BloomStage.BUDDING: "bud",
    BloomStage.FIRST_BLOOM: "first",
    BloomStage.PEAK: "peak_start",
    BloomStage.OVER: "over",
}
# The points whose stage is a state that lasts, which a first sighting may find well under way.
STATES = ("peak_start", "peak_end")
DEFAULT_SPREAD = 7  # days either way a season runs from the usual window, until past seasons say
MIN_SPREAD = 3
ELSEWHERE_WEIGHT = 0.5  # a report at another place counts half as much as one here
PRIOR_WEIGHT = 0.5  # what past seasons say, against the latest point seen this season
BUD_WEIGHT = 0.5
ELSEWHERE_EXTRA = 2  # days added either way to a range that rests on other places only
AHEAD_PER_DAY = 0.1  # each 10 days further ahead widens a range by a day either way
MIN_HALF = 2  # a range is never narrower than 5 days


@dataclass(frozen=True)
class Sighting:
    """A stage seen on a day: a standing report, or a dated observation from a source. `seq`
    orders the sightings of one day (a report's id: the later filed, the higher); stages have no
    order of their own, so sightings sort by `order`, never by comparing stages."""

    on: date
    stage: BloomStage
    seq: int = 0

    @property
    def order(self) -> tuple[date, int]:
        return (self.on, self.seq)


def last_each_day(sightings: Iterable[Sighting]) -> list[Sighting]:
    """One sighting a day, in day order: the one seen last, since a later report on the same day
    corrects or confirms the earlier ones."""
    last: dict[date, Sighting] = {}
    for s in sorted(sightings, key=lambda s: s.order):
        last[s.on] = s
    return list(last.values())


@dataclass(frozen=True)
class Span:
    """An inclusive range of days."""

    start: date
    end: date

    @property
    def middle(self) -> date:
        return self.start + (self.end - self.start) / 2

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def usual_dates(window: BloomWindow, year: int) -> dict[str, date]:
    """The window's points in the season whose buds come in `year`."""
    points = (window.bud, window.first, window.peak_start, window.peak_end, window.over)
    return {
        name: point.in_year(year if point >= window.bud else year + 1)
        for name, point in zip(POINTS, points, strict=True)
    }


def season_year(window: BloomWindow, day: date) -> int:
    """The season a day belongs to: the one whose usual middle is nearest."""

    def distance(year: int) -> int:
        usual = usual_dates(window, year)
        middle = usual["bud"] + (usual["over"] - usual["bud"]) / 2
        return abs((day - middle).days)

    return min((day.year - 1, day.year, day.year + 1), key=distance)


def season_label(window: BloomWindow, year: int) -> str:
    """2025, or 2025–26 for a season across New Year."""
    return f"{year}–{(year + 1) % 100:02d}" if window.over < window.bud else str(year)


def observed_points(sightings: Iterable[Sighting]) -> dict[str, date]:
    """The first day each stage was seen; the peak's end is the last day seen at peak once the
    season has moved past it (or the first day past it, when no peak was reported)."""
    ordered = last_each_day(sightings)
    points: dict[str, date] = {}
    for s in ordered:
        if s.stage in _MARKS:
            points.setdefault(_MARKS[s.stage], s.on)
    past_peak = [s.on for s in ordered if s.stage in (BloomStage.FADING, BloomStage.OVER)]
    if past_peak:
        peaks = [s.on for s in ordered if s.stage is BloomStage.PEAK and s.on < past_peak[0]]
        points["peak_end"] = peaks[-1] if peaks else past_peak[0]
    # A stage first reported after a later one tells nothing of when it began: drop it.
    kept: dict[str, date] = {}
    for name in reversed(POINTS):
        if name in points and all(points[name] <= later for later in kept.values()):
            kept[name] = points[name]
    return {name: kept[name] for name in POINTS if name in kept}


def under_way(sightings: Iterable[Sighting]) -> str | None:
    """The point the season's first sighting found already reached, when nothing earlier was
    seen (no "not yet" before it): its day is the first day anyone looked, not the day it came.
    A report of full bloom on 29 April says the peak began on or before then, not on the 29th. Only the
    stages that are states, seen at any time while they last (at peak, fading), are read so:
    buds and first flowers are news of a beginning, written when it begins (and the first bud
    report already counts for less, BUD_WEIGHT)."""
    ordered = last_each_day(sightings)
    if not ordered or ordered[0].stage is BloomStage.NOT_YET:
        return None
    points = observed_points(ordered)
    reached = [name for name in POINTS if points.get(name) == ordered[0].on]
    return reached[-1] if reached and reached[-1] in STATES else None


@dataclass(frozen=True)
class Season:
    """One season as it happened at one plant."""

    year: int
    label: str
    points: dict[str, date]
    sightings: int
    source: str | None = None
    under_way: str | None = None  # the point its first sighting found already reached (see under_way())

    def shift(self, window: BloomWindow) -> float | None:
        """How many days late (negative: early) it ran against the usual window, on average."""
        offsets = _offsets(window, self.year, self.points, self.under_way)
        return statistics.fmean(offsets) if offsets else None


def seasons_of(window: BloomWindow, sightings: Iterable[Sighting], source: str | None = None) -> list[Season]:
    """The seasons these sightings make, newest first; one without any point is left out."""
    by_year: dict[int, list[Sighting]] = {}
    for s in sightings:
        by_year.setdefault(season_year(window, s.on), []).append(s)
    found = [
        Season(year, season_label(window, year), points, len(seen), source, under_way(seen))
        for year, seen in by_year.items()
        if (points := observed_points(seen))
    ]
    return sorted(found, key=lambda season: season.year, reverse=True)


def merge_seasons(window: BloomWindow, *groups: Sequence[Season]) -> list[Season]:
    """Seasons from several records (reports, the data file), one per year, newest first: the
    earliest day each point was seen in any of them."""
    by_year: dict[int, list[Season]] = {}
    for group in groups:
        for season in group:
            by_year.setdefault(season.year, []).append(season)
    merged = []
    for year, same in by_year.items():
        points: dict[str, date] = {}
        for season in same:
            for name, day in season.points.items():
                points[name] = min(day, points.get(name, day))
        sources = [s.source for s in same if s.source]
        # Still under way at the first sighting when the record that saw the earliest point
        # first found it so, and no record saw anything before it.
        first = min(points, key=lambda name: (points[name], POINTS.index(name)), default=None)
        loose = (
            first is not None
            and any(s.under_way == first and s.points.get(first) == points[first] for s in same)
            and not any(s.under_way is None and s.points.get(first) == points[first] for s in same)
        )
        merged.append(
            Season(
                year,
                season_label(window, year),
                points,
                sum(s.sightings for s in same),
                sources[0] if sources else None,
                first if loose else None,
            )
        )
    return sorted(merged, key=lambda season: season.year, reverse=True)


class Basis(enum.Enum):
    """What a forecast rests on, weakest first."""

    USUAL = "usual"  # no report this season: the usual window (moved by past seasons, if any)
    ELSEWHERE = "elsewhere"  # reports of the same species at other places
    REPORTS = "reports"  # reports here


@dataclass(frozen=True)
class Forecast:
    """This season of one plant: what was seen, and a range for each point still to come."""

    year: int
    basis: Basis
    shift: int  # days late; negative: early
    reports: int  # the reports it rests on (here, or elsewhere for Basis.ELSEWHERE)
    seen: dict[str, date]
    expected: dict[str, Span]
    usual: dict[str, date]
    past_seasons: int = 0
    spread: int = DEFAULT_SPREAD
    latest: Sighting | None = field(default=None)
    fallback: bool = False  # this plant's history could not be read: the usual window alone

    @property
    def begun(self) -> bool:
        return self.basis is Basis.REPORTS

    @property
    def over(self) -> bool:
        """Seen over this season: nothing left to forecast."""
        return "over" in self.seen

    def best(self) -> Span:
        """When the peak is (or is expected): from its start to its end, seen or forecast."""
        start = self.seen.get("peak_start") or self.expected["peak_start"].start
        end = self.seen.get("peak_end") or self.expected["peak_end"].end
        return Span(start, max(start, end))

    def likely_peak(self) -> Span:
        """The days most likely at peak: from the middle of the start's range to the middle of
        the end's."""
        start = self.seen.get("peak_start") or self.expected["peak_start"].middle
        end = self.seen.get("peak_end") or self.expected["peak_end"].middle
        return Span(start, max(start, end))

    def point(self, name: str) -> date:
        """A point's day: as seen, else the middle of its range."""
        return self.seen.get(name) or self.expected[name].middle

    def stage_on(self, day: date) -> BloomStage:
        """The stage expected on a day of this season."""
        first, peak_start, peak_end, over = (self.point(p) for p in ("first", "peak_start", "peak_end", "over"))
        bud = min(self.point("bud"), first)
        if day < bud:
            return BloomStage.NOT_YET
        if day < first:
            return BloomStage.BUDDING
        if day < peak_start:
            return BloomStage.FIRST_BLOOM if day < first + (peak_start - first) / 2 else BloomStage.BLOOMING
        if day <= peak_end:
            return BloomStage.PEAK
        if day < over:
            return BloomStage.FADING
        return BloomStage.OVER


def _offsets(window: BloomWindow, year: int, points: dict[str, date], loose: str | None = None) -> list[int]:
    """Each point's days late against the usual window. A point found already reached (`loose`)
    had come some time before: it is set against the middle of its stage's usual days instead."""
    usual = usual_dates(window, year)
    found = []
    for name, day in points.items():
        expected = usual[name]
        if name == loose and name != POINTS[-1]:
            expected += (usual[POINTS[POINTS.index(name) + 1]] - expected) / 2
        found.append((day - expected).days)
    return found


def _weighted(
    window: BloomWindow, year: int, points: dict[str, date], loose: str | None = None
) -> list[tuple[int, float]]:
    """Each point's offset with its weight: the latest point counts most (it says most about
    the points after it), each earlier one half as much; buds half again, since the first bud
    report is often just the day staff began to look."""
    offsets = _offsets(window, year, points, loose)
    last = len(offsets) - 1
    return [
        (offset, 0.5 ** (last - i) * (BUD_WEIGHT if name == "bud" else 1.0))
        for i, (name, offset) in enumerate(zip(points, offsets, strict=True))
    ]


def current_season(window: BloomWindow, today: date, sightings: Sequence[Sighting]) -> int:
    """The season a forecast on `today` is about: the nearest one while it has reports and is
    not over, else the one under way or next by the usual window."""
    near = season_year(window, today)
    seen = observed_points(s for s in sightings if season_year(window, s.on) == near and s.on <= today)
    started = any(s.stage is not BloomStage.NOT_YET for s in sightings if season_year(window, s.on) == near)
    if started and "over" not in seen:
        return near
    return window.season(today)["bud"].year


def forecast(
    window: BloomWindow,
    today: date,
    here: Sequence[Sighting],
    elsewhere: Sequence[tuple[BloomWindow, Sequence[Sighting]]] = (),
    past: Sequence[Season] = (),
    year: int | None = None,
) -> Forecast:
    """This season's forecast from what was seen up to `today`: here, at the same species'
    other places, and in past seasons (only those before this one count)."""
    here = last_each_day(s for s in here if s.on <= today)
    year = current_season(window, today, here) if year is None else year
    this_season = [s for s in here if season_year(window, s.on) == year]
    begun = [s for s in this_season if s.stage is not BloomStage.NOT_YET]
    seen = observed_points(begun)
    own = _weighted(window, year, seen, under_way(this_season))

    other: list[int] = []  # one shift per other place, from its latest points as here
    other_reports = 0
    for their_window, theirs in elsewhere:
        their_season = [s for s in last_each_day(theirs) if s.on <= today and season_year(their_window, s.on) == year]
        in_season = [s for s in their_season if s.stage is not BloomStage.NOT_YET]
        weighted = _weighted(their_window, year, observed_points(in_season), under_way(their_season))
        if weighted:
            other.append(round(sum(o * w for o, w in weighted) / sum(w for _, w in weighted)))
            other_reports += len(in_season)

    shifts = [shift for s in past if s.year < year and (shift := s.shift(window)) is not None]
    prior = statistics.fmean(shifts) if len(shifts) >= 2 else 0.0
    spread = max(MIN_SPREAD, round(statistics.stdev(shifts))) if len(shifts) >= 2 else DEFAULT_SPREAD

    weight = PRIOR_WEIGHT + sum(w for _, w in own) + ELSEWHERE_WEIGHT * len(other)
    total = PRIOR_WEIGHT * prior + sum(o * w for o, w in own) + ELSEWHERE_WEIGHT * sum(other)
    shift = round(total / weight)
    basis = Basis.REPORTS if own else Basis.ELSEWHERE if other else Basis.USUAL
    extra = ELSEWHERE_EXTRA if basis is Basis.ELSEWHERE else 0
    # The spread of one season's shift, less the more points this season has shown.
    certain = spread * math.sqrt(PRIOR_WEIGHT / weight) + extra

    usual = usual_dates(window, year)
    latest = max(begun, key=lambda s: s.order) if begun else None
    reached = max((POINTS.index(name) for name in seen), default=-1)
    expected: dict[str, Span] = {}
    for index, name in enumerate(POINTS):
        if name in seen:
            continue
        middle = usual[name] + timedelta(days=shift)
        ahead = max(0, (middle - today).days)
        half = max(MIN_HALF, math.ceil(certain + AHEAD_PER_DAY * ahead))
        start, end = middle - timedelta(days=half), middle + timedelta(days=half)
        if latest is not None and index > reached:  # not reached by the latest report, so after it
            start = max(start, latest.on + timedelta(days=1))
            end = max(end, start + timedelta(days=2 * MIN_HALF))
        expected[name] = Span(start, end)
    return Forecast(
        year,
        basis,
        shift,
        len(this_season) if basis is Basis.REPORTS else other_reports,
        seen,
        expected,
        usual,
        len(shifts),
        spread,
        latest,
    )


def usual_forecast(window: BloomWindow, today: date) -> Forecast:
    """The forecast when a plant's history cannot be read: its usual window alone, said so."""
    return dataclasses.replace(forecast(window, today, ()), fallback=True)


@dataclass(frozen=True)
class Trial:
    """One point of a recorded season forecast from what was known on a day before it."""

    season: str
    known_on: date
    point: str
    observed: date
    forecast: Span
    usual: date

    @property
    def forecast_error(self) -> int:
        return abs((self.forecast.middle - self.observed).days)

    @property
    def usual_error(self) -> int:
        return abs((self.usual - self.observed).days)


def backtest(
    window: BloomWindow,
    season: Season,
    sightings: Sequence[Sighting],
    elsewhere: Sequence[tuple[BloomWindow, Sequence[Sighting]]] = (),
    past: Sequence[Season] = (),
) -> list[Trial]:
    """Replay one recorded season: on each day something was seen, forecast the points seen
    later from what was known then, against what was then observed and the usual window."""
    mine = [s for s in sightings if season_year(window, s.on) == season.year]
    trials = []
    for day in sorted({s.on for s in mine}):
        made = forecast(window, day, mine, elsewhere, past, year=season.year)
        for name, span in made.expected.items():
            if name in season.points and season.points[name] > day:
                trials.append(Trial(season.label, day, name, season.points[name], span, made.usual[name]))
    return trials


def mean_errors(trials: Sequence[Trial]) -> tuple[float, float]:
    """Mean absolute error in days: the forecast's, and the usual window's."""
    if not trials:
        return 0.0, 0.0
    return statistics.fmean(t.forecast_error for t in trials), statistics.fmean(t.usual_error for t in trials)


class Moment(enum.Enum):
    """What a place's "when to come" line says."""

    PEAK = "peak"  # at its peak now
    RISING = "rising"  # in flower, the peak to come
    NEXT = "next"  # nothing worth the trip now: the next season
    FADING = "fading"  # past its peak, and no other season coming this year


@dataclass(frozen=True)
class Visit:
    """When to come: which plant (its index in what was given), and the days that matter."""

    index: int
    moment: Moment
    season: Span  # first flowers to over (this one, or the next)
    best: Span  # the likely peak
    forecast: bool  # from reports (here or elsewhere), not only the usual window

    def last_days(self, today: date) -> bool:
        """At peak, ending within three days."""
        return self.moment is Moment.PEAK and (self.best.end - today).days <= LAST_DAYS


LAST_DAYS = 3


def when_to_come(plants: Sequence[tuple[Forecast, BloomStage]], today: date) -> Visit | None:
    """One line's worth for a place: a plant at its peak now (the one ending soonest), else one
    coming into it, else the plant whose next season starts soonest."""

    def visit(index: int, moment: Moment) -> Visit:
        made = plants[index][0]
        best = made.likely_peak()
        best = Span(best.start, max(best.end, today)) if moment is Moment.PEAK else best
        season = Span(made.point("first"), max(made.point("over"), best.end))
        return Visit(index, moment, season, best, made.basis is not Basis.USUAL)

    at_peak = [i for i, (_, stage) in enumerate(plants) if stage is BloomStage.PEAK]
    if at_peak:
        return min((visit(i, Moment.PEAK) for i in at_peak), key=lambda v: v.best.end)
    rising = [i for i, (_, stage) in enumerate(plants) if stage in (BloomStage.FIRST_BLOOM, BloomStage.BLOOMING)]
    if rising:
        return min((visit(i, Moment.RISING) for i in rising), key=lambda v: v.best.start)
    coming = [
        visit(i, Moment.NEXT)
        for i, (made, stage) in enumerate(plants)
        if stage in (BloomStage.NOT_YET, BloomStage.BUDDING, BloomStage.OVER) and not made.over
    ]
    coming = [v for v in coming if v.season.start >= today or plants[v.index][1] is BloomStage.BUDDING]
    if coming:
        return min(coming, key=lambda v: v.season.start)
    fading = [visit(i, Moment.FADING) for i, (_, stage) in enumerate(plants) if stage is BloomStage.FADING]
    return max(fading, key=lambda v: v.season.end) if fading else None
