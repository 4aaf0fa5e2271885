"""Accessibility (axe-core in Chromium) and valid markup (the W3C Nu HTML Checker) on every page,
public and staff, in both languages."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.browser_support import show_map
from tests.conftest import PASSWORD, ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PUBLIC = [
    "/{lang}/",
    "/{lang}/places/jiading-wisteria-park",
    "/{lang}/places/guyi-garden",
    "/{lang}/calendar",
    "/{lang}/calendar?month=4",
    "/{lang}/events",
    "/{lang}/plan",
    "/{lang}/plan?from=2026-04-15&to=2026-04-18",
    "/{lang}/plan?from=2026-13-01",
    "/{lang}/places/guyi-garden/history",
    "/{lang}/places/guyi-garden/card",
    "/{lang}/places/guyi-garden/taxi",
    "/{lang}/concierge",
    "/{lang}/concierge?place=guyi-garden&place=qiuxia-garden",
    "/embed/{lang}/places/guyi-garden",
    "/{lang}/places/nowhere",
    "/{lang}/staff/login",
]
STAFF = ["/{lang}/staff/places/guyi-garden", "/{lang}/staff/places/guyi-garden/history", "/{lang}/staff/"]


AXE_SOURCE = AXE.read_text(encoding="utf-8") if AXE.exists() else ""


def need(path):
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make test`, which installs it (npm ci)")


@pytest.fixture(scope="module")
def staff_server(server):
    app, base = server
    for args in (
        ["staff", "add", "wang", "--place", "guyi-garden", "--place", "qiuxia-garden"],
        ["staff", "add", "boss", "--admin"],
    ):
        assert app.test_cli_runner().invoke(args=args, input=PASSWORD + "\n").exit_code == 0
    return app, base


def logged_in(page, base, username):
    page.goto(f"{base}/en/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_serious_accessibility_violation_on_any_page(staff_server, phone, lang):
    need(AXE)
    _, base = staff_server
    page, _ = phone()
    found = {}
    for username, paths in ((None, PUBLIC), ("wang", STAFF), ("boss", ["/{lang}/staff/places/guyi-garden/history"])):
        if username:
            logged_in(page, base, username)
        for path in paths:
            page.goto(base + path.format(lang=lang))
            if page.locator("[data-map]").count():
                show_map(page)  # the map is checked too, once drawn
            # Through DevTools, which the page's CSP rightly does not let an inline <script> do.
            page.evaluate(AXE_SOURCE)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            bad = [
                f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            if bad:
                found[path.format(lang=lang)] = bad
    assert found == {}


@pytest.mark.browser
def test_every_page_is_valid_html(staff_server, tmp_path):
    need(VNU)
    app, _ = staff_server
    files = []
    for lang in ("en", "zh"):
        public = app.test_client()
        staff = app.test_client()
        form = staff.get("/en/staff/login").get_data(as_text=True)
        import re

        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        staff.post("/en/staff/login", data={"csrf_token": token, "username": "boss", "password": PASSWORD})
        for client, paths in ((public, PUBLIC), (staff, STAFF)):
            for path in paths:
                url = path.format(lang=lang)
                html = client.get(url).get_data(as_text=True)
                name = tmp_path / (url.strip("/").replace("/", "_").replace("?", "_").replace("&", "_") + ".html")
                name.write_text(html, encoding="utf-8")
                files.append(name)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == []


@pytest.mark.browser
@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/zh/",
        "/en/calendar",
        "/zh/calendar",
        "/en/places/jiading-wisteria-park",
        "/zh/places/jiading-wisteria-park",
    ],
)
def test_first_visit_stays_within_the_byte_budgets(server, phone, path):
    """Bytes, not seconds: what a first visit transfers (compressed, tiles and photos aside),
    before the map is wanted, and once it is drawn."""
    _, base = server
    page, watch = phone()
    page.goto(base + path, wait_until="networkidle")
    before = page.evaluate(SIZES)
    assert before["total"] <= 20 * 1024 and before["blocking"] <= 20 * 1024, before
    assert not [name for name in before["names"] if "leaflet" in name], "Leaflet before the map is wanted"
    if page.locator("[data-map]").count():
        show_map(page)
        page.wait_for_load_state("networkidle")
        after = page.evaluate(SIZES)
        assert after["total"] <= 70 * 1024, after
        assert [name for name in after["names"] if "leaflet" in name]
    assert watch.outside == []


SIZES = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).hostname === '127.0.0.1');
    return {total: nav.transferSize + own.reduce((n, r) => n + r.transferSize, 0),
            blocking: nav.transferSize + own.filter(r => r.renderBlockingStatus === 'blocking')
                                             .reduce((n, r) => n + r.transferSize, 0),
            names: own.map(r => r.name)};
}"""


@pytest.mark.browser
def test_everything_works_by_keyboard_with_visible_focus(staff_server, phone):
    _, base = staff_server
    page, _ = phone(locale="zh-CN")
    page.goto(f"{base}/zh/calendar")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"
    page.focus("nav.months a:text('4月')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zh/calendar?month=4")
    page.focus("nav.lang a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/calendar?month=4")
    # A staff report, by keyboard only.
    logged_in(page, base, "wang")
    page.goto(f"{base}/en/staff/places/qiuxia-garden")
    section = page.locator("section.plant-report", has_text="Tree peony")
    section.locator("summary").focus()
    page.keyboard.press("Enter")  # opens "Report a change"
    section.get_by_label("● Peak").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("90")
    section.get_by_role("button", name="Send", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "1 report sent" in page.locator(".flash").inner_text()


def test_every_setting_is_listed_in_the_deployment_docs():
    from guide.config import Defaults, Wiring

    documented = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    names = {"SQLALCHEMY_DATABASE_URI": "DATABASE_URL", "REDIS_URL": "REDIS_URL"}
    settings = [name for name in vars(Defaults) if name.isupper() and name not in vars(Wiring)]
    missing = [name for name in settings if f"`{names.get(name, 'FLASK_' + name)}`" not in documented]
    assert len(settings) >= 18 and missing == []
