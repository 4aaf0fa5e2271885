"""The guide's own drawings: one per kind the data holds, on every card, written once per page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from guide.extensions import db
from guide.places.models import Plant
from guide.site.pictures import drawings
from tests.test_photos import jpeg, post_with_photo


def used(html: str) -> list[str]:
    return re.findall(r'<use href="#pic-([a-z-]+)">', html)


def defined(html: str) -> list[str]:
    return re.findall(r'<symbol id="pic-([a-z-]+)"', html)


def test_every_plant_in_the_data_has_a_drawing_of_its_own_kind(guide_app):
    with guide_app.app_context():
        plants = db.session.scalars(select(Plant).where(Plant.listed)).all()
        assert plants and all(plant.picture in drawings() for plant in plants)
        # A drawing per kind, not one for all: wisteria, plum, ginkgo… each its own.
        assert {plant.key for plant in plants} <= set(drawings())


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


def test_every_card_on_the_home_page_has_the_picture_of_its_plant(client):
    html = client.get("/en/").get_data(as_text=True)
    cards = re.findall(r'<li class="card card--pic".*?</li>', html, re.S)
    assert len(cards) >= 5
    for card in cards:
        assert len(used(card)) == 1
    ginkgo = next(card for card in cards if "Ancient ginkgo" in card)
    assert used(ginkgo) == ["ginkgo"]


def test_the_place_header_shows_each_kind_once(client):
    html = client.get("/en/places/guyi-garden").get_data(as_text=True)
    header = html.split('<p class="place-pics">')[1].split("</p>")[0]
    assert used(header) == ["wintersweet", "plum", "peony", "wisteria", "lotus"]


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
