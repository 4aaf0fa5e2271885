"""The schema of data/places.yaml, and a validator that names file, line and field per problem.

Pydantic checks structure and types; `_semantic_problems` checks what types cannot say
(bloom order, coordinates inside Jiading, unique slugs). Nothing here touches the database.

Before any of that, the file must be at most MAX_FILE_BYTES (512 KB), nested at most MAX_DEPTH
(40) levels and stand for at most MAX_VALUES (100,000) values once its aliases are repeated out
(docs/data-format.md): a file past them is refused at once, with a line that says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from guide.core.bloom import YEAR_DAYS, BloomWindow, MonthDay
from guide.core.forecast import season_label, season_year
from guide.core.text import unsafe_characters
from guide.site.pictures import drawings

REQUIRED_LANGUAGES = ("en", "zh")
# Jiading District with a margin: anything outside is a typo or the wrong datum order.
JIADING_LAT = (31.20, 31.50)
JIADING_LON = (121.05, 121.45)
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def is_slug(text: str) -> bool:
    """Whether a URL part can be a slug: anything else (a NUL, which PostgreSQL refuses
    outright) never reaches the database."""
    return len(text) <= 80 and re.fullmatch(SLUG, text) is not None


def too_big_message() -> str:
    return f"the file is larger than {MAX_FILE_BYTES // 1024} KB, more than a places file can need"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _printable(value: str) -> str:
    """No control characters (a vertical tab pasted in): they would break feeds and calendars."""
    if found := unsafe_characters(value):
        raise ValueError(f"contains control characters ({', '.join(found)}): remove them")
    return value


def _drawn(value: str) -> str:
    """A picture the guide has (guide/static/pictures.svg)."""
    if value not in drawings():
        raise ValueError(f"no picture {value!r}: choose one of {', '.join(sorted(drawings()))}")
    return value


Printable = Annotated[str, AfterValidator(_printable)]
Text = dict[str, Annotated[Printable, Field(min_length=1)]]
Slug = Annotated[str, Field(pattern=SLUG, max_length=80)]


class _MonthDays(_Strict):
    """Every field a month-day "MM-DD"."""

    @field_validator("*")
    @classmethod
    def _month_day(cls, value: str) -> str:
        MonthDay.parse(value)
        return value


class WindowIn(_MonthDays):
    bud: str
    first: str
    peak_start: str
    peak_end: str
    over: str


SeenStage = Literal["budding", "first_bloom", "blooming", "peak", "fading", "over"]
SEEN_STAGES: tuple[str, ...] = get_args(SeenStage)


class SeenIn(_Strict):
    """A stage seen on a day, as a source reports it."""

    day: Annotated[date, Field(strict=False)]  # not "on", which YAML reads as true
    stage: SeenStage


Source = Annotated[Printable, Field(min_length=1, max_length=500)]
SourceYear = Annotated[int, Field(ge=1990, le=2100)]
Checked = Annotated[date, Field(strict=False)]


class SourcedIn(_Strict):
    """Where a fact is from and when we last read it there: `source`, a URL or a publication
    with its date; `year`, the source's year when it has one (a fact more than a few years old is
    flagged on the page); `checked`, the day we last checked the fact against the source."""

    source: Source
    year: SourceYear | None = None
    checked: Checked


class SeasonIn(_Strict):
    """A past season as a source tells it: what was seen on which days."""

    year: Annotated[int, Field(ge=2000, le=2100)]  # the year its buds came
    seen: list[SeenIn] = Field(min_length=1)
    source: Source
    checked: Checked


class PlantIn(_Strict):
    """A plant; its source is that of its name, count and usual window."""

    key: Slug
    name: Text
    visited_for: Literal["flowers", "leaves"] = "flowers"  # ginkgo and maple: their autumn leaves
    picture: Annotated[str, AfterValidator(_drawn)] | None = None  # none: the generic flower or leaf
    latin: Printable | None = None
    count: Annotated[int, Field(gt=0)] | None = None
    window: WindowIn
    seasons: list[SeasonIn] = []
    source: Source
    year: SourceYear | None = None
    checked: Checked


class UsualIn(_MonthDays):
    """A festival's usual dates, as month-days, first and last day included; `start_latest`
    when the openings of several years spread over days or weeks (the lotus show opened between
    22 June and 7 July): the usual dates then read as a range ("opens late June to early July")."""

    start: str
    start_latest: str | None = None
    end: str


class EditionIn(_Strict):
    """One year's edition: its dates with the source that announced them, or cancelled."""

    year: Annotated[int, Field(ge=2000, le=2100)]
    start: Annotated[date, Field(strict=False)]
    end: Annotated[date, Field(strict=False)]
    end_approximate: bool = False  # the source gives a duration ("about a month"), not the last day
    cancelled: bool = False
    source: Source
    checked: Checked


class FestivalIn(_Strict):
    """A festival; its source is that of its name, description and usual dates."""

    key: Slug
    name: Text
    description: Text | None = None
    usual: UsualIn | None = None  # none for a one-off: no edition is ever expected
    editions: list[EditionIn] = []
    source: Source
    year: SourceYear | None = None
    checked: Checked


# What a visitor needs to get in, beyond hours and tickets; each fact with its own source.
PracticalKind = Literal["booking", "entrance", "busiest", "parking", "food", "toilets", "access", "phone"]


class PracticalIn(SourcedIn):
    """One practical fact: what it says, and where it is from (SourcedIn)."""

    text: Text


class PlaceFactsIn(_Strict):
    """The source of each of a place's own facts (its plants, festivals and practical facts carry
    their own): every one is required, so that no fact is shown without where it is from."""

    about: SourcedIn  # name, summary and description
    address: SourcedIn
    hours: SourcedIn
    ticket: SourcedIn
    transit: SourcedIn
    tips: SourcedIn
    position: SourcedIn  # lat, lon and whether they are estimated


class PlaceIn(_Strict):
    slug: Slug
    name: Text
    summary: Text
    description: Text
    address: Text
    hours: Text
    ticket: Text
    transit: Text
    tips: Text
    lat: float
    lon: float
    coords_estimated: bool = False
    sources: PlaceFactsIn
    # Other names a visitor may know the place by, per language; and slugs it had before, whose
    # URLs (printed on cards) redirect here for good.
    other_names: dict[str, list[Annotated[Printable, Field(min_length=1)]]] = {}
    retired_slugs: list[Slug] = []
    practical: dict[PracticalKind, PracticalIn] = {}
    plants: list[PlantIn] = Field(min_length=1)
    festivals: list[FestivalIn] = []


class PlacesFile(_Strict):
    places: list[PlaceIn] = Field(min_length=1)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class InvalidPlaces(Exception):
    """The file was not loaded; `problems` says why, one entry per problem."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


# Bounds on what a data file may make us read. data/places.yaml is about 115 KB (much of it
# comments by the sources), nested 10 deep, some 4,200 values; these leave it room to grow four
# times over in bytes and twentyfold in values, and refuse in well under a
# second a file that would keep the checks busy for minutes: a "billion laughs" of aliases
# (each alias repeats a whole subtree, so a few hundred bytes can stand for billions of values),
# a value nested thousands deep, or simply a huge file.
MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 40
MAX_VALUES = 100_000  # counting every repetition an alias makes


class TooBig(yaml.MarkedYAMLError):
    """The file is over one of the bounds above."""


class _Loader(yaml.SafeLoader):
    """Safe YAML within the bounds above, and an impossible date (2025-02-30) stays a string
    for the schema to report, instead of crashing the parser."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise TooBig(
                    problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self):
        root = super().get_single_node()
        if root is not None:
            _count_values(root)
        return root

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _count_values(root: yaml.Node) -> int:
    """How many values the document stands for once its aliases are repeated out; raise TooBig
    past MAX_VALUES, or for an alias inside its own anchor (a loop). Each node is counted once
    and its total remembered, so this is quick however many times aliases repeat it."""
    totals: dict[int, int] = {}
    open_nodes: set[int] = set()

    def count(node: yaml.Node) -> int:
        if id(node) in totals:
            return totals[id(node)]
        if id(node) in open_nodes:
            raise TooBig(problem="an alias refers to the value it is in", problem_mark=node.start_mark)
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(count(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(count(key) + count(value) for key, value in node.value)
        if total > MAX_VALUES:
            raise TooBig(
                problem=f"stands for more than {MAX_VALUES:,} values (aliases repeating aliases?)",
                problem_mark=node.start_mark,
            )
        open_nodes.discard(id(node))
        totals[id(node)] = total
        return total

    return count(root)


def parse_places(text: str, path: str, languages: tuple[str, ...]) -> PlacesFile:
    """Validate the whole file; raise InvalidPlaces listing every problem found."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise InvalidPlaces([Problem(path, 1, "(file)", too_big_message())])
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except TooBig as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise InvalidPlaces([Problem(path, line, "(size)", f"refused: {error.problem}")]) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise InvalidPlaces([Problem(path, line, "(syntax)", f"YAML syntax error: {error.problem}")]) from error
    except yaml.YAMLError as error:
        raise InvalidPlaces([Problem(path, 1, "(syntax)", f"YAML error: {error}")]) from error

    if data is None:
        raise InvalidPlaces([Problem(path, 1, "(file)", "the file is empty: it needs a list under 'places:'")])
    locate = _Locator(root)
    found = list(_duplicate_keys(root))
    try:
        parsed = PlacesFile.model_validate(data)
    except ValidationError as error:
        parsed = None
        found += [(_dotted(item["loc"]), locate.line(item["loc"]), _message(item)) for item in error.errors()]
    # Checks that types cannot express run on the raw data, so that one run lists every problem.
    found += [(_dotted(loc), locate.line(loc), msg) for loc, msg in _semantic_problems(data, languages)]
    if found or parsed is None:
        raise InvalidPlaces([Problem(path, line, field, msg) for field, line, msg in found])
    return parsed


def _semantic_problems(data: Any, languages: tuple[str, ...]):
    places = data.get("places") if isinstance(data, dict) else None
    seen: dict[str, int] = {}
    retired = {
        old: i
        for i, place in _dicts(places)
        for old in (place.get("retired_slugs") if isinstance(place.get("retired_slugs"), list) else [])
        if isinstance(old, str)
    }
    for i, place in _dicts(places):
        at = ("places", i)
        slug = place.get("slug")
        if isinstance(slug, str) and slug in seen:
            yield (*at, "slug"), f"duplicate slug {slug!r} (first used by places[{seen[slug]}])"
        elif isinstance(slug, str):
            seen[slug] = i
        if isinstance(slug, str) and slug in retired:
            yield (*at, "slug"), f"{slug!r} is a retired slug of places[{retired[slug]}]: its old links lead there"
        olds = place.get("retired_slugs")
        for k, old in enumerate(olds if isinstance(olds, list) else []):
            if isinstance(old, str) and retired.get(old) != i:
                yield (*at, "retired_slugs", k), f"{old!r} is retired by places[{retired[old]}] too"
        yield from _other_name_problems(place, at, languages)
        for axis, (low, high), name in (("lat", JIADING_LAT, "latitude"), ("lon", JIADING_LON, "longitude")):
            value = place.get(axis)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not low <= value <= high:
                yield (*at, axis), f"{name} {value} is outside Jiading ({low}–{high})"
        yield from _text_problems(place, PlaceIn, at, languages)
        practical = place.get("practical")
        for fact, item in practical.items() if isinstance(practical, dict) else ():
            if isinstance(item, dict):
                yield from _text_problems(item, PracticalIn, (*at, "practical", fact), languages)
                yield from _source_problems(item, (*at, "practical", fact))
        sources = place.get("sources")
        for fact, item in sources.items() if isinstance(sources, dict) else ():
            if isinstance(item, dict):
                yield from _source_problems(item, (*at, "sources", fact))
        for kind, model in (("plants", PlantIn), ("festivals", FestivalIn)):
            keys: set[str] = set()
            for j, item in _dicts(place.get(kind)):
                iat = (*at, kind, j)
                key = item.get("key")
                if isinstance(key, str) and key in keys:
                    yield (*iat, "key"), f"duplicate {kind[:-1]} key {key!r} in this place"
                keys.add(key)
                yield from _text_problems(item, model, iat, languages)
                yield from _source_problems(item, iat)
                yield from _order_problems(item, iat)
                yield from _usual_problems(item, iat)
                yield from _edition_problems(item, iat)
                yield from _season_problems(item, iat)


def _other_name_problems(place: dict, at: tuple, languages: tuple[str, ...]):
    names = place.get("other_names")
    for lang in names if isinstance(names, dict) else {}:
        if lang not in languages:
            yield (*at, "other_names", lang), f"unknown language {lang!r} (this guide serves: {', '.join(languages)})"


def _dicts(items: Any):
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)] if isinstance(items, list) else []


def _order_problems(item: dict, at: tuple):
    """A bloom window in order, peak inside the bloom."""
    window = item.get("window")
    if isinstance(window, dict):
        try:
            points = [MonthDay.parse(window[f]) for f in WindowIn.model_fields]
        except (KeyError, TypeError, ValueError):
            return  # reported by the schema
        for field, msg in BloomWindow(*points).problems():
            yield (*at, "window", field), msg


def _source_problems(item: dict, at: tuple):
    """A source cannot be from after the day it was checked."""
    year, checked = item.get("year"), item.get("checked")
    if isinstance(year, int) and isinstance(checked, date) and year > checked.year:
        yield (*at, "year"), f"a {year} source cannot have been checked on {checked}"


def _usual_problems(festival: dict, at: tuple):
    """The latest usual opening falls between the earliest and the end."""
    usual = festival.get("usual")
    if not isinstance(usual, dict) or usual.get("start_latest") is None:
        return
    try:
        start, latest, end = (MonthDay.parse(usual[f]) for f in ("start", "start_latest", "end"))
    except (KeyError, TypeError, ValueError):
        return  # reported by the schema
    if not (latest.ordinal - start.ordinal) % YEAR_DAYS <= (end.ordinal - start.ordinal) % YEAR_DAYS:
        yield (*at, "usual", "start_latest"), f"the latest opening {latest} is not between {start} and {end}"


def _season_problems(plant: dict, at: tuple):
    """Each past season in its own year, once, its stages seen in the order a season goes."""
    window = plant.get("window")
    try:
        usual = BloomWindow(*(MonthDay.parse(window[f]) for f in WindowIn.model_fields)) if window else None
    except (KeyError, TypeError, ValueError):
        usual = None
    if usual is None or usual.problems():
        return  # reported by the schema and the window's own check
    years: set[int] = set()
    for k, season in _dicts(plant.get("seasons")):
        sat = (*at, "seasons", k)
        year = season.get("year")
        if isinstance(year, int):
            if year in years:
                yield (*sat, "year"), f"the {year} season is listed twice"
            years.add(year)
        latest: tuple[int, date] | None = None
        for n, seen in _dicts(season.get("seen")):
            day, stage = seen.get("day"), seen.get("stage")
            if not (isinstance(day, date) and stage in SEEN_STAGES):
                continue  # reported by the schema
            if isinstance(year, int) and season_year(usual, day) != year:
                yield (*sat, "seen", n, "day"), f"{day} is not in the {season_label(usual, year)} season"
            rank = SEEN_STAGES.index(stage)
            if latest is not None and (day < latest[1] or rank < latest[0]):
                yield (*sat, "seen", n), f"{stage} on {day} goes back from what is listed above it: list in order"
            latest = (rank, day)


def _edition_problems(festival: dict, at: tuple):
    """Each edition in its own year, ending after it starts, a year named once."""
    years: set[int] = set()
    for k, edition in _dicts(festival.get("editions")):
        eat = (*at, "editions", k)
        year, start, end = edition.get("year"), edition.get("start"), edition.get("end")
        if isinstance(year, int):
            if year in years:
                yield (*eat, "year"), f"the {year} edition is listed twice"
            years.add(year)
        if isinstance(start, date) and isinstance(end, date) and end < start:
            yield (*eat, "end"), f"the edition ends ({end}) before it starts ({start})"
        if isinstance(start, date) and isinstance(year, int) and start.year != year:
            yield (*eat, "start"), f"the {year} edition starts in {start.year}"


def _text_problems(item: dict, model: type[BaseModel], at: tuple, languages: tuple[str, ...]):
    """Every localized field has the required languages and no language we do not serve."""
    for name, field in model.model_fields.items():
        value = item.get(name)
        if not (isinstance(value, dict) and field.annotation in (Text, Text | None)):
            continue
        for lang in REQUIRED_LANGUAGES:
            if lang not in value:
                yield (*at, name), f"missing language {lang!r}"
        for lang in value:
            if lang not in languages:
                yield (*at, name, lang), (f"unknown language {lang!r} (this guide serves: {', '.join(languages)})")


def _message(item: ErrorDetails) -> str:
    kind = item["type"]
    if kind == "missing":
        return "missing field"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("string_too_short", "too_short") and item.get("input") in ("", [], {}):
        return "must not be empty"
    if kind == "value_error":
        return str(item["ctx"]["error"])
    got = item.get("input")
    shown = "" if isinstance(got, (dict, list)) else f" (got {got!r})"
    return item["msg"][0].lower() + item["msg"][1:] + shown


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return re.sub(r"\.(\w+)\[str\]", r".\1", out)


class _Locator:
    """Maps a path such as ("places", 3, "plants", 0, "window") to its line in the file."""

    def __init__(self, root: yaml.Node | None):
        self.root = root

    def line(self, loc: tuple) -> int:
        node, line = self.root, 1
        for part in loc:
            if node is None:
                break
            line = node.start_mark.line + 1
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == part:
                        line, child = key.start_mark.line + 1, value
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
            node = child
        return line


def _duplicate_keys(node, path=()):
    """PyYAML silently keeps the last of two equal keys; we report them instead."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                yield _dotted((*path, key.value)), key.start_mark.line + 1, "this key appears twice here"
            seen.add(key.value)
            yield from _duplicate_keys(value, (*path, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*path, i))
