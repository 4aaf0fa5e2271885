"""Folium maps embedded in our own pages: Leaflet from our origin, no jQuery/Bootstrap/Font Awesome.

Pure: callers pass already-localized strings; everything that reaches the map is HTML-escaped
here and handed to Leaflet as JSON, so neither `</script>` nor `${…}` can break out.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.template import Template
from markupsafe import Markup, escape

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

    def url_in(self, lang: str) -> str:
        """The tile URL with labels in the page's language where the service has it."""
        return self.url.replace("{lang}", self.labels.get(lang, self.labels.get("en", "")))

    @property
    def origin(self) -> str:
        """The tile hosts as a CSP source: https://webrd0{s}.is.autonavi.com → https://*.is.autonavi.com."""
        host = self.url.split("/")[2]
        return "https://" + ("*." + host.split(".", 1)[1] if "{s}" in host else host)


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


@dataclass(frozen=True)
class MapParts:
    element_id: str
    html: Markup
    script: Markup


class _Bind(MacroElement):
    """Bind a popup or tooltip to its parent marker, passing the (escaped) HTML as JSON."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.{{ this.method }}({{ this.html|tojson }}, {{ this.options|tojson }});
        {% endmacro %}""")

    def __init__(self, method: str, html: Markup, **options: Any) -> None:
        super().__init__()
        self._name = "Bind"
        self.method, self.html, self.options = method, str(html), options


class _OfflineNotice(MacroElement):
    """Show the page's "map tiles could not load" note while no tile has loaded."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (layer, map) {
            var note = document.querySelector('[data-map-offline="' + map.getContainer().id + '"]');
            if (!note) return;
            var loaded = false;
            layer.on("tileload", function () { loaded = true; note.hidden = true; });
            layer.on("tileerror", function () { if (!loaded) note.hidden = false; });
        })({{ this.layer.get_name() }}, {{ this._parent.get_name() }});
        {% endmacro %}""")

    def __init__(self, layer: folium.TileLayer) -> None:
        super().__init__()
        self._name = "OfflineNotice"
        self.layer = layer


def _point(pin: Pin, tiles: Tiles) -> tuple[float, float]:
    return wgs84_to_gcj02(pin.lat, pin.lon) if tiles.gcj02 else (pin.lat, pin.lon)


def _number(element: Element, counter: Iterator[int] | None = None) -> None:
    """Name the map's elements map_0, tile_layer_1 … instead of folium's random ids, so the
    same data renders the same page (and the same ETag)."""
    counter = counter if counter is not None else itertools.count()
    element._id = str(next(counter))
    for child in element._children.values():
        _number(child, counter)


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


def pin_html(group: list[Pin]) -> Markup:
    """The marker: the best stage's shape inside a circle of its colour, with a count for a group."""
    best = group[0]
    count = Markup('<span class="pin__count">{}</span>').format(len(group)) if len(group) > 1 else ""
    return Markup('<span class="pin pin--{}" aria-hidden="true">{}{}</span>').format(
        best.stage.value, best.stage.symbol, count
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


def build_map(
    pins: list[Pin], tiles: Tiles, lang: str = "en", zoom: int | None = None, group_within_m: float = 0
) -> MapParts:
    """A map of the pins in the page's language: one pin centred at `zoom`, several fitted to
    their bounds; pins nearer than `group_within_m` share one marker."""
    groups = group_pins(pins, group_within_m) if group_within_m else [[p] for p in pins]
    points = [_point(g[0], tiles) for g in groups]
    every_point = [_point(p, tiles) for p in pins]
    m = folium.Map(location=points[0], zoom_start=zoom or 13, tiles=None, control_scale=True, max_zoom=tiles.max_zoom)
    # folium's own asset lists (Leaflet, jQuery, Bootstrap… from CDNs) are never used: our pages
    # load Leaflet from our origin, and only the map's element and script are taken from here.
    m.default_js, m.default_css = [], []
    layer = folium.TileLayer(
        tiles.url_in(lang),
        attr=tiles.attribution,
        subdomains=tiles.subdomains or "abc",
        max_zoom=tiles.max_zoom,
        name="tiles",
    )
    layer.add_to(m)
    _OfflineNotice(layer).add_to(m)
    for group, point in zip(groups, points, strict=True):
        # The title gives the marker button its accessible name (Leaflet sets it as text).
        label = " · ".join(f"{pin.name}: {pin.stage_label}" for pin in group)
        marker = folium.Marker(
            point,
            icon=folium.DivIcon(
                html=str(pin_html(group)), class_name="pin-anchor", icon_size=(44, 44), icon_anchor=(22, 22)
            ),
            title=label,
            z_index_offset=group[0].stage.rank * 1000,
            rise_on_hover=True,
        )
        _Bind("bindTooltip", escape(label)).add_to(marker)
        # A group's list scrolls inside a popup that fits the map on a phone (20rem tall).
        _Bind("bindPopup", popup_html(group), maxHeight=190, autoPanPadding=[12, 12]).add_to(marker)
        marker.add_to(m)
    if len(every_point) > 1 and zoom is None:
        lats, lons = [p[0] for p in every_point], [p[1] for p in every_point]
        m.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(24, 24))
    _number(m)
    root: Any = m.get_root()  # a Figure, with html and script parts
    root.render()
    return MapParts(m.get_name(), Markup(root.html.render()), Markup(root.script.render()))
