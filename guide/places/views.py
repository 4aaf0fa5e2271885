"""The public pages. Views gather, call the pure core, render."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import _, format_decimal
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from guide.core import clock
from guide.core.bloom import BloomStage, rank_key
from guide.core.festivals import When
from guide.core.geo import navigation_links
from guide.core.i18n import add_language_prefix, format_ago, page_lang, plain
from guide.core.maps import TILES, Pin, build_map
from guide.core.outline import Outline, line_of, nearest_station
from guide.core.plan import MAX_AHEAD, input_date, runs
from guide.core.scales import Scale
from guide.core.year_strip import flowers_in, month_starts, strip
from guide.extensions import db
from guide.places import outline, practical, provenance, queries, seasons, words
from guide.places.models import Photo, Place
from guide.places.notices import KIND_TITLES
from guide.site.assets import ONE_YEAR
from guide.site.cache import cached_page
from guide.site.errors import DATABASE_UNAVAILABLE, error_page
from guide.site.helpers import absolute_url
from guide.site.views import revalidate

bp = Blueprint("places", __name__, url_prefix="/<lang>")
bp.after_request(revalidate)
bp.record_once(lambda state: outline.init_app(state.app))  # a broken data/map.yaml stops the start
add_language_prefix(bp)
photos_bp = Blueprint("photos", __name__)

SOON = timedelta(days=30)  # "events happening now or soon"
COMING_NEXT = 6  # how many upcoming blooms the home page lists


@bp.app_context_processor
def notice_words():
    """What the places feature adds to every template: the names of the kinds of notice."""
    return {"notice_kinds": KIND_TITLES}


@bp.app_errorhandler(NotFound)
def follow_retired_slug(error: NotFound):
    """Any URL naming a place by a slug it no longer has (a printed card, a shared link, a
    feed, the API) answers a permanent redirect to the same URL with its slug today. Looked up
    only when the page would be "not found" (no listed place keeps a retired slug, the loader
    sees to that), so the pages of today's places pay nothing for it."""
    return _to_current_slug() or error_page(NotFound.code)


@bp.before_app_request
def follow_retired_neutral_link():
    """The language-neutral link sends any slug on to a page: a retired one goes straight to
    its place's slug today (one 301, not a 302 and then a 301)."""
    return _to_current_slug() if request.endpoint == "site.place_link" else None


def _to_current_slug() -> ResponseReturnValue | None:
    endpoint, args = request.endpoint, request.view_args or {}
    slug = args.get("slug")
    try:
        place = queries.retired(slug) if endpoint and isinstance(slug, str) else None
    except DATABASE_UNAVAILABLE:
        db.session.rollback()
        return None
    if endpoint is None or place is None:
        return None
    target = url_for(endpoint, **{**args, "slug": place.slug})
    query = request.query_string.decode("utf-8", "replace")
    return redirect(f"{target}?{query}" if query else target, code=301)


@bp.get("/")
@cached_page(params=("kind",))
def home():
    """What is best now (a hero, then the rest), what comes next (one card per kind), the gardens
    with their season; ?kind= narrows all of it, and the map, to one kind of flower or leaf."""
    now, today = clock.now(), clock.today()
    places = queries.listed_places()
    everything = queries.sightings(places, now, today)
    kinds = kinds_of(everything)
    kind = request.args.get("kind")
    if kind is not None and kind not in kinds:
        abort(404)
    seen = [s for s in everything if kind in (None, s.plant.picture_name)]
    by_rank = lambda s: rank_key(s.status, s.plant.window, today)  # noqa: E731
    blooming = sorted((s for s in seen if s.status.stage.in_season), key=by_rank)
    coming = sorted(
        (s for s in seen if s.status.stage in (BloomStage.BUDDING, BloomStage.NOT_YET)),
        key=lambda s: s.plant.window.days_until_first_bloom(today),
    )
    # One card per kind: the garden where it comes first (the calendar has the others).
    first_of_kind: dict[str, queries.Sighting] = {}
    for s in coming:
        first_of_kind.setdefault(s.plant.picture_name, s)
    next_up = list(first_of_kind.values())[:COMING_NEXT]
    hero = blooming[0] if blooming else None
    shown_places = [p for p in places if any(s.place.id == p.id for s in seen)]
    return render_template(
        "places/home.html",
        soon=seasons.soon(seen, today),
        hero=hero,
        blooming=blooming[1:],
        next_up=next_up,
        gardens=[_garden(p, [s for s in seen if s.place.id == p.id], today) for p in shown_places],
        kinds=kinds,
        kind=kind,
        today=today,
        now=now,
        events=[
            b
            for b in queries.billings(today)
            if b.edition.start <= today + SOON and kind in (None, b.festival.picture_name)
        ],
        notices=queries.notices(now),
        crowds=queries.crowds_now(shown_places, now),
        map_url=url_for("places.home_map", kind=kind) if shown_places else None,
        places=shown_places,
    )


def _garden(place, seen: list[queries.Sighting], today) -> tuple:
    """A garden's tile: its kinds, its best plant now (if any is in season), else the next."""
    best = queries.best_in_season(seen)
    following = min(seen, key=lambda s: s.plant.window.days_until_first_bloom(today)) if seen else None
    kinds = list(dict.fromkeys(s.plant.picture_name for s in seen))
    return place, kinds, best, following


def day_pack(page: str, places: list[Place], dates: dict[str, Any]) -> list[str]:
    """What "Keep for offline" saves (guide/static/keep.js): the page, and for each of its places
    the place's page, taxi view, card (for the guests' dates, if any) and its map's data."""
    urls = [page]
    for found in places:
        urls += [
            url_for("places.place", slug=found.slug, **dates),
            url_for("share.taxi", slug=found.slug),
            url_for("share.card", slug=found.slug, **dates),
            url_for("places.place_map", slug=found.slug),
        ]
    return list(dict.fromkeys(urls))


@bp.get("/places/<slug>")
@cached_page(revision=queries.place_revision, params=("from", "to"))
def place(slug: str):
    found = queries.place_or_404(slug)
    now, today = clock.now(), clock.today()
    # Opened from a card made for a guest's dates: what is expected on them comes first.
    asked, _error = words.asked_trip(request.args.get("from", ""), request.args.get("to", ""), today)
    dates: dict[str, Any] = {"from": asked[0].isoformat(), "to": asked[1].isoformat()} if asked else {}
    # What is worth seeing now first (best first), then what comes next, soonest first.
    seen = sorted(
        queries.sightings([found], now, today),
        key=lambda s: (
            (0, rank_key(s.status, s.plant.window, today))
            if s.status.stage.in_season
            else (1, (s.plant.window.days_until_first_bloom(today),))
        ),
    )
    ahead = seasons.outlooks(found.listed_plants, today)
    come = seasons.come_to(seen, today, ahead)
    zh_name = found.name.get("zh", "")
    return render_template(
        "places/place.html",
        place=found,
        sightings=seen,
        outlooks=ahead,
        visit=words.visit_line(*come, today) if come else None,
        words=words,
        today=today,
        now=now,
        strips={s.plant.id: strip(s.plant.window, today) for s in seen},
        month_starts=month_starts(),
        events=queries.billings(today, found),
        past_events=queries.past_billings(today, found),
        notices=queries.notices(now, found),
        crowd=queries.crowds_now([found], now).get(found.id),
        practical=practical.facts(found.practical, today),
        sources=provenance.of_place(found.sources, today),
        trip=asked,
        on_trip=seasons.on_trip(seen, *asked, today) if asked else [],
        certainty=words.CERTAINTY,
        plant_sources={plant.id: provenance.read(plant.provenance, today) for plant in found.listed_plants},
        links=navigation_links(
            found.lat, found.lon, zh_name or plain(found.name), found.address.get("zh", ""), found.coords_estimated
        ),
        map_url=url_for("places.place_map", slug=found.slug),
        keep=day_pack(url_for("places.place", slug=found.slug, **dates), [found], dates),
    )


@bp.get("/map.json")
@cached_page(params=("kind",))
def home_map():
    """What the home map shows, fetched by guide/static/map.js once the map is wanted (?kind=
    as on the home page: only the gardens with that kind, each pin showing that kind's stage)."""
    now, today = clock.now(), clock.today()
    seen = queries.sightings(queries.listed_places(), now, today)
    kind = request.args.get("kind")
    if kind is not None:
        seen = [s for s in seen if s.plant.picture_name == kind]
    return _map(seen, now)


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
@cached_page(params=("month", "kind"))
def calendar():
    """The year at a glance, one chart by kind of flower or leaf; ?month= and ?kind= narrow it."""
    asked = request.args.get("month")
    if asked is not None and not re.fullmatch(r"0?[1-9]|1[0-2]", asked):
        abort(404)
    month = int(asked) if asked else None
    now, today = clock.now(), clock.today()
    everything = queries.sightings(queries.listed_places(), now, today)
    kind = request.args.get("kind")
    if kind is not None and kind not in kinds_of(everything):
        abort(404)
    in_month = [s for s in everything if not month or flowers_in(s.plant.window, month)]
    seen = [s for s in in_month if kind in (None, s.plant.picture_name)]
    # The kinds to choose from: those of the chosen month (and the chosen kind, if it is not one).
    kinds = kinds_of(in_month + [s for s in everything if s.plant.picture_name == kind])
    return render_template(
        "places/calendar.html",
        groups=[
            (k, [s for s in seen if s.plant.picture_name == k])
            for k in kinds
            if any(s.plant.picture_name == k for s in seen)
        ],
        sightings=seen,
        kinds=kinds,
        kind=kind,
        month=month,
        today=today,
        now=now,
        strips={s.plant.id: strip(s.plant.window, today) for s in seen},
        month_starts=month_starts(),
        scales=[(Scale.FLOWERS, _("Flowers")), (Scale.LEAVES, _("Autumn leaves"))],
    )


def kinds_of(seen: list[queries.Sighting]) -> list[str]:
    """The kinds of flower or leaf the gardens have (by drawing), in the order of the year: the
    one whose first flowers usually come earliest after New Year first."""
    first: dict[str, int] = {}
    for s in seen:
        name = s.plant.picture_name
        first[name] = min(first.get(name, 999), s.plant.window.first.ordinal)
    return sorted(first, key=lambda name: (first[name], name))


@bp.get("/plan")
@cached_page(params=("from", "to"))
def plan():
    """What to see on the days of a trip: a GET form, so that the result is a link to share."""
    now, today = clock.now(), clock.today()
    first, last = request.args.get("from", ""), request.args.get("to", "")
    asked, error = words.asked_trip(first, last, today)
    days = seasons.plan_trip(*asked, now, today) if asked else []
    stops = list({p.sighting.place.id: p.sighting.place for _day, found in days for p in found}.values())
    dates: dict[str, Any] = {"from": asked[0].isoformat(), "to": asked[1].isoformat()} if asked else {}
    page = render_template(
        "places/plan.html",
        today=today,
        first=input_date(first) if first else today.isoformat(),
        last=input_date(last),
        latest=(today + timedelta(days=MAX_AHEAD)).isoformat(),
        days=days,
        # Days that share the same best places are said once, as a run of days.
        runs=runs(days, lambda p: (p.sighting.plant.id, p.expected.stage, p.expected.certainty)),
        # Each place of the plan once, with its Chinese name and address for a driver.
        stops=stops,
        keep=day_pack(url_for("places.plan", **dates), stops, dates) if days else None,
        error=error,
        how_sure=words.how_sure,
        busiest=seasons.busiest_in(days, today),
        share=absolute_url("site.plan_link", **{k: v for k, v in (("from", first), ("to", last)) if v})
        if days
        else None,
    )
    return page, 400 if error else 200


@bp.get("/events")
@cached_page
def events():
    today = clock.today()
    current = queries.billings(today)
    return render_template(
        "places/events.html",
        today=today,
        happening=[b for b in current if b.when is When.NOW],
        upcoming=[b for b in current if b.when is When.COMING],
        past=queries.past_billings(today),
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
            str(s.shown.title),
            _status_line(s, now),
            url_for("places.place", slug=s.place.slug),
            _("Open the guide"),
            _nearest_station(lines, s.place.lat, s.place.lon),
            0 if s.status.stage.in_season else s.plant.window.days_until_first_bloom(clock.today()),
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
        return _("%(plant)s: %(estimated)s", plant=plain(s.plant.name), estimated=s.plant.scale.estimated)
    line = _("%(plant)s: checked %(ago)s", plant=plain(s.plant.name), ago=format_ago(s.status.reported_at, now))
    note = plain(s.shown_report.note) if s.shown_report and s.shown_report.note else ""
    return f"{line} · “{note[:120]}{'…' if len(note) > 120 else ''}”" if note else line


@photos_bp.get("/photos/<name>")
def photo(name: str):
    """Report photos, from the database, by content hash: they never change, so cache them."""
    found = re.fullmatch(r"([0-9a-f]{64})(-thumb)?\.jpg", name)
    if found is None:
        abort(404)
    column = Photo.thumb if found.group(2) else Photo.full
    data = db.session.scalar(select(column).where(Photo.sha256 == found.group(1)))
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    response.set_etag(found.group(1) + (found.group(2) or ""))
    return response.make_conditional(request)
