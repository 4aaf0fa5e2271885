"""The guide's own drawings: one per kind the data holds, on every card, written once per page."""

from __future__ import annotations

import re

import pytest
import yaml
from sqlalchemy import select

from guide.extensions import db
from guide.places.models import Plant
from guide.site.pictures import GENERIC, drawings
from tests.conftest import PLACES_YAML
from tests.test_photos import jpeg, post_with_photo


def used(html: str) -> list[str]:
    return re.findall(r'<use href="#pic-([a-z-]+)">', html)


def defined(html: str) -> list[str]:
    return re.findall(r'<symbol id="pic-([a-z-]+)"', html)


def test_every_plant_in_the_data_has_a_drawing_of_its_own_kind(guide_app):
    with guide_app.app_context():
        plants = db.session.scalars(select(Plant).where(Plant.listed)).all()
        assert plants and all(plant.picture_name in drawings() for plant in plants)
        # A drawing per kind, not one for all: wisteria, plum, ginkgo… each its own, and every
        # kind's drawing is used by some plant.
        assert all(plant.picture == plant.key for plant in plants if plant.key in drawings())
        assert {plant.picture for plant in plants if plant.picture} == set(drawings()) - set(GENERIC.values())
        # Peach, pear, vervain and Jiabei's avenues have no drawing of their own (the data says
        # so): they get the generic flower or leaf.
        generic = {(plant.place.slug, plant.key): plant.picture_name for plant in plants if not plant.picture}
        assert generic == {
            (place["slug"], plant["key"]): GENERIC[plant.get("visited_for", "flowers")]
            for place in yaml.safe_load(PLACES_YAML.read_text(encoding="utf-8"))["places"]
            for plant in place["plants"]
            if "picture" not in plant
        }
        assert {"flower", "leaf"} <= set(generic.values())


def test_a_plant_without_a_picture_gets_the_generic_flower_or_leaf(guide_app):
    with guide_app.app_context():
        for plant in db.session.scalars(select(Plant)).all():
            plant.picture = None
        assert {p.picture_name for p in db.session.scalars(select(Plant)).all()} == {"flower", "leaf"}
        ginkgo = db.session.scalar(select(Plant).where(Plant.key == "ginkgo"))
        assert ginkgo.picture_name == "leaf"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "path",
    [
        "/{lang}/",
        "/{lang}/places/guyi-garden",
        "/{lang}/calendar",
        "/{lang}/places/guyi-garden/card",
        "/{lang}/concierge?place=guyi-garden&place=qiuxia-garden",
        "/embed/{lang}/places/guyi-garden",
    ],
)
def test_each_page_draws_what_it_uses_once_and_nothing_it_does_not(client, path, lang):
    html = client.get(path.format(lang=lang)).get_data(as_text=True)
    assert used(html), "no picture on the page"
    assert sorted(defined(html)) == sorted(set(used(html)))  # each drawing once, none unused


def test_every_card_on_the_home_page_has_the_picture_of_its_plant(client, freeze):
    freeze("2026-12-04 09:00")  # the ginkgos at their best, the peach among what comes next
    html = client.get("/en/").get_data(as_text=True)
    cards = re.findall(r'<li class="card card--pic".*?</li>', html, re.S)
    assert len(cards) >= 5
    for card in cards:
        assert len(used(card)) == 1
    # Anting's tree, renamed from "Ancient ginkgo" (content review §4.15).
    ginkgo = next(card for card in cards if "1,200-year-old ginkgo" in card)
    assert used(ginkgo) == ["ginkgo"]
    peach = next(card for card in cards if "Peach blossom" in card)  # no drawing of its own
    assert used(peach) == ["flower"]


@pytest.mark.parametrize(
    "slug, kinds",
    [
        # Guyi Garden's old ginkgo and maples are new in the data.
        ("guyi-garden", ["wintersweet", "plum", "peony", "wisteria", "lotus", "ginkgo", "maple"]),
        ("juyuan-crabapple-garden", ["crabapple"]),  # Hall's and Chinese flowering crabapple: one kind
        ("lijiang-ecological-park", ["rapeseed", "flower"]),  # peach and pear: one generic flower
    ],
)
def test_the_place_header_shows_each_kind_once(client, slug, kinds):
    html = client.get(f"/en/places/{slug}").get_data(as_text=True)
    header = html.split('<p class="place-pics">')[1].split("</p>")[0]
    assert used(header) == kinds


def test_a_fresh_photo_takes_the_drawings_place_on_the_home_card(guide_app, login_as, client, freeze):
    freeze("2026-04-20 09:00")  # the tree peony in flower at Guyi Garden
    login_as("reporter", "guyi-garden")
    assert post_with_photo(client, guide_app, jpeg()).status_code == 302
    html = client.get("/en/").get_data(as_text=True)
    # A fresh report at peak ranks first: the peony is the hero, the other plants are cards.
    peony = html.split('<section class="hero"')[1].split("</section>")[0]
    assert "Tree peony" in peony and "Guyi Garden" in peony
    cards = re.findall(r'<li class="card card--pic".*?</li>', html, re.S)
    assert used(peony) == []
    photo = (
        r'<img class="pic pic--photo" src="/photos/[0-9a-f]{64}-thumb\.jpg" width="112" height="112" decoding="async"'
    )
    assert re.search(photo, peony)
    assert cards and all(len(used(card)) == 1 for card in cards)  # a photo of one plant only


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 375, "height": 812}, {"width": 1280, "height": 800}])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_card_shows_its_picture_in_the_browser(server, browser, viewport, lang):
    _, base = server
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    for path in (f"/{lang}/", f"/{lang}/places/guyi-garden", f"/{lang}/places/anting-ancient-ginkgo"):
        page.goto(base + path)
        drawn = page.evaluate(
            """() => [...document.querySelectorAll(".card")].map(card => {
                 const pic = card.querySelector(".pic");
                 if (!pic) return 0;
                 const use = pic.querySelector("use");
                 const shown = pic.getBoundingClientRect().width;  // a photo, or the drawing's box
                 return use ? use.getBBox().width * shown / 48 : shown;
               })"""
        )
        assert drawn and min(drawn) >= 40, (path, drawn)  # every card, drawn at its size
    context.close()


def test_a_flower_show_carries_its_flowers_picture(client):
    html = client.get("/en/events").get_data(as_text=True)
    items = re.findall(r'<li class="event[^"]*">.*?</li>', html, re.S)
    lotus = next(item for item in items if "Lotus" in item)
    chrysanthemum = next(item for item in items if "Chrysanthemum Exhibition" in item)
    assert used(lotus) == ["lotus"] and used(chrysanthemum) == ["chrysanthemum"]
