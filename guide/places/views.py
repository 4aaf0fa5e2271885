"""The public pages. Views gather, call the pure core, render."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import _, format_decimal

from guide.core import clock
from guide.core.bloom import BloomStage, rank_key
from guide.core.geo import navigation_links
from guide.core.i18n import add_language_prefix, format_ago, page_lang, plain
from guide.core.maps import TILES, Pin, build_map
from guide.core.outline import Outline, line_of, nearest_station
from guide.core.year_strip import flowers_in, month_starts, strip
from guide.places import outline, queries
from guide.site.cache import cached_page
from guide.site.views import revalidate

bp = Blueprint("places", __name__, url_prefix="/<lang>")
bp.after_request(revalidate)
bp.record_once(lambda state: outline.init_app(state.app))  # a broken data/map.yaml stops the start
add_language_prefix(bp)

SOON = timedelta(days=30)  # "events happening now or soon"
COMING_NEXT = 6  # how many upcoming blooms the home page lists


@bp.get("/")
@cached_page
def home():
    now, today = clock.now(), clock.today()
    places = queries.listed_places()
    seen = queries.sightings(places, now, today)
    by_rank = lambda s: rank_key(s.status, s.plant.window, today)  # noqa: E731
    blooming = sorted((s for s in seen if s.status.stage.in_flower), key=by_rank)
    next_up = sorted(
        (s for s in seen if s.status.stage in (BloomStage.BUDDING, BloomStage.NOT_YET)),
        key=lambda s: s.plant.window.days_until_first_bloom(today),
    )[:COMING_NEXT]
    return render_template(
        "places/home.html",
        blooming=blooming,
        next_up=next_up,
        today=today,
        now=now,
        events=queries.events_overlapping(today, today + SOON),
        map_url=url_for("places.home_map") if places else None,
        places=places,
    )


@bp.get("/places/<slug>")
@cached_page(revision=queries.place_revision)
def place(slug: str):
    found = queries.place_or_404(slug)
    now, today = clock.now(), clock.today()
    seen = queries.sightings([found], now, today)
    zh_name = found.name.get("zh", "")
    return render_template(
        "places/place.html",
        place=found,
        sightings=seen,
        today=today,
        now=now,
        strips={s.plant.id: strip(s.plant.window, today) for s in seen},
        month_starts=month_starts(),
        events=queries.events_overlapping(today, date.max, found),
        past_events=[e for e in found.events if e.ends_on < today][::-1],
        links=navigation_links(found.lat, found.lon, zh_name or plain(found.name), found.address.get("zh", "")),
        map_url=url_for("places.place_map", slug=found.slug),
    )


@bp.get("/map.json")
@cached_page
def home_map():
    """What the home map shows, fetched by guide/static/map.js once the map is wanted."""
    now, today = clock.now(), clock.today()
    return _map(queries.sightings(queries.listed_places(), now, today), now)


@bp.get("/places/<slug>/map.json")
@cached_page(revision=queries.place_revision)
def place_map(slug: str):
    found = queries.place_or_404(slug)
    now = clock.now()
    return _map(queries.sightings([found], now, clock.today()), now, zoom=15)


@bp.get("/places/<slug>/history")
@cached_page(revision=queries.place_revision)
def history(slug: str):
    found = queries.place_or_404(slug)
    return render_template("places/history.html", place=found, reports=queries.place_reports(found), now=clock.now())


@bp.get("/calendar")
@cached_page
def calendar():
    asked = request.args.get("month")
    if asked is not None and not re.fullmatch(r"0?[1-9]|1[0-2]", asked):
        abort(404)
    month = int(asked) if asked else None
    now, today = clock.now(), clock.today()
    seen = queries.sightings(queries.listed_places(), now, today)
    if month:
        seen = [s for s in seen if flowers_in(s.plant.window, month)]
    return render_template(
        "places/calendar.html",
        sightings=seen,
        month=month,
        today=today,
        now=now,
        strips={s.plant.id: strip(s.plant.window, today) for s in seen},
        month_starts=month_starts(),
    )


@bp.get("/events")
@cached_page
def events():
    today = clock.today()
    current = queries.events_overlapping(today, date.max)
    return render_template(
        "places/events.html",
        today=today,
        happening=[e for e in current if e.starts_on <= today],
        upcoming=[e for e in current if e.starts_on > today],
        past=queries.events_before(today, limit=12),
    )


def _map(seen: list[queries.Sighting], now: datetime, zoom: int | None = None) -> Response:
    """One pin per place, showing the best stage among its plants, over our own outline."""
    best: dict[int, queries.Sighting] = {}
    for s in seen:
        if s.place.id not in best or s.status.stage.rank > best[s.place.id].status.stage.rank:
            best[s.place.id] = s
    if not best:
        abort(404)
    lines = outline.outline()
    pins = [
        Pin(
            s.place.lat,
            s.place.lon,
            plain(s.place.name),
            s.status.stage,
            str(s.status.stage.title),
            _status_line(s, now),
            url_for("places.place", slug=s.place.slug),
            _("Open the guide"),
            _nearest_station(lines, s.place.lat, s.place.lon),
        )
        for s in best.values()
    ]
    tiles = TILES[current_app.config["MAP_TILES"]]
    return jsonify(build_map(pins, tiles, page_lang(), lines, zoom=zoom))


def _nearest_station(lines: Outline, lat: float, lon: float) -> str:
    found = nearest_station(lines, (lat, lon))
    if found is None:
        return ""
    station, metres = found
    line = line_of(lines, station)
    distance = (
        _("%(km)s km", km=format_decimal(round(metres / 1000, 1)))
        if metres >= 1000
        else _("%(m)s m", m=int(round(metres, -2)))
    )
    return _(
        "Nearest metro: %(station)s (%(line)s), %(distance)s in a straight line",
        station=plain(station.name),
        line=plain(line.name) if line else "",
        distance=distance,
    )


def _status_line(s: queries.Sighting, now: datetime) -> str:
    if s.status.reported_at is None:  # an estimate
        return _("%(plant)s: estimate from the usual dates", plant=plain(s.plant.name))
    line = _("%(plant)s: checked %(ago)s", plant=plain(s.plant.name), ago=format_ago(s.status.reported_at, now))
    note = plain(s.shown_report.note) if s.shown_report and s.shown_report.note else ""
    return f"{line} · “{note[:120]}{'…' if len(note) > 120 else ''}”" if note else line
