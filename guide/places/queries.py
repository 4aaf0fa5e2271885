"""Reading what the public pages show: listed places, their plants' statuses, events."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import abort, current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from guide.core import crowds
from guide.core.bloom import Status, current_status
from guide.core.festivals import Edition, When
from guide.core.scales import Shown
from guide.extensions import db
from guide.places.models import BloomReport, CrowdReport, Festival, Notice, Place, Plant, RetiredSlug
from guide.places.schema import is_slug

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sighting:
    """A plant at a place with its status now: one line of "what is blooming"."""

    place: Place
    plant: Plant
    status: Status
    latest: BloomReport | None  # the newest standing report, fresh or not

    @property
    def shown(self) -> Shown:
        """The status's stage in the words of the plant's scale (flowers or leaves)."""
        return self.plant.scale.of(self.status.stage)

    @property
    def shown_report(self) -> BloomReport | None:
        """The report behind the public status, when the status comes from one."""
        return None if self.status.estimated else self.latest


def best_in_season(seen: list[Sighting]) -> Sighting | None:
    """The plant best worth a visit now among these, if any is in flower or in colour."""
    return min((s for s in seen if s.status.stage.in_season), default=None, key=lambda s: -s.status.stage.rank)


def place_revision(view_args: dict[str, Any]) -> str:
    """What the pages of one place (their URL names it: `<slug>`) depend on: that place's own
    revision, and those of the places growing the same plants (their reports move this place's
    forecast), so a report anywhere else leaves them cached (guide.site.cache)."""
    slug = view_args["slug"]
    if not is_slug(slug):  # the view answers 404
        return "none"
    rows = db.session.execute(_KIN_REVISIONS, {"slug": slug}).all()
    return "places " + " ".join(f"{place_id}:{revision}" for place_id, revision in rows)


# Built once (every cached place page asks it): the place and those growing the same plants.
_KIN_REVISIONS = (
    select(Place.id, Place.revision)
    .where(
        (Place.slug == bindparam("slug"))
        | Place.id.in_(
            select(Plant.place_id).where(
                Plant.key.in_(select(Plant.key).join(Plant.place).where(Place.slug == bindparam("slug")))
            )
        )
    )
    .order_by(Place.id)
)


def listed_places() -> list[Place]:
    return list(
        db.session.scalars(
            select(Place)
            .where(Place.listed)
            .order_by(Place.position)
            .options(selectinload(Place.plants), selectinload(Place.festivals))
        )
    )


def listed_place(slug: str) -> Place | None:
    """The place with this slug, if listed."""
    if not is_slug(slug):
        return None
    return db.session.scalar(
        select(Place)
        .where(Place.slug == slug, Place.listed)
        .options(selectinload(Place.plants), selectinload(Place.festivals))
    )


def retired(slug: str) -> Place | None:
    """The place a retired slug now belongs to, if it is one."""
    if not is_slug(slug):
        return None
    row = db.session.get(RetiredSlug, slug)
    return row.place if row is not None and row.place.listed else None


def place_or_404(slug: str) -> Place:
    """The listed place with this slug, or the localized 404 page."""
    found = listed_place(slug)
    if found is None:
        abort(404)
    return found


def sightings(places: list[Place], now: datetime, today: date) -> list[Sighting]:
    """Every listed plant of these places with its current status, in page order."""
    return sightings_of([plant for place in places for plant in place.listed_plants], now, today)


def sightings_of(plants: list[Plant], now: datetime, today: date) -> list[Sighting]:
    """These plants with their current status."""
    latest = latest_reports([plant.id for plant in plants])
    fresh_for = timedelta(hours=current_app.config["REPORT_FRESH_HOURS"])
    return [
        Sighting(
            plant.place,
            plant,
            current_status(
                plant.window, latest[plant.id].as_report() if plant.id in latest else None, now, fresh_for, today
            ),
            latest.get(plant.id),
        )
        for plant in plants
    ]


def latest_reports(plant_ids: list[int]) -> dict[int, BloomReport]:
    """The newest report of each plant that has not been retracted."""
    if not plant_ids:
        return {}
    newest = (
        select(func.max(BloomReport.id))
        .where(BloomReport.plant_id.in_(plant_ids), BloomReport.retracted_at.is_(None))
        .group_by(BloomReport.plant_id)
    )
    rows = db.session.scalars(
        select(BloomReport)
        .where(BloomReport.id.in_(newest))
        .options(selectinload(BloomReport.photo), selectinload(BloomReport.staff))
    )
    return {row.plant_id: row for row in rows}


def place_reports(place: Place, limit: int = 200) -> list[BloomReport]:
    """A place's reports, newest first, retracted ones included (they are part of the record)."""
    return list(
        db.session.scalars(
            select(BloomReport)
            .join(BloomReport.plant)
            .where(Plant.place_id == place.id)
            .order_by(BloomReport.id.desc())
            .limit(limit)
            .options(
                selectinload(BloomReport.photo),
                selectinload(BloomReport.staff),
                selectinload(BloomReport.plant),
                selectinload(BloomReport.retracted_by),
            )
        )
    )


@dataclass(frozen=True)
class Billing:
    """A festival's edition as the pages bill it: on now, coming, or past."""

    festival: Festival
    edition: Edition
    when: When

    @property
    def place(self) -> Place:
        return self.festival.place


def festivals(place: Place | None = None) -> list[Festival]:
    query = (
        select(Festival)
        .join(Festival.place)
        .where(Place.listed, Festival.listed)
        .options(selectinload(Festival.place), selectinload(Festival.editions))
    )
    if place is not None:
        query = query.where(Festival.place_id == place.id)
    return list(db.session.scalars(query))


def billings(today: date, place: Place | None = None) -> list[Billing]:
    """Every festival's editions on now or next (an expected one when none is announced, and a
    cancelled one of that time), soonest first."""
    found = [Billing(f, e, e.when(today)) for f in festivals(place) for e in f.upcoming(today)]
    return sorted(found, key=lambda b: (b.edition.start, b.festival.key))


def past_billings(today: date, place: Place | None = None, limit: int = 12) -> list[Billing]:
    """Confirmed editions that have ended, latest first: when to expect the next one."""
    found = [Billing(f, e, When.PAST) for f in festivals(place) for e in f.past(today)]
    return sorted(found, key=lambda b: b.edition.start, reverse=True)[:limit]


def notices(now: datetime, place: Place | None = None) -> list[Notice]:
    """Notices on the public pages now (started, not ended, not withdrawn), newest first."""
    query = (
        select(Notice)
        .join(Notice.place)
        .where(
            Place.listed,
            Notice.withdrawn_at.is_(None),
            Notice.starts_at <= now,
            (Notice.ends_at.is_(None)) | (Notice.ends_at > now),
        )
        .order_by(Notice.starts_at.desc(), Notice.id.desc())
        .options(selectinload(Notice.place))
    )
    if place is not None:
        query = query.where(Notice.place_id == place.id)
    return list(db.session.scalars(query))


def place_notices(place: Place, now: datetime, limit: int = 30) -> list[Notice]:
    """For the place's editors: every notice not yet ended, and the latest of the others."""
    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.place_id == place.id)
            .order_by((Notice.ends_at.is_(None) | (Notice.ends_at > now)).desc(), Notice.starts_at.desc())
            .limit(limit)
            .options(selectinload(Notice.created_by), selectinload(Notice.withdrawn_by))
        )
    )


def recent_reports(places: list[Place], limit: int = 50) -> list[BloomReport]:
    """The newest standing reports on these places' listed plants, for feeds."""
    plant_ids = [plant.id for place in places for plant in place.listed_plants]
    return list(
        db.session.scalars(
            select(BloomReport)
            .where(BloomReport.plant_id.in_(plant_ids), BloomReport.retracted_at.is_(None))
            .order_by(BloomReport.id.desc())
            .limit(limit)
            .options(selectinload(BloomReport.photo), selectinload(BloomReport.plant).selectinload(Plant.place))
        )
    )


def crowds_now(places: list[Place], now: datetime) -> dict[int, crowds.Now]:
    """How busy each of these places is said to be now (places with no fresh word are absent)."""
    hours = current_app.config["CROWD_FRESH_HOURS"]
    since = now - timedelta(hours=hours)
    said: dict[int, list[crowds.Said]] = {}
    query = select(CrowdReport).where(CrowdReport.place_id.in_([p.id for p in places]), CrowdReport.reported_at > since)
    for report in db.session.scalars(query):
        try:
            said.setdefault(report.place_id, []).append(report.said)
        except ValueError:  # a level no writer knows (a bad restore): that row is skipped, said so
            log.warning("crowd report %s has an unknown level %r", report.id, report.level)
    return {place_id: found for place_id, levels in said.items() if (found := crowds.crowd_now(levels, now, hours))}


def place_crowd_reports(place: Place, limit: int = 30) -> list[CrowdReport]:
    """What staff said of the place's crowds, newest first (levels no writer knows left out)."""
    query = (
        select(CrowdReport)
        .where(CrowdReport.place_id == place.id, CrowdReport.level.in_([c.value for c in crowds.Crowd]))
        .order_by(CrowdReport.reported_at.desc(), CrowdReport.id.desc())
        .limit(limit)
        .options(selectinload(CrowdReport.staff))
    )
    return list(db.session.scalars(query))
