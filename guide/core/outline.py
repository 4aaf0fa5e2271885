"""Our own outline of the district for the maps (data/map.yaml): metro stations and lines,
rivers and roads, in WGS-84, with names in every language we serve. Plain values."""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]  # (lat, lon), WGS-84


@dataclass(frozen=True)
class Station:
    key: str
    name: dict[str, str]
    at: Point


@dataclass(frozen=True)
class Way:
    """A line on the map: a metro line's branch, a river, a road."""

    key: str
    kind: str  # "metro", "river" or "road"
    name: dict[str, str]
    points: tuple[Point, ...]
    closed: bool = False  # a loop (the old town's moat)
    estimated: bool = False


@dataclass(frozen=True)
class Outline:
    stations: tuple[Station, ...] = ()
    ways: tuple[Way, ...] = ()


def metres(a: Point, b: Point) -> float:
    """Metres between two points (equirectangular: plenty for a district)."""
    x = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    y = math.radians(b[0] - a[0])
    return 6371000 * math.hypot(x, y)


def nearest_station(outline: Outline, at: Point) -> tuple[Station, float] | None:
    """The station nearest to a point, and how far it is in a straight line (metres)."""
    return min(((s, metres(s.at, at)) for s in outline.stations), key=lambda pair: pair[1], default=None)


def line_of(outline: Outline, station: Station) -> Way | None:
    """The metro line a station is on (the first, where several meet)."""
    return next((w for w in outline.ways if w.kind == "metro" and station.at in w.points), None)
