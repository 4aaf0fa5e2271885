"""Flask extensions, created bare and bound to the app by init_app()."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    # Named constraints, so that later migrations can refer to them on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use guide.core.clock.now()")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    Model = Base  # db.Model is made from Base at run time, where a type checker cannot see it
else:
    Model = db.Model


@event.listens_for(Engine, "connect")
def _sqlite_checks_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores foreign keys unless asked on every connection; PostgreSQL always checks."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


def database_error_line(error: Exception) -> str:
    """What the database said, on one short line (for logs and command-line messages)."""
    said = str(getattr(error, "orig", None) or error).strip()
    return (said.splitlines() or [""])[0][:200]


def schema_missing() -> str | None:
    """Why the database cannot be used yet, or None: its schema comes from the migrations."""
    from sqlalchemy import inspect

    if not inspect(db.engine).has_table("place"):
        return "the database has no tables yet: run `flask --app guide db upgrade` first (`make data` does)"
    return None


babel = Babel()
compress = Compress()
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
# Memory storage by default; RATELIMIT_STORAGE_URI (e.g. redis://) shares counters between servers.
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask, migrations: Path) -> None:
    from guide.core.i18n import select_locale

    db.init_app(app)
    # The schema comes from migrations/ (Alembic), the same for SQLite and PostgreSQL; batch
    # mode lets SQLite alter tables.
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True)
    # First, so that its after-request step runs last: it compresses what the others produced.
    compress.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
