"""The map in Chromium at 375×812, as a visitor on a slow or filtered network meets it: tiles
answered, refused, or never answered at all. No request may leave 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from tests.browser_support import show_map

pytestmark = pytest.mark.browser

TILE_PATIENCE_S = 4  # guide/static/map.js: the note shows when no tile has come by then


def loaded(page) -> bool:
    return page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")


@pytest.mark.parametrize("tiles", ["answer", "fail", "hang"])
def test_tiles_never_hold_the_page_and_the_note_says_when_they_do_not_come(server, phone, tiles):
    _, base = server
    page, watch = phone(tiles=tiles)
    page.goto(base + "/en/places/guyi-garden", wait_until="load", timeout=10_000)
    assert loaded(page)
    show_map(page)
    shown = time.monotonic()
    note = page.locator("[data-map-offline]")
    if tiles == "answer":
        page.wait_for_selector(".leaflet-tile-loaded")
        page.wait_for_timeout(TILE_PATIENCE_S * 1000 + 500)
        assert note.is_hidden()
    else:
        note.wait_for(state="visible", timeout=(TILE_PATIENCE_S + 1.5) * 1000)
        assert time.monotonic() - shown <= TILE_PATIENCE_S + 1.5
        assert "could not load" in note.inner_text()
        # The way there stays within reach: the note links to the address and map-app links.
        note.get_by_role("link", name="Address and links to map apps").click()
        assert page.get_by_role("link", name="Amap").is_visible()
        assert page.get_by_text("上海市嘉定区南翔镇沪宜公路218号").first.is_visible()
    assert watch.tiles > 0 and watch.outside == []
    assert [e for e in watch.errors if "Failed to load resource" not in e] == []  # refused tiles log that


def test_the_note_goes_when_tiles_arrive_late(server, phone):
    _, base = server
    page, watch = phone(tiles="hang")
    page.goto(base + "/zh/", wait_until="load", timeout=10_000)
    show_map(page)
    note = page.locator("[data-map-offline]")
    note.wait_for(state="visible", timeout=(TILE_PATIENCE_S + 1.5) * 1000)
    watch.release()
    note.wait_for(state="hidden", timeout=5_000)
    assert page.locator(".leaflet-tile-loaded").count() > 0 and watch.outside == []


def look_at(page, at, zoom):
    """Move the map at once, and wait until its names are placed."""
    page.evaluate(
        "([at, zoom]) => new Promise(done => {"
        " guideMaps.map.once('labelsplaced', done); guideMaps.map.setView(at, zoom, {animate: false}); })",
        [at, zoom],
    )


SHOWN_LABELS = """() => [...document.querySelectorAll('.map-label__text:not(.map-label__text--hidden)')]
    .map(l => l.textContent)"""


@pytest.mark.parametrize("tiles", ["fail", "hang"])
@pytest.mark.parametrize(
    "lang, place, station",
    [("en", "Jiading Wisteria Park", "Jiading North嘉定北"), ("zh", "嘉定紫藤园", "嘉定北Jiading North")],
)
def test_without_tiles_the_map_names_the_place_and_its_nearest_station(server, phone, tiles, lang, place, station):
    _, base = server
    page, watch = phone(tiles=tiles)
    page.goto(f"{base}/{lang}/places/jiading-wisteria-park")
    show_map(page)
    labels = page.evaluate(SHOWN_LABELS)
    assert place in labels and station in labels
    assert page.locator(".way--river").count() == 1 and page.locator(".way--metro").count() == 2
    assert watch.outside == []


def test_the_home_map_names_every_garden_once_there_is_room(server, phone):
    _, base = server
    page, watch = phone(tiles="fail")
    page.goto(f"{base}/en/")
    show_map(page)
    wide = page.evaluate(SHOWN_LABELS)
    assert "Guyi Garden" in wide and len(wide) >= 4  # the whole district on a phone: what fits
    # In flower (15 April): each of those gardens has its own marker, never a count.
    for marker in page.locator(".leaflet-marker-icon[title]").all():
        if any(stage in marker.get_attribute("title") for stage in (": Peak", ": Opening", ": First bloom")):
            assert marker.locator(".pin__count").count() == 0, marker.get_attribute("title")
    # A group says what it holds: every name in its accessible name, the first on its label.
    groups = page.locator(".leaflet-marker-icon:has(.pin__count)")
    for group in groups.all():
        count = int(group.locator(".pin__count").inner_text())
        assert group.get_attribute("title").count(" · ") == count - 1
    # Close up, every garden is named.
    for pin in page.evaluate("fetch('/en/map.json').then(r => r.json()).then(spec => spec.pins)"):
        look_at(page, pin["at"], 16)
        assert pin["name"] in page.evaluate(SHOWN_LABELS), pin["name"]
    look_at(page, [31.386, 121.24], 15)  # the west of the old town, where no garden crowds the moat
    assert any(label.startswith("Huancheng River") for label in page.evaluate(SHOWN_LABELS))
    assert watch.outside == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_popups_fit_a_360_px_screen_at_200_percent_text_in_our_fonts(browser, server, lang):
    from tests.browser_support import Watch

    _, base = server
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    watch = Watch(page, "fail")
    page.goto(f"{base}/{lang}/")
    page.evaluate("document.documentElement.style.fontSize = '200%'")  # the browser's text size
    show_map(page)
    box = page.locator("#map").bounding_box()
    zoom = page.locator(".leaflet-control-zoom").bounding_box()
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    accent = page.evaluate("getComputedStyle(document.querySelector('main a')).color")
    markers = page.locator(".leaflet-marker-icon[title]")
    assert markers.count() >= 5
    for i in range(markers.count()):
        markers.nth(i).dispatch_event("click")
        page.evaluate("new Promise(done => { guideMaps.map.once('moveend', done); setTimeout(done, 600); })")
        popup = page.locator(".leaflet-popup-content-wrapper")
        popup.wait_for()
        r = popup.bounding_box()
        assert box["x"] <= r["x"] and r["x"] + r["width"] <= box["x"] + box["width"], (i, r, box)
        assert box["y"] <= r["y"] and r["y"] + r["height"] <= box["y"] + box["height"], (i, r, box)
        assert r["x"] >= zoom["x"] + zoom["width"] or r["y"] >= zoom["y"] + zoom["height"], "under the zoom buttons"
        content = page.locator(".leaflet-popup-content")
        assert content.evaluate("e => getComputedStyle(e).fontFamily") == body_font
        assert float(content.evaluate("e => getComputedStyle(e).fontSize").rstrip("px")) >= 28  # .95rem at 200%
        assert content.locator("a").first.evaluate("e => getComputedStyle(e).color") == accent
        page.locator(".leaflet-popup-close-button").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert watch.outside == []
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_marker_in_season_on_the_district_map_on_a_phone_is_named(server, phone, lang, monkeypatch):
    """The whole district at 375 px in December, when the review found three of seven markers
    bare in English (the wintersweet gardens that come next): every marker in season carries a
    name, the whole one where it fits, else a shorter form of it ("Waigang" for Waigang
    Wintersweet Garden), and may be named over a pin out of season; of the rest, at most one
    (a group of gardens out of season, boxed in by the others) goes without."""
    from datetime import UTC, datetime

    from guide.core import clock

    december = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: december)  # the server runs in this process
    _, base = server
    page, watch = phone(tiles="fail")
    page.goto(f"{base}/{lang}/")
    show_map(page)
    spec = page.evaluate(f"fetch('/{lang}/map.json').then(r => r.json())")
    forms = {name for pin in spec["pins"] for name in [pin["name"], *pin["shorter"]]}
    labels = page.evaluate(
        """() => [...document.querySelectorAll('.map-label--place .map-label__text,'
            + ' .map-label--place-in-flower .map-label__text')]
            .map(l => [l.textContent, l.classList.contains('map-label__text--hidden'),
                       l.closest('.map-label').classList.contains('map-label--place-in-flower')])"""
    )
    markers = page.locator(".leaflet-marker-icon[title]").count()
    assert len(labels) == markers
    assert any(in_season for _, _, in_season in labels)
    for text, hidden, in_season in labels:
        assert not (hidden and in_season), text
        assert text.split(" +")[0] in forms, text
    assert sum(hidden for _, hidden, _ in labels) <= 1, labels
    assert watch.outside == []
