"""iCalendar files (RFC 5545) of festivals and bloom windows, built with the icalendar package.

All-day events: DTSTART is the first day, DTEND the day after the last (exclusive). UIDs come
from slugs and keys, so they are the same on every run and restart; SEQUENCE rises when an
event's dates change; DTSTAMP is when its data last changed.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar
from icalendar import Event as VEvent

from guide.core.clock import day_after
from guide.core.festivals import Standing
from guide.core.i18n import localized
from guide.core.scales import Scale
from guide.places.models import Place
from guide.places.queries import Billing
from guide.site.helpers import absolute_url

UID_DOMAIN = "jiading-bloom-guide"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Jiading Bloom Guide//jiading-bloom-guide//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


def _where(place: Place, lang: str) -> dict:
    name = localized(place.name, lang)[0]
    address = place.address.get("zh", "")
    if lang != "zh":
        address = f"{localized(place.address, lang)[0]} · {address}"
    return {
        "location": f"{name}, {address}",
        "geo": (place.lat, place.lon),
        "url": absolute_url("places.place", lang=lang, slug=place.slug),
    }


def _all_day(
    uid: str, summary: str, first: date, last: date, stamp, sequence: int, where: dict, description: str | None = None
) -> VEvent:
    event = VEvent()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", first)
    event.add("dtend", day_after(last))  # exclusive
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")  # a festival does not make anyone busy
    for key, value in where.items():
        event.add(key, value)
    if description:
        event.add("description", description)
    return event


STATUS = {Standing.CONFIRMED: "CONFIRMED", Standing.EXPECTED: "TENTATIVE", Standing.CANCELLED: "CANCELLED"}


def festivals_calendar(billings: list[Billing], lang: str, name: str) -> Calendar:
    """Festivals' next editions, in one language: confirmed ones as confirmed, expected ones as
    tentative, cancelled ones as cancelled. An edition's UID is its festival and year, so when
    an expected edition is confirmed a calendar app updates the entry (SEQUENCE rises)."""
    cal = _calendar(name)
    for b in billings:
        festival, edition = b.festival, b.edition
        notes = [localized(festival.description, lang)[0]] if festival.description else []
        if edition.standing is Standing.EXPECTED:
            notes.append(_("Estimated from usual dates: the %(year)s dates are not yet announced.", year=edition.year))
        if edition.end_approximate:
            notes.append(_("The end date is approximate."))
        event = _all_day(
            f"festival-{festival.place.slug}-{festival.key}-{edition.year}",
            localized(festival.name, lang)[0],
            edition.start,
            edition.end,
            festival.updated_at,
            edition.sequence,
            _where(festival.place, lang),
            " ".join(notes) or None,
        )
        event.add("status", STATUS[edition.standing])
        cal.add_component(event)
    return cal


def bloom_calendar(place: Place, today: date, lang: str) -> Calendar:
    """The next season of each plant at a place, from the usual dates: its buds (or first
    colour), flowers (or colour) and peak, in that order, a season across New Year included."""
    cal = _calendar(_("%(place)s: the season's usual dates", place=localized(place.name, lang)[0]))
    where = _where(place, lang)
    bands = []
    for plant in place.listed_plants:
        season, name = plant.window.season(today), localized(plant.name, lang)[0]
        summaries = _BAND_SUMMARIES[plant.scale]
        for kind, first, end in (
            ("bud", season["bud"], season["first"]),
            ("bloom", season["first"], season["over"]),
            ("peak", season["peak_start"], season["peak_end"] + timedelta(days=1)),
        ):
            uid = f"bloom-{place.slug}-{plant.key}-{kind}-{season['bud'].year}"
            bands.append((first, kind, uid, str(summaries[kind]) % {"plant": name}, end, plant))
    for first, _kind, uid, summary, end, plant in sorted(bands, key=lambda band: (band[0], band[1])):
        # `end` is the first day without: the event's last day is the one before.
        cal.add_component(
            _all_day(
                uid,
                summary,
                first,
                end - timedelta(days=1),
                plant.updated_at,
                0,
                where,
                _estimate_note(plant.scale),
            )
        )
    return cal


def _estimate_note(scale: Scale) -> str:
    """Estimated from usual dates; the guide shows what park staff see."""
    text = _("%(estimated)s; the guide shows what park staff see.", estimated=scale.estimated)
    return text[:1].upper() + text[1:]


_BAND_SUMMARIES = {
    Scale.FLOWERS: {
        "bud": _l("%(plant)s in bud (usual dates)"),
        "bloom": _l("%(plant)s in flower (usual dates)"),
        "peak": _l("%(plant)s at its peak (usual dates)"),
    },
    Scale.LEAVES: {
        "bud": _l("%(plant)s starting to colour (usual dates)"),
        "bloom": _l("%(plant)s in autumn colour (usual dates)"),
        "peak": _l("%(plant)s at peak colour (usual dates)"),
    },
}
