"""Everything that changes staff data goes through here, from the web forms and the CLI alike.
Operations check permission, validate, write and flush; callers commit."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from guide.core.bloom import BloomStage, Status
from guide.extensions import db
from guide.places.models import (
    NOTICE_KINDS,
    BloomReport,
    EditionChange,
    Festival,
    FestivalEdition,
    Notice,
    Photo,
    Place,
    Plant,
)
from guide.places.operations import mark_changed
from guide.places.queries import latest_reports
from guide.staff.models import Staff
from guide.staff.photos import CleanPhoto

log = logging.getLogger(__name__)


class NotAllowed(Exception):
    """This person may not do this (the server's check, whatever the form said)."""


class Conflict(Exception):
    """Someone reported on these plants after the form was shown; nothing was saved."""

    def __init__(self, newer: dict[int, BloomReport]):
        super().__init__(f"newer reports for plants {sorted(newer)}")
        self.newer = newer


@dataclass(frozen=True)
class Observation:
    """What a staff member reports about one plant."""

    plant: Plant
    stage: BloomStage
    percent_open: int | None = None
    note: dict[str, str] | None = None
    photo: Photo | None = None
    seen_version: int = 0  # the id of the newest report the form showed them (0: none)


def report_bloom(staff: Staff, observations: list[Observation], now: datetime) -> list[BloomReport]:
    """File one report per observation, all or none: a newer report on any plant is a Conflict."""
    for obs in observations:
        if not staff.can_report(obs.plant.place):
            raise NotAllowed(f"{staff.username} may not report on {obs.plant.place.slug}")
        if not obs.stage.fits(obs.percent_open):
            raise ValueError(f"{obs.percent_open}% does not fit {obs.stage.value}")
    _check_versions(observations)
    rows = [
        BloomReport(
            plant=obs.plant,
            staff=staff,
            reported_at=now,
            kind="report",
            stage=obs.stage.value,
            percent_open=obs.percent_open,
            note=obs.note or None,
            photo=obs.photo,
        )
        for obs in observations
    ]
    db.session.add_all(rows)
    mark_changed(*{obs.plant.place for obs in observations})
    return rows


def confirm_status(staff: Staff, plant: Plant, shown: Status, seen_version: int, now: datetime) -> BloomReport:
    """ "Still the same": re-confirm the status the staff member was shown, as a new report."""
    if not staff.can_report(plant.place):
        raise NotAllowed(f"{staff.username} may not report on {plant.place.slug}")
    _check_versions([Observation(plant, shown.stage, seen_version=seen_version)])
    row = BloomReport(
        plant=plant,
        staff=staff,
        reported_at=now,
        kind="confirm",
        stage=shown.stage.value,
        percent_open=shown.percent_open,
    )
    db.session.add(row)
    mark_changed(plant.place)
    return row


def retract_report(admin: Staff, report: BloomReport, now: datetime) -> None:
    """Mark a wrong report retracted (it stays in the record); the previous one stands again."""
    if not admin.is_admin:
        raise NotAllowed(f"{admin.username} is not an admin")
    if report.retracted_at is None:
        report.retracted_at, report.retracted_by = now, admin
        mark_changed(report.plant.place)
        log.warning(
            "report %s (%s, plant %s, by %s) retracted by %s",
            report.id,
            report.stage,
            report.plant_id,
            report.staff.username,
            admin.username,
        )


def _check_versions(observations: list[Observation]) -> None:
    plants = [obs.plant for obs in observations]
    # Lock the plants' rows where the database can (PostgreSQL), so two submits cannot both
    # pass the check; on SQLite writes are serialized anyway.
    db.session.execute(select(Plant.id).where(Plant.id.in_([p.id for p in plants])).with_for_update())
    latest = latest_reports([p.id for p in plants])
    newer = {
        obs.plant.id: latest[obs.plant.id]
        for obs in observations
        if obs.plant.id in latest and latest[obs.plant.id].id != obs.seen_version
    }
    if newer:
        raise Conflict(newer)


def store_photo(clean: CleanPhoto, folder: Path, now: datetime) -> Photo:
    """Keep a cleaned photo under its content hash; the same photo twice is stored once."""
    existing = db.session.scalar(select(Photo).where(Photo.sha256 == clean.sha256))
    if existing is not None:
        return existing
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in ((f"{clean.sha256}.jpg", clean.full), (f"{clean.sha256}-thumb.jpg", clean.thumb)):
        partial = folder / f".{name}.part"
        partial.write_bytes(data)
        os.replace(partial, folder / name)  # never a half-written file under the real name
    photo = Photo(
        sha256=clean.sha256,
        width=clean.size[0],
        height=clean.size[1],
        thumb_width=clean.thumb_size[0],
        thumb_height=clean.thumb_size[1],
        created_at=now,
    )
    db.session.add(photo)
    db.session.flush()
    return photo


# Accounts, for the CLI.


def add_staff(username: str, password: str, places: list[Place], is_admin: bool, now: datetime) -> Staff:
    staff = Staff(username=username, is_admin=is_admin, created_at=now, places=places)
    staff.set_password(password)
    db.session.add(staff)
    db.session.flush()
    return staff


def set_password(staff: Staff, password: str) -> None:
    staff.set_password(password)
    db.session.flush()


def grant(staff: Staff, place: Place) -> bool:
    if place in staff.places:
        return False
    staff.places.append(place)
    db.session.flush()
    return True


def revoke(staff: Staff, place: Place) -> bool:
    if place not in staff.places:
        return False
    staff.places.remove(place)
    db.session.flush()
    return True


# Festival dates and notices, for a place's editors.


class Outdated(Exception):
    """The edition changed after the form was shown; nothing was saved."""

    def __init__(self, edition: FestivalEdition | None):
        super().__init__("the edition changed meanwhile")
        self.edition = edition


def set_edition(
    staff: Staff,
    festival: Festival,
    year: int,
    dates: tuple[date, date],
    cancelled: bool,
    source: str | None,
    seen_sequence: int,
    now: datetime,
) -> FestivalEdition:
    """Confirm, change or cancel a year's edition. `seen_sequence` is the edition's sequence the
    form showed (0: it was only expected); a newer change is Outdated. Every change is logged."""
    start, end = dates
    if not staff.can_edit(festival.place):
        raise NotAllowed(f"{staff.username} may not edit {festival.place.slug}")
    if end < start or start.year != year:
        raise ValueError(f"{start}–{end} is not an edition of {year}")
    edition = next((e for e in festival.editions if e.year == year), None)
    if (edition.sequence if edition else 0) != seen_sequence:
        raise Outdated(edition)
    if edition is None:
        edition = FestivalEdition(year=year, sequence=0)
        festival.editions.append(edition)
    if (edition.starts_on, edition.ends_on, edition.cancelled, edition.source) != (start, end, cancelled, source):
        edition.starts_on, edition.ends_on, edition.cancelled, edition.source = start, end, cancelled, source
        edition.end_approximate = False
        edition.sequence += 1
        edition.updated_at = festival.updated_at = now
        db.session.add(
            EditionChange(
                edition=edition,
                staff=staff,
                changed_at=now,
                starts_on=start,
                ends_on=end,
                cancelled=cancelled,
                source=source,
            )
        )
        mark_changed(festival.place)
    db.session.flush()
    return edition


def post_notice(
    staff: Staff, place: Place, kind: str, text: dict[str, str], span: tuple[datetime, datetime | None], now: datetime
) -> Notice:
    """Put a notice on the place's pages from `span[0]` until `span[1]` (or until withdrawn)."""
    starts_at, ends_at = span
    if not staff.can_edit(place):
        raise NotAllowed(f"{staff.username} may not post notices for {place.slug}")
    if kind not in NOTICE_KINDS or not any(t.strip() for t in text.values()):
        raise ValueError("a notice needs a known kind and some text")
    if ends_at is not None and ends_at <= starts_at:
        raise ValueError("a notice must end after it starts")
    notice = Notice(
        place=place, kind=kind, text=text, starts_at=starts_at, ends_at=ends_at, created_by=staff, created_at=now
    )
    db.session.add(notice)
    mark_changed(place)
    db.session.flush()
    return notice


def withdraw_notice(admin: Staff, notice: Notice, now: datetime) -> None:
    """Undo a notice: it leaves the pages at once and stays in the record."""
    if not admin.is_admin:
        raise NotAllowed(f"{admin.username} is not an admin")
    if notice.withdrawn_at is None:
        notice.withdrawn_at, notice.withdrawn_by = now, admin
        mark_changed(notice.place)
        log.warning("notice %s at %s withdrawn by %s", notice.id, notice.place.slug, admin.username)


def grant_editing(staff: Staff, place: Place) -> bool:
    if place in staff.edits:
        return False
    staff.edits.append(place)
    db.session.flush()
    return True
