"""Browser-test support: Chromium from Debian, a stub for map tiles, a watch on what a page
does, and a live server in a thread. The fixtures that use these are in conftest.py."""

from __future__ import annotations

import re
import struct
import threading
import zlib
from contextlib import contextmanager
from urllib.parse import urlsplit

from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
TILE_HOSTS = ("tile.openstreetmap.org", "is.autonavi.com")
PHONE = {"width": 375, "height": 812}


def png(width=256, height=256, rgb=(232, 238, 240)) -> bytes:
    """A plain PNG, standing in for a map tile."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


TILE = png()


class Watch:
    """What a page did that a visitor would not want: errors, dialogs, requests off this machine.

    Map tiles are answered with a plain PNG ("answer"), refused ("fail"), or held without an
    answer ("hang", as a filtered network does) until `release()` answers them.
    """

    def __init__(self, page, tiles: str = "answer"):
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.tiles = 0
        self.held: list = []
        self.mode = tiles
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.route("**/*", self._route)

    def _route(self, route):
        host = urlsplit(route.request.url).hostname or ""
        if host == "127.0.0.1":
            route.continue_()
        elif host.endswith(TILE_HOSTS):
            self.tiles += 1
            if self.mode == "answer":
                route.fulfill(status=200, content_type="image/png", body=TILE)
            elif self.mode == "fail":
                route.abort("blockedbyclient")
            else:
                self.held.append(route)  # never answered, until release()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def release(self):
        """The network recovers: answer the held tiles, and every tile from now on."""
        self.mode = "answer"
        for route in self.held:
            route.fulfill(status=200, content_type="image/png", body=TILE)
        self.held.clear()


def show_map(page, tap=False):
    """Bring the page's map near the screen (or tap "Show the map"), as a visitor would, and
    wait until it is drawn: it is not loaded before (guide/static/map-load.js)."""
    if tap:
        page.get_by_role("button", name=re.compile("Show the map|显示地图")).click()
    else:
        page.locator("#map").scroll_into_view_if_needed()
    page.wait_for_selector("[data-map-ready]", timeout=10_000)


@contextmanager
def serving(app):
    """Serve an app on a free loopback port in a thread; yield its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
