"""Sharing at phone size in real Chromium: the share button, the card, the concierge handout,
and both printed to PDF."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "build" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_share_button_copies_the_neutral_link_and_says_so(server, phone):
    _, base = server
    page, watch = phone(locale="zh-CN")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(f"{base}/zh/places/guyi-garden")
    button = page.get_by_role("button", name="分享")
    button.focus()
    page.keyboard.press("Enter")  # by keyboard, as anyone may
    page.get_by_text("链接已复制。").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{base}/places/guyi-garden"
    assert watch.errors == [] and watch.outside == []


def test_share_button_uses_the_web_share_api_where_there_is_one(server, phone):
    _, base = server
    page, _watch = phone()
    page.add_init_script("navigator.share = (data) => { window.shared = data; return Promise.resolve(); };")
    page.goto(f"{base}/en/places/guyi-garden")
    page.get_by_role("button", name="Share").click()
    assert page.evaluate("window.shared") == {"title": "Guyi Garden", "url": f"{base}/places/guyi-garden"}


def test_the_printed_qr_code_scans_to_the_neutral_link(server, phone, tmp_path):
    _, base = server
    page, _ = phone()
    page.goto(f"{base}/en/places/huilongtan-park/card")
    image = tmp_path / "qr.png"
    page.locator(".card-foot svg").screenshot(path=str(image))
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
    assert result.stdout.strip() == f"{base}/places/huilongtan-park"


def pdf_pages(pdf) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    return [pages, tuple(round(float(v) / 72 * 25.4) for v in size)]


def test_card_fits_one_a6_page_and_a_phone_screen(server, phone, tmp_path):
    _, base = server
    page, watch = phone()
    page.goto(f"{base}/en/places/jiading-wisteria-park/card")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.get_by_text("请带我去 / Please take me to").is_visible()
    shot(page, "card-en")
    pdf = tmp_path / "card.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    assert pdf_pages(pdf) == [1, (105, 148)]
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(SHOTS / "card-print")], check=True)
    assert watch.errors == [] and watch.outside == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_taxi_view_fills_the_screen_in_large_type_and_keeps_it_awake(server, phone, lang):
    _, base = server
    page, watch = phone()
    page.add_init_script(
        "window.locks = []; Object.defineProperty(navigator, 'wakeLock', {value: {request:"
        " (kind) => { window.locks.push(kind); return Promise.resolve({}); }}});"
    )
    page.goto(f"{base}/{lang}/places/anting-ancient-ginkgo")
    page.locator(".taxi__full").click()
    page.wait_for_url(f"{base}/{lang}/places/anting-ancient-ginkgo/taxi")
    box = page.get_by_role("heading", name="嘉定古树公园", exact=True).bounding_box()
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)") >= 48
    assert box["width"] > 0.8 * 375  # the name runs across the screen
    # The dark view covers the whole screen, nothing scrolls sideways, the number stays whole.
    assert page.evaluate("document.body.getBoundingClientRect().height") >= 812
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    number = page.locator(".taxi-view__address .nowrap").first.bounding_box()
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.taxi-view__address')).fontSize)")
    assert number["height"] < 1.6 * size  # on one line
    page.locator("[data-awake]").wait_for()
    assert page.evaluate("window.locks") == ["screen"]
    shot(page, f"taxi-{lang}")
    assert watch.errors == [] and watch.outside == []


def test_the_taxi_view_says_nothing_about_the_screen_without_a_wake_lock(server, phone):
    _, base = server
    page, watch = phone()
    page.add_init_script("delete Navigator.prototype.wakeLock;")
    page.goto(f"{base}/en/places/guyi-garden/taxi")
    assert not page.locator("[data-awake]").is_visible()
    assert page.get_by_role("link", name="Back to Guyi Garden").is_visible()
    assert watch.errors == [] and watch.outside == []


def test_concierge_builds_a_three_place_handout_on_one_a4_page(server, phone, tmp_path):
    _, base = server
    for lang, places in (
        ("en", ["Jiading Wisteria Park", "Guyi Garden", "Huilongtan Park"]),
        ("zh", ["嘉定紫藤园", "古猗园", "汇龙潭公园"]),
    ):
        page, watch = phone()
        page.goto(f"{base}/{lang}/concierge")
        for name in places:
            page.get_by_label(name, exact=True).check()
        page.get_by_role("button", name="Make the handout" if lang == "en" else "生成导览页").click()
        page.wait_for_url(re.compile(r"place=jiading-wisteria-park&place=guyi-garden&place=huilongtan-park"))
        assert page.locator(".print-card").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        shot(page, f"concierge-{lang}")
        pdf = tmp_path / f"handout-{lang}.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        assert pdf_pages(pdf) == [1, (210, 297)]
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(SHOTS / f"handout-print-{lang}")], check=True
        )
        assert watch.errors == [] and watch.outside == []


def test_switching_language_on_a_handout_keeps_every_garden(server, phone):
    _, base = server
    page, watch = phone()
    page.goto(f"{base}/en/concierge?place=jiading-wisteria-park&place=guyi-garden&place=huilongtan-park")
    assert page.locator(".print-card").count() == 3
    page.get_by_role("link", name="中文").click()
    page.wait_for_url(
        re.compile(r"/zh/concierge\?place=jiading-wisteria-park&place=guyi-garden&place=huilongtan-park$")
    )
    assert page.locator(".print-card").count() == 3
    assert page.locator("input[name=place]:checked").count() == 3
    assert watch.errors == [] and watch.outside == []
