"""Park staff and the bloom reports they file. The staff pages come later; the model is here
now because a plant's public status is its latest fresh report."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.bloom import BloomStage, Report
from guide.extensions import UTCDateTime, db
from guide.places.models import Plant


class Staff(db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Staff {self.username}>"


class BloomReport(db.Model):
    """One observation of one plant: append-only, never updated."""

    __tablename__ = "bloom_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plant.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stage: Mapped[str] = mapped_column(String(20))
    percent_open: Mapped[int | None] = mapped_column(Integer)
    # Optional note, {"zh": ..., "en": ...}, in whichever languages the staff member wrote.
    note: Mapped[dict[str, str] | None] = mapped_column(JSON)

    plant: Mapped[Plant] = relationship()
    staff: Mapped[Staff] = relationship()

    def as_report(self) -> Report:
        return Report(BloomStage(self.stage), self.percent_open, self.reported_at)

    def __repr__(self) -> str:
        return f"<BloomReport {self.stage} plant={self.plant_id} at {self.reported_at:%Y-%m-%d %H:%M}>"
