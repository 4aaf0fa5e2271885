"""The page cache: rendered public pages kept for a minute, and dropped the moment data changes.

Every change that a page can show (a report, a confirmation, a retraction, a data load) bumps
revision numbers in the database, in the same transaction, and cache keys include them, so the
next request after a change renders anew, on every server. A page's key holds the revision it
depends on: by default the site's, which every change bumps (pages about several places: home,
calendar, feeds …); a feature may name a narrower one (`cached_page(revision=…)`), as the places
feature does for the pages of one place, so that a report at one garden leaves the other
gardens' pages cached. Keys also include the minute, so "checked 2 minutes ago" stays true.

A page names the query parameters it reads (`cached_page(params=("kind",))`); the view, its
template and its links (canonical, hreflang) see only those, and the key holds only those, so
`?utm_source=…` or WeChat's `?from=singlemessage` is the same page from the same entry, never a
new render and a new key. A trip's dates (`from`, `to`) are not read when they are a bare word:
WeChat adds `from=singlemessage` (or `timeline`, `groupmessage`) to every link shared in it, and
that word is no first day of a trip; anything else ("2027/4/31", "%00") is read, and the page says
what is wrong with it. The store is an aid, never a dependency: when Redis cannot be read or
written (down, or full under `noeviction`) the page is rendered without it.

Pages hold absolute links (QR codes, share tags, feeds). With PUBLIC_BASE_URL they are on that
address whatever the request said; without it (development) they follow the Host the request
named, so the key holds that origin too: a forged Host header only ever sees its own links.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Callable
from typing import Any

import brotli
import redis
from cachelib import RedisCache, SimpleCache
from flask import Response, current_app, request
from flask_babel import _
from markupsafe import Markup
from sqlalchemy import Integer, select, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import ImmutableMultiDict

from guide.core import clock
from guide.extensions import Model, db
from guide.site.errors import DATABASE_UNAVAILABLE


class Revision(Model):
    """One row: a number that grows whenever published data changes."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Revision {self.value}>"


def bump() -> None:
    """Mark what the site shows as changed (flushes; the caller's commit publishes it)."""
    bumped = db.session.execute(update(Revision).where(Revision.id == 1).values(value=Revision.value + 1))
    if bumped.rowcount == 0:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        db.session.add(Revision(id=1, value=1))
    db.session.flush()


def current() -> int:
    return db.session.scalar(select(Revision.value).where(Revision.id == 1)) or 0


def site_revision(view_args: dict[str, Any]) -> str:
    """The default for a page's key: the site's revision, which every change bumps."""
    return f"site {current()}"


def store_error() -> str | None:
    """Why the page store cannot be written just now (for /healthz), or None when it can."""
    try:
        if not current_app.extensions["guide.page_cache"].set("healthz", 1, timeout=10):
            return "the page store refused a write"
    except redis.RedisError as error:
        return f"the page store cannot be written: {error}"
    return None


def _read(store, key: str) -> Any:
    try:
        return store.get(key)
    except redis.RedisError as error:
        current_app.logger.warning("page store unreadable, rendering %s anew: %s", request.path, error)
        return None


def _write(store, key: str, value: Any, seconds: int) -> None:
    try:
        store.set(key, value, timeout=seconds)
    except redis.RedisError as error:
        current_app.logger.warning("page store not written for %s: %s", request.path, error)


# Values of a parameter that are never read: the words WeChat appends.
IGNORED = {"from": re.compile(r"[A-Za-z]+"), "to": re.compile(r"[A-Za-z]+")}


def _only(params: tuple[str, ...]) -> ImmutableMultiDict[str, str]:
    """The query parameters a page reads, every value of each (but those IGNORED), in a stable
    order."""
    return ImmutableMultiDict(
        [(k, v) for k in params for v in request.args.getlist(k) if k not in IGNORED or not IGNORED[k].fullmatch(v)]
    )


def make_cache(app):
    """The page store: in this process, or shared between servers in Redis (REDIS_URL)."""
    if app.config["REDIS_URL"]:
        return RedisCache(redis.from_url(app.config["REDIS_URL"]), key_prefix=app.config["CACHE_KEY_PREFIX"])
    return SimpleCache(threshold=2000)


KEPT_HEADERS = ("Content-Type", "Content-Disposition")


RevisionOf = Callable[[dict[str, Any]], str]


def _possibly_out_of_date(headers: dict[str, str], body: bytes) -> Response:
    """A page as it was last rendered, while the database cannot say what is current: marked
    so on the page (HTML), in a header (any page), and stored nowhere."""
    response = Response(body, headers=headers)
    if response.mimetype == "text/html":
        notice = Markup('<p class="flash flash--error stale" role="status">{}</p>').format(
            _("The guide cannot reach its latest data just now: this page may be out of date.")
        )
        page = body.decode()
        opening = next((at for tag in ("<main", "<body") if (at := page.find(tag)) >= 0), -1)
        if opening >= 0:
            at = page.find(">", opening) + 1
            response.set_data(page[:at] + str(notice) + page[at:])
    response.headers["Warning"] = '110 - "Response is Stale"'
    response.cache_control.no_store = True
    return response


def _origin() -> str:
    """Where the page's absolute links point: the same for every request with a public base URL."""
    return "" if current_app.config.get("PUBLIC_BASE_URL") else request.host_url


def cached_page(view=None, *, revision: RevisionOf = site_revision, params: tuple[str, ...] = ()):
    """Serve a public GET from the cache while nothing it shows can have changed: `revision`
    tells, from the view's arguments, what the page depends on; `params` names the query
    parameters it reads (any other is ignored). Use as @cached_page or @cached_page(revision=…,
    params=…)."""
    if view is None:
        return functools.partial(cached_page, revision=revision, params=params)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request.args = _only(params)  # the view, its template and its links see only these
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        if request.method not in ("GET", "HEAD") or not seconds:
            return view(*args, **kwargs)
        store = current_app.extensions["guide.page_cache"]
        minute = int(clock.now().timestamp() // 60)
        page = [_origin(), request.path, list(request.args.items(multi=True))]
        last_good = json.dumps(["last good", *page])
        try:
            key = json.dumps([*page, revision(kwargs), minute])
            hit = _read(store, key)
            if hit is None:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                body = response.get_data()
                headers = {k: v for k, v in response.headers.items() if k in KEPT_HEADERS}
                hit = (
                    headers,
                    {None: body, "br": brotli.compress(body, quality=9), "gzip": gzip.compress(body, 6, mtime=0)},
                )
                _write(store, key, hit, seconds)
                if stale_seconds := current_app.config["PAGE_STALE_SECONDS"]:  # 0: never serve stale
                    # Kept compressed: one small copy per page, bounded by the parameters it reads.
                    _write(store, last_good, (headers, hit[1]["gzip"]), stale_seconds)
        except DATABASE_UNAVAILABLE:
            kept = _read(store, last_good)
            if kept is None:
                raise  # the 503 page
            current_app.logger.warning("database unavailable: %s served as last rendered", request.path)
            headers, squeezed = kept
            return _possibly_out_of_date(headers, gzip.decompress(squeezed))
        headers, bodies = hit
        # Compressed once when cached, not on every request (Flask-Compress skips encoded bodies).
        encoding = "br" if request.accept_encodings["br"] else "gzip" if request.accept_encodings["gzip"] else None
        response = Response(bodies[encoding], headers=headers)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        return response

    return wrapper
