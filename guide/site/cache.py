"""The page cache: rendered public pages kept for a minute, and dropped the moment data changes.

Every change that a page can show (a report, a confirmation, a retraction, a data load) bumps
revision numbers in the database, in the same transaction, and cache keys include them, so the
next request after a change renders anew, on every server. There are two kinds: the site's
revision, which every change bumps, for pages about several places (home, calendar, feeds …),
and each place's own, for the pages of one place (its URL names it: `<slug>`), which only
changes to that place bump. So a report at one garden leaves the other gardens' pages cached.
Keys also include the minute, so "checked 2 minutes ago" stays true.
"""
from __future__ import annotations

import functools
import gzip

import brotli
import redis
from cachelib import RedisCache, SimpleCache
from flask import Response, current_app, request
from sqlalchemy import Integer, select, true, update
from sqlalchemy.orm import Mapped, mapped_column

from guide import clock
from guide.extensions import db
from guide.places.models import Place
from guide.places.schema import is_slug


class Revision(db.Model):
    """One row: a number that grows whenever published data changes."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Revision {self.value}>"


def bump(*places: Place) -> None:
    """Mark what these places' pages show as changed, or with no place given, everything
    (flushes; the caller's commit publishes it). Pages about several places change either way."""
    if db.session.execute(update(Revision).where(Revision.id == 1).values(value=Revision.value + 1)).rowcount == 0:
        db.session.add(Revision(id=1, value=1))
    ids = [place.id for place in places]
    db.session.execute(update(Place).where(Place.id.in_(ids) if ids else true())
                       .values(revision=Place.revision + 1), execution_options={"synchronize_session": False})
    db.session.flush()


def current() -> int:
    return db.session.scalar(select(Revision.value).where(Revision.id == 1)) or 0


def _revision(view_args: dict) -> str:
    """What a page's key depends on: its place's revision, or the site's."""
    slug = view_args.get("slug")
    if slug is None:
        return f"site {current()}"
    if not is_slug(slug):  # the view answers 404
        return "none"
    return f"place {db.session.scalar(select(Place.revision).where(Place.slug == slug))}"


def make_cache(app):
    """The page store: in this process, or shared between servers in Redis (REDIS_URL)."""
    if app.config["REDIS_URL"]:
        return RedisCache(redis.from_url(app.config["REDIS_URL"]), key_prefix=app.config["CACHE_KEY_PREFIX"])
    return SimpleCache(threshold=2000)


KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def cached_page(view):
    """Serve a public GET from the cache while nothing it shows can have changed."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        if request.method not in ("GET", "HEAD") or not seconds:
            return view(*args, **kwargs)
        store = current_app.extensions["guide.page_cache"]
        minute = int(clock.now().timestamp() // 60)
        key = f"{request.full_path}|{_revision(kwargs)}|{minute}"
        hit = store.get(key)
        if hit is None:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough:
                return response
            body = response.get_data()
            hit = ({k: v for k, v in response.headers.items() if k in KEPT_HEADERS},
                   {None: body, "br": brotli.compress(body, quality=9), "gzip": gzip.compress(body, 6, mtime=0)})
            store.set(key, hit, timeout=seconds)
        headers, bodies = hit
        # Compressed once when cached, not on every request (Flask-Compress skips encoded bodies).
        encoding = "br" if request.accept_encodings["br"] else "gzip" if request.accept_encodings["gzip"] else None
        response = Response(bodies[encoding], headers=headers)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        return response

    return wrapper
