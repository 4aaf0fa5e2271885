import json

import pytest

from guide.core.bloom import BloomStage
from guide.core.maps import TILES, Pin, build_map, short_names
from guide.core.outline import Outline, Station, Way

EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}`"
OUTLINE = Outline(
    stations=(
        Station("jiading-west", {"en": "Jiading West", "zh": "嘉定西"}, (31.3792, 121.2235)),
        Station("nanxiang", {"en": "Nanxiang", "zh": "南翔"}, (31.2988, 121.3188)),
    ),
    ways=(
        Way("line", "metro", {"en": "Metro Line 11", "zh": "地铁11号线"}, ((31.3792, 121.2235), (31.2988, 121.3188))),
        Way("moat", "river", {"en": "Moat", "zh": "环城河"}, ((31.39, 121.24), (31.38, 121.25), (31.38, 121.24)), True),
    ),
)


def pin(name="Guyi Garden", lat=31.2916, lon=121.317, stage=BloomStage.PEAK, near=""):
    return Pin(lat, lon, name, stage, "Peak", "Lotus: estimate", "/en/places/guyi-garden", "Open", near)


def render(*pins, tiles="osm", **options):
    return build_map(list(pins), TILES[tiles], **options)


def test_map_names_no_host_but_the_tiles():
    text = json.dumps(render(pin(), pin("Qiuxia", 31.38876, 121.2486), outline=OUTLINE))
    for banned in ("cdn", "jquery", "bootstrap", "font-awesome", "fontawesome", "unpkg"):
        assert banned not in text.lower()


def test_marker_shows_stage_by_symbol_and_class():
    (shown,) = render(pin(stage=BloomStage.FADING))["pins"]
    assert shown["stage"] == "fading" and shown["symbol"] == BloomStage.FADING.symbol and shown["inFlower"]


def test_data_reaches_popups_escaped_and_names_as_plain_text():
    (shown,) = render(pin(EVIL, near=EVIL))["pins"]
    assert "<img" not in shown["popup"] and shown["popup"].count("&lt;img src=x") == 2
    assert shown["name"] == EVIL  # set with textContent by map.js, never as HTML


def test_the_popup_says_which_station_is_nearest():
    (shown,) = render(pin(near="Nearest metro: Nanxiang (Line 11), 800 m in a straight line"))["pins"]
    assert "<span>Nearest metro: Nanxiang (Line 11), 800 m in a straight line</span>" in shown["popup"]


def test_amap_tiles_shift_every_point_to_gcj02():
    osm = render(pin(), pin("Qiuxia", 31.38876, 121.2486), outline=OUTLINE)
    amap = render(pin(), pin("Qiuxia", 31.38876, 121.2486), tiles="amap", outline=OUTLINE)
    assert osm["pins"][0]["at"] == [31.2916, 121.317] and osm["stations"][0]["at"] == [31.3792, 121.2235]
    assert "autonavi" in amap["tiles"]["url"]
    for wgs, gcj in (
        (osm["pins"][0]["at"], amap["pins"][0]["at"]),
        (osm["stations"][1]["at"], amap["stations"][1]["at"]),
    ):
        assert 0.001 < wgs[0] - gcj[0] < 0.003 and 0.003 < gcj[1] - wgs[1] < 0.006  # ≈ 430 m south-east
    assert amap["ways"][1]["points"][0] != osm["ways"][1]["points"][0]


def test_amap_labels_follow_the_page_language_and_english_serves_the_rest():
    amap = TILES["amap"]
    assert "lang=zh_cn&" in amap.url_in("zh") and "lang=en&" in amap.url_in("en") and "lang=en&" in amap.url_in("ja")
    assert "{lang}" not in render(pin(), tiles="amap", lang="zh")["tiles"]["url"]
    assert TILES["osm"].url_in("zh") == TILES["osm"].url


def test_stations_carry_both_names_so_that_signs_can_be_matched():
    en = render(pin(), outline=OUTLINE, lang="en")["stations"][0]
    zh = render(pin(), outline=OUTLINE, lang="zh")["stations"][0]
    assert (en["name"], en["other"], en["otherLang"]) == ("Jiading West", "嘉定西", "zh-Hans")
    assert (zh["name"], zh["other"], zh["otherLang"]) == ("嘉定西", "Jiading West", "en")
    ways = render(pin(), outline=OUTLINE, lang="zh")["ways"]
    assert [w["name"] for w in ways] == ["地铁11号线", "环城河"] and ways[1]["closed"]
    assert ways[1]["labelsAt"][0] == [31.388667, 121.240667]  # just inside the west of a loop first
    assert ways[0]["labelsAt"][0] == [31.339, 121.27115]  # the middle of a line


def test_several_places_are_fitted_one_is_shown_with_its_nearest_station():
    view = render(pin(), pin("Qiuxia", 31.38876, 121.2486))["view"]
    assert view == {"bounds": [[31.2916, 121.2486], [31.38876, 121.317]]}
    assert render(pin(), zoom=15)["view"] == {"center": [31.2916, 121.317], "zoom": 15}
    near = render(pin(), zoom=15, outline=OUTLINE)["view"]
    assert near == {"bounds": [[31.2916, 121.317], [31.2988, 121.3188]], "maxZoom": 15}
    far = render(pin("Somewhere", 31.45, 121.40), zoom=15, outline=OUTLINE)["view"]
    assert far == {"center": [31.45, 121.4], "zoom": 15}  # no station within 6 km


def test_markers_are_laid_out_only_where_they_would_overlap():
    old_town = [
        pin("Wisteria Park", 31.3782, 121.2525, BloomStage.NOT_YET),
        pin("Huilongtan", 31.3826, 121.2495, BloomStage.NOT_YET),
        pin("Nanshuiguan", 31.3772, 121.2470, BloomStage.PEAK),
    ]
    layouts = render(*old_town, pin())["layouts"]
    assert "11" in layouts and "18" not in layouts  # close up, each pin stands where it is
    markers = layouts["11"]
    assert [2] in [m[0] for m in markers] and [0, 1] in [m[0] for m in markers]


def test_the_same_data_renders_the_same_map():
    first = render(pin(), pin("Qiuxia", 31.38876, 121.2486), outline=OUTLINE)
    assert first == render(pin(), pin("Qiuxia", 31.38876, 121.2486), outline=OUTLINE)


@pytest.mark.parametrize(
    "name, forms",
    [
        ("Waigang Wintersweet Garden", ["Waigang"]),
        ("Jiading Ancient Tree Park (1,200-year-old ginkgo)", ["Ancient Tree Park", "Ancient Tree"]),
        ("Jiading Wisteria Park", ["Wisteria Park", "Wisteria"]),
        ("Century-old wisteria at Jiading Villa, Zhouqiao Old Street", []),  # a phrase: whole or nothing
        ("嘉定古树公园（千年银杏）", ["嘉定古树公园"]),
        ("古猗园", []),
    ],
)
def test_a_crowded_map_has_shorter_forms_of_a_name_that_are_still_names(name, forms):
    assert short_names(name) == forms
