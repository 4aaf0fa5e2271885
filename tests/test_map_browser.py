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
