"""Park staff accounts and the places each may report on. Their reports are
guide.places.models.BloomReport: the public pages read them too."""

from __future__ import annotations

import functools
import hmac
import secrets
import unicodedata
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from guide.extensions import Model, UTCDateTime, db
from guide.places.models import Place

USERNAME_MAX = 80

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


def username_key(name: str) -> str:
    """What every spelling of one username shares, in any script: NFKC, case-folded (SQLite's
    lower() folds ASCII only), so "Émile", "ÉMILE" and a decomposed "émile" are one name."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).casefold())


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Staff(UserMixin, Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    # Unique: two accounts can never differ only in case or Unicode form.
    username_key: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Part of every session's cookie; a new one (logout, new password, disabling) ends them all,
    # on every server, since each request checks it against this row.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, server_default="")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    places: Mapped[list[Place]] = relationship(secondary=staff_place, order_by=Place.position)
    edits: Mapped[list[Place]] = relationship(secondary=staff_editor, order_by=Place.position)

    @validates("username")
    def _keep_key(self, _attribute: str, username: str) -> str:
        self.username_key = username_key(username)
        return username

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def get_id(self) -> str:
        """What the session cookie holds: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def holds(self, token: str) -> bool:
        """Whether a session made with `token` is still good."""
        return bool(self.session_token) and self.is_active and hmac.compare_digest(token, self.session_token)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def can_report(self, place: Place) -> bool:
        """Whether this person may report on (and see the staff view of) a place."""
        return self.is_admin or any(p.id == place.id for p in self.places)

    @property
    def editable_places(self) -> list[Place]:
        """The places this person may edit: an editor of a place they no longer report on
        (a grant from before revoking took editing too) edits nothing there."""
        reported = {p.id for p in self.places}
        return [p for p in self.edits if p.id in reported]

    def can_edit(self, place: Place) -> bool:
        """Whether this person may set the place's festival dates, post its notices and
        withdraw them: asked again on every request, so a revoked right ends at once."""
        return self.is_admin or any(p.id == place.id for p in self.editable_places)

    def __repr__(self) -> str:
        return (
            f"<Staff {self.username}{' (admin)' if self.is_admin else ''}{' (disabled)' if self.disabled_at else ''}>"
        )


class Submission(Model):
    """A form that was filed, by the key it carried: sent again (a double tap, or resent after
    the answer was lost on a weak network), it files nothing more."""

    __tablename__ = "submission"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # What was filed under it: the same key with other content is an edited form, not a resend.
    digest: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Submission {self.key[:8]}… by {self.staff_id}>"


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def find_staff(username: str) -> Staff | None:
    """The account of that name, however it is spelled (case, Unicode form)."""
    return db.session.scalar(select(Staff).where(Staff.username_key == username_key(username)))


def authenticate(username: str, password: str) -> Staff | None:
    """The active account with that name and password, or None, in the same time either way:
    an unknown or disabled name is checked against a made-up hash, so that the time of the
    answer does not tell which names exist."""
    staff = find_staff(username)
    if staff is None or not staff.is_active or not staff.password_hash:
        check_password_hash(_stand_in_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return staff if staff.check_password(password) else None


@functools.cache
def _stand_in_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method)
