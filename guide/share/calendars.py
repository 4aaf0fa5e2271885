"""iCalendar files (RFC 5545) of festivals and bloom windows, built with the icalendar package.

All-day events: DTSTART is the first day, DTEND the day after the last (exclusive). UIDs come
from slugs and keys, so they are the same on every run and restart; SEQUENCE rises when an
event's dates change; DTSTAMP is when its data last changed.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import _
from icalendar import Calendar
from icalendar import Event as VEvent

from guide.core.bloom import MonthDay
from guide.core.i18n import localized
from guide.places.models import Event, Place
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
    event.add("dtend", last + timedelta(days=1))  # exclusive
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")  # a festival does not make anyone busy
    for key, value in where.items():
        event.add(key, value)
    if description:
        event.add("description", description)
    return event


def events_calendar(events: list[Event], lang: str, name: str) -> Calendar:
    """Festivals and exhibitions, in one language."""
    cal = _calendar(name)
    for e in events:
        cal.add_component(
            _all_day(
                f"event-{e.place.slug}-{e.key}",
                localized(e.name, lang)[0],
                e.starts_on,
                e.ends_on,
                e.updated_at,
                e.sequence,
                _where(e.place, lang),
                localized(e.description, lang)[0] if e.description else None,
            )
        )
    return cal


def bloom_calendar(place: Place, year: int, lang: str) -> Calendar:
    """This year's typical bloom of each plant at a place: in flower, and at its peak."""
    cal = _calendar(_("%(place)s: bloom %(year)d", place=localized(place.name, lang)[0], year=year))
    where = _where(place, lang)
    for plant in place.listed_plants:
        window, name = plant.window, localized(plant.name, lang)[0]
        for kind, start, end, summary in (
            ("bloom", window.first, window.over, _("%(plant)s in flower (usual dates)", plant=name)),
            ("peak", window.peak_start, window.peak_end, _("%(plant)s at its peak (usual dates)", plant=name)),
        ):
            first, last = _dates(start, end, year)
            if kind == "bloom":
                last -= timedelta(days=1)  # "over" is the first day without flowers
            cal.add_component(
                _all_day(
                    f"bloom-{place.slug}-{plant.key}-{kind}-{year}",
                    summary,
                    first,
                    last,
                    plant.updated_at,
                    0,
                    where,
                    _("An estimate from the usual dates; the guide shows what park staff see."),
                )
            )
    return cal


def _dates(start: MonthDay, end: MonthDay, year: int) -> tuple[date, date]:
    """A month-day span in a year; one that crosses New Year ends in the next."""
    first = start.in_year(year)
    last = end.in_year(year if end >= start else year + 1)
    return first, last
