"""What a map shows, as plain data for our own script (guide/static/map.js) to draw with Leaflet.

Pure: callers pass already-localized strings. Popups are HTML escaped here; every other text
is plain and reaches the page as text (the script sets it with textContent), so data can never
run as code. Points are WGS-84 in, and in the basemap's datum out.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from guide.core.bloom import BloomStage
from guide.core.geo import wgs84_to_gcj02
from guide.core.i18n import html_lang, localized
from guide.core.markers import Spot, layout
from guide.core.outline import Outline, Point, Way, nearest_station


@dataclass(frozen=True)
class Tiles:
    url: str  # may hold {lang}: the language of the labels drawn into the tiles
    attribution: str
    subdomains: str
    gcj02: bool  # the basemap is drawn in GCJ-02: shift our WGS-84 points onto it
    max_zoom: int = 18
    labels: dict[str, str] = field(default_factory=dict)  # page language → the service's; English otherwise

    @property
    def origin(self) -> str:
        """The tile hosts as a CSP source: https://webrd0{s}.is.autonavi.com → https://*.is.autonavi.com."""
        host = self.url.split("/")[2]
        return "https://" + ("*." + host.split(".", 1)[1] if "{s}" in host else host)

    def url_in(self, lang: str) -> str:
        """The tile URL with labels in the page's language where the service has it."""
        return self.url.replace("{lang}", self.labels.get(lang, self.labels.get("en", "")))


TILES = {
    "osm": Tiles(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        "",
        False,
        19,
    ),
    # Loads in mainland China. An unofficial endpoint of AutoNavi's, widely used for web maps;
    # lang=en labels roads and districts in English (often pinyin), smaller names stay Chinese.
    "amap": Tiles(
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang={lang}&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "© AutoNavi / 高德地图",
        "1234",
        True,
        labels={"zh": "zh_cn", "en": "en"},
    ),
}


@dataclass(frozen=True)
class Pin:
    """One place on a map, with its texts already in the page's language."""

    lat: float
    lon: float
    name: str
    stage: BloomStage
    stage_label: str
    detail: str  # e.g. "Wisteria · peak" or "Budding (estimate)"
    url: str
    link_text: str
    near: str = ""  # e.g. "Nearest metro: Nanxiang (Metro Line 11), 800 m in a straight line"
    days_to_season: int = 0  # 0 in season; else days until it comes (names sooner ones first)


# Words that say what a place is rather than which: a crowded map can leave them out.
_GENERIC = {"Park", "Garden", "Gardens", "Corridor", "Lake", "Street", "Ecological", "Country", "Old"}
_GENERIC |= {"Wintersweet", "Lotus", "Osmanthus", "Wisteria", "Crabapple", "Ginkgo", "Plum"}


def short_names(name: str) -> list[str]:
    """Shorter forms of a name for a crowded map, tried in turn when the whole does not fit:
    without what is in brackets and a leading "Jiading" when more is left, then only the words
    before the first that says what kind of place it is ("Waigang Wintersweet Garden" →
    "Waigang"; "Jiading Ancient Tree Park (1,200-year-old ginkgo)" → "Ancient Tree Park" →
    "Ancient Tree"), when those words are a name and not the start of a phrase. Chinese names
    lose only their brackets: 嘉定古树公园（千年银杏） → 嘉定古树公园."""
    short = re.sub(r"\s*[(（][^()（）]*[)）]", "", name).strip() or name
    words = short.split()
    if len(words) > 2 and words[0] == "Jiading":
        words = words[1:]
    proper: list[str] = []
    for word in words:
        if word in _GENERIC and proper:
            break
        proper.append(word)
    forms = [" ".join(words)]
    if len(proper) <= 2 and all(word[:1].isupper() and word.isalpha() for word in proper):
        forms.append(" ".join(proper))  # a proper name, not the start of a phrase
    return [form for i, form in enumerate(forms) if form != name and form not in forms[:i]]


MIN_ZOOM = 9  # the whole district and beyond
STATION_WITHIN_M = 6000  # a place's map also shows its nearest station when it is this close


def popup_html(pin: Pin) -> Markup:
    """A place's popup: name, stage, how we know, the nearest station, a link to its page."""
    near = Markup("<br><span>{}</span>").format(pin.near) if pin.near else ""
    return Markup('<strong>{}</strong><br>{} {}<br><span>{}</span>{}<br><a href="{}">{}</a>').format(
        pin.name, pin.stage.symbol, pin.stage_label, pin.detail, near, pin.url, pin.link_text
    )


def build_map(
    pins: list[Pin],
    tiles: Tiles,
    lang: str = "en",
    outline: Outline | None = None,
    zoom: int | None = None,
) -> dict[str, Any]:
    """What a map of these pins shows, in the page's language: several pins fitted to their
    bounds; one at `zoom`, with its nearest station in view when there is one near. Above the
    tiles, our own outline (stations, lines, rivers, roads) and every name as text."""
    outline = outline or Outline()
    points = [_point(p.lat, p.lon, tiles) for p in pins]
    view: dict[str, Any]
    if zoom is None:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        view = {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]]}
    else:
        view = {"center": points[0], "zoom": zoom}
        near = nearest_station(outline, (pins[0].lat, pins[0].lon))
        if near and near[1] <= STATION_WITHIN_M:
            station = _point(*near[0].at, tiles)
            view = {"bounds": [points[0], station], "maxZoom": zoom}
    spots = [Spot(pt[0], pt[1], p.stage.in_season, p.stage.rank) for p, pt in zip(pins, points, strict=True)]
    return {
        "tiles": {
            "url": tiles.url_in(lang),
            "attribution": tiles.attribution,
            "subdomains": tiles.subdomains or "abc",
            "minZoom": MIN_ZOOM,
            "maxZoom": tiles.max_zoom,
        },
        "view": view,
        "pins": [
            {
                "at": pt,
                "name": p.name,
                "stage": p.stage.value,
                "symbol": p.stage.symbol,
                "rank": p.stage.rank,
                "inFlower": p.stage.in_season,
                "shorter": short_names(p.name),
                "soon": p.days_to_season,
                "title": f"{p.name}: {p.stage_label}",  # plain text: the marker's accessible name
                "popup": str(popup_html(p)),
            }
            for p, pt in zip(pins, points, strict=True)
        ],
        "layouts": _layouts(spots, tiles.max_zoom),
        "stations": [
            {"at": _point(*s.at, tiles), "name": _name(s.name, lang), **_other_name(s.name, lang)}
            for s in outline.stations
        ],
        "ways": [
            {
                "kind": w.kind,
                "name": _name(w.name, lang),
                "points": [_point(*pt, tiles) for pt in w.points],
                "closed": w.closed,
                "labelsAt": [_point(*pt, tiles) for pt in _labels_at(w)],
            }
            for w in outline.ways
        ],
    }


def _layouts(spots: list[Spot], max_zoom: int) -> dict[str, list[list[Any]]]:
    """At each zoom where markers share or move: [[pin indices], dx, dy] per marker. Other
    zooms give each pin its own marker where it is."""
    found = {}
    for zoom in range(MIN_ZOOM, max_zoom + 1):
        placed = layout(spots, zoom)
        if any(len(p.spots) > 1 or p.dx or p.dy for p in placed):
            found[str(zoom)] = [[list(p.spots), p.dx, p.dy] for p in placed]
    return found


def _name(name: dict[str, str], lang: str) -> str:
    return localized(name, lang)[0]


def _other_name(name: dict[str, str], lang: str) -> dict[str, str]:
    """A station's name in the other language of its signs: Chinese on foreign pages, English on
    Chinese ones, so that a visitor can match what the map says to what the station says."""
    code = "en" if lang == "zh" else "zh"
    other = name.get(code, "")
    return {"other": other, "otherLang": html_lang(code)} if other and other != _name(name, lang) else {}


def _labels_at(way: Way) -> list[Point]:
    """Where a way's name may go, best first (the map takes the first where it fits): just
    inside a loop's west, north, south and east; a line's middle, then a third and two thirds
    along."""
    if way.closed:
        pts = way.points
        middle = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        edges = [min(pts, key=lambda p: p[1]), max(pts), min(pts), max(pts, key=lambda p: p[1])]
        return [(p[0] + (middle[0] - p[0]) * 0.2, p[1] + (middle[1] - p[1]) * 0.2) for p in edges]
    return [_along(way.points, share) for share in (1 / 2, 1 / 3, 2 / 3)]


def _along(points: tuple[Point, ...], share: float) -> Point:
    """The point `share` of the way along a line (by its segments' lengths in degrees)."""
    steps = [math.dist(a, b) for a, b in itertools.pairwise(points)]
    goal = sum(steps) * share
    for (a, b), step in zip(itertools.pairwise(points), steps, strict=True):
        if goal <= step and step:
            t = goal / step
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        goal -= step
    return points[-1]


def _point(lat: float, lon: float, tiles: Tiles) -> list[float]:
    lat, lon = wgs84_to_gcj02(lat, lon) if tiles.gcj02 else (lat, lon)
    return [round(lat, 6), round(lon, 6)]
