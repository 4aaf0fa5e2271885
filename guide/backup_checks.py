"""What a row restored from a backup must be: what the loader, the staff forms and the photo
upload would have let in. A backup is a file anyone could have edited, and a restored row that
none of them would write (a stage "exploded", a slug "../evil", an HTML "photo") once took the
whole guide down; so every row is checked here, before anything is written.

`problems(table, row, …)` yields (column, message) per problem, and cleans free text in place
as the forms do (control characters out, line breaks as \\n); identifiers are refused instead.
Pure: no database, no request.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, get_args

from pydantic import ValidationError
from sqlalchemy import JSON, Boolean, Date, Float, Integer, LargeBinary, String, Table

from guide.core.bloom import BloomStage, BloomWindow, MonthDay
from guide.core.clock import LOCAL_ZONE, sensible_dates
from guide.core.crowds import Crowd
from guide.core.text import clean_text, unsafe_characters
from guide.extensions import UTCDateTime
from guide.places.models import NOTICE_KINDS
from guide.places.schema import (
    JIADING_LAT,
    JIADING_LON,
    REQUIRED_LANGUAGES,
    SEEN_STAGES,
    PlaceFactsIn,
    PracticalIn,
    PracticalKind,
    SourcedIn,
    _dotted,
    _season_problems,
    is_slug,
)
from guide.site.pictures import drawings
from guide.staff.forms import NOTE_MAX, NOTICE_MAX
from guide.staff.models import username_key
from guide.staff.photos import FULL_SIZE, THUMB_SIZE, NotClean, check_clean

Problems = Iterator[tuple[str, str]]
EARLIEST = date(2000, 1, 1)  # the guide holds nothing older; the loader's first season year
TEXT_MAX = 5000  # a place's description, the longest text the data file has, is under 1,000

# Free text, cleaned as the forms clean it; every other string is an identifier and refused
# if it holds a control character.
FREE_TEXT = {("plant", "latin"), ("festival_edition", "source"), ("edition_change", "source")}


def _shown(value: Any) -> str:
    """A value as a message quotes it, cut short: a row could hold megabytes."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def problems(table: Table, row: dict[str, Any], languages: tuple[str, ...], today: date) -> Problems:
    """Everything wrong with one converted row of `table`; free text is cleaned in `row`."""
    latest = sensible_dates(today)[1]
    for column in table.columns:
        value = row.get(column.name)
        if value is None:
            if not column.nullable:
                yield column.name, "may not be null"
            continue
        if (table.name, column.name) in FREE_TEXT and isinstance(value, str):
            row[column.name] = value = clean_text(value).strip()
        yield from ((column.name, message) for message in _type_problems(column.type, value, EARLIEST, latest))
    check = CHECKS.get(table.name)
    if check is not None:
        yield from check(row, languages, today)


def _type_problems(kind, value: Any, earliest: date, latest: date) -> Iterator[str]:
    """The column's type, as the database would not check it (SQLite takes anything)."""
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            yield f"{_shown(value)} is not true or false"
    elif isinstance(kind, Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            yield f"{_shown(value)} is not a whole number"
        elif not -(2**31) <= value < 2**31:
            yield f"{value} is out of range"
    elif isinstance(kind, Float):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            yield f"{_shown(value)} is not a number"
    elif isinstance(kind, String):
        if not isinstance(value, str):
            yield f"{_shown(value)} is not text"
        elif kind.length is not None and len(value) > kind.length:
            yield f"{len(value)} characters, more than {kind.length}"
        elif found := unsafe_characters(value):
            yield f"contains control characters ({', '.join(found)})"
    elif isinstance(kind, (UTCDateTime, Date)):
        day = value.astimezone(LOCAL_ZONE).date() if isinstance(value, datetime) else value
        if not earliest <= day <= latest:
            yield f"{value.isoformat()} is outside {earliest.year}–{latest.year}"
    elif isinstance(kind, LargeBinary):
        if not isinstance(value, bytes):
            yield "not bytes"
    elif isinstance(kind, JSON):
        pass  # the shape is the table's own check


# Shapes of JSON values.


def _localized(column: str, value: Any, languages: tuple[str, ...], required=REQUIRED_LANGUAGES, most=TEXT_MAX):
    """Localized text, {"en": …, "zh": …}: known languages, text within `most` characters, the
    `required` ones present and not blank. Cleaned in place."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        yield column, 'not localized text ({"en": "…", "zh": "…"})'
        return
    for lang in list(value):
        if lang not in languages:
            yield f"{column}.{lang}", f"unknown language {_shown(lang)} (this guide serves: {', '.join(languages)})"
            continue
        value[lang] = clean_text(value[lang]).strip()
        if len(value[lang]) > most:
            yield f"{column}.{lang}", f"{len(value[lang])} characters, more than {most}"
    for lang in required:
        if not value.get(lang):
            yield f"{column}.{lang}", "missing or blank"


def _slug(column: str, value: Any):
    if isinstance(value, str) and not is_slug(value):
        yield (
            column,
            f"{_shown(value)} is not a slug (lower-case letters, digits and single hyphens, as in places.yaml)",
        )


def _strings(column: str, value: Any, most=TEXT_MAX):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        yield column, "not a list of text"
        return
    value[:] = [clean_text(v).strip() for v in value]
    for i, text in enumerate(value):
        if not text or len(text) > most:
            yield f"{column}[{i}]", "blank" if not text else f"{len(text)} characters, more than {most}"


def _month_days(row: dict, *columns: str):
    for column in columns:
        if isinstance(row.get(column), str):
            try:
                MonthDay.parse(row[column])
            except (TypeError, ValueError):
                yield column, f"{_shown(row[column])} is not a month-day MM-DD"


def _local_day(moment: Any) -> date | None:
    return moment.astimezone(LOCAL_ZONE).date() if isinstance(moment, datetime) else None


# One check per table, in the loader's, the forms' and the operations' words.


def _place(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    yield from _slug("slug", row.get("slug"))
    for column in ("name", "summary", "description", "address", "hours", "ticket", "transit", "tips"):
        yield from _localized(column, row.get(column), languages)
    for axis, (low, high) in (("lat", JIADING_LAT), ("lon", JIADING_LON)):
        value = row.get(axis)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not low <= value <= high:
            yield axis, f"{value} is outside Jiading ({low}–{high})"
    sources = row.get("sources")
    groups = tuple(PlaceFactsIn.model_fields)
    if not isinstance(sources, dict):
        yield "sources", f"not an object of fact ({', '.join(groups)}): source"
    else:
        for group, fact in sources.items():
            if group not in groups:
                yield "sources", f"{_shown(group)} is not a group of facts ({', '.join(groups)})"
            else:
                yield from _provenance(f"sources.{group}", fact)
    names = row.get("other_names")
    if not isinstance(names, dict):
        yield "other_names", "not an object of language: list of names"
    else:
        for lang, listed in names.items():
            if lang not in languages:
                yield f"other_names.{lang}", f"unknown language {_shown(lang)}"
            else:
                yield from _strings(f"other_names.{lang}", listed, most=200)
    yield from _practical(row.get("practical"), languages)


def _practical(stored: Any, languages: tuple[str, ...]) -> Problems:
    """As the loader stores them: known kinds, each a sourced, checked fact in our languages."""
    kinds = get_args(PracticalKind)
    if not isinstance(stored, dict):
        yield "practical", f"not an object of kind ({', '.join(kinds)}): fact"
        return
    for kind, fact in stored.items():
        if kind not in kinds:
            yield "practical", f"{_shown(kind)} is not a kind of practical fact ({', '.join(kinds)})"
            continue
        try:
            PracticalIn.model_validate(fact, strict=False)
        except ValidationError as error:
            yield f"practical.{kind}", f"not a fact as the loader stores one: {error.errors()[0]['msg']}"
            continue
        yield from _localized(f"practical.{kind}.text", fact["text"], languages)


def _provenance(column: str, stored: Any, empty: bool = False) -> Problems:
    """A source as the loader stores one: {"source": …, "year": … (optional), "checked": "…"};
    `empty`: or {}, a row from before sources were stored per fact (the next load fills it)."""
    if empty and stored == {}:
        return
    try:
        SourcedIn.model_validate(stored, strict=False)
    except ValidationError as error:
        yield column, f"not a source as the loader stores one: {error.errors()[0]['msg']}"


def _retired_slug(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    yield from _slug("slug", row.get("slug"))


def _plant(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    yield from _slug("key", row.get("key"))
    yield from _localized("name", row.get("name"), languages)
    if row.get("visited_for") not in ("flowers", "leaves"):
        yield "visited_for", f"{_shown(row.get('visited_for'))} is not flowers or leaves"
    if row.get("picture") is not None and row["picture"] not in drawings():
        yield "picture", f"no picture {_shown(row['picture'])} in guide/static/pictures.svg"
    yield from _provenance("provenance", row.get("provenance"), empty=True)
    count = row.get("count")
    if isinstance(count, int) and count <= 0:
        yield "count", f"{count} is not a number of plants"
    window = ("bud", "first", "peak_start", "peak_end", "over")
    wrong = list(_month_days(row, *window))
    yield from wrong
    if wrong or not all(isinstance(row.get(c), str) for c in window):
        return
    yield from BloomWindow(*(MonthDay.parse(row[c]) for c in window)).problems()
    shape = list(_seasons(row.get("seasons")))
    yield from shape
    if not shape:  # then what the loader checks of them: each in its year, in the order a season goes
        as_loaded = {
            "window": {c: row[c] for c in window},
            "seasons": [
                {**season, "seen": [{"day": date.fromisoformat(day), "stage": stage} for day, stage in season["seen"]]}
                for season in row["seasons"]
            ],
        }
        yield from ((_dotted(loc), message) for loc, message in _season_problems(as_loaded, ()))


def _seasons(seasons: Any) -> Problems:
    """As the loader writes them: [{"year": 2024, "source": "…", "seen": [["2024-04-29", "peak"], …]}]."""
    if not isinstance(seasons, list):
        yield "seasons", "not a list of seasons"
        return
    for i, season in enumerate(seasons):
        at = f"seasons[{i}]"
        if not isinstance(season, dict) or not {"year", "source", "seen"} <= set(season) <= {*SEASON_KEYS}:
            yield at, 'not an object of "year", "source", "checked" (optional) and "seen"'
            continue
        if "checked" in season and not _iso_day(season["checked"]):
            yield f"{at}.checked", f"{_shown(season['checked'])} is not a date"
        year, source, seen = season["year"], season["source"], season["seen"]
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            yield f"{at}.year", f"{_shown(year)} is not a year 2000–2100"
        if not isinstance(source, str) or not 1 <= len(source) <= 500 or unsafe_characters(source):
            yield f"{at}.source", "not a source of 1–500 printable characters"
        if not isinstance(seen, list) or not seen:
            yield f"{at}.seen", "not a list of [day, stage]"
            continue
        for n, sighting in enumerate(seen):
            yield from _sighting(f"{at}.seen[{n}]", sighting)


SEASON_KEYS = ("year", "source", "checked", "seen")


def _iso_day(value: Any) -> bool:
    try:
        return isinstance(value, str) and EARLIEST <= date.fromisoformat(value) <= date(2100, 12, 31)
    except ValueError:
        return False


def _sighting(at: str, sighting: Any) -> Problems:
    if not (isinstance(sighting, list) and len(sighting) == 2 and all(isinstance(v, str) for v in sighting)):
        yield at, "not a [day, stage] pair"
        return
    day, stage = sighting
    try:
        if not EARLIEST <= date.fromisoformat(day) <= date(2100, 12, 31):
            yield at, f"{day} is outside 2000–2100"
    except ValueError:
        yield at, f"{_shown(day)} is not a date"
    if stage not in SEEN_STAGES:
        yield at, f"{_shown(stage)} is not a stage seen ({', '.join(SEEN_STAGES)})"


def _festival(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    yield from _slug("key", row.get("key"))
    yield from _localized("name", row.get("name"), languages)
    if row.get("description") is not None:
        yield from _localized("description", row["description"], languages)
    yield from _month_days(row, "usual_start", "usual_end", "usual_start_latest")
    if (row.get("usual_start") is None) != (row.get("usual_end") is None):
        yield "usual_end", "usual dates need both a start and an end"
    if row.get("usual_start_latest") is not None and row.get("usual_start") is None:
        yield "usual_start_latest", "a latest usual opening needs the usual dates"
    yield from _provenance("provenance", row.get("provenance"), empty=True)


def _edition_dates(row: dict, today: date, year: Any = None) -> Problems:
    """Ending after it starts, and no later than sensible_dates allows from its start; in its
    own year (as the loader and the staff form check it). Past editions stay: a guide keeps them."""
    start, end = row.get("starts_on"), row.get("ends_on")
    if not (isinstance(start, date) and isinstance(end, date)):
        return
    if year is not None and start.year != year:
        yield "starts_on", f"{start} is not in the {year} edition's year"
    if end < start:
        yield "ends_on", f"{end} is before the start, {start}"
    elif end > sensible_dates(start)[1]:
        yield "ends_on", f"{end} is more than two years after the start, {start}"
    if start > sensible_dates(today)[1]:
        yield "starts_on", f"{start} is more than two years ahead"


def _festival_edition(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    year = row.get("year")
    if isinstance(year, int) and not 2000 <= year <= 2100:
        yield "year", f"{year} is not a year 2000–2100"
    yield from _edition_dates(row, today, year if isinstance(year, int) else None)
    if isinstance(row.get("sequence"), int) and row["sequence"] < 0:
        yield "sequence", "below 0"


def _peak_reminder(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    """As the reminder calendar writes one: a season's likeliest peak, in or just after its year."""
    year, first, last = row.get("year"), row.get("starts_on"), row.get("ends_on")
    if isinstance(year, int) and not 2000 <= year <= 2100:
        yield "year", f"{year} is not a year 2000–2100"
    if isinstance(first, date) and isinstance(last, date):
        if last < first:
            yield "ends_on", f"{last} is before starts_on {first}"
        if isinstance(year, int) and not year <= first.year <= year + 1:
            yield "starts_on", f"{first} is not in the season of {year}"
    if isinstance(row.get("sequence"), int) and row["sequence"] < 0:
        yield "sequence", "below 0"


def _edition_change(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    yield from _edition_dates(row, today)


def _notice(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    """As the notice form lets staff post one: a known kind, some text in a language we serve,
    and dates within sensible_dates of the day it was posted, ending after it starts."""
    if row.get("kind") not in NOTICE_KINDS:
        yield "kind", f"{_shown(row.get('kind'))} is not a kind of notice ({', '.join(NOTICE_KINDS)})"
    text = row.get("text")
    yield from _localized("text", text, languages, required=(), most=NOTICE_MAX)
    if isinstance(text, dict) and not any(text.values()):
        yield "text", "no text in any language"
    starts, ends, posted = row.get("starts_at"), row.get("ends_at"), _local_day(row.get("created_at"))
    if posted is not None:
        first, last = sensible_dates(posted)
        for column in ("starts_at", "ends_at"):
            day = _local_day(row.get(column))
            if day is not None and not first <= day <= last:
                yield column, f"{row[column].isoformat()} is outside {first}–{last}, as the form allows on {posted}"
    if isinstance(starts, datetime) and isinstance(ends, datetime) and ends <= starts:
        yield "ends_at", f"{ends.isoformat()} is not after the start, {starts.isoformat()}"


def _bloom_report(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    """As report_bloom files one: a stage, and a % from 0 to 100 that fits it, or none."""
    if row.get("kind") not in ("report", "confirm"):
        yield "kind", f"{_shown(row.get('kind'))} is not report or confirm"
    stages = {stage.value: stage for stage in BloomStage}
    stage, percent = stages.get(str(row.get("stage"))), row.get("percent_open")
    if stage is None:
        yield "stage", f"{_shown(row.get('stage'))} is not a stage ({', '.join(stages)})"
    if isinstance(percent, int) and not 0 <= percent <= 100:
        yield "percent_open", f"{percent} is not a % from 0 to 100"
    elif isinstance(percent, int) and stage is not None and not stage.fits(percent):
        yield "percent_open", f"{percent}% does not fit {stage.value} ({'–'.join(map(str, stage.percent_range))}%)"
    if row.get("note") is not None:
        yield from _localized("note", row["note"], languages, required=(), most=NOTE_MAX)


def _photo(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    """As the upload stores one: a JPEG that clean_photo wrote, under the hash of its bytes."""
    sha = row.get("sha256")
    if isinstance(sha, str) and not re.fullmatch("[0-9a-f]{64}", sha):
        yield "sha256", f"{_shown(sha)} is not a SHA-256 in hex"
    for column, largest, size in (
        ("full", FULL_SIZE, ("width", "height")),
        ("thumb", THUMB_SIZE, ("thumb_width", "thumb_height")),
    ):
        data = row.get(column)
        if not isinstance(data, bytes):
            continue  # none: a photo whose file was lost before photos moved into the database
        try:
            found = check_clean(data, largest)
        except NotClean as error:
            yield column, f"not a photo as the upload cleans them: {error}"
            continue
        if found != (row.get(size[0]), row.get(size[1])):
            yield (
                size[0],
                f"the {column} picture is {found[0]} × {found[1]}, not {row.get(size[0])} × {row.get(size[1])}",
            )
        if column == "full" and isinstance(sha, str) and hashlib.sha256(data).hexdigest() != sha:
            yield "sha256", "is not the SHA-256 of the full picture"


def _crowd_report(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    """As report_crowd files one: a level of the scale."""
    levels = [crowd.value for crowd in Crowd]
    if row.get("level") not in levels:
        yield "level", f"{_shown(row.get('level'))} is not a crowd level ({', '.join(levels)})"


def _staff(row: dict, languages: tuple[str, ...], today: date) -> Problems:
    name = row.get("username")
    if isinstance(name, str):
        if not name.strip() or name != name.strip():
            yield "username", f"{_shown(name)} is blank or has spaces around it"
        elif row.get("username_key") != username_key(name):
            yield "username_key", f"does not match the username {_shown(name)}"


CHECKS: dict[str, Callable[[dict, tuple[str, ...], date], Problems]] = {
    "place": _place,
    "retired_slug": _retired_slug,
    "plant": _plant,
    "festival": _festival,
    "festival_edition": _festival_edition,
    "edition_change": _edition_change,
    "peak_reminder": _peak_reminder,
    "notice": _notice,
    "bloom_report": _bloom_report,
    "crowd_report": _crowd_report,
    "photo": _photo,
    "staff": _staff,
}
