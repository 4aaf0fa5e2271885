"""Park staff, the bloom reports they file, and their photos.

Reports are append-only: a wrong one is retracted (kept, marked, logged), never edited.
"""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from guide.bloom import BloomStage, Report
from guide.extensions import UTCDateTime, db
from guide.places.models import Place, Plant

staff_place = Table(
    "staff_place", db.metadata,
    Column("staff_id", ForeignKey("staff.id"), primary_key=True),
    Column("place_id", ForeignKey("place.id"), primary_key=True),
)


class Staff(UserMixin, db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    places: Mapped[list[Place]] = relationship(secondary=staff_place, order_by=Place.position)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt, salted

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def can_report(self, place: Place) -> bool:
        """Whether this person may report on (and see the staff view of) a place."""
        return self.is_admin or any(p.id == place.id for p in self.places)

    def __repr__(self) -> str:
        return f"<Staff {self.username}{' (admin)' if self.is_admin else ''}>"


class Photo(db.Model):
    """A report photo, stored under instance/photos/ by the hash of its (cleaned) bytes."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    thumb_width: Mapped[int] = mapped_column(Integer)
    thumb_height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Photo {self.sha256[:12]} {self.width}×{self.height}>"


class BloomReport(db.Model):
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
    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])
    retracted_by: Mapped[Staff | None] = relationship(foreign_keys=[retracted_by_id])
    photo: Mapped[Photo | None] = relationship()

    @property
    def bloom_stage(self) -> BloomStage:
        return BloomStage(self.stage)

    def as_report(self) -> Report:
        return Report(BloomStage(self.stage), self.percent_open, self.reported_at)

    def __repr__(self) -> str:
        return f"<BloomReport {self.stage} plant={self.plant_id} at {self.reported_at:%Y-%m-%d %H:%M}>"
