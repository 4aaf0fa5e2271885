"""Everything that changes staff data goes through here, from the web forms and the CLI alike.
Operations check permission, validate, write and flush; callers commit."""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update

from guide.core.bloom import BloomStage, Status
from guide.core.clock import local_date, sensible_dates
from guide.core.crowds import Crowd
from guide.core.text import clean_text, clean_texts
from guide.extensions import db
from guide.places.models import (
    NOTICE_KINDS,
    BloomReport,
    CrowdReport,
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
from guide.staff.models import Staff, Submission, new_session_token
from guide.staff.photos import CleanPhoto

log = logging.getLogger(__name__)


class NotAllowed(Exception):
    """This person may not do this (the server's check, whatever the form said)."""


class AlreadyFiled(Exception):
    """This form was filed before, under the same key: nothing more is filed."""


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


def report_bloom(
    staff: Staff, observations: list[Observation], now: datetime, submission: str | None = None
) -> list[BloomReport]:
    """File one report per observation, all or none: a newer report on any plant is a Conflict,
    and a form already filed under `submission` (its key) is AlreadyFiled."""
    for obs in observations:
        if not staff.can_report(obs.plant.place):
            raise NotAllowed(f"{staff.username} may not report on {obs.plant.place.slug}")
        if not obs.stage.fits(obs.percent_open):
            raise ValueError(f"{obs.percent_open}% does not fit {obs.stage.value}")
    _take_plants([obs.plant for obs in observations])
    _remember(submission, _digest(_observed(observations)), staff, now)
    _check_versions(observations)
    rows = [
        BloomReport(
            plant=obs.plant,
            staff=staff,
            reported_at=now,
            kind="report",
            stage=obs.stage.value,
            percent_open=obs.percent_open,
            note=clean_texts(obs.note) or None,
            photo=obs.photo,
        )
        for obs in observations
    ]
    db.session.add_all(rows)
    mark_changed(*{obs.plant.place for obs in observations})
    return rows


def confirm_status(
    staff: Staff, plant: Plant, shown: Status, seen_version: int, now: datetime, submission: str | None = None
) -> BloomReport:
    """ "Still the same": re-confirm the status the staff member was shown, as a new report."""
    if not staff.can_report(plant.place):
        raise NotAllowed(f"{staff.username} may not report on {plant.place.slug}")
    seen = Observation(plant, shown.stage, shown.percent_open, seen_version=seen_version)
    _take_plants([plant])
    _remember(submission, _digest(_observed([seen])), staff, now)
    _check_versions([seen])
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


def report_crowd(staff: Staff, place: Place, level: Crowd, now: datetime, submission: str | None = None) -> CrowdReport:
    """How busy the place is now, as this staff member sees it: shown until it lapses
    (CROWD_FRESH_HOURS) or the next is said; kept in the history."""
    if not staff.can_report(place):
        raise NotAllowed(f"{staff.username} may not report on {place.slug}")
    _remember(submission, _digest(["crowd", place.id, level.value]), staff, now)
    row = CrowdReport(place=place, staff=staff, level=level.value, reported_at=now)
    db.session.add(row)
    mark_changed(place)
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


def _take_plants(plants: list[Plant]) -> None:
    """Take the plants' rows before reading anything about them, so that of two sends arriving
    together the second waits for the first to commit, then sees what it filed. PostgreSQL locks
    the rows (FOR UPDATE). SQLite has no row locks, and its driver begins a transaction only at
    the first write, so both sends would read first and both pass: a write that changes nothing
    takes SQLite's write lock at once instead."""
    ids = [p.id for p in plants]
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(Plant).where(Plant.id.in_(ids)).values(id=Plant.id).execution_options(synchronize_session=False)
        )
    else:
        db.session.execute(select(Plant.id).where(Plant.id.in_(ids)).with_for_update())


SUBMISSIONS_KEPT = timedelta(days=30)  # longer than any form stays open (WTF_CSRF_TIME_LIMIT)


def _remember(submission: str | None, digest: str, staff: Staff, now: datetime) -> None:
    """Note the form's key, or raise AlreadyFiled when the same form was filed under it before
    (call with the plants taken, so that a form sent twice at once is seen here, not as a
    Conflict). The same key with other content is a form edited after it was sent: the
    versions decide about it, as for any form."""
    if not submission:
        return
    if (known := db.session.get(Submission, submission)) is not None:
        if known.digest == digest:
            raise AlreadyFiled(submission)
        return
    db.session.execute(delete(Submission).where(Submission.created_at < now - SUBMISSIONS_KEPT))
    db.session.add(Submission(key=submission, digest=digest, staff_id=staff.id, created_at=now))
    db.session.flush()


def _digest(filed: object) -> str:
    """What a form asked to file, in a few bytes."""
    return hashlib.sha256(json.dumps(filed, sort_keys=True, default=str).encode()).hexdigest()


def _observed(observations: list[Observation]) -> list:
    return [
        [obs.plant.id, obs.stage.value, obs.percent_open, obs.note, obs.photo and obs.photo.sha256, obs.seen_version]
        for obs in observations
    ]


def _check_versions(observations: list[Observation]) -> None:
    plants = [obs.plant for obs in observations]
    latest = latest_reports([p.id for p in plants])
    newer = {
        obs.plant.id: latest[obs.plant.id]
        for obs in observations
        if obs.plant.id in latest and latest[obs.plant.id].id != obs.seen_version
    }
    if newer:
        raise Conflict(newer)


def store_photo(clean: CleanPhoto, now: datetime) -> Photo:
    """Keep a cleaned photo under its content hash; the same photo twice is stored once."""
    existing = db.session.scalar(select(Photo).where(Photo.sha256 == clean.sha256))
    if existing is not None:
        return existing
    photo = Photo(
        sha256=clean.sha256,
        width=clean.size[0],
        height=clean.size[1],
        thumb_width=clean.thumb_size[0],
        thumb_height=clean.thumb_size[1],
        created_at=now,
        full=clean.full,
        thumb=clean.thumb,
    )
    db.session.add(photo)
    db.session.flush()
    return photo


# Accounts and their sessions: the CLI, logging in and out.


def add_staff(username: str, password: str, places: list[Place], is_admin: bool, now: datetime) -> Staff:
    if clean_text(username).strip() != username or any(c.isspace() for c in username):
        raise ValueError("a username has no spaces or control characters")
    staff = Staff(username=unicodedata.normalize("NFC", username), is_admin=is_admin, created_at=now, places=places)
    staff.set_password(password)
    db.session.add(staff)
    db.session.flush()
    return staff


def set_password(staff: Staff, password: str) -> None:
    """A new password ends every session of the old one."""
    staff.set_password(password)
    end_sessions(staff)


def start_session(staff: Staff) -> None:
    """Logging in: join the person's sessions (an account made before tokens existed gets one)."""
    if not staff.session_token:
        staff.session_token = new_session_token()
        db.session.flush()


def end_sessions(staff: Staff) -> None:
    """End every session of this person, on every device and server: a copied cookie too."""
    staff.session_token = new_session_token()
    db.session.flush()


def disable(staff: Staff, now: datetime) -> bool:
    """Stop an account: its sessions end and it can no longer log in (its reports stay)."""
    changed = staff.disabled_at is None
    if changed:
        staff.disabled_at = now
        log.warning("staff account %s disabled", staff.username)
    end_sessions(staff)
    return changed


def enable(staff: Staff) -> bool:
    changed = staff.disabled_at is not None
    staff.disabled_at = None
    db.session.flush()
    return changed


def grant(staff: Staff, place: Place) -> bool:
    if place in staff.places:
        return False
    staff.places.append(place)
    db.session.flush()
    return True


def revoke(staff: Staff, place: Place) -> bool:
    """Stop someone reporting on a place, and so editing it too (an editor is a reporter first)."""
    revoke_editing(staff, place)
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
    source = clean_text(source or "").strip() or None
    if not staff.can_edit(festival.place):
        raise NotAllowed(f"{staff.username} may not edit {festival.place.slug}")
    if end < start or start.year != year:
        raise ValueError(f"{start}–{end} is not an edition of {year}")
    _check_sensible(start, end, now)
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


def _check_sensible(first: date, last: date | None, now: datetime) -> None:
    """Refuse days outside the range any door may store (a far date is a slip, and would
    overflow the writers that add a day to it)."""
    low, high = sensible_dates(local_date(now))
    for day in (first, last):
        if day is not None and not low <= day <= high:
            raise ValueError(f"{day} is outside {low}–{high}")


def post_notice(
    staff: Staff,
    place: Place,
    kind: str,
    text: dict[str, str],
    span: tuple[datetime, datetime | None],
    now: datetime,
    submission: str | None = None,
) -> Notice:
    """Put a notice on the place's pages from `span[0]` until `span[1]` (or until withdrawn);
    a form already filed under `submission` (its key) is AlreadyFiled."""
    starts_at, ends_at = span
    if not staff.can_edit(place):
        raise NotAllowed(f"{staff.username} may not post notices for {place.slug}")
    text = clean_texts(text)
    if kind not in NOTICE_KINDS or not text:
        raise ValueError("a notice needs a known kind and some text")
    if ends_at is not None and ends_at <= starts_at:
        raise ValueError("a notice must end after it starts")
    _check_sensible(local_date(starts_at), local_date(ends_at, just_before=True) if ends_at else None, now)
    # The key is noted before the notice is added: of two sends at once, the second waits on
    # the first's row (or fails on its key) instead of posting a twin.
    _remember(submission, _digest(["notice", place.id, kind, text, starts_at, ends_at]), staff, now)
    notice = Notice(
        place=place, kind=kind, text=text, starts_at=starts_at, ends_at=ends_at, created_by=staff, created_at=now
    )
    db.session.add(notice)
    mark_changed(place)
    db.session.flush()
    return notice


def withdraw_notice(staff: Staff, notice: Notice, now: datetime) -> None:
    """Undo a notice (an editor of its place, or an admin): it leaves the pages at once and
    stays in the record."""
    if not staff.can_edit(notice.place):
        raise NotAllowed(f"{staff.username} may not withdraw notices of {notice.place.slug}")
    if notice.withdrawn_at is None:
        notice.withdrawn_at, notice.withdrawn_by = now, staff
        mark_changed(notice.place)
        log.warning("notice %s at %s withdrawn by %s", notice.id, notice.place.slug, staff.username)


def grant_editing(staff: Staff, place: Place) -> bool:
    if place in staff.edits:
        return False
    staff.edits.append(place)
    db.session.flush()
    return True


def revoke_editing(staff: Staff, place: Place) -> bool:
    """Stop someone keeping a place's dates and notices; they may still report on it."""
    if place not in staff.edits:
        return False
    staff.edits.remove(place)
    db.session.flush()
    return True
