"""Places, the plants that bloom there and their events, as loaded from data/places.yaml; and
the bloom reports staff file on those plants, which the public pages and the staff side both read.

Reports are append-only: a wrong one is retracted (kept, marked, logged), never edited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.core.bloom import BloomStage, BloomWindow, MonthDay, Report
from guide.extensions import Model, UTCDateTime

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
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Grows whenever anything this place's own pages show changes (guide.site.cache).
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    plants: Mapped[list[Plant]] = relationship(
        back_populates="place", order_by="Plant.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="place", order_by="Event.starts_on", cascade="all, delete-orphan"
    )

    @property
    def listed_plants(self) -> list[Plant]:
        return [plant for plant in self.plants if plant.listed]

    def __repr__(self) -> str:
        return f"<Place {self.slug}>"


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
    bud: Mapped[str] = mapped_column(String(5))
    first: Mapped[str] = mapped_column(String(5))
    peak_start: Mapped[str] = mapped_column(String(5))
    peak_end: Mapped[str] = mapped_column(String(5))
    over: Mapped[str] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    place: Mapped[Place] = relationship(back_populates="plants")

    @property
    def window(self) -> BloomWindow:
        return BloomWindow(*(MonthDay.parse(getattr(self, f)) for f in WINDOW_FIELDS))

    def __repr__(self) -> str:
        return f"<Plant {self.key} at place {self.place_id}>"


WINDOW_FIELDS = ("bud", "first", "peak_start", "peak_end", "over")


class Event(Model):
    """A festival or exhibition at a place, on this year's dates (inclusive)."""

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("place_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[LocalizedText] = mapped_column(JSON)
    description: Mapped[LocalizedText | None] = mapped_column(JSON)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # Raised whenever the dates change, so that calendar apps update the event (RFC 5545).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    place: Mapped[Place] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<Event {self.key} {self.starts_on}–{self.ends_on}>"


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

    def as_report(self) -> Report:
        return Report(BloomStage(self.stage), self.percent_open, self.reported_at)

    def __repr__(self) -> str:
        return f"<BloomReport {self.stage} plant={self.plant_id} at {self.reported_at:%Y-%m-%d %H:%M}>"
