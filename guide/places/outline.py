"""data/map.yaml, the outline our maps draw without tiles: its schema, and a validator that names
file, line and field for each problem, as the places file's does (schema.py, whose YAML reading
and line finding it shares). Read once when the app starts: a broken file stops it."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any

import yaml
from flask import current_app
from flask.sansio.app import App
from pydantic import Field, ValidationError

from guide.config import ROOT
from guide.core.outline import Outline, Station, Way
from guide.places.schema import (
    JIADING_LAT,
    JIADING_LON,
    Problem,
    Slug,
    Text,
    _dicts,
    _dotted,
    _duplicate_keys,
    _Loader,
    _Locator,
    _message,
    _Strict,
    _text_problems,
)

OUTLINE_FILE = ROOT / "data" / "map.yaml"
LatLon = Annotated[list[float], Field(min_length=2, max_length=2)]
Sources = Annotated[list[str], Field(min_length=1)]


class StationIn(_Strict):
    key: Slug
    name: Text
    at: LatLon
    sources: Sources


class LineIn(_Strict):
    key: Slug
    name: Text
    branches: list[Annotated[list[Slug], Field(min_length=2)]] = Field(min_length=1)
    sources: Sources


class PathIn(_Strict):
    key: Slug
    name: Text
    points: list[LatLon] = Field(min_length=2)
    closed: bool = False
    estimated: bool = False
    sources: Sources


class OutlineFile(_Strict):
    stations: list[StationIn] = Field(default_factory=list)
    lines: list[LineIn] = Field(default_factory=list)
    rivers: list[PathIn] = Field(default_factory=list)
    roads: list[PathIn] = Field(default_factory=list)


class InvalidOutline(Exception):
    """The outline cannot be used; `problems` says why, one entry per problem."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def parse_outline(text: str, path: str, languages: tuple[str, ...]) -> Outline:
    """Validate the whole file; raise InvalidOutline listing every problem found."""
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else {}
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise InvalidOutline([Problem(path, line, "(syntax)", f"YAML error: {error}")]) from error
    locate = _Locator(root)
    found = list(_duplicate_keys(root))
    try:
        parsed: OutlineFile | None = OutlineFile.model_validate(data)
    except ValidationError as error:
        parsed = None
        found += [(_dotted(item["loc"]), locate.line(item["loc"]), _message(item)) for item in error.errors()]
    found += [(_dotted(loc), locate.line(loc), msg) for loc, msg in _problems(data, languages)]
    if found or parsed is None:
        raise InvalidOutline([Problem(path, line, field, msg) for field, line, msg in found])
    return _outline(parsed)


def _problems(data: Any, languages: tuple[str, ...]):
    """What types cannot say: unique keys, known stations, points inside Jiading, languages."""
    data = data if isinstance(data, dict) else {}
    for kind, model in (("stations", StationIn), ("lines", LineIn), ("rivers", PathIn), ("roads", PathIn)):
        keys: set[str] = set()
        for i, item in _dicts(data.get(kind)):
            key = item.get("key")
            if isinstance(key, str) and key in keys:
                yield (kind, i, "key"), f"duplicate key {key!r} in {kind}"
            keys.add(key)
            yield from _text_problems(item, model, (kind, i), languages)
            points = [item.get("at")] if kind == "stations" else item.get("points")
            for j, point in enumerate(points if isinstance(points, list) else []):
                at = (kind, i, "at") if kind == "stations" else (kind, i, "points", j)
                yield from _point_problems(point, at)
            if item.get("closed") is True and isinstance(points, list) and len(points) < 3:
                yield (kind, i, "points"), "a closed loop needs at least 3 points"
    stations = {s.get("key") for _, s in _dicts(data.get("stations"))}
    for i, line in _dicts(data.get("lines")):
        for j, branch in enumerate(line.get("branches") or []):
            for k, key in enumerate(branch if isinstance(branch, list) else []):
                if isinstance(key, str) and key not in stations:
                    yield ("lines", i, "branches", j, k), f"no station {key!r} in stations"


def _point_problems(point: Any, at: tuple):
    if not (isinstance(point, list) and len(point) == 2 and all(isinstance(v, (int, float)) for v in point)):
        return  # reported by the schema
    lat, lon = point
    if not (JIADING_LAT[0] <= lat <= JIADING_LAT[1] and JIADING_LON[0] <= lon <= JIADING_LON[1]):
        yield at, f"[{lat}, {lon}] is outside Jiading (lat {JIADING_LAT}, lon {JIADING_LON}): [lat, lon] in WGS-84?"


def _outline(parsed: OutlineFile) -> Outline:
    stations = {s.key: Station(s.key, dict(s.name), (s.at[0], s.at[1])) for s in parsed.stations}
    ways = [
        Way(f"{line.key}-{n}", "metro", dict(line.name), tuple(stations[k].at for k in branch))
        for line in parsed.lines
        for n, branch in enumerate(line.branches)
    ]
    for kind, paths in (("river", parsed.rivers), ("road", parsed.roads)):
        ways += [
            Way(p.key, kind, dict(p.name), tuple((a, b) for a, b in p.points), p.closed, p.estimated) for p in paths
        ]
    return Outline(tuple(stations.values()), tuple(ways))


def init_app(app: App, path: Path | None = None) -> None:
    """Read and check the outline once, when the app starts."""
    path = path or OUTLINE_FILE
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    text = path.read_text(encoding="utf-8")
    app.extensions["guide.outline"] = _parsed(text, name, tuple(app.config["LANGUAGES"]))


@functools.lru_cache(maxsize=8)
def _parsed(text: str, name: str, languages: tuple[str, ...]) -> Outline:
    """The same file read again (another app in this process: the tests make hundreds) is
    parsed once; the Outline is frozen, so sharing it is safe."""
    return parse_outline(text, name, languages)


def outline() -> Outline:
    return current_app.extensions["guide.outline"]
