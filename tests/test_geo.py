from urllib.parse import parse_qs, urlsplit

import pytest

from guide.core.geo import navigation_links, wgs84_to_gcj02


@pytest.mark.parametrize(
    "wgs, gcj",
    [
        ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
        ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
        ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ],
)
def test_gcj02_matches_published_reference_points(wgs, gcj):
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-7)


def test_points_outside_china_are_not_shifted():
    assert wgs84_to_gcj02(51.5007, -0.1246) == (51.5007, -0.1246)


def test_jiading_shift_is_a_few_hundred_metres_south_east():
    # As in the published Shanghai pair: GCJ-02 lies about 0.002° south and 0.0045° east.
    lat, lon = wgs84_to_gcj02(31.3782, 121.2525)
    assert -0.0025 < lat - 31.3782 < -0.0015 and 0.0040 < lon - 121.2525 < 0.0050


def test_navigation_links_carry_the_place():
    links = navigation_links(31.2916, 121.317, "古猗园 & co", "沪宜公路218号")
    amap = parse_qs(urlsplit(links["amap"]).query)
    assert amap == {"position": ["121.317,31.2916"], "name": ["古猗园 & co"], "coordinate": ["wgs84"]}
    baidu = parse_qs(urlsplit(links["baidu"]).query)
    assert baidu["location"] == ["31.2916,121.317"] and baidu["coord_type"] == ["wgs84"] and baidu["src"]
    assert "ll=31.2916%2C121.317" in links["apple"]
    assert parse_qs(urlsplit(links["google"]).query)["query"] == ["古猗园 & co 沪宜公路218号"]


def test_an_estimated_position_is_searched_by_name_and_address_not_pinned():
    links = navigation_links(31.30, 121.16, "嘉定古树公园", "泰海路230号", estimated=True)
    assert parse_qs(urlsplit(links["amap"]).query)["keyword"] == ["嘉定古树公园 泰海路230号"]
    assert urlsplit(links["amap"]).path == "/search"
    assert parse_qs(urlsplit(links["baidu"]).query)["query"] == ["嘉定古树公园 泰海路230号"]
    for link in links.values():
        assert "31.3" not in link and "121.16" not in link  # no pin on the guess
        assert "%E5%98%89%E5%AE%9A%E5%8F%A4%E6%A0%91%E5%85%AC%E5%9B%AD" in link  # the name, URL-encoded
