"""The home page at a glance: the best now as a hero, one card per kind coming next, the gardens
with their season, and a filter by kind kept in the address."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import PLACES_YAML

ZHOUQIAO = "Century-old wisteria, Zhouqiao Old Street"


def hero(html: str) -> str:
    return html.split('<section class="hero"')[1].split("</section>")[0]


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_a_fresh_report_ranks_above_an_estimate_of_the_same_stage(client, freeze, report):
    freeze("2026-04-15 09:00")  # several wisteria at their peak by the usual dates
    assert "Guyi Garden" not in hero(client.get("/en/").get_data(as_text=True))
    report("guyi-garden", "wisteria", "peak", hours_ago=2, percent_open=80)
    html = client.get("/en/").get_data(as_text=True)
    assert "Guyi Garden" in hero(html) and "checked" in hero(html)
    assert "Best right now" in hero(html) and '<use href="#pic-wisteria">' in hero(html)


@pytest.mark.parametrize("day", ["2026-01-10", "2026-03-01", "2026-06-01", "2026-09-01", "2026-11-29"])
def test_coming_next_has_one_card_per_kind(client, freeze, day):
    freeze(f"{day} 09:00")
    html = client.get("/zh/").get_data(as_text=True)
    kinds = re.findall(r'<use href="#pic-([a-z-]+)">', section(html, "next-heading"))
    assert kinds and len(kinds) == len(set(kinds))


def test_every_garden_has_a_tile_with_its_kinds_and_its_season(client, freeze):
    freeze("2026-11-29 09:00")
    html = client.get("/en/").get_data(as_text=True)
    tiles = re.findall(r'<li class="garden".*?</li>', section(html, "places-heading"), re.S)
    assert len(tiles) == len(re.findall(r"^  - slug: ", PLACES_YAML.read_text(encoding="utf-8"), re.M))
    guyi = next(tile for tile in tiles if ">Guyi Garden</a>" in tile)
    assert re.findall(r'#pic-([a-z-]+)"', guyi) == ["wintersweet", "plum", "peony"]  # three kinds at most
    assert "Peak colour" in guyi and "Old ginkgo" in guyi  # in season: its autumn leaves
    xincheng = next(tile for tile in tiles if ">Xincheng Park</a>" in tile)
    assert "Wintersweet: first flowers usually Dec 12" in " ".join(xincheng.split())  # out of season: what comes next
    huilongtan = next(tile for tile in tiles if ">Huilongtan Park</a>" in tile)
    assert "stage--" in huilongtan and "Chrysanthemum" in huilongtan  # in season: its stage now


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_home_page_shows_one_kind_and_keeps_it_in_the_link(client, freeze, lang):
    freeze("2026-04-15 09:00")
    html = client.get(f"/{lang}/?kind=wisteria").get_data(as_text=True)
    main = html.split("<main")[1].split("</main>")[0]
    # Every card and tile is wisteria (the choices of kind, above and in the map's key, aside).
    shown = re.sub(r'<nav class="kinds".*?</nav>|<ul class="legend legend-kinds">.*?</ul>', "", main, flags=re.S)
    assert set(re.findall(r'<use href="#pic-([a-z-]+)">', shown)) == {"wisteria"}
    assert f'<a href="/{lang}/?kind=wisteria" aria-current="page">' in html
    assert f'data-map="/{lang}/map.json?kind=wisteria"' in html
    spec = client.get("/en/map.json?kind=wisteria").get_json()
    assert sorted(pin["name"] for pin in spec["pins"]) == sorted(
        [
            "Jiading Wisteria Park",
            "Nanshuiguan Park",
            "Ziyun Corridor",
            "Guyi Garden",
            ZHOUQIAO,
            "Huancheng River Wisteria Corridor",
        ]
    )
    assert client.get(f"/{lang}/?kind=tulip").status_code == 404
    assert client.get(f"/{lang}/map.json?kind=tulip").status_code == 404


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_on_a_desk_the_home_page_uses_the_width_and_on_a_phone_one_column(server, browser, lang):
    _, base = server  # 15 April: the wisteria at its peak in several gardens
    columns = {}
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
        page.goto(f"{base}/{lang}/")
        lefts = (
            "s => new Set([...document.querySelectorAll(s)].map(e => Math.round(e.getBoundingClientRect().left))).size"
        )
        columns[width] = {
            name: page.evaluate(lefts, selector)
            for name, selector in (("now", "#now-heading + ol > li"), ("gardens", ".gardens > li"))
        }
        assert page.locator(".hero .pic").bounding_box()["width"] >= 100  # the best now, with its picture
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    assert columns[375] == {"now": 1, "gardens": 1}
    assert columns[1280]["now"] >= 2 and columns[1280]["gardens"] >= 3


def test_the_map_legend_shows_each_kind_with_its_picture_and_narrows_the_map_to_it(client):
    html = client.get("/en/?kind=wisteria").get_data(as_text=True)
    legend = html.split('<ul class="legend legend-kinds">')[1].split("</ul>")[0]
    kinds = re.findall(r'<use href="#pic-([a-z-]+)">', legend)
    drawn = {
        plant.get("picture") or ("leaf" if plant.get("visited_for") == "leaves" else "flower")
        for place in yaml.safe_load(PLACES_YAML.read_text(encoding="utf-8"))["places"]
        for plant in place["plants"]
    }
    assert len(kinds) == len(set(kinds)) == len(drawn)  # each kind of drawing the data uses, once
    assert 'href="/en/?kind=plum#map-heading"' in legend
    assert 'href="/en/#map-heading" aria-current="page"' in legend  # the chosen one goes back to all
