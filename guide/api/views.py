"""/api/v1/: places with their current status, bloom windows and festivals, in every language at once."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import force_locale

from guide.api.openapi import document
from guide.core import clock
from guide.core.crowds import Crowd
from guide.core.crowds import Now as CrowdNow
from guide.core.festivals import When
from guide.core.forecast import Forecast, Season
from guide.core.i18n import languages
from guide.core.plan import Refused, trip
from guide.core.scales import Shown
from guide.core.text import drop_unsafe_texts
from guide.places import practical, provenance, queries, seasons, words
from guide.places.models import WINDOW_FIELDS, Festival, Notice, Place
from guide.places.notices import KIND_TITLES
from guide.places.provenance import Provenance
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
    # Only the day matters (forecasts and estimates), not the minute, so the ETag stays stable.
    ahead = seasons.outlooks([plant for p in found for plant in p.listed_plants], clock.today())
    crowds = queries.crowds_now(found, clock.now())
    return jsonify({"places": [_place(p, s, ahead, crowds.get(p.id)) for p, s in _with_sightings(found)]})


@bp.get("/places/<slug>")
@cached_page(revision=queries.place_revision)
def place(slug: str):
    found = queries.place_or_404(slug)
    ahead = seasons.outlooks(found.listed_plants, clock.today())
    ((_, seen),) = _with_sightings([found])
    return jsonify(_place(found, seen, ahead, queries.crowds_now([found], clock.now()).get(found.id)))


@bp.get("/plan")
@cached_page(params=("from", "to"))
def plan():
    """What is expected at its best on each day of a trip (up to 14 days, up to a year ahead)."""
    now, today = clock.now(), clock.today()
    try:
        start, end = trip(request.args.get("from", ""), request.args.get("to", ""), today)
    except Refused as refused:
        with force_locale("en"):
            message = words.plan_error(refused.reason)
        return jsonify({"error": 400, "message": message}), 400
    days = seasons.plan_trip(start, end, now, today)
    return jsonify(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "share_url": absolute_url("site.plan_link", **{"from": start.isoformat(), "to": end.isoformat()}),
            "days": [
                {
                    "date": day.isoformat(),
                    "expected": [
                        {
                            "place": p.sighting.place.slug,
                            "place_name": p.sighting.place.name,
                            "plant": p.sighting.plant.key,
                            "plant_name": p.sighting.plant.name,
                            "stage": p.expected.stage.value,
                            "stage_name": _titles(p.sighting.plant.scale.of(p.expected.stage)),
                            "certainty": p.expected.certainty.value,
                            "busiest": _fact(practical.fact(p.sighting.place.practical, "busiest", today)),
                        }
                        for p in found
                    ],
                }
                for day, found in days
            ],
        }
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(absolute_url("api.places").removesuffix("/places")))


def _with_sightings(places: list[Place]):
    seen = queries.sightings(places, clock.now(), clock.today())
    return [(p, [s for s in seen if s.place.id == p.id]) for p in places]


def _titles(named: Shown | Crowd) -> dict[str, str]:
    titles = {}
    for code in languages():
        with force_locale(code):
            titles[code] = str(named.title)
    return titles


def _place(place: Place, sightings, ahead: dict[int, seasons.Outlook], crowd: CrowdNow | None) -> dict:
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
        "location": {"lat": place.lat, "lon": place.lon, "datum": "WGS84", "estimated": place.coords_estimated},
        "urls": {code: absolute_url("places.place", lang=code, slug=place.slug) for code in languages()},
        "share_url": absolute_url("site.place_link", slug=place.slug),
        "plants": [_plant(s, ahead[s.plant.id]) for s in sightings],
        "festivals": [_festival(f, clock.today()) for f in place.festivals if f.listed],
        "notices": [_notice(n) for n in queries.notices(clock.now(), place)],
        "practical": {f.kind: _fact(f) for f in practical.facts(place.practical, clock.today())},
        "sources": {group: _source(p) for group, p in provenance.of_place(place.sources, clock.today()).items()},
        "crowd": crowd
        and {
            "level": crowd.level.value,
            "level_name": _titles(crowd.level),
            "reported_at": crowd.at.isoformat(),
            "until": crowd.until.isoformat(),
        },
    }


def _fact(f: practical.Fact | None) -> dict | None:
    if f is None:
        return None
    return {"text": drop_unsafe_texts(f.text), **_source(f.provenance)}


def _notice(notice: Notice) -> dict:
    names = {}
    for code in languages():
        with force_locale(code):
            names[code] = str(KIND_TITLES[notice.kind])
    return {
        "kind": notice.kind,
        "kind_name": names,
        "text": drop_unsafe_texts(notice.text),  # whatever was stored before text was cleaned
        "first_day": notice.first_day.isoformat(),
        "last_day": notice.last_day.isoformat() if notice.last_day else None,
    }


def _in_every_language(say) -> dict[str, str]:
    said = {}
    for code in languages():
        with force_locale(code):
            said[code] = str(say())
    return said


def _forecast(made: Forecast) -> dict:
    return {
        "season": made.year,
        "basis": made.basis.value,
        "shift_days": made.shift,
        "reports": made.reports,
        "seen": {name: day.isoformat() for name, day in made.seen.items()},
        "expected": {
            name: {"start": span.start.isoformat(), "end": span.end.isoformat()} for name, span in made.expected.items()
        },
        "reason": _in_every_language(lambda: words.reason_line(made)),
    }


def _season(season: Season) -> dict:
    return {
        "season": season.label,
        "year": season.year,
        "points": {name: day.isoformat() for name, day in season.points.items()},
        "source": season.source,
    }


def _plant(s, outlook: seasons.Outlook) -> dict:
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
            "note": drop_unsafe_texts(report.note) if report else None,
        },
        "bloom_window": {f: getattr(s.plant, f) for f in WINDOW_FIELDS},
        "forecast": _forecast(outlook.forecast),
        "past_seasons": [_season(season) for season in outlook.past],
        "source": _source(provenance.read(s.plant.provenance, clock.today())),
        "reminder_url": absolute_url("share.peak_reminder", lang="en", slug=s.place.slug, key=s.plant.key),
    }


def _source(found: Provenance | None) -> dict:
    """Where a fact is from, as the API gives it (empty when a row holds none it can read)."""
    if found is None:
        return {}
    return {
        "source": found.source,
        "year": found.year,
        "checked": found.checked.isoformat() if found.checked else None,
        "old": found.old,
    }


def _festival(festival: Festival, today: date) -> dict:
    usual = festival.usual
    return {
        "key": festival.key,
        "name": festival.name,
        "description": festival.description,
        "usual": usual
        and {
            "start": str(usual.start),
            "start_latest": str(usual.start_latest) if usual.start_latest else None,
            "end": str(usual.end),
        },
        "source": _source(provenance.read(festival.provenance, today)),
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
