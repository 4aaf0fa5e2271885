import re

from guide.bloom import BloomStage
from guide.maps import TILES, Pin, build_map

EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}`"


def pin(name="Guyi Garden", lat=31.2916, lon=121.317, stage=BloomStage.PEAK):
    return Pin(lat, lon, name, stage, "Peak", "Lotus: estimate", "/en/places/guyi-garden", "Open")


def render(*pins, tiles="osm"):
    return build_map(list(pins), TILES[tiles])


def test_map_uses_no_cdn_and_no_jquery_bootstrap_or_font_awesome():
    parts = render(pin(), pin("Qiuxia", 31.38876, 121.2486))
    text = str(parts.html) + str(parts.script)
    for banned in ("cdn", "jquery", "bootstrap", "font-awesome", "fontawesome", "$("):
        assert banned not in text.lower()
    assert parts.element_id in parts.html


def test_marker_shows_stage_by_symbol_and_class():
    script = str(render(pin(stage=BloomStage.FADING)).script)
    assert "pin--fading" in script
    assert BloomStage.FADING.symbol in script or "\\u25d2" in script.lower()


def test_data_in_popups_and_tooltips_cannot_break_out():
    script = str(render(pin(EVIL)).script)
    assert "</script" not in script.lower()
    assert "<img" not in script
    # Text reaches Leaflet only inside JSON string literals, never a template literal.
    assert "`" not in re.sub(r'"(?:[^"\\]|\\.)*"', '""', script)
    assert "&lt;img" in script.replace("\\u003c", "<").replace("\\u0026", "&")


def test_amap_tiles_shift_points_to_gcj02():
    osm = str(render(pin(), pin("Qiuxia", 31.38876, 121.2486)).script)
    amap = str(render(pin(), pin("Qiuxia", 31.38876, 121.2486), tiles="amap").script)
    assert "[31.2916, 121.317]" in osm
    assert "[31.2916, 121.317]" not in amap and "autonavi" in amap
