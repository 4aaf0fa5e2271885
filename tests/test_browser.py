"""The guide in real Chromium at phone size (375×812): Debian's chromium driven by Playwright.

Map tiles are answered by a stub so that nothing leaves 127.0.0.1; any other outside request
is blocked and fails the test. Screenshots land in build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from guide.core.maps import short_names
from guide.extensions import db
from guide.places.models import Place
from guide.places.operations import mark_changed
from tests.browser_support import show_map
from tests.conftest import ROOT
from tests.test_places_load import places_in_the_file

SHOTS = ROOT / "build" / "screenshots"

pytestmark = pytest.mark.browser


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "name, path, markers",
    [
        ("home", "/{lang}/", places_in_the_file()),  # every garden, some sharing a marker
        ("place", "/{lang}/places/jiading-wisteria-park", 1),
        ("calendar", "/{lang}/calendar", 0),
        ("events", "/{lang}/events", 0),
    ],
)
def test_page_works_on_a_phone(server, phone, name, path, markers, lang):
    _, base = server
    page, watch = phone()
    page.goto(base + path.format(lang=lang))
    if markers:
        show_map(page)
        # A marker's title is "name: stage" for each place it holds, joined by " · ", which may
        # also stand inside a name (南翔老街 · 檀园) or a stage (Fading · past peak): count the places.
        held = page.locator(".leaflet-marker-icon[title]").evaluate_all(
            "icons => icons.reduce((n, icon) => n + icon.title.split(': ').length - 1, 0)"
        )
        assert held == markers
        page.wait_for_function("document.querySelectorAll('.leaflet-tile-loaded').length > 0")
        assert watch.tiles > 0
        assert page.locator("[data-map-offline]").is_hidden()
    assert page.evaluate("document.documentElement.lang") == {"en": "en", "zh": "zh-Hans"}[lang]
    assert horizontal_overflow(page) <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{lang}.png"), full_page=True)
    assert watch.errors == []
    assert watch.outside == []


def test_tapping_a_marker_opens_its_popup(server, phone):
    _, base = server
    page, watch = phone()
    page.goto(base + "/zh/")
    show_map(page)
    marker = page.get_by_role("button", name=re.compile("嘉定紫藤园: 盛花"))
    marker.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    # As a person would: tap once the map has settled, and read the popup once it has panned.
    settled = "new Promise(done => { guideMaps.map.once('moveend', done); setTimeout(done, 1000); })"
    marker.dispatch_event("click")
    page.evaluate(settled)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert (
        "嘉定紫藤园" in popup.inner_text()
        and "最近的地铁站：嘉定北站（地铁11号线），直线距离2.4公里" in popup.inner_text()
    )
    popup.get_by_role("link").click()
    page.wait_for_url("**/zh/places/jiading-wisteria-park")
    assert watch.errors == [] and watch.outside == []


def test_without_tiles_the_map_says_so_and_the_way_there_remains(server, phone):
    _, base = server
    page, _watch = phone(tiles="fail")
    page.goto(base + "/en/places/guyi-garden")
    show_map(page)
    note = page.locator("[data-map-offline]")
    note.wait_for(state="visible", timeout=10_000)
    assert "could not load" in note.inner_text()
    assert page.get_by_role("link", name="Amap").is_visible()
    assert page.get_by_text("上海市嘉定区南翔镇沪宜公路218号").first.is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "place-offline-en.png"), full_page=True)


def test_language_switch_keeps_the_page_and_is_remembered(server, phone):
    _, base = server
    page, _ = phone(locale="en-US")
    page.goto(base + "/en/places/guyi-garden")
    page.get_by_role("link", name="中文").click()
    page.wait_for_url("**/zh/places/guyi-garden")
    assert page.locator("h1").inner_text() == "古猗园"
    page.goto(base + "/")  # the browser says English; the explicit choice says Chinese
    assert urlsplit(page.url).path == "/zh/"


def test_text_from_data_shows_as_typed_and_runs_nothing(server, phone):
    app, base = server
    evil = "</script><img src=x onerror=alert(1)>${alert(2)}"
    # A garden that leads its own marker on the home map, so that its label is its name (the
    # Anting park now shares a marker in the west, labelled by another garden's name).
    slug = "guyi-garden"
    with app.app_context():
        place = db.session.scalar(select(Place).where(Place.slug == slug))
        saved = dict(place.name)
        place.name = {"en": evil, "zh": evil}
        mark_changed(place)  # as a data load does
        db.session.commit()
    try:
        page, watch = phone()
        page.goto(base + "/en/")
        show_map(page)
        assert page.locator(".place-list").get_by_text(evil).is_visible()
        # As text on the map too: the whole name, or the shorter form tried where it does not fit.
        labels = page.locator(".map-label__text").all_text_contents()
        assert any(form in labels for form in [evil, *short_names(evil)]), " | ".join(labels)
        markers = page.locator(".leaflet-marker-icon[title]")
        assert any(evil in title for title in markers.evaluate_all("icons => icons.map(i => i.title)"))
        for i in range(markers.count()):
            markers.nth(i).dispatch_event("mouseover")
            markers.nth(i).dispatch_event("click")
        page.goto(f"{base}/en/places/{slug}")
        show_map(page, tap=True)
        page.locator(".leaflet-marker-icon[title]").dispatch_event("click")
        assert evil in page.locator(".leaflet-popup-content").inner_text()
        assert watch.dialogs == [] and watch.errors == []
    finally:
        with app.app_context():
            place = db.session.scalar(select(Place).where(Place.slug == slug))
            place.name = saved
            mark_changed(place)
            db.session.commit()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_with_javascript_off_no_control_that_needs_it_is_shown(server, browser, lang):
    """ "Show the map" and "Share" need a script: without one they must not be there to tap."""
    from tests.browser_support import PHONE

    _app, base = server
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
        for path in (f"/{lang}/", f"/{lang}/places/jiading-wisteria-park"):
            page.goto(base + path)
            for selector in ("[data-map-start]", "[data-share-url]", "[hidden]"):
                for element in page.locator(selector).all():
                    assert not element.is_visible(), (path, selector)
            # What does not need a script is there: the way to get there, the addresses.
            assert page.locator("main").inner_text().strip()
    finally:
        context.close()
