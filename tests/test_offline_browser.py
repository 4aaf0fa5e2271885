"""With no signal, in real Chromium at 375×812 with the guide's service worker: a page visited
opens as saved, marked so in its language; a kept day-pack (place, taxi view, card, plan,
handout) opens though never visited; a page never saved gets our own page listing what is saved;
back online, fresh pages and no notice. Staff pages are never kept; a deploy replaces the shell."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tests.browser_support import PHONE, Watch
from tests.conftest import PASSWORD, ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "build" / "screenshots"
NOTICE = {"en": "Saved on this phone", "zh": "已保存在本机"}
NOT_SAVED = {"en": "There is no connection, and this page is not saved", "zh": "没有网络连接，本页也没有保存在本机"}


@pytest.fixture
def offline_phone(browser):
    """(page, context) at 375×812 whose pages install the service worker."""
    contexts = []

    def open_page(locale="en-US"):
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale=locale,
            service_workers="allow",
        )
        contexts.append(context)
        page = context.new_page()
        page.watch = Watch(page)  # tiles stubbed, nothing leaves this machine
        page.failed = []
        page.on("requestfailed", lambda r: page.failed.append(r.url))
        return page, context

    yield open_page
    for context in contexts:
        context.close()


def controlled(page) -> None:
    """Wait until the worker is installed, controls the page and has kept the open page."""
    # A function, not an expression: the page's CSP allows no eval.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    until(page, lambda: cached_urls(page, "bloom-recent"))


def until(page, check, seconds: float = 15):
    """Ask until `check()` is true (the caches answer with promises, which wait_for_function
    does not wait for)."""
    for _ in range(int(seconds * 5)):
        if found := check():
            return found
        page.wait_for_timeout(200)
    raise AssertionError("not in time")


def cached_urls(page, name: str) -> list[str]:
    return page.evaluate(f"caches.open('{name}').then(c => c.keys()).then(k => k.map(r => r.url))")


def notice(page):
    return page.locator(".saved-copy")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_visited_page_opens_offline_as_saved_and_an_unsaved_one_says_so(server, offline_phone, lang):
    _app, base = server
    page, context = offline_phone("zh-CN" if lang == "zh" else "en-US")
    page.goto(f"{base}/{lang}/places/guyi-garden")
    controlled(page)
    assert f"{base}/{lang}/places/guyi-garden" in cached_urls(page, "bloom-recent")  # the first page too
    page.goto(f"{base}/{lang}/events")  # a second page, through the worker
    title = page.title()

    context.set_offline(True)
    page.goto(f"{base}/{lang}/places/guyi-garden")
    assert NOTICE[lang] in notice(page).inner_text()
    assert page.locator("h1").inner_text()  # the page itself, as saved
    page.locator(".taxi__name").wait_for()  # the address for a driver is there
    page.goto(f"{base}/{lang}/events")
    assert page.title() == title and notice(page).count() == 1
    shot(page, f"offline-saved-{lang}")

    page.goto(f"{base}/{lang}/calendar")  # never visited
    assert page.locator("[data-not-saved]").is_visible()
    assert NOT_SAVED[lang] in page.locator("[data-not-saved]").inner_text()
    recent = page.locator('[data-list="bloom-recent"] a')
    recent.first.wait_for()
    assert title.rsplit(" · ", 1)[0] in recent.all_inner_texts()  # the page's title, without the guide's name
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else "en")
    shot(page, f"offline-not-saved-{lang}")

    context.set_offline(False)
    page.goto(f"{base}/{lang}/places/guyi-garden")
    assert notice(page).count() == 0
    page.goto(f"{base}/{lang}/calendar")
    assert page.locator("[data-not-saved]").count() == 0 and notice(page).count() == 0
    assert page.watch.errors == [] and page.watch.outside == [], page.failed


KEEP = {
    "en": {
        "keep": "Keep for offline",
        "kept": "Kept on this phone: it opens with no signal.",
        "qiuxia": "Qiuxia Garden",
        "handout": "Handout",
        "pack": "pages in all, with taxi views, cards and maps",
        "plan": "Plan a trip",
        "guyi": "Guyi Garden",
        "remove": "Remove",
        "removed": "Removed.",
    },
    "zh": {
        "keep": "离线保存",
        "kept": "已保存在本机，没有信号也能打开。",
        "qiuxia": "秋霞圃",
        "handout": "导览页",
        "pack": "个页面，含打车页、卡片和地图",
        "plan": "规划行程",
        "guyi": "古猗园",
        "remove": "移除",
        "removed": "已移除。",
    },
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_kept_day_pack_opens_offline_though_never_visited(server, offline_phone, lang):
    _app, base = server
    words = KEEP[lang]
    page, context = offline_phone("zh-CN" if lang == "zh" else "en-US")
    trip = "from=2026-04-15&to=2026-04-17"

    def keep(url):
        page.goto(url)
        page.get_by_role("button", name=words["keep"]).click()
        page.get_by_text(words["kept"]).wait_for()

    page.goto(f"{base}/{lang}/places/guyi-garden")
    controlled(page)
    keep(f"{base}/{lang}/places/guyi-garden")  # a place page keeps itself, its taxi view, card and map
    keep(f"{base}/{lang}/plan?{trip}")
    kept = cached_urls(page, "bloom-kept")
    stops = [s for s in re.findall(rf"/{lang}/places/([a-z-]+)/taxi", " ".join(kept)) if s != "guyi-garden"]
    assert stops and f"{base}/{lang}/plan?{trip}" in kept
    shot(page, f"offline-keep-plan-{lang}")
    keep(f"{base}/{lang}/concierge?place=qiuxia-garden&place=guyi-garden&{trip}")

    context.set_offline(True)
    page.goto(f"{base}/{lang}/places/{stops[0]}/taxi")  # the taxi view, never opened
    assert page.locator(".taxi-view__main").inner_text().strip()
    assert NOTICE[lang] in notice(page).inner_text()
    page.goto(f"{base}/{lang}/places/guyi-garden/taxi")
    assert NOTICE[lang] in notice(page).inner_text()
    page.goto(f"{base}/{lang}/places/qiuxia-garden/card?{trip}")  # a card for the dates
    assert words["qiuxia"] in page.content() and NOTICE[lang] in notice(page).inner_text()
    page.goto(f"{base}/{lang}/plan?{trip}")
    assert page.locator(".plan-day").count() > 0 and NOTICE[lang] in notice(page).inner_text()
    page.goto(f"{base}/{lang}/places/{stops[0]}?{trip}")  # for the trip's dates
    assert page.locator(".on-trip").count() == 1
    page.locator("#map").scroll_into_view_if_needed()
    page.wait_for_selector("[data-map-ready]", timeout=10_000)  # the map's own outline, from the pack

    page.goto(f"{base}/{lang}/saved")
    assert not page.locator("[data-not-saved]").is_visible()  # this page's own address: no alarm
    kept_list = page.locator('[data-list="bloom-kept"] li')
    kept_list.nth(2).wait_for()
    # One line per day-pack, newest first: the handout, the plan, the place, each with its pages.
    assert kept_list.count() == 3
    assert words["handout"] in kept_list.first.inner_text() and words["pack"] in kept_list.first.inner_text()
    assert words["plan"] in kept_list.nth(1).inner_text() and words["guyi"] in kept_list.nth(2).inner_text()
    shot(page, f"offline-saved-list-{lang}")
    kept_list.first.get_by_role("button", name=re.compile(words["remove"])).click()
    page.get_by_text(words["removed"]).wait_for()
    until(page, lambda: kept_list.count() == 2)
    left = cached_urls(page, "bloom-kept")
    assert not any("/concierge" in url for url in left) and f"{base}/{lang}/plan?{trip}" in left
    # The garden's taxi view was in the handout's pack and in the place's: it stays for the place.
    assert f"{base}/{lang}/places/guyi-garden/taxi" in left
    assert page.watch.errors == [] and page.watch.outside == [], page.failed


def test_staff_pages_and_pages_with_a_form_token_are_never_kept(server, offline_phone):
    app, base = server
    result = app.test_cli_runner().invoke(
        args=["staff", "add", "zhao", "--place", "guyi-garden"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    page, context = offline_phone()
    page.goto(f"{base}/en/")
    controlled(page)
    page.goto(f"{base}/en/staff/login")
    page.get_by_label("Username").fill("zhao")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/staff/places/guyi-garden")
    page.goto(f"{base}/en/places/guyi-garden")  # logged in, a public page sets the session cookie too
    everything = cached_urls(page, "bloom-recent") + cached_urls(page, "bloom-kept")
    assert not any("/staff" in url for url in everything) and f"{base}/en/" in everything
    assert f"{base}/en/places/guyi-garden" not in everything  # an answer that set a cookie: not kept
    context.set_offline(True)
    page.goto(f"{base}/en/staff/places/guyi-garden")
    assert "csrf_token" not in page.content()  # our offline page, never a saved form
    assert page.locator("[data-not-saved]").is_visible()
    assert NOT_SAVED["en"] in page.locator("[data-not-saved]").inner_text()


def test_a_deploy_replaces_the_kept_shell(server, offline_phone):
    app, base = server
    page, _context = offline_phone()
    page.goto(f"{base}/en/")
    controlled(page)
    precache = next(name for name in page.evaluate("caches.keys()") if "precache" in name)
    old = app.extensions["guide.assets"]["style.css"]
    assert any(old.hashed_name in url for url in cached_urls(page, precache))
    changed = dataclasses.replace(old, hashed_name="style.0123456789.css", plain=old.plain + b"\n/* new */")
    assets = app.extensions["guide.assets"]
    app.extensions["guide.assets"] = {**assets, "style.css": changed}
    try:
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        # Installed, the new version's shell is kept; activated, the old one's is gone.
        until(
            page,
            lambda: (
                (urls := " ".join(cached_urls(page, precache)))
                and "style.0123456789" in urls
                and old.hashed_name not in urls
            ),
        )
        app.extensions["guide.page_cache"].clear()  # the server's copy of the page names the old sheet
        page.reload()
        assert "style.0123456789.css" in page.content()
    finally:
        app.extensions["guide.assets"] = assets


def reports_of(app, slug: str, key: str) -> list:
    from sqlalchemy import select

    from guide.extensions import db
    from guide.places.models import BloomReport, Place, Plant

    with app.app_context():
        return list(
            db.session.execute(
                select(BloomReport.kind, BloomReport.stage, BloomReport.photo_id)
                .join(Plant)
                .join(Place)
                .where(Place.slug == slug, Plant.key == key)
            )
        )


def queue_items(page) -> list[dict]:
    return page.evaluate(
        """() => new Promise(resolve => {
            const open = indexedDB.open("bloom-staff", 1);
            open.onsuccess = () => {
                const all = open.result.transaction("queue").objectStore("queue").getAll();
                all.onsuccess = () => resolve(all.result.map(i => ({id: i.id, state: i.state, url: i.url,
                    photos: i.fields.filter(f => typeof f[1] !== "string").length})));
            };
        })"""
    )


def staff_round(server, offline_phone, username: str, slug: str):
    app, base = server
    result = app.test_cli_runner().invoke(args=["staff", "add", username, "--place", slug], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    page, context = offline_phone("zh-CN")
    page.goto(f"{base}/zh/")
    controlled(page)
    page.goto(f"{base}/zh/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/zh/staff/places/{slug}")
    return app, base, page, context


def test_a_report_filed_with_no_signal_waits_on_the_phone_and_is_filed_once(server, offline_phone):
    from tests.test_staff_browser import photo_bytes

    app, base, page, context = staff_round(server, offline_phone, "sun", "jiading-wisteria-park")
    before = len(reports_of(app, "jiading-wisteria-park", "wisteria"))
    context.set_offline(True)
    wisteria = page.locator("section.plant-report", has_text="紫藤")
    wisteria.get_by_text("报告变化").click()
    wisteria.get_by_label("● 盛花").check()
    wisteria.get_by_label("照片（可选）").set_input_files(
        files=[{"name": "IMG_0416.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    wisteria.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(f"{base}/zh/saved#waiting")
    queue = page.locator("[data-queue]")
    page.locator("[data-queue-list] li").first.wait_for()  # drawn from IndexedDB once the page runs
    assert "等待发送" in queue.inner_text() and "嘉定紫藤园" in queue.inner_text()
    assert "照片：1" in queue.inner_text()
    shot(page, "offline-staff-queue-zh")
    page.reload()  # offline, the page reloaded: the report is still waiting
    page.locator("[data-queue-list] li").first.wait_for()
    (item,) = queue_items(page)
    assert item["state"] == "waiting" and item["photos"] == 1
    # Sent twice (as when an answer is lost on the way back): the submission key files it once.
    page.evaluate(
        """() => new Promise(resolve => {
            const open = indexedDB.open("bloom-staff", 1);
            open.onsuccess = () => {
                const store = open.result.transaction("queue", "readwrite").objectStore("queue");
                store.getAll().onsuccess = e => { const copy = {...e.target.result[0]}; delete copy.id;
                    store.add(copy).onsuccess = resolve; };
            };
        })"""
    )
    assert len(reports_of(app, "jiading-wisteria-park", "wisteria")) == before  # nothing yet

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # as the browser says when the signal returns
    page.get_by_text("等待发送的内容都已发出。").wait_for(timeout=15_000)
    until(page, lambda: queue_items(page) == [])
    filed = reports_of(app, "jiading-wisteria-park", "wisteria")
    assert len(filed) == before + 1  # once
    assert filed[-1][1] == "peak" and filed[-1][2] is not None  # with its photo
    page.goto(f"{base}/zh/staff/places/jiading-wisteria-park")
    assert page.locator("[data-queue]").is_hidden()


def test_a_queued_report_the_server_refuses_stays_with_the_reason(server, offline_phone):
    app, base, page, context = staff_round(server, offline_phone, "zhou", "guyi-garden")
    context.set_offline(True)
    plant = page.locator("section.plant-report").first
    name = plant.locator("h2").inner_text()
    plant.get_by_role("button", name="没有变化").click()
    page.wait_for_url(f"{base}/zh/saved#waiting")
    page.locator("[data-queue-list] li").first.wait_for()  # drawn from IndexedDB once the page runs
    assert name in page.locator("[data-queue]").inner_text()
    # Meanwhile a colleague with a signal reports on the same plant.
    from sqlalchemy import select

    from guide.core import clock
    from guide.core.bloom import BloomStage
    from guide.extensions import db
    from guide.places.models import Place, Plant
    from guide.places.queries import latest_reports
    from guide.staff import operations
    from guide.staff.models import Staff

    with app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.username == "zhou"))
        row = db.session.scalar(
            select(Plant).join(Place).where(Place.slug == "guyi-garden", Plant.name["zh"].as_string() == name)
        )
        seen = latest_reports([row.id]).get(row.id)
        operations.report_bloom(
            staff,
            [operations.Observation(row, BloomStage.BUDDING, None, None, seen_version=seen.id if seen else 0)],
            clock.now(),
        )
        db.session.commit()
        key = row.key
    count = len(reports_of(app, "guyi-garden", key))
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.locator(".queue__item--conflict").wait_for(timeout=15_000)
    assert "有更新的报告" in page.locator(".queue__item--conflict").inner_text()
    assert len(reports_of(app, "guyi-garden", key)) == count  # nothing filed over the newer report
    form = page.locator(".queue__item--conflict").get_by_role("link", name="打开表单")
    assert form.get_attribute("href").endswith("/zh/staff/places/guyi-garden")  # where to check it
    shot(page, "offline-staff-conflict-zh")
    page.locator(".queue__item--conflict").get_by_role("button", name="移除").click()
    until(page, lambda: queue_items(page) == [])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chromium_finds_the_guide_installable_and_its_start_page_opens_offline(server, offline_phone, lang):
    """What Lighthouse's installability audit asks Chromium (Page.getInstallabilityErrors): a
    manifest with names, icons and a start URL, and a worker that answers it offline."""
    _app, base = server
    page, context = offline_phone("zh-CN" if lang == "zh" else "en-US")
    page.goto(f"{base}/{lang}/")
    controlled(page)
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith(f"/{lang}/manifest.webmanifest") and not manifest.get("errors")
    errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    assert [e for e in errors if e != "in-incognito"] == []  # a test's browser context is incognito
    context.set_offline(True)
    page.goto(f"{base}/{lang}/")  # the start URL, with no signal
    assert page.locator(".saved-copy").count() == 1 and page.locator("h1, .hero").first.is_visible()
