"""Folium maps embedded in our own pages: Leaflet from our origin, no jQuery/Bootstrap/Font Awesome.

Pure: callers pass already-localized strings; everything that reaches the map is HTML-escaped
here and handed to Leaflet as JSON, so neither `</script>` nor `${…}` can break out.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from folium.template import Template
from markupsafe import Markup, escape

from guide.bloom import BloomStage
from guide.geo import wgs84_to_gcj02


@dataclass(frozen=True)
class Tiles:
    url: str
    attribution: str
    subdomains: str
    gcj02: bool  # the basemap is drawn in GCJ-02: shift our WGS-84 points onto it
    max_zoom: int = 18


TILES = {
    "osm": Tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                 '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>', "", False, 19),
    # Loads in mainland China. An unofficial endpoint of AutoNavi's, widely used for web maps.
    "amap": Tiles("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                  "&style=8&x={x}&y={y}&z={z}", "© AutoNavi / 高德地图", "1234", True),
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

    def __init__(self, method: str, html: Markup, **options):
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

    def __init__(self, layer):
        super().__init__()
        self._name = "OfflineNotice"
        self.layer = layer


def _number(element, counter=None) -> None:
    """Name the map's elements map_0, tile_layer_1 … instead of folium's random ids, so the
    same data renders the same page (and the same ETag)."""
    counter = counter if counter is not None else itertools.count()
    element._id = str(next(counter))
    for child in element._children.values():
        _number(child, counter)


def pin_html(pin: Pin) -> Markup:
    """The marker itself: the stage's shape inside a circle of the stage's colour."""
    return Markup('<span class="pin pin--{}" aria-hidden="true">{}</span>').format(
        pin.stage.value, pin.stage.symbol)


def popup_html(pin: Pin) -> Markup:
    return Markup('<strong>{}</strong><br>{} {}<br><span>{}</span><br><a href="{}">{}</a>').format(
        pin.name, pin.stage.symbol, pin.stage_label, pin.detail, pin.url, pin.link_text)


def build_map(pins: list[Pin], tiles: Tiles, zoom: int | None = None) -> MapParts:
    """A map of the pins: one pin centred at `zoom`, several fitted to their bounds."""
    points = [wgs84_to_gcj02(p.lat, p.lon) if tiles.gcj02 else (p.lat, p.lon) for p in pins]
    m = folium.Map(location=points[0], zoom_start=zoom or 13, tiles=None,
                   control_scale=True, max_zoom=tiles.max_zoom)
    # folium's own asset lists (Leaflet, jQuery, Bootstrap… from CDNs) are never used: our pages
    # load Leaflet from our origin, and only the map's element and script are taken from here.
    m.default_js, m.default_css = [], []
    layer = folium.TileLayer(tiles.url, attr=tiles.attribution, subdomains=tiles.subdomains or "abc",
                             max_zoom=tiles.max_zoom, name="tiles")
    layer.add_to(m)
    _OfflineNotice(layer).add_to(m)
    for pin, point in zip(pins, points):
        # The best bloom is drawn on top where pins overlap (the old town's are close together);
        # the title gives the marker button its accessible name (Leaflet sets it as text).
        marker = folium.Marker(
            point, icon=folium.DivIcon(html=str(pin_html(pin)), class_name="pin-anchor",
                                       icon_size=(36, 36), icon_anchor=(18, 18)),
            title=f"{pin.name} · {pin.stage_label}", z_index_offset=pin.stage.rank * 1000,
            rise_on_hover=True)
        _Bind("bindTooltip", escape(f"{pin.name} · {pin.stage_label}")).add_to(marker)
        _Bind("bindPopup", popup_html(pin)).add_to(marker)
        marker.add_to(m)
    if len(points) > 1 and zoom is None:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        m.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(24, 24))
    _number(m)
    root = m.get_root()
    root.render()
    return MapParts(m.get_name(), Markup(root.html.render()), Markup(root.script.render()))
