"""What concierges and other sites take away: cards, handouts, calendars, feeds, the widget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import _, force_locale
from markupsafe import Markup

from guide.core import clock
from guide.core.i18n import add_language_prefix, languages, page_lang, plain
from guide.core.plan import input_date
from guide.core.qr import qr_svg
from guide.core.text import drop_unsafe
from guide.places import practical, queries, seasons, words
from guide.places.models import Place
from guide.places.views import day_pack
from guide.share import calendars
from guide.share.images import ShareCard, fonts_found, render
from guide.site.cache import cached_page
from guide.site.helpers import absolute_url
from guide.site.pictures import GENERIC, KINDS, drawings
from guide.site.views import frameable, revalidate

bp = Blueprint("share", __name__, url_prefix="/<lang>")
bp.after_request(revalidate)
add_language_prefix(bp)
# Each place's share image, the same in every language (it holds both).
image_bp = Blueprint("share_image", __name__)
# The status widget that hotel sites put in an iframe: the one route other sites may frame.
embed_bp = Blueprint("embed", __name__, url_prefix="/embed/<lang>")
embed_bp.after_request(revalidate)
add_language_prefix(embed_bp)

CARDS_PER_SHEET = 4  # an A4 sheet of four A6 cards (print.css)
HANDOUT_MAX = 8  # two sheets


def share_card(place: Place) -> ShareCard:
    kinds = list(dict.fromkeys(plant.picture_name for plant in place.listed_plants))
    return ShareCard(
        name_zh=place.name.get("zh", ""),
        name_en=place.name.get("en", ""),
        kinds_zh=tuple(KINDS[k]["zh"] for k in kinds if k in KINDS),
        kinds_en=tuple(KINDS[k]["en"] for k in kinds if k in KINDS),
        drawing=drawings()[kinds[0] if kinds else GENERIC["flowers"]],
    )


def share_fonts() -> tuple[str, str]:
    bold, _sep, regular = str(current_app.config["SHARE_IMAGE_FONTS"]).partition(":")
    return bold, regular or bold


@bp.app_template_global()
def share_image_url(place: Place) -> str | None:
    """The place's own share image, or None where no Chinese font is installed (the page then
    uses the site's image)."""
    if not fonts_found(share_fonts()):
        return None
    return absolute_url("share_image.image", slug=place.slug, v=share_card(place).version)


@image_bp.get("/places/<slug>/share.png")
def image(slug: str):
    found = queries.place_or_404(slug)
    if not fonts_found(share_fonts()):
        abort(404)
    card = share_card(found)
    response = Response(render(card, share_fonts()), mimetype="image/png")
    # The page names the current version: that URL never changes content; any other may.
    current = request.args.get("v") == card.version
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if current else "public, max-age=300"
    response.set_etag(card.version)
    return response.make_conditional(request)


@dataclass(frozen=True)
class Card:
    place: Place
    link: str
    qr: Markup
    sides: list[Markup]  # one per card language, each rendered in its own language
    taxi_label: str


def card_languages() -> list[str]:
    """Chinese for the taxi driver, and the reader's language (English for a Chinese reader)."""
    other = page_lang() if page_lang() != "zh" else "en"
    return ["zh", other] if "zh" in languages() else [page_lang()]


def make_card(place: Place, trip: tuple[date, date] | None = None) -> Card:
    """A place's card: its status now, or with the guests' dates what is expected on them, and
    a link and QR code that open the same view (the dates carried) on the guest's phone."""
    now, today = clock.now(), clock.today()
    seen = queries.sightings([place], now, today)
    on_trip = seasons.on_trip(seen, *trip, today) if trip else []
    # Out of season, a card says when to come instead of a row of "Not yet".
    come = seasons.come_to(seen, today) if not any(s.status.stage.in_season for s in seen) else None
    link = absolute_url("site.place_link", slug=place.slug, **trip_args(trip))
    sides, labels = [], []
    for code in card_languages():
        with force_locale(code):
            sides.append(
                Markup(
                    render_template(
                        "share/_card_side.html",
                        place=place,
                        sightings=seen,
                        when=(words.visit_line(*come, today), come[1]) if come else None,
                        side_lang=code,
                        # Booking, entrance, phone: what a guest needs at the gate, never flagged by age.
                        practical=[
                            f for f in practical.facts(place.practical, today) if f.kind in practical.ON_THE_CARD
                        ],
                        today=today,
                        now=now,
                        trip=trip,
                        on_trip=on_trip,
                        certainty=words.CERTAINTY,
                    )
                )
            )
            labels.append(_("Please take me to"))
    qr = qr_svg(link, _("QR code of the link to %(place)s", place=plain(place.name)), scale=3)
    return Card(place, link, qr, sides, " / ".join(dict.fromkeys(labels)))


def trip_args(trip: tuple[date, date] | None) -> dict[str, Any]:
    """The guests' dates as a link carries them."""
    return {"from": trip[0].isoformat(), "to": trip[1].isoformat()} if trip else {}


def asked_dates() -> tuple[tuple[date, date] | None, str | None]:
    return words.asked_trip(request.args.get("from", ""), request.args.get("to", ""), clock.today())


@bp.get("/places/<slug>/card")
@cached_page(revision=queries.place_revision, params=("from", "to"))
def card(slug: str):
    found = queries.place_or_404(slug)
    asked, _error = asked_dates()  # dates that cannot be planned: the card of today
    return render_template("share/card.html", card=make_card(found, asked), place=found)


@bp.get("/places/<slug>/taxi")
@cached_page(revision=queries.place_revision)
def taxi(slug: str):
    """The Chinese name and address full-screen, in large type, to show a taxi driver."""
    return render_template("share/taxi.html", place=queries.place_or_404(slug))


@bp.get("/concierge")
@cached_page(params=("place", "from", "to"))
def concierge():
    """Pick places, get one printable handout on a link that encodes the choice."""
    chosen = request.args.getlist("place")
    places = queries.listed_places()
    by_slug = {p.slug: p for p in places}
    if any(slug not in by_slug for slug in chosen) or len(chosen) > HANDOUT_MAX:
        abort(404)
    now, today = clock.now(), clock.today()
    first, last = request.args.get("from", ""), request.args.get("to", "")
    asked, error = words.asked_trip(first, last, today)
    cards = [make_card(by_slug[slug], asked) for slug in dict.fromkeys(chosen)]
    trip = trip_args(asked)
    seen = queries.sightings(places, now, today)
    # Each garden with its season in a line: its best plant now, or when to come.
    ahead = seasons.outlooks([s.plant for s in seen], today)  # read once for every garden
    status = {}
    for place in places:
        here = [s for s in seen if s.place.id == place.id]
        best = queries.best_in_season(here)
        come = None if best else seasons.come_to(here, today, ahead)
        status[place.id] = (best, words.visit_line(*come, today) if come else "")
    # With the guests' dates, the gardens worth seeing on them come first, saying what.
    worth: dict[int, list[str]] = {}
    for _day, found in seasons.plan_trip(*asked, now, today) if asked else []:
        for planned in found:
            names = worth.setdefault(planned.sighting.place.id, [])
            if (name := plain(planned.sighting.plant.name)) not in names:
                names.append(name)
    ordered = [p for p in places if p.id in worth] + [p for p in places if p.id not in worth]
    page = render_template(
        "share/concierge.html",
        places=ordered,
        status=status,
        worth=worth,
        dates=(input_date(first), input_date(last)),
        # The handout's link keeps the guests' dates: their phone then shows those days.
        trip=trip,
        error=error,
        chosen=chosen,
        cards=cards,
        most=HANDOUT_MAX,
        per_sheet=CARDS_PER_SHEET,
        sheets=-(-HANDOUT_MAX // CARDS_PER_SHEET),
        keep=day_pack(url_for("share.concierge", place=chosen, **trip), [c.place for c in cards], trip)
        if cards
        else None,
    )
    return page, 400 if error else 200


@bp.get("/events.ics")
@cached_page
def events_calendar():
    billings = queries.billings(clock.today())
    return _ical(
        calendars.festivals_calendar(billings, page_lang(), _("Jiading flower festivals")),
        "jiading-flower-festivals.ics",
    )


@bp.get("/events/<slug>/<key>.ics")
@cached_page(revision=queries.place_revision)
def event_calendar(slug: str, key: str):
    found = queries.listed_place(slug)
    festival = next((f for f in found.festivals if f.listed and f.key == key), None) if found else None
    if festival is None:
        abort(404)
    # A festival with nothing on or coming (past editions only, no usual dates) still answers,
    # with no events: a calendar someone subscribed to stays valid until an edition is announced.
    billings = [b for b in queries.billings(clock.today(), found) if b.festival.key == key]
    calendar = calendars.festivals_calendar(billings, page_lang(), plain(festival.name), alarms=True)
    return _ical(calendar, f"{slug}-{key}.ics")


@bp.get("/places/<slug>/bloom.ics")
@cached_page(revision=queries.place_revision)
def bloom_calendar(slug: str):
    found = queries.place_or_404(slug)
    return _ical(calendars.bloom_calendar(found, clock.today(), page_lang()), f"{slug}-bloom.ics")


@bp.get("/places/<slug>/remind/<key>.ics")
@cached_page(revision=queries.place_revision)
def peak_reminder(slug: str, key: str):
    """A reminder of one plant's coming peak that follows the forecast (a calendar to subscribe to)."""
    found = queries.place_or_404(slug)
    plant = next((p for p in found.listed_plants if p.key == key), None)
    if plant is None:
        abort(404)
    reminder = seasons.reminder(plant, clock.today(), clock.now())
    return _ical(calendars.reminder_calendar(reminder, page_lang()), f"{slug}-{key}-peak.ics")


@bp.get("/feed.atom")
@cached_page
def site_feed():
    places = queries.listed_places()
    now = clock.now()
    return _atom(
        queries.recent_reports(places),
        queries.notices(now),
        queries.billings(clock.today()),
        _("Bloom reports from Jiading"),
        absolute_url("share.site_feed"),
        absolute_url("places.home"),
    )


@bp.get("/places/<slug>/feed.atom")
@cached_page(revision=queries.place_revision)
def place_feed(slug: str):
    found = queries.place_or_404(slug)
    return _atom(
        queries.recent_reports([found]),
        queries.notices(clock.now(), found),
        queries.billings(clock.today(), found),
        _("Bloom reports: %(place)s", place=plain(found.name)),
        absolute_url("share.place_feed", slug=slug),
        absolute_url("places.place", slug=slug),
    )


def _ical(calendar, filename: str) -> Response:
    body = drop_unsafe(calendar.to_ical().decode())  # RFC 5545 allows no control characters
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _atom(reports, notices, billings, title: str, self_url: str, page_url: str) -> Response:
    """Bloom reports, the notices showing now and the festivals' next editions."""
    body = render_template(
        "share/feed.xml",
        reports=reports,
        notices=notices,
        billings=billings,
        title=title,
        self_url=self_url,
        page_url=page_url,
        updated=max(
            [r.reported_at for r in reports[:1]]
            + [n.created_at for n in notices]
            + [b.festival.updated_at for b in billings],
            default=clock.now(),
        ),
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@embed_bp.get("/places/<slug>")
@frameable
@cached_page(revision=queries.place_revision)
def place(slug: str):
    found = queries.place_or_404(slug)
    now, today = clock.now(), clock.today()
    seen = queries.sightings([found], now, today)
    # A row of "Not yet" says nothing: out of season, say when to come.
    come = seasons.come_to(seen, today) if not any(s.status.stage.in_season for s in seen) else None
    next_line, next_plant = (words.visit_line(*come, today), come[1]) if come else (None, None)
    return render_template(
        "share/embed.html",
        place=found,
        now=now,
        sightings=seen,
        next_line=next_line,
        next_plant=next_plant,
        notices=queries.notices(now, found),
        crowd=queries.crowds_now([found], now).get(found.id),
    )
