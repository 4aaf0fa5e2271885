import re

from guide.core.bloom import BloomStage
from guide.core.maps import TILES, Pin, build_map

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


def test_amap_labels_follow_the_page_language_and_english_serves_the_rest():
    amap = TILES["amap"]
    assert "lang=zh_cn&" in amap.url_in("zh") and "lang=en&" in amap.url_in("en") and "lang=en&" in amap.url_in("ja")
    assert "{lang}" not in str(build_map([pin()], amap, "zh").script)
    assert TILES["osm"].url_in("zh") == TILES["osm"].url


def test_pins_that_would_overlap_share_one_marker_listing_each():
    old_town = [
        pin("Wisteria Park", 31.3782, 121.2525, BloomStage.NOT_YET),
        pin("Huilongtan", 31.3826, 121.2495, BloomStage.PEAK),
        pin(EVIL, 31.3772, 121.2470, BloomStage.FADING),
    ]
    far = pin("Guyi Garden", 31.2916, 121.317, BloomStage.BLOOMING)
    parts = build_map([*old_town, far], TILES["osm"], group_within_m=2500)
    script = str(parts.script)
    assert script.count("L.marker(") == 2
    assert '"title": "Huilongtan: Peak \\u00b7 ' in script  # best bloom first, shown on the marker
    assert "pin__count" in script and "\\u003e3\\u003c/span" in script
    assert "</script" not in script.lower() and "<img" not in script
    alone = str(build_map([*old_town, far], TILES["osm"]).script)
    assert alone.count("L.marker(") == 4


def test_the_same_data_renders_the_same_map():
    assert render(pin(), pin("Qiuxia", 31.38876, 121.2486)) == render(pin(), pin("Qiuxia", 31.38876, 121.2486))
