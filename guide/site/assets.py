"""Static assets under content-hashed names, compressed once at start-up, cached for a year.

`asset_url("style.css")` → `/assets/style.3f2a9c1b.css`. A changed file gets a new name, so
browsers may keep every name forever (immutable). Leaflet comes from the registry package
installed at setup (PyPI), Workbox's runtime for the service worker from npm (`npm ci`, into
node_modules/), never from a CDN. The app's icons are drawn at start-up (guide/site/icons.py).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import brotli
from flask import Blueprint, Response, abort, current_app, request, send_from_directory

from guide.site.icons import icons

bp = Blueprint("assets", __name__)
LEAFLET = files("js_lib_leaflet") / "static" / "js_lib_leaflet"
STATIC = Path(__file__).parent.parent / "static"
NODE_MODULES = Path(__file__).parent.parent.parent / "node_modules"
# Workbox's runtime, its production builds joined in the order they need each other: they set
# `workbox.core`, `workbox.routing` … on the worker's global scope (guide/static/sw.js).
WORKBOX = tuple(
    NODE_MODULES / f"workbox-{module}" / "build" / f"workbox-{module}.prod.js"
    for module in ("core", "routing", "strategies", "precaching", "expiration")
)
# Public name → the files it is made of, joined in order: the stage colours and badge are written
# once (stages.css) and go into both the site's stylesheet and the embed widget's.
SOURCES: dict[str, tuple[Path | Traversable, ...]] = {
    "style.css": (STATIC / "stages.css", STATIC / "style.css"),
    "print.css": (STATIC / "print.css",),
    "page-a4.css": (STATIC / "page-a4.css",),
    "page-a6.css": (STATIC / "page-a6.css",),
    "embed.css": (STATIC / "stages.css", STATIC / "embed.css"),
    "share.js": (STATIC / "share.js",),
    "map-load.js": (STATIC / "map-load.js",),
    "map.js": (STATIC / "map.js",),
    "near.js": (STATIC / "near.js",),
    "taxi.js": (STATIC / "taxi.js",),
    "calendar.js": (STATIC / "calendar.js",),
    "icon.svg": (STATIC / "icon.svg",),
    "keep.js": (STATIC / "keep.js",),
    "saved.js": (STATIC / "saved.js",),
    "queue.js": (STATIC / "queue.js",),
    "workbox.js": WORKBOX,
    "leaflet.js": (LEAFLET / "leaflet.js",),
    "leaflet.css": (LEAFLET / "leaflet.css",),
}
ONE_YEAR = 365 * 24 * 3600
# Without Workbox's runtime (node_modules/ not installed) the guide is served without its
# service worker (/sw.js answers 404): pages work, only offline use is lost.
OPTIONAL = frozenset({"workbox.js"})
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asset:
    hashed_name: str
    mimetype: str
    plain: bytes
    gzip: bytes
    brotli: bytes


@functools.cache
def build_assets() -> dict[str, Asset]:
    """Read, hash and compress every asset (at start-up, once per process)."""
    assets = {}
    made = {
        name: b"\n".join(part.read_bytes() for part in parts)
        for name, parts in SOURCES.items()
        if name not in OPTIONAL or all(part.is_file() for part in parts)
    } | icons()
    for name in OPTIONAL - made.keys():
        log.error("%s is missing (run `npm ci`): the guide is served without it", name)
    for name, data in made.items():
        # We do not serve source maps.
        data = re.sub(rb"\n?//# sourceMappingURL=[^\n]*", b"", data)
        stem, ext = name.rsplit(".", 1)
        digest = hashlib.sha256(data).hexdigest()[:10]
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        assets[name] = Asset(
            f"{stem}.{digest}.{ext}", mimetype, data, gzip.compress(data, 9, mtime=0), brotli.compress(data, quality=11)
        )
    return assets


def asset_url(name: str) -> str:
    return f"/assets/{current_app.extensions['guide.assets'][name].hashed_name}"


@bp.get("/assets/<name>")
def serve(name: str):
    assets = current_app.extensions["guide.assets"]
    asset = next((a for a in assets.values() if a.hashed_name == name), None)
    if asset is None:
        abort(404)
    accepted = request.accept_encodings
    if accepted["br"]:
        body, encoding = asset.brotli, "br"
    elif accepted["gzip"]:
        body, encoding = asset.gzip, "gzip"
    else:
        body, encoding = asset.plain, None
    response = Response(body, mimetype=asset.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.vary.add("Accept-Encoding")
    response.set_etag(name)
    return response.make_conditional(request)


@bp.get("/assets/images/<name>")
def leaflet_image(name: str):
    """Images that leaflet.css names relative to itself (it probes marker-icon.png at start)."""
    folder = Path(str(LEAFLET / "images"))
    if name not in {p.name for p in folder.iterdir()}:
        abort(404)
    return send_from_directory(folder, name, max_age=ONE_YEAR)
