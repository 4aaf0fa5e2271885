"""Facts a visitor can rely on: one place under one slug for good, sourced and dated facts."""

import re

import pytest

from tests.conftest import PLACES_YAML

# A slug retired into another place: its printed links must lead there for good. The real file
# retires none since the corridor became its own place again (issue 20), so the tests retire one.
OLD, NEW = "wisteria-gallery-juyuan", "ziyun-corridor"
RETIRING = PLACES_YAML.read_text(encoding="utf-8").replace(
    "  - slug: ziyun-corridor\n", f"  - slug: ziyun-corridor\n    retired_slugs: [{OLD}]\n", 1
)


@pytest.fixture
def retiring(app, tmp_path):
    from tests.conftest import load_file

    load_file(app, write(tmp_path, RETIRING))
    return app.test_client()


@pytest.mark.parametrize(
    "old, new",
    [
        (f"/zh/places/{OLD}", f"/zh/places/{NEW}"),
        (f"/en/places/{OLD}", f"/en/places/{NEW}"),
        (f"/places/{OLD}", f"/places/{NEW}"),
        (f"/en/places/{OLD}/card", f"/en/places/{NEW}/card"),
        (f"/zh/places/{OLD}/history", f"/zh/places/{NEW}/history"),
        (f"/en/places/{OLD}/feed.atom", f"/en/places/{NEW}/feed.atom"),
        (f"/en/places/{OLD}/bloom.ics", f"/en/places/{NEW}/bloom.ics"),
        (f"/en/places/{OLD}/map.json", f"/en/places/{NEW}/map.json"),
        (f"/api/v1/places/{OLD}", f"/api/v1/places/{NEW}"),
        (f"/embed/zh/places/{OLD}", f"/embed/zh/places/{NEW}"),
        (f"/en/places/{OLD}?utm=card", f"/en/places/{NEW}?utm=card"),
        (f"/zh/places/{OLD}/taxi", f"/zh/places/{NEW}/taxi"),
        (f"/places/{OLD}/share.png", f"/places/{NEW}/share.png"),
    ],
)
def test_every_url_of_the_retired_slug_redirects_for_good(retiring, old, new):
    response = retiring.get(old)
    assert response.status_code == 301 and response.headers["Location"] == new
    assert retiring.get(new).status_code in (200, 302)


def test_the_corridor_and_the_park_are_two_places_each_known_by_its_own_names(client):
    """The December review: the 535 m corridor on the moat and the 2019 Ziyun Corridor park are
    two places (this pins the data on purpose)."""
    corridor = client.get("/en/places/huancheng-river-wisteria-corridor")
    park = client.get("/en/places/ziyun-corridor").get_data(as_text=True)
    assert corridor.status_code == 200 and "Location" not in corridor.headers
    assert "535" in corridor.get_data(as_text=True) and "149" in park
    assert "Juyuan Garden" not in park and "Local news knows it as" not in park


def write(tmp_path, text):
    path = tmp_path / "places.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_loader_refuses_a_slug_that_collides_with_a_retired_one(guide_app, tmp_path):
    text = RETIRING.replace("  - slug: xincheng-park\n", f"  - slug: {OLD}\n")
    result = guide_app.test_cli_runner().invoke(args=["places", "load", str(write(tmp_path, text))])
    assert result.exit_code == 1 and f"'{OLD}' is a retired slug of places[2]" in result.output


@pytest.mark.parametrize(
    "lang, flag", [("en", "(from a 2019 source: it may have changed)"), ("zh", "（资料来自2019年，可能已有变化）")]
)
def test_an_old_figure_is_flagged_on_the_page_and_never_on_the_guests_card(client, lang, flag):
    page = client.get(f"/{lang}/places/huilongtan-park").get_data(as_text=True)
    hours = page.split('id="visit-heading"')[1]
    assert flag in hours and ("2026" in page.split('class="muted checked"')[1][:200])
    card = client.get(f"/{lang}/places/huilongtan-park/card").get_data(as_text=True)
    assert "8:00–17:00" in card and "2019" not in card and "may have changed" not in card


def test_every_chinese_address_names_a_road_or_says_to_navigate_by_name():
    """A driver needs a road and number, or a junction or landmark on a named road."""
    import yaml

    road = re.compile(r"(路|公路|街|大道)(\d+号|与|口|（|交叉)|[路街].*(附近|南侧|北侧)|老街\S{2,}（|按“.+”导航")
    for place in yaml.safe_load(PLACES_YAML.read_text(encoding="utf-8"))["places"]:
        assert road.search(place["address"]["zh"]), place["slug"]


def test_an_estimated_position_opens_map_apps_by_name(client):
    html = client.get("/en/places/guyi-garden").get_data(as_text=True)
    amap = re.search(r'href="(https://uri\.amap\.com/[^"]+)"', html).group(1)
    assert amap.startswith("https://uri.amap.com/search?keyword=") and "position=" not in amap


@pytest.mark.parametrize(
    "lang, hours, never",
    [("en", "May–September: 6:00–17:00; October–April: 6:30–17:00", "16:30"), ("zh", "5月至9月：6:00–17:00", "16:30")],
)
def test_pinned_data_qiuxia_hours_are_the_official_sites(client, lang, hours, never):
    """Pins the data on purpose (content review, H): 8:00–16:30 and 'closes early' were a 2013 figure."""
    for page in (f"/{lang}/places/qiuxia-garden", f"/{lang}/places/qiuxia-garden/card"):
        html = client.get(page).get_data(as_text=True)
        assert hours in html and never not in html, page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pinned_data_the_ancient_ginkgo_is_not_sent_to_anting_station(client, lang):
    """Pins the data on purpose (content review, H): the tree is by the G15 toll gate, 8 km from
    Anting station; the nearest metro station is Shanghai Circuit, and Anting Old Street is far."""
    html = client.get(f"/{lang}/places/anting-ancient-ginkgo").get_data(as_text=True)
    assert ("Shanghai Circuit" if lang == "en" else "上海赛车场站") in html
    assert ("Anting Old Street" if lang == "en" else "安亭老街") not in html
