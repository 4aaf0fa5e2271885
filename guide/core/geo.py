"""Coordinates for Chinese basemaps, and links that open a place in a maps app.

We store WGS-84 (the datum of GPS and OpenStreetMap). AMap and Tencent draw in GCJ-02, the
obfuscated datum required in mainland China; the conversion below is the published formula.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid
_EE = 0.00669342162296594323  # its eccentricity squared


def in_mainland_china(lat: float, lon: float) -> bool:
    """A rough box: GCJ-02 shifts only points inside it."""
    return 0.8293 <= lat <= 55.8271 and 72.004 <= lon <= 137.8347


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Convert a WGS-84 point to GCJ-02; points outside mainland China are returned unchanged."""
    if not in_mainland_china(lat, lon):
        return lat, lon
    d_lat = _shift_lat(lon - 105.0, lat - 35.0)
    d_lon = _shift_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lon + d_lon


def navigation_links(lat: float, lon: float, name: str, address: str, estimated: bool = False) -> dict[str, str]:
    """Links that open the place in Amap, Baidu Maps, Apple Maps and Google Maps, each carrying
    its name. Where the position is only an estimate, the map apps search by name and address
    instead of dropping a pin on a guess.

    Amap and Baidu are told the coordinates are WGS-84 and convert them themselves.
    """
    search = f"{name} {address}".strip()
    if estimated:
        return {
            "amap": "https://uri.amap.com/search?" + urlencode({"keyword": search, "city": "上海"}),
            "baidu": "https://api.map.baidu.com/place/search?"
            + urlencode({"query": search, "region": "上海", "output": "html", "src": BAIDU_SOURCE}),
            "apple": "https://maps.apple.com/?" + urlencode({"q": search}),
            "google": "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": search}),
        }
    return {
        "amap": "https://uri.amap.com/marker?"
        + urlencode({"position": f"{lon},{lat}", "name": name, "coordinate": "wgs84"}),
        "baidu": "https://api.map.baidu.com/marker?"
        + urlencode(
            {
                "location": f"{lat},{lon}",
                "title": name,
                "content": address,
                "output": "html",
                "coord_type": "wgs84",
                "src": BAIDU_SOURCE,
            }
        ),
        "apple": "https://maps.apple.com/?" + urlencode({"ll": f"{lat},{lon}", "q": name}),
        # Google Maps' links take a search or a point, not both: the search carries the name.
        "google": "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": search}),
    }


BAIDU_SOURCE = "webapp.jiading-bloom-guide"
