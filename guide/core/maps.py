"""What a map shows, as plain data for our own script (guide/static/map.js) to draw with Leaflet.

Pure: callers pass already-localized strings. Popups are HTML escaped here; every other text
is plain and reaches the page as text (the script sets it with textContent), so data can never
run as code. Points are WGS-84 in, and in the basemap's datum out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from guide.core.bloom import BloomStage
from guide.core.geo import wgs84_to_gcj02


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


def distance_m(a: Pin, b: Pin) -> float:
    """Metres between two pins (equirectangular: plenty for a district)."""
    x = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return 6371000 * math.hypot(x, y)


def group_pins(pins: list[Pin], within_m: float) -> list[list[Pin]]:
    """Pins closer than `within_m` to any pin of a group join it, so that no two markers overlap
    where a phone shows the whole district (their tap targets would collide)."""
    groups: list[list[Pin]] = []
    for pin in pins:
        near = [g for g in groups if any(distance_m(pin, other) < within_m for other in g)]
        merged = [pin] + [p for g in near for p in g]
        groups = [g for g in groups if g not in near] + [merged]
    # Best bloom first inside each group; groups in the order of their first pin.
    order = {id(p): i for i, p in enumerate(pins)}
    return sorted(
        (sorted(g, key=lambda p: (-p.stage.rank, order[id(p)])) for g in groups),
        key=lambda g: min(order[id(p)] for p in g),
    )


def popup_html(group: list[Pin]) -> Markup:
    items = [
        Markup('<strong>{}</strong><br>{} {}<br><span>{}</span><br><a href="{}">{}</a>').format(
            pin.name, pin.stage.symbol, pin.stage_label, pin.detail, pin.url, pin.link_text
        )
        for pin in group
    ]
    if len(items) == 1:
        return items[0]
    return (
        Markup('<ul class="popup-list">')
        + Markup("").join(Markup("<li>{}</li>").format(item) for item in items)
        + Markup("</ul>")
    )


def _point(lat: float, lon: float, tiles: Tiles) -> list[float]:
    lat, lon = wgs84_to_gcj02(lat, lon) if tiles.gcj02 else (lat, lon)
    return [round(lat, 6), round(lon, 6)]


def build_map(
    pins: list[Pin], tiles: Tiles, lang: str = "en", zoom: int | None = None, group_within_m: float = 0
) -> dict[str, Any]:
    """What the map of these pins shows, in the page's language: one pin centred at `zoom`,
    several fitted to their bounds; pins nearer than `group_within_m` share one marker."""
    groups = group_pins(pins, group_within_m) if group_within_m else [[p] for p in pins]
    every_point = [_point(p.lat, p.lon, tiles) for p in pins]
    if len(pins) > 1 and zoom is None:
        lats, lons = [p[0] for p in every_point], [p[1] for p in every_point]
        view: dict[str, Any] = {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]]}
    else:
        view = {"center": every_point[0], "zoom": zoom or 13}
    return {
        "tiles": {
            "url": tiles.url_in(lang),
            "attribution": tiles.attribution,
            "subdomains": tiles.subdomains or "abc",
            "maxZoom": tiles.max_zoom,
        },
        "view": view,
        "markers": [
            {
                "at": _point(group[0].lat, group[0].lon, tiles),
                "stage": group[0].stage.value,
                "symbol": group[0].stage.symbol,
                "count": len(group),
                "rank": group[0].stage.rank,
                # The marker button's accessible name and its tooltip: plain text.
                "title": " · ".join(f"{pin.name}: {pin.stage_label}" for pin in group),
                "popup": str(popup_html(group)),
            }
            for group in groups
        ],
    }
