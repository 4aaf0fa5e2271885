"""Park staff accounts and the places each may report on. Their reports are
guide.places.models.BloomReport: the public pages read them too."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from guide.extensions import Model, UTCDateTime, db
from guide.places.models import Place

staff_place = Table(
    "staff_place",
    db.metadata,
    Column("staff_id", ForeignKey("staff.id"), primary_key=True),
    Column("place_id", ForeignKey("place.id"), primary_key=True),
)

# Editors of a place keep its festival dates and notices true (granted with `staff grant --editor`).
staff_editor = Table(
    "staff_editor",
    db.metadata,
    Column("staff_id", ForeignKey("staff.id"), primary_key=True),
    Column("place_id", ForeignKey("place.id"), primary_key=True),
)


class Staff(UserMixin, Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    places: Mapped[list[Place]] = relationship(secondary=staff_place, order_by=Place.position)
    edits: Mapped[list[Place]] = relationship(secondary=staff_editor, order_by=Place.position)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def can_report(self, place: Place) -> bool:
        """Whether this person may report on (and see the staff view of) a place."""
        return self.is_admin or any(p.id == place.id for p in self.places)

    def can_edit(self, place: Place) -> bool:
        """Whether this person may set the place's festival dates and post its notices."""
        return self.is_admin or any(p.id == place.id for p in self.edits)

    def __repr__(self) -> str:
        return f"<Staff {self.username}{' (admin)' if self.is_admin else ''}>"
