"""/api/v1/: places with their current status, bloom windows and festivals, in every language at once."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import force_locale

from guide.api.openapi import document
from guide.core import clock
from guide.core.festivals import When
from guide.core.i18n import languages
from guide.core.scales import Shown
from guide.places import queries
from guide.places.models import WINDOW_FIELDS, Festival, Notice, Place
from guide.places.notices import KIND_TITLES
from guide.site.cache import cached_page
from guide.site.helpers import absolute_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_AGE = 300


@bp.after_request
def cache_and_cors(response):
    """Anyone may read (CORS for GET); clients revalidate with the ETag after five minutes."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    response.headers["Access-Control-Max-Age"] = "86400"
    # no_store: an answer served as last rendered while the database is down (guide.site.cache).
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.cache_control.no_store:
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
        response.add_etag(weak=True)  # weak: Flask-Compress leaves it alone across encodings
        response.make_conditional(request)
    return response


@bp.get("/places")
@cached_page
def places():
    found = queries.listed_places()
    # Nothing in the body depends on the moment of the request, so the ETag stays stable.
    return jsonify({"places": [_place(p, s) for p, s in _with_sightings(found)]})


@bp.get("/places/<slug>")
@cached_page(revision=queries.place_revision)
def place(slug: str):
    found = queries.place_or_404(slug)
    return jsonify(_place(*_with_sightings([found])[0]))


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(absolute_url("api.places").removesuffix("/places")))


def _with_sightings(places: list[Place]):
    seen = queries.sightings(places, clock.now(), clock.today())
    return [(p, [s for s in seen if s.place.id == p.id]) for p in places]


def _titles(stage: Shown) -> dict[str, str]:
    titles = {}
    for code in languages():
        with force_locale(code):
            titles[code] = str(stage.title)
    return titles


def _place(place: Place, sightings) -> dict:
    return {
        "slug": place.slug,
        "name": place.name,
        "summary": place.summary,
        "description": place.description,
        "address": place.address,
        "hours": place.hours,
        "ticket": place.ticket,
        "transit": place.transit,
        "tips": place.tips,
        "location": {"lat": place.lat, "lon": place.lon, "estimated": place.coords_estimated},
        "urls": {code: absolute_url("places.place", lang=code, slug=place.slug) for code in languages()},
        "share_url": absolute_url("site.place_link", slug=place.slug),
        "plants": [_plant(s) for s in sightings],
        "festivals": [_festival(f, clock.today()) for f in place.festivals if f.listed],
        "notices": [_notice(n) for n in queries.notices(clock.now(), place)],
    }


def _notice(notice: Notice) -> dict:
    names = {}
    for code in languages():
        with force_locale(code):
            names[code] = str(KIND_TITLES[notice.kind])
    return {
        "kind": notice.kind,
        "kind_name": names,
        "text": notice.text,
        "first_day": notice.first_day.isoformat(),
        "last_day": notice.last_day.isoformat() if notice.last_day else None,
    }


def _plant(s) -> dict:
    status, report = s.status, s.shown_report
    return {
        "key": s.plant.key,
        "name": s.plant.name,
        "latin": s.plant.latin,
        "count": s.plant.count,
        "scale": s.plant.visited_for,
        "status": {
            "stage": status.stage.value,
            "stage_name": _titles(s.shown),
            "percent": status.percent_open,
            "percent_range": list(status.stage.percent_range),
            "estimated": status.estimated,
            "checked_at": status.reported_at.isoformat() if status.reported_at else None,
            "note": report.note if report else None,
        },
        "bloom_window": {f: getattr(s.plant, f) for f in WINDOW_FIELDS},
    }


def _festival(festival: Festival, today: date) -> dict:
    usual = festival.usual
    return {
        "key": festival.key,
        "name": festival.name,
        "description": festival.description,
        "usual": {"start": str(usual.start), "end": str(usual.end)} if usual else None,
        "next": [
            {
                "year": e.year,
                "start": e.start.isoformat(),
                "end": e.end.isoformat(),
                "standing": e.standing.value,
                "end_approximate": e.end_approximate,
                "on_now": e.when(today) is When.NOW,
            }
            for e in festival.upcoming(today)
        ],
        "calendar_url": absolute_url("share.event_calendar", lang="en", slug=festival.place.slug, key=festival.key),
    }
