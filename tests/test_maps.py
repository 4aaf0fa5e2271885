import json

from guide.core.bloom import BloomStage
from guide.core.maps import TILES, Pin, build_map

EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}`"


def pin(name="Guyi Garden", lat=31.2916, lon=121.317, stage=BloomStage.PEAK):
    return Pin(lat, lon, name, stage, "Peak", "Lotus: estimate", "/en/places/guyi-garden", "Open")


def render(*pins, tiles="osm", **options):
    return build_map(list(pins), TILES[tiles], **options)


def test_map_names_no_host_but_the_tiles():
    text = json.dumps(render(pin(), pin("Qiuxia", 31.38876, 121.2486)))
    for banned in ("cdn", "jquery", "bootstrap", "font-awesome", "fontawesome", "unpkg"):
        assert banned not in text.lower()


def test_marker_shows_stage_by_symbol_and_class():
    (marker,) = render(pin(stage=BloomStage.FADING))["markers"]
    assert marker["stage"] == "fading" and marker["symbol"] == BloomStage.FADING.symbol


def test_data_reaches_popups_escaped_and_titles_as_plain_text():
    (marker,) = render(pin(EVIL))["markers"]
    assert "<img" not in marker["popup"] and "&lt;img src=x" in marker["popup"]
    assert marker["title"].startswith(EVIL)  # set with textContent by map.js, never as HTML


def test_amap_tiles_shift_points_to_gcj02():
    osm = render(pin(), pin("Qiuxia", 31.38876, 121.2486))
    amap = render(pin(), pin("Qiuxia", 31.38876, 121.2486), tiles="amap")
    assert osm["markers"][0]["at"] == [31.2916, 121.317]
    assert amap["markers"][0]["at"] != [31.2916, 121.317] and "autonavi" in amap["tiles"]["url"]
    lat, lon = amap["markers"][0]["at"]
    assert 0.001 < 31.2916 - lat < 0.003 and 0.003 < lon - 121.317 < 0.006  # ≈ 430 m south-east


def test_amap_labels_follow_the_page_language_and_english_serves_the_rest():
    amap = TILES["amap"]
    assert "lang=zh_cn&" in amap.url_in("zh") and "lang=en&" in amap.url_in("en") and "lang=en&" in amap.url_in("ja")
    assert "{lang}" not in render(pin(), tiles="amap", lang="zh")["tiles"]["url"]
    assert TILES["osm"].url_in("zh") == TILES["osm"].url


def test_one_place_is_centred_several_are_fitted():
    assert render(pin(), zoom=15)["view"] == {"center": [31.2916, 121.317], "zoom": 15}
    view = render(pin(), pin("Qiuxia", 31.38876, 121.2486))["view"]
    assert view == {"bounds": [[31.2916, 121.2486], [31.38876, 121.317]]}


def test_pins_that_would_overlap_share_one_marker_listing_each():
    old_town = [
        pin("Wisteria Park", 31.3782, 121.2525, BloomStage.NOT_YET),
        pin("Huilongtan", 31.3826, 121.2495, BloomStage.PEAK),
        pin(EVIL, 31.3772, 121.2470, BloomStage.FADING),
    ]
    far = pin("Guyi Garden", 31.2916, 121.317, BloomStage.BLOOMING)
    markers = render(*old_town, far, group_within_m=2500)["markers"]
    assert len(markers) == 2
    assert markers[0]["title"].startswith("Huilongtan: Peak · ")  # best bloom first, shown on the marker
    assert markers[0]["count"] == 3 and markers[0]["stage"] == "peak"
    assert len(render(*old_town, far)["markers"]) == 4


def test_the_same_data_renders_the_same_map():
    assert render(pin(), pin("Qiuxia", 31.38876, 121.2486)) == render(pin(), pin("Qiuxia", 31.38876, 121.2486))
