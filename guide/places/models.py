"""Places, the plants that bloom there and their festivals, as loaded from data/places.yaml; and
the bloom reports staff file on those plants, which the public pages and the staff side both read.

Reports are append-only: a wrong one is retracted (kept, marked, logged), never edited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.core import crowds, festivals
from guide.core.bloom import BloomStage, BloomWindow, MonthDay, Report
from guide.core.clock import local_date
from guide.core.festivals import Edition, Standing, Usual
from guide.core.forecast import Season, Sighting, seasons_of
from guide.core.scales import Scale, Shown
from guide.extensions import Model, UTCDateTime
from guide.site.pictures import GENERIC

if TYPE_CHECKING:
    from guide.staff.models import Staff

# Localized text is stored as {"en": "...", "zh": "..."}; read it with guide.core.i18n.localized().
LocalizedText = dict[str, str]


class Place(Model):
    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # False once the place has left places.yaml: hidden from the public, history kept.
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[LocalizedText] = mapped_column(JSON)
    summary: Mapped[LocalizedText] = mapped_column(JSON)
    description: Mapped[LocalizedText] = mapped_column(JSON)
    address: Mapped[LocalizedText] = mapped_column(JSON)
    hours: Mapped[LocalizedText] = mapped_column(JSON)
    ticket: Mapped[LocalizedText] = mapped_column(JSON)
    transit: Mapped[LocalizedText] = mapped_column(JSON)
    tips: Mapped[LocalizedText] = mapped_column(JSON)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    coords_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where each of its own facts is from (guide.places.provenance): {"hours": {"source": …,
    # "year": 2025 (optional), "checked": "2026-12-03"}, …}, one per group of PlaceFactsIn.
    sources: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict)
    # The earliest day any of its facts (its plants' and festivals' included) was last checked.
    checked_on: Mapped[date | None] = mapped_column(Date)
    # Other names, {"en": [...], "zh": [...]}: a visitor may know it by one of them.
    other_names: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict, server_default="{}")
    # How to get in: booking, entrance, busiest times, parking, food, toilets, access, phone; each
    # {"text": {"en": …, "zh": …}, "source": …, "year": 2022 (optional), "checked": "2026-12-03"}.
    practical: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict, server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Grows whenever anything this place's own pages show changes (guide.site.cache).
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    plants: Mapped[list[Plant]] = relationship(
        back_populates="place", order_by="Plant.position", cascade="all, delete-orphan"
    )
    festivals: Mapped[list[Festival]] = relationship(
        back_populates="place", order_by="Festival.key", cascade="all, delete-orphan"
    )

    @property
    def listed_plants(self) -> list[Plant]:
        return [plant for plant in self.plants if plant.listed]

    def __repr__(self) -> str:
        return f"<Place {self.slug}>"


class RetiredSlug(Model):
    """A slug a place had before: its URLs (printed on cards and handouts) redirect for good."""

    __tablename__ = "retired_slug"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)

    place: Mapped[Place] = relationship()

    def __repr__(self) -> str:
        return f"<RetiredSlug {self.slug} → place {self.place_id}>"


class Plant(Model):
    """A species or variety at a place, with its typical bloom window."""

    __tablename__ = "plant"
    __table_args__ = (UniqueConstraint("place_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[LocalizedText] = mapped_column(JSON)
    latin: Mapped[str | None] = mapped_column(String(200))
    count: Mapped[int | None] = mapped_column(Integer)
    # What people come to see: "flowers", or "leaves" (autumn colour); it sets the words of its stages.
    visited_for: Mapped[str] = mapped_column(String(10), default="flowers", server_default="flowers")
    picture: Mapped[str | None] = mapped_column(String(40))  # one of guide/static/pictures.svg
    bud: Mapped[str] = mapped_column(String(5))
    first: Mapped[str] = mapped_column(String(5))
    peak_start: Mapped[str] = mapped_column(String(5))
    peak_end: Mapped[str] = mapped_column(String(5))
    over: Mapped[str] = mapped_column(String(5))
    # Past seasons from the data file, each with its source:
    # [{"year": 2024, "source": "https://…", "seen": [["2024-04-29", "peak"], …]}, …]
    seasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # Where its name, count and window are from: {"source": …, "year": …, "checked": "…"}.
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    place: Mapped[Place] = relationship(back_populates="plants")

    def recorded_seasons(self) -> list[Season]:
        """The past seasons the data file gives, each with its source."""
        window = self.window
        return [
            season
            for item in self.seasons
            for season in seasons_of(
                window,
                [Sighting(date.fromisoformat(on), BloomStage(stage)) for on, stage in item["seen"]],
                item["source"],
            )
        ]

    def recorded_sightings(self) -> list[Sighting]:
        return [
            Sighting(date.fromisoformat(on), BloomStage(stage)) for item in self.seasons for on, stage in item["seen"]
        ]

    @property
    def picture_name(self) -> str:
        """Its drawing: the one the data names, else the generic flower or leaf."""
        return self.picture or GENERIC[self.visited_for]

    @property
    def scale(self) -> Scale:
        return Scale(self.visited_for)

    @property
    def window(self) -> BloomWindow:
        return BloomWindow(*(MonthDay.parse(getattr(self, f)) for f in WINDOW_FIELDS))

    def __repr__(self) -> str:
        return f"<Plant {self.key} at place {self.place_id}>"


WINDOW_FIELDS = ("bud", "first", "peak_start", "peak_end", "over")


class Festival(Model):
    """A festival or exhibition at a place: described once, with its usual time of year (none for
    a one-off) and its editions by year."""

    __tablename__ = "festival"
    __table_args__ = (UniqueConstraint("place_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[LocalizedText] = mapped_column(JSON)
    description: Mapped[LocalizedText | None] = mapped_column(JSON)
    usual_start: Mapped[str | None] = mapped_column(String(5))  # "MM-DD"
    usual_end: Mapped[str | None] = mapped_column(String(5))
    # The latest of its usual openings, when they spread over days or weeks.
    usual_start_latest: Mapped[str | None] = mapped_column(String(5))
    # Where its name, description and usual dates are from, as a plant's provenance.
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    place: Mapped[Place] = relationship(back_populates="festivals")
    editions: Mapped[list[FestivalEdition]] = relationship(
        back_populates="festival", order_by="FestivalEdition.year", cascade="all, delete-orphan"
    )

    @property
    def picture_name(self) -> str | None:
        """The drawing of the flower it shows: that of its place's plant whose key begins its own
        ("lotus" for "lotus-exhibition"), if there is one."""
        for plant in self.place.listed_plants:
            if self.key == plant.key or self.key.startswith(plant.key + "-"):
                return plant.picture_name
        return None

    @property
    def usual(self) -> Usual | None:
        if self.usual_start is None or self.usual_end is None:
            return None
        latest = MonthDay.parse(self.usual_start_latest) if self.usual_start_latest else None
        return Usual(MonthDay.parse(self.usual_start), MonthDay.parse(self.usual_end), latest)

    @property
    def announced(self) -> dict[int, Edition]:
        return {e.year: e.as_edition() for e in self.editions}

    def upcoming(self, today: date) -> list[Edition]:
        return festivals.upcoming(self.usual, self.announced, today)

    def past(self, today: date) -> list[Edition]:
        return festivals.past(self.announced, today)

    def __repr__(self) -> str:
        return f"<Festival {self.key}>"


class FestivalEdition(Model):
    """One year's edition as announced: its dates (inclusive) with a source, or cancelled."""

    __tablename__ = "festival_edition"
    __table_args__ = (UniqueConstraint("festival_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(ForeignKey("festival.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    end_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(500))
    checked_on: Mapped[date | None] = mapped_column(Date)  # when we last read the source; none if set by staff
    # Raised whenever dates or standing change, so that calendar apps update the entry (RFC 5545);
    # an expected edition (no row) is sequence 0, so a confirmation starts at 1.
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    festival: Mapped[Festival] = relationship(back_populates="editions")

    def as_edition(self) -> Edition:
        standing = Standing.CANCELLED if self.cancelled else Standing.CONFIRMED
        return Edition(self.year, self.starts_on, self.ends_on, standing, self.end_approximate, self.sequence)

    def __repr__(self) -> str:
        return f"<FestivalEdition {self.year} {self.starts_on}–{self.ends_on}{' cancelled' if self.cancelled else ''}>"


class PeakReminder(Model):
    """The days a plant's reminder calendar last gave for one season's peak, so that its event
    keeps its UID and raises SEQUENCE each time the forecast moves it (RFC 5545): a calendar
    app then moves the reminder. Written when the calendar is read and the days have moved."""

    __tablename__ = "peak_reminder"
    __table_args__ = (UniqueConstraint("plant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plant.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)  # the season, by the year its buds come
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<PeakReminder {self.plant_id} {self.year} {self.starts_on}–{self.ends_on} #{self.sequence}>"


class EditionChange(Model):
    """Who set an edition's dates or cancelled it, and when: kept, like bloom reports."""

    __tablename__ = "edition_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("festival_edition.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(500))

    edition: Mapped[FestivalEdition] = relationship()
    staff: Mapped[Staff] = relationship("Staff")

    def __repr__(self) -> str:
        return f"<EditionChange {self.edition_id} by {self.staff_id} at {self.changed_at:%Y-%m-%d %H:%M}>"


NOTICE_KINDS = ("closed", "reservations", "route", "crowding", "other")  # named in guide.places.notices


class Notice(Model):
    """What the park wants visitors to know now: closed, timed reservations, a gate or route
    change, crowding, anything else; from a start to an optional end. Withdrawn, never deleted."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # In whichever languages the staff member wrote it, {"zh": ..., "en": ...}.
    text: Mapped[LocalizedText] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    place: Mapped[Place] = relationship()
    created_by: Mapped[Staff] = relationship("Staff", foreign_keys=[created_by_id])
    withdrawn_by: Mapped[Staff | None] = relationship("Staff", foreign_keys=[withdrawn_by_id])

    @property
    def first_day(self) -> date:
        return local_date(self.starts_at)

    @property
    def last_day(self) -> date | None:
        """The last day it shows, in Jiading (it ends at the midnight after)."""
        return local_date(self.ends_at, just_before=True) if self.ends_at else None

    def shows(self, now: datetime) -> bool:
        """On the public pages now: started, not ended, not withdrawn."""
        return self.withdrawn_at is None and self.starts_at <= now and (self.ends_at is None or now < self.ends_at)

    def __repr__(self) -> str:
        return f"<Notice {self.kind} at place {self.place_id}>"


class Photo(Model):
    """A report photo (cleaned JPEG and thumbnail), named by the hash of its bytes. The bytes
    live in the database, so that every server has them and a backup carries them; they are
    read only when the photo itself is asked for."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    thumb_width: Mapped[int] = mapped_column(Integer)
    thumb_height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Null only for a photo kept as a file before photos moved here, whose file was gone then.
    full: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    thumb: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    def __repr__(self) -> str:
        return f"<Photo {self.sha256[:12]} {self.width}×{self.height}>"


class BloomReport(Model):
    """One observation of one plant: append-only, never updated except to be retracted."""

    __tablename__ = "bloom_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plant.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "report": what the staff member saw; "confirm": "still the same" as the status they were shown.
    kind: Mapped[str] = mapped_column(String(10), default="report")
    stage: Mapped[str] = mapped_column(String(20))
    percent_open: Mapped[int | None] = mapped_column(Integer)
    # Optional note, {"zh": ..., "en": ...}, in whichever languages the staff member wrote.
    note: Mapped[dict[str, str] | None] = mapped_column(JSON)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id"))
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retracted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    plant: Mapped[Plant] = relationship()
    # Staff is guide.staff's model, named as a string: places never imports a feature.
    staff: Mapped[Staff] = relationship("Staff", foreign_keys=[staff_id])
    retracted_by: Mapped[Staff | None] = relationship("Staff", foreign_keys=[retracted_by_id])
    photo: Mapped[Photo | None] = relationship()

    @property
    def bloom_stage(self) -> BloomStage:
        return BloomStage(self.stage)

    @property
    def shown(self) -> Shown:
        """The stage in the words of its plant's scale."""
        return self.plant.scale.of(self.bloom_stage)

    def as_report(self) -> Report:
        return Report(BloomStage(self.stage), self.percent_open, self.reported_at)

    def __repr__(self) -> str:
        return f"<BloomReport {self.stage} plant={self.plant_id} at {self.reported_at:%Y-%m-%d %H:%M}>"


class CrowdReport(Model):
    """How busy a place was said to be, by whom and when: kept as history; the public pages show
    the latest while it is fresh (guide.core.crowds)."""

    __tablename__ = "crowd_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    place: Mapped[Place] = relationship()
    staff: Mapped[Staff] = relationship("Staff")

    @property
    def said(self) -> crowds.Said:
        return crowds.Said(crowds.Crowd(self.level), self.reported_at, self.id)

    def __repr__(self) -> str:
        return f"<CrowdReport {self.level} at place {self.place_id}>"
