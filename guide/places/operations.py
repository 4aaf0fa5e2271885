"""Writing places.yaml into the database: an upsert by slug that changes only what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, true, update

from guide.extensions import db
from guide.places.models import WINDOW_FIELDS, Event, Place, Plant
from guide.places.schema import PlaceIn, PlacesFile
from guide.site import cache

_PLACE_FIELDS = (
    "name",
    "summary",
    "description",
    "address",
    "hours",
    "ticket",
    "transit",
    "tips",
    "lat",
    "lon",
    "coords_estimated",
    "sources",
)


def mark_changed(*places: Place) -> None:
    """Mark what these places' pages show as changed, or with no place given, every place's
    (flushes; the caller's commit publishes it). Pages about several places change either way."""
    ids = [place.id for place in places]
    db.session.execute(
        update(Place).where(Place.id.in_(ids) if ids else true()).values(revision=Place.revision + 1),
        execution_options={"synchronize_session": False},
    )
    cache.bump()


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Listed in the database but gone from the file: hidden from the public, history kept.
    unlisted: list[str] = field(default_factory=list)


def load_places(parsed: PlacesFile, now: datetime) -> LoadResult:
    """Upsert every place of a validated file. Flushes; the caller commits."""
    result = LoadResult()
    existing = {p.slug: p for p in db.session.scalars(select(Place))}
    for position, data in enumerate(parsed.places):
        place = existing.pop(data.slug, None)
        if place is None:
            place = Place(slug=data.slug)
            db.session.add(place)
            result.created.append(data.slug)
        values = {name: getattr(data, name) for name in _PLACE_FIELDS}
        values.update(position=position, listed=True)
        changed = _assign(place, values)
        changed |= _sync_plants(place, data, now)
        changed |= _sync_events(place, data, now)
        if changed:
            place.updated_at = now
            if data.slug not in result.created:
                result.updated.append(data.slug)
        elif data.slug not in result.created:
            result.unchanged.append(data.slug)
    for slug, place in existing.items():
        if place.listed:
            place.listed = False
            place.updated_at = now
            result.unlisted.append(slug)
    if result.created or result.updated or result.unlisted:
        db.session.flush()  # new places get their ids, so that they are marked too
        mark_changed()
    db.session.flush()
    return result


def _assign(obj: object, values: dict[str, Any]) -> bool:
    """Set only the attributes whose value differs; say whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name, None) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _sync_plants(place: Place, data: PlaceIn, now: datetime) -> bool:
    by_key = {plant.key: plant for plant in place.plants}
    changed = False
    for position, item in enumerate(data.plants):
        plant = by_key.pop(item.key, None)
        if plant is None:
            plant = Plant(key=item.key)
            place.plants.append(plant)
        values = {
            "name": item.name,
            "latin": item.latin,
            "count": item.count,
            "position": position,
            "listed": True,
            "visited_for": item.visited_for,
        }
        values.update({f: getattr(item.window, f) for f in WINDOW_FIELDS})
        if _assign(plant, values):
            plant.updated_at = now
            changed = True
    for plant in by_key.values():  # gone from the file: keep its reports, stop showing it
        if plant.listed:
            plant.listed = False
            plant.updated_at = now
            changed = True
    return changed


def _sync_events(place: Place, data: PlaceIn, now: datetime) -> bool:
    by_key = {event.key: event for event in place.events}
    changed = False
    for item in data.events:
        event = by_key.pop(item.key, None)
        if event is None:
            event = Event(key=item.key, sequence=0)
            place.events.append(event)
        if event.id is not None and (event.starts_on, event.ends_on) != (item.start, item.end):
            event.sequence += 1
        values = {"name": item.name, "description": item.description, "starts_on": item.start, "ends_on": item.end}
        if _assign(event, values):
            event.updated_at = now
            changed = True
    for event in by_key.values():  # events carry no history of their own
        place.events.remove(event)
        changed = True
    return changed
