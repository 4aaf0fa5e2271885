"""The guide in real Chromium at phone size (375×812): Debian's chromium driven by Playwright.

Map tiles are answered by a stub so that nothing leaves 127.0.0.1; any other outside request
is blocked and fails the test. Screenshots land in build/screenshots/ for a person to look at.
"""
from __future__ import annotations

import struct
import threading
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from guide import clock
from guide.extensions import db
from guide.places.models import Place
from tests.conftest import ROOT, load_file, make_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
SHOTS = ROOT / "build" / "screenshots"
TILE_HOSTS = ("tile.openstreetmap.org", "is.autonavi.com")
PHONE = {"width": 375, "height": 812}


def png(width=256, height=256, rgb=(232, 238, 240)) -> bytes:
    """A plain PNG, standing in for a map tile."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


TILE = png()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The guide with data/places.yaml, frozen on 15 April (wisteria at its peak), on a free port."""
    with pytest.MonkeyPatch.context() as mp:
        moment = clock.now().replace(year=2026, month=4, day=15, hour=1)
        mp.setattr(clock, "now", lambda: moment)
        app = make_app(tmp_path_factory.mktemp("browser") / "guide.sqlite", SERVER_NAME=None)
        load_file(app)
        httpd = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield app, f"http://127.0.0.1:{httpd.server_port}"
        httpd.shutdown()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watch:
    """What a page did that a visitor would not want: errors and requests off this machine."""

    def __init__(self, page, tiles_load: bool):
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.tiles = 0
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route("**/*", lambda route: self._route(route, tiles_load))

    def _route(self, route, tiles_load):
        host = urlsplit(route.request.url).hostname or ""
        if host == "127.0.0.1":
            route.continue_()
        elif host.endswith(TILE_HOSTS):
            self.tiles += 1
            if tiles_load:
                route.fulfill(status=200, content_type="image/png", body=TILE)
            else:
                route.abort("blockedbyclient")
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")


@pytest.fixture
def phone(browser):
    def open_page(tiles_load=True, locale="en-US"):
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale=locale)
        page = context.new_page()
        return page, Watch(page, tiles_load)
    yield open_page


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name, path, markers", [
    ("home", "/{lang}/", 12),
    ("place", "/{lang}/places/jiading-wisteria-park", 1),
    ("calendar", "/{lang}/calendar", 0),
    ("events", "/{lang}/events", 0),
])
def test_page_works_on_a_phone(server, phone, name, path, markers, lang):
    _, base = server
    page, watch = phone()
    page.goto(base + path.format(lang=lang))
    if markers:
        page.wait_for_selector(".leaflet-marker-icon", timeout=10_000)
        assert page.locator(".leaflet-marker-icon").count() == markers
        page.wait_for_function("document.querySelectorAll('.leaflet-tile-loaded').length > 0")
        assert watch.tiles > 0
        assert page.locator("[data-map-offline]").is_hidden()
    assert page.evaluate("document.documentElement.lang") == {"en": "en", "zh": "zh-Hans"}[lang]
    assert horizontal_overflow(page) <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{lang}.png"), full_page=True)
    assert watch.errors == []
    assert watch.outside == []
    page.context.close()


def test_tapping_a_marker_opens_its_popup(server, phone):
    _, base = server
    page, watch = phone()
    page.goto(base + "/zh/")
    marker = page.get_by_role("button", name="嘉定紫藤园 · 盛花")
    marker.dispatch_event("click")  # old-town pins overlap at this zoom; open this one
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "嘉定紫藤园" in popup.inner_text() and "盛花" in popup.inner_text()
    popup.get_by_role("link").click()
    page.wait_for_url("**/zh/places/jiading-wisteria-park")
    assert watch.errors == [] and watch.outside == []
    page.context.close()


def test_without_tiles_the_map_says_so_and_the_way_there_remains(server, phone):
    _, base = server
    page, watch = phone(tiles_load=False)
    page.goto(base + "/en/places/guyi-garden")
    note = page.locator("[data-map-offline]")
    note.wait_for(state="visible", timeout=10_000)
    assert "could not load" in note.inner_text()
    assert page.get_by_role("link", name="Amap").is_visible()
    assert page.get_by_text("上海市嘉定区南翔镇沪宜公路218号").first.is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "place-offline-en.png"), full_page=True)
    page.context.close()


def test_language_switch_keeps_the_page_and_is_remembered(server, phone):
    _, base = server
    page, _ = phone(locale="en-US")
    page.goto(base + "/en/places/guyi-garden")
    page.get_by_role("link", name="中文").click()
    page.wait_for_url("**/zh/places/guyi-garden")
    assert page.locator("h1").inner_text() == "古猗园"
    page.goto(base + "/")  # the browser says English; the explicit choice says Chinese
    assert urlsplit(page.url).path == "/zh/"
    page.context.close()


def test_text_from_data_shows_as_typed_and_runs_nothing(server, phone):
    app, base = server
    evil = "</script><img src=x onerror=alert(1)>${alert(2)}"
    with app.app_context():
        place = db.session.scalar(select(Place).where(Place.slug == "anting-ancient-ginkgo"))
        saved = dict(place.name)
        place.name = {"en": evil, "zh": evil}
        db.session.commit()
    try:
        page, watch = phone()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "/en/")
        page.wait_for_selector(".leaflet-marker-icon")
        assert page.get_by_text(evil).first.is_visible()
        markers = page.locator(".leaflet-marker-icon")
        for i in range(markers.count()):
            markers.nth(i).dispatch_event("mouseover")
            markers.nth(i).dispatch_event("click")
        page.goto(base + "/en/places/anting-ancient-ginkgo")
        page.wait_for_selector(".leaflet-marker-icon")
        page.locator(".leaflet-marker-icon").dispatch_event("click")
        assert evil in page.locator(".leaflet-popup-content").inner_text()
        assert dialogs == [] and watch.errors == []
        page.context.close()
    finally:
        with app.app_context():
            place = db.session.scalar(select(Place).where(Place.slug == "anting-ancient-ginkgo"))
            place.name = saved
            db.session.commit()
