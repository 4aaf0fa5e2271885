"""Near me: the home page orders the gardens by distance from the visitor, only when asked,
without sending the position anywhere."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from guide.extensions import db
from guide.places.models import Place
from tests.browser_support import PHONE, Watch

pytestmark = pytest.mark.browser

NANXIANG_STATION = {"latitude": 31.2988, "longitude": 121.3188}
COUNT_ASKS = (
    "window.asked = 0; const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);"
    " navigator.geolocation.getCurrentPosition = (...args) => { window.asked++; return ask(...args); };"
)


def visit(browser, base, lang="en", **context):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **context)
    page = ctx.new_page()
    page.add_init_script(COUNT_ASKS)  # counts every request for the position (through DevTools)
    watch = Watch(page, "answer")
    sent = []
    page.on("request", lambda r: sent.append(r.url))
    page.goto(f"{base}/{lang}/")
    return ctx, page, watch, sent


def metres(a, b):
    x = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371000 * math.hypot(x, math.radians(b[0] - a[0]))


def test_granted_the_gardens_are_ordered_by_distance_and_say_how_far(browser, server):
    app, base = server
    with app.app_context():
        places = db.session.scalars(select(Place).where(Place.listed)).all()
        here = (NANXIANG_STATION["latitude"], NANXIANG_STATION["longitude"])
        expected = [p.name["en"] for p in sorted(places, key=lambda p: metres(here, (p.lat, p.lon)))]
    ctx, page, watch, sent = visit(browser, base, geolocation=NANXIANG_STATION, permissions=["geolocation"])
    page.locator("#map").scroll_into_view_if_needed()
    page.wait_for_selector("[data-map-ready]")
    assert page.evaluate("window.asked") == 0  # never on load, nor when the map shows
    before = len(sent)
    page.get_by_role("button", name="Sort by distance").click()
    status = page.get_by_role("status").filter(has_text="ordered by distance")
    status.wait_for()
    names = page.locator(".place-list > li > a").all_inner_texts()
    assert names == expected and names[0] == "Guyi Garden"
    assert page.locator(".place-list > li").first.locator(".distance").inner_text() == "800 m away"
    distances = page.locator(".place-list .distance").all_inner_texts()
    assert len(distances) == len(names) and distances[-1].endswith(" km away")
    # The cards in flower are ordered the same way: Guyi Garden's come first.
    assert "Guyi Garden" in page.locator("[data-near-list].cards > li").first.inner_text()
    assert sent[before:] == [] and watch.outside == [] and watch.errors == []
    ctx.close()


def test_denied_the_page_says_so_and_keeps_its_order(browser, server):
    _, base = server
    ctx, page, watch, _sent = visit(browser, base, lang="zh")
    usual = page.locator(".place-list > li > a").all_inner_texts()
    page.get_by_role("button", name="按距离由近到远排序").click()
    page.get_by_role("status").filter(has_text="浏览器未允许本页获取你的位置").wait_for()
    assert page.locator(".place-list > li > a").all_inner_texts() == usual
    assert page.locator(".distance").count() == 0 and page.evaluate("window.asked") == 1
    assert page.get_by_role("button", name="按距离由近到远排序").is_enabled()
    assert watch.errors == [] and watch.outside == []
    ctx.close()
