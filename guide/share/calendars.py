"""iCalendar files (RFC 5545) of festivals and bloom windows, built with the icalendar package.

All-day events: DTSTART is the first day, DTEND the day after the last (exclusive). UIDs come
from slugs and keys, so they are the same on every run and restart; SEQUENCE rises when an
event's dates change; DTSTAMP is when its data last changed. Every calendar may be subscribed to
(`webcal://`): REFRESH-INTERVAL and X-PUBLISHED-TTL ask calendar apps to read it again twice a
day. Reminders (a plant's coming peak, a festival's next edition) carry alarms (VALARM) three
days before and on the day, at 09:00 in the calendar's own time: a reminder that needs no push
service, which does not reach phones in mainland China.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import _
from flask_babel import lazy_gettext as _l
from icalendar import Alarm, Calendar, vDuration
from icalendar import Event as VEvent

from guide.core.clock import day_after
from guide.core.festivals import Standing
from guide.core.i18n import localized
from guide.core.scales import Scale
from guide.places import words
from guide.places.models import Place
from guide.places.queries import Billing
from guide.places.seasons import Reminder
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
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


REFRESH = timedelta(hours=12)
# All-day events start at midnight: 09:00 three days before, and 09:00 on the day.
ALARMS = (-timedelta(days=2, hours=15), timedelta(hours=9))


def _add_alarms(event: VEvent, before: str, on_the_day: str) -> None:
    for trigger, text in zip(ALARMS, (before, on_the_day), strict=True):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", trigger)
        alarm.add("description", text)
        event.add_component(alarm)


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


def festivals_calendar(billings: list[Billing], lang: str, name: str, alarms: bool = False) -> Calendar:
    """Festivals' next editions, in one language: confirmed ones as confirmed, expected ones as
    tentative, cancelled ones as cancelled. An edition's UID is its festival and year, so when
    an expected edition is confirmed a calendar app updates the entry (SEQUENCE rises). With
    `alarms` (one festival's calendar, which a visitor asks for as a reminder), editions not
    cancelled remind three days before and on the day."""
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
        if alarms and edition.standing is not Standing.CANCELLED:
            named = {"festival": localized(festival.name, lang)[0]}
            _add_alarms(event, _("%(festival)s opens in 3 days.", **named), _("%(festival)s opens today.", **named))
        cal.add_component(event)
    return cal


def reminder_calendar(reminder: Reminder, lang: str) -> Calendar:
    """One event, a plant's coming peak (the likeliest days), with alarms. Its UID is the plant
    and the season, so as reports move the forecast the same event moves, SEQUENCE raised."""
    plant, made = reminder.plant, reminder.forecast
    place = plant.place
    names = {"plant": _without_aside(localized(plant.name, lang)[0]), "place": localized(place.name, lang)[0]}
    summaries = _PEAK_SUMMARIES[plant.scale]
    cal = _calendar(str(summaries["calendar"]) % names)
    where = _where(place, lang)
    notes = [words.forecast_line(made), words.reason_line(made), str(_PEAK_NOTE), where["url"]]
    event = _all_day(
        f"peak-{place.slug}-{plant.key}-{made.year}",
        str(summaries["event"]) % names,
        reminder.peak.start,
        reminder.peak.end,
        reminder.changed_at,
        reminder.sequence,
        where,
        "\n".join(notes),
    )
    _add_alarms(event, str(summaries["before"]) % names, str(summaries["today"]) % names)
    cal.add_component(event)
    return cal


def _without_aside(name: str) -> str:
    """A plant's name without its closing aside, "Wisteria (about 90 vines)" → "Wisteria": an
    alarm's line on a phone's lock screen is short."""
    return re.sub(r"\s*[(（][^()（）]*[)）]$", "", name) or name


_PEAK_NOTE = _l("The days move as park staff report what they see; a subscribed calendar follows them.")
_PEAK_SUMMARIES = {
    Scale.FLOWERS: {
        "calendar": _l("%(plant)s at %(place)s: its peak"),
        "event": _l("%(plant)s at its peak: %(place)s"),
        "before": _l("%(plant)s at %(place)s is expected at its peak in 3 days."),
        "today": _l("%(plant)s at %(place)s is expected at its peak from today."),
    },
    Scale.LEAVES: {
        "calendar": _l("%(plant)s at %(place)s: its peak colour"),
        "event": _l("%(plant)s at peak colour: %(place)s"),
        "before": _l("%(plant)s at %(place)s is expected at peak colour in 3 days."),
        "today": _l("%(plant)s at %(place)s is expected at peak colour from today."),
    },
}


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
