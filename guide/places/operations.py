"""Writing places.yaml into the database: an upsert by slug that changes only what changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, true, update

from guide.extensions import db
from guide.places import provenance
from guide.places.models import WINDOW_FIELDS, Festival, FestivalEdition, Place, Plant, RetiredSlug
from guide.places.schema import EditionIn, FestivalIn, PlaceIn, PlacesFile, PlantIn, SourcedIn
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
    "other_names",
)
# Stored as plain JSON: {"booking": {"text": {…}, "source": "…", "year": 2022, "checked": "2026-12-03"}}


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
        reclaimed = _reclaim(data.slug)
        place = existing.pop(data.slug, None)
        if place is None:
            place = Place(slug=data.slug)
            db.session.add(place)
            result.created.append(data.slug)
        values = {name: getattr(data, name) for name in _PLACE_FIELDS}
        values.update(
            position=position,
            listed=True,
            sources={group: _provenance(fact) for group, fact in data.sources},
            checked_on=min(_checked_days(data)),
            practical={kind: fact.model_dump(mode="json", exclude_none=True) for kind, fact in data.practical.items()},
        )
        changed = _assign(place, values)
        changed |= _sync_plants(place, data, now)
        changed |= _sync_festivals(place, data, now)
        changed |= _retire(place, data.retired_slugs)
        changed |= reclaimed
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


def _provenance(item: SourcedIn | PlantIn | FestivalIn) -> dict[str, Any]:
    return provenance.stored(item.source, item.year, item.checked)


def _checked_days(data: PlaceIn) -> Iterator[date]:
    """The day each fact of a place was last checked: the earliest is the page's "checked on"."""
    yield from (fact.checked for _, fact in data.sources)
    yield from (fact.checked for fact in data.practical.values())
    for plant in data.plants:
        yield plant.checked
        yield from (season.checked for season in plant.seasons)
    for festival in data.festivals:
        yield festival.checked
        yield from (edition.checked for edition in festival.editions)


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
            "picture": item.picture,
            "seasons": [
                {
                    "year": season.year,
                    "source": season.source,
                    "checked": season.checked.isoformat(),
                    "seen": [[str(s.day), s.stage] for s in season.seen],
                }
                for season in item.seasons
            ],
            "provenance": _provenance(item),
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


def _retire(place: Place, slugs: list[str]) -> bool:
    """Point each retired slug at this place (they are never deleted: printed links live on)."""
    changed = False
    for slug in slugs:
        with db.session.no_autoflush:  # the place may be new, its other rows not yet filled in
            row = db.session.get(RetiredSlug, slug)
        if row is None:
            db.session.add(RetiredSlug(slug=slug, place=place))
            changed = True
        elif row.place is not place:
            row.place = place
            changed = True
    return changed


def _reclaim(slug: str) -> bool:
    """A slug that was retired and names a place of its own again stops redirecting: its links
    (printed when it was that place) lead to its own page, not to the place it was merged into."""
    row = db.session.get(RetiredSlug, slug)  # before the place's row is added: nothing half-made flushes
    if row is None:
        return False
    db.session.delete(row)
    return True


def _sync_festivals(place: Place, data: PlaceIn, now: datetime) -> bool:
    by_key = {festival.key: festival for festival in place.festivals}
    changed = False
    for item in data.festivals:
        festival = by_key.pop(item.key, None)
        if festival is None:
            festival = Festival(key=item.key)
            place.festivals.append(festival)
        values = {
            "name": item.name,
            "description": item.description,
            "usual_start": item.usual.start if item.usual else None,
            "usual_end": item.usual.end if item.usual else None,
            "usual_start_latest": item.usual.start_latest if item.usual else None,
            "provenance": _provenance(item),
            "listed": True,
        }
        edited = _assign(festival, values)
        edited |= _sync_editions(festival, item.editions, now)
        if edited:
            festival.updated_at = now
            changed = True
    for festival in by_key.values():  # gone from the file: its editions stay, it is not shown
        if festival.listed:
            festival.listed = False
            festival.updated_at = now
            changed = True
    return changed


def _sync_editions(festival: Festival, items: list[EditionIn], now: datetime) -> bool:
    """Editions named in the file take its dates; a change of dates or standing raises the
    sequence, so calendar apps update the entry. Editions the file does not name stay."""
    by_year = {edition.year: edition for edition in festival.editions}
    changed = False
    for item in items:
        edition = by_year.get(item.year)
        if edition is None:
            edition = FestivalEdition(year=item.year, sequence=1)
            festival.editions.append(edition)
        values = {
            "starts_on": item.start,
            "ends_on": item.end,
            "end_approximate": item.end_approximate,
            "cancelled": item.cancelled,
            "source": item.source,
            "checked_on": item.checked,
        }
        moved = edition.id is not None and (edition.starts_on, edition.ends_on, edition.cancelled) != (
            item.start,
            item.end,
            item.cancelled,
        )
        if _assign(edition, values):
            edition.sequence += 1 if moved else 0
            edition.updated_at = now
            changed = True
    return changed
