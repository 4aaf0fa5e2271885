"""Where markers go at each zoom (guide/core/markers.py): nothing in flower is hidden in a group
of what is not, and no two tap targets overlap."""

import itertools
import math

import pytest

from guide.core.markers import MARKER_PX, Spot, layout, pixel

OLD_TOWN = [  # the seven gardens in and around Jiading's old town, about 2 km across
    (31.3782, 121.2525),
    (31.3772, 121.2470),
    (31.3950, 121.2505),
    (31.3905, 121.2585),
    (31.38876, 121.2486),
    (31.3826, 121.2495),
    (31.398, 121.242),
]


def centres(spots, placed, zoom):
    out = []
    for p in placed:
        xs, ys = zip(*(pixel(spots[i].lat, spots[i].lon, zoom) for i in p.spots), strict=True)
        out.append((sum(xs) / len(xs) + p.dx, sum(ys) / len(ys) + p.dy))
    return out


def test_pixels_are_leaflets():
    """Leaflet's EPSG:3857: 256 px tiles, y = (½ − ln tan(π/4 + φ/2) / 2π) · 256 · 2^zoom."""
    assert pixel(0, 0, 0) == pytest.approx((128, 128))
    assert pixel(85.0511287798, 180, 0) == pytest.approx((256, 0), abs=1e-3)
    y = (0.5 - math.log(math.tan(math.pi / 4 + math.radians(31.3782) / 2)) / (2 * math.pi)) * 256 * 2**11
    assert pixel(31.3782, 121.2525, 11) == pytest.approx((301.2525 / 360 * 256 * 2**11, y))


@pytest.mark.parametrize("in_flower", [set(), {0}, {0, 1, 2, 3}, set(range(7))])
@pytest.mark.parametrize("zoom", [9, 10, 11, 12, 13])
def test_in_flower_alone_the_rest_grouped_and_no_two_markers_overlap(in_flower, zoom):
    spots = [Spot(lat, lon, i in in_flower, 5 if i in in_flower else 0) for i, (lat, lon) in enumerate(OLD_TOWN)]
    placed = layout(spots, zoom)
    assert sorted(i for p in placed for i in p.spots) == list(range(len(spots)))
    for p in placed:
        assert len(p.spots) == 1 or not any(spots[i].in_flower for i in p.spots)
    for a, b in itertools.combinations(centres(spots, placed, zoom), 2):
        assert math.dist(a, b) >= MARKER_PX


def test_far_apart_nothing_moves_or_groups():
    spots = [Spot(lat, lon, False, 0) for lat, lon in OLD_TOWN]
    assert all(len(p.spots) == 1 and (p.dx, p.dy) == (0, 0) for p in layout(spots, 16))


def test_a_place_in_flower_stays_put_and_the_others_make_way():
    spots = [Spot(31.3782, 121.2525, True, 6), Spot(31.3783, 121.2526, False, 0), Spot(31.3781, 121.2524, False, 0)]
    placed = layout(spots, 12)
    assert placed[0].spots == (0,) and (placed[0].dx, placed[0].dy) == (0, 0)
    assert placed[1].spots == (1, 2) and math.hypot(placed[1].dx, placed[1].dy) >= MARKER_PX


def test_a_group_lists_its_best_bloom_first():
    spots = [Spot(31.3782, 121.2525, False, 0), Spot(31.3783, 121.2526, False, 2)]
    assert layout(spots, 11)[0].spots == (1, 0)


@pytest.mark.parametrize("day", [f"2026-{month:02d}-15" for month in range(1, 13)] + ["2026-04-05", "2026-11-05"])
def test_on_the_home_map_every_place_in_flower_has_a_marker_of_its_own_all_year(client, freeze, day):
    freeze(f"{day} 09:00")
    spec = client.get("/en/map.json").get_json()
    pins = spec["pins"]
    for zoom in range(spec["tiles"]["minZoom"], spec["tiles"]["maxZoom"] + 1):
        markers = spec["layouts"].get(str(zoom), [[[i], 0, 0] for i in range(len(pins))])
        for indices, _dx, _dy in markers:
            assert len(indices) == 1 or not any(pins[i]["inFlower"] for i in indices), (day, zoom, indices)
        spots = [Spot(p["at"][0], p["at"][1], p["inFlower"], p["rank"]) for p in pins]
        placed = [type("P", (), {"spots": m[0], "dx": m[1], "dy": m[2]}) for m in markers]
        for a, b in itertools.combinations(centres(spots, placed, zoom), 2):
            assert math.dist(a, b) >= MARKER_PX, (day, zoom)
