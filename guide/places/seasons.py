"""Reading the seasons of plants (from standing reports and the data file) and this season's
forecast for each, including what the same species shows at other places."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from guide.core.bloom import BloomStage
from guide.core.clock import LOCAL_ZONE
from guide.core.forecast import (
    Forecast,
    Season,
    Sighting,
    Span,
    Trial,
    Visit,
    backtest,
    forecast,
    merge_seasons,
    seasons_of,
    usual_forecast,
    when_to_come,
)
from guide.core.plan import Candidate, Expected, best_on_trip, peak_begins_this_weekend, peak_ends, plan
from guide.extensions import db
from guide.places import practical, queries
from guide.places.models import BloomReport, PeakReminder, Place, Plant

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outlook:
    """A plant's past seasons (newest first, this one left out) and this season's forecast."""

    plant: Plant
    past: list[Season]
    forecast: Forecast


def reported_sightings(plant_ids: list[int]) -> dict[int, list[Sighting]]:
    """What staff saw of each plant, by day in Jiading, retracted reports left out."""
    found: dict[int, list[Sighting]] = defaultdict(list)
    if not plant_ids:
        return found
    rows = db.session.execute(
        select(BloomReport.id, BloomReport.plant_id, BloomReport.reported_at, BloomReport.stage).where(
            BloomReport.plant_id.in_(plant_ids), BloomReport.retracted_at.is_(None)
        )
    )
    for report_id, plant_id, reported_at, stage in rows:
        found[plant_id].append(Sighting(reported_at.astimezone(LOCAL_ZONE).date(), BloomStage(stage), report_id))
    return found


def seasons(plant: Plant, reported: list[Sighting]) -> list[Season]:
    """Every recorded season of a plant, newest first: from reports and from the data file."""
    window = plant.window
    return merge_seasons(window, seasons_of(window, reported), plant.recorded_seasons())


def outlooks(plants: list[Plant], today: date) -> dict[int, Outlook]:
    """Each plant's past seasons and forecast, the same species at other listed places counted."""
    if not plants:
        return {}
    seen, kin = _read_with_kin(plants)
    found = {}
    for plant in plants:
        try:
            found[plant.id] = _outlook(plant, today, seen, kin)
        except Exception:
            # One plant's bad data or an impossible history must not take the page down: that
            # plant alone falls back to its usual window, labelled so; its status (from its
            # latest report) is read elsewhere and still shows.
            log.exception("the forecast of plant %s (%s at place %s) failed", plant.id, plant.key, plant.place_id)
            found[plant.id] = Outlook(plant, [], usual_forecast(plant.window, today))
    return found


def _read_with_kin(plants: list[Plant]) -> tuple[dict[int, list[Sighting]], list[Plant]]:
    """What staff saw of these plants and of the same species at other listed places."""
    keys = {plant.key for plant in plants}
    kin = list(
        db.session.scalars(
            select(Plant).join(Plant.place).where(Plant.key.in_(keys), Plant.listed, Place.listed).order_by(Plant.id)
        )
    )
    ids = {plant.id for plant in plants} | {plant.id for plant in kin}
    return reported_sightings(sorted(ids)), kin


def _outlook(
    plant: Plant, today: date, seen: dict[int, list[Sighting]], kin: list[Plant], year: int | None = None
) -> Outlook:
    here = seen.get(plant.id, []) + plant.recorded_sightings()
    elsewhere = [
        (other.window, seen.get(other.id, [])) for other in kin if other.key == plant.key and other.id != plant.id
    ]
    recorded = seasons(plant, seen.get(plant.id, []))
    made = forecast(plant.window, today, here, elsewhere, recorded, year)
    return Outlook(plant, [s for s in recorded if s.year != made.year], made)


def peak_to_come(plant: Plant, today: date) -> Forecast:
    """The forecast of the plant's next peak that is not over: this season's, or, once this
    season's peak has passed, the next season's."""
    seen, kin = _read_with_kin([plant])
    try:
        made = _outlook(plant, today, seen, kin).forecast
        if made.over or made.likely_peak().end < today:
            made = _outlook(plant, today, seen, kin, made.year + 1).forecast
        return made
    except Exception:
        log.exception("the forecast of plant %s (%s at place %s) failed", plant.id, plant.key, plant.place_id)
        return usual_forecast(plant.window, today)


@dataclass(frozen=True)
class Reminder:
    """A plant's coming peak as its reminder calendar gives it: the days (the likeliest), how
    often they have moved (SEQUENCE) and when they last did (DTSTAMP)."""

    plant: Plant
    forecast: Forecast
    peak: Span
    sequence: int
    changed_at: datetime


def reminder(plant: Plant, today: date, now: datetime) -> Reminder:
    """The plant's coming peak, its stored days moved (and SEQUENCE raised) when the forecast
    has moved them since the calendar was last read."""
    made = peak_to_come(plant, today)
    peak = made.likely_peak()
    try:
        row = _stored_peak(plant.id, made.year, peak, now)
    except IntegrityError:  # another reader stored this season first: read theirs, moved if need be
        db.session.rollback()
        row = _stored_peak(plant.id, made.year, peak, now)
    return Reminder(plant, made, peak, row.sequence, row.changed_at)


def _stored_peak(plant_id: int, year: int, peak: Span, now: datetime) -> PeakReminder:
    row = db.session.scalar(select(PeakReminder).where(PeakReminder.plant_id == plant_id, PeakReminder.year == year))
    if row is None:
        row = PeakReminder(
            plant_id=plant_id, year=year, starts_on=peak.start, ends_on=peak.end, sequence=0, changed_at=now
        )
        db.session.add(row)
    elif (row.starts_on, row.ends_on) != (peak.start, peak.end):
        row.starts_on, row.ends_on, row.sequence, row.changed_at = peak.start, peak.end, row.sequence + 1, now
    else:
        return row
    db.session.commit()
    return row


@dataclass(frozen=True)
class Replay:
    """One recorded season of one plant, forecast again from what was known day by day."""

    plant: Plant
    season: Season
    trials: list[Trial]


def come_to(
    seen: list[queries.Sighting], today: date, ahead: dict[int, Outlook] | None = None
) -> tuple[Visit, Plant] | None:
    """When to come to see these plants (one place's), and the plant that is about; `ahead`,
    their outlooks, when the caller has them already."""
    ahead = ahead if ahead is not None else outlooks([s.plant for s in seen], today)
    visit = when_to_come([(ahead[s.plant.id].forecast, s.status.stage) for s in seen], today)
    return (visit, seen[visit.index].plant) if visit else None


def replays() -> list[Replay]:
    """Every recorded season of every listed plant (reports and data file), replayed."""
    plants = list(
        db.session.scalars(
            select(Plant).join(Plant.place).where(Plant.listed, Place.listed).order_by(Place.position, Plant.position)
        )
    )
    seen = reported_sightings([plant.id for plant in plants])
    found = []
    for plant in plants:
        here = seen.get(plant.id, []) + plant.recorded_sightings()
        elsewhere = [
            (other.window, seen.get(other.id, []) + other.recorded_sightings())
            for other in plants
            if other.key == plant.key and other.id != plant.id
        ]
        recorded = seasons(plant, seen.get(plant.id, []))
        for season in recorded:
            found.append(Replay(plant, season, backtest(plant.window, season, here, elsewhere, recorded)))
    return found


@dataclass(frozen=True)
class Planned:
    """One plant expected at its best on a day of a trip, and how sure that is."""

    sighting: queries.Sighting
    expected: Expected


def candidates(seen: list[queries.Sighting], today: date) -> list[Candidate]:
    """These plants as the planner sees them: window, forecast, and stage by a fresh report."""
    ahead = outlooks([s.plant for s in seen], today)
    return [
        Candidate(
            s.plant.id, s.plant.window, ahead[s.plant.id].forecast, None if s.status.estimated else s.status.stage
        )
        for s in seen
    ]


def on_trip(
    seen: list[queries.Sighting], start: date, end: date, today: date
) -> list[tuple[queries.Sighting, Expected]]:
    """These plants at their best on some day of a trip, best and surest first; the ones in
    season on none of its days are left out."""
    by_id = {s.plant.id: s for s in seen}
    found = [(by_id[c.key], e) for c in candidates(seen, today) if (e := best_on_trip(c, start, end, today))]
    return sorted(found, key=lambda pair: (-pair[1].stage.rank, pair[1].certainty.rank))


@dataclass(frozen=True)
class Soon:
    """For the home page: peaks ending within days (with their end), peaks beginning this weekend."""

    last_chance: list[tuple[queries.Sighting, date]]
    this_weekend: list[queries.Sighting]


def soon(seen: list[queries.Sighting], today: date) -> Soon:
    by_id = {s.plant.id: s for s in seen}
    found = candidates(seen, today)
    ending = [(by_id[c.key], end) for c in found if (end := peak_ends(c, today)) is not None]
    beginning = [by_id[c.key] for c in found if peak_begins_this_weekend(c, today)]
    return Soon(sorted(ending, key=lambda pair: pair[1]), beginning)


def plan_trip(start: date, end: date, now: datetime, today: date) -> list[tuple[date, list[Planned]]]:
    """Each day of a trip with what is expected at its best, where, and how sure."""
    seen = queries.sightings(queries.listed_places(), now, today)
    by_id = {s.plant.id: s for s in seen}
    return [
        (day, [Planned(by_id[e.key], e) for e in found])
        for day, found in plan(candidates(seen, today), start, end, today)
    ]


def busiest_in(days: list[tuple[date, list[Planned]]], today: date) -> list[tuple[Place, practical.Fact]]:
    """The places a plan names, in the order it first names them, each with when it is busiest
    where a source says so (practical.busiest); the others are left out."""
    places = {p.sighting.place.id: p.sighting.place for _day, found in days for p in found}
    return [(place, f) for place in places.values() if (f := practical.fact(place.practical, "busiest", today))]
