"""The trip planner in real Chromium at phone size (the live server is frozen at 15 April 2026)."""

from __future__ import annotations

import itertools

import pytest

pytestmark = pytest.mark.browser

# Jiading Wisteria Park's wisteria: its past seasons (2021, 2024) put it at its best from about 19 April.
WISTERIA = {"en": "Wisteria (about 90 vines, 20+ varieties)", "zh": "紫藤（约90株，20多个品种）"}
# 16–19 April: the same list from the 16th to the 18th, one run; the park's wisteria joins on the 19th.
RUNS = {
    "en": ["Tue, Apr 28", "Wed, Apr 29 to Sat, May 2", "Sun, May 3 to Mon, May 4"],
    "zh": ["4月28日周二", "4月29日周三至5月2日周六", "5月3日周日至5月4日周一"],
}
BACKWARDS = {"en": "The last day comes before the first", "zh": "最后一天早于第一天"}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_form_plans_the_days_of_a_trip_on_a_phone(server, phone, lang):
    _, base = server
    page, watch = phone(locale="zh-CN" if lang == "zh" else "en-US")
    page.goto(f"{base}/{lang}/plan")
    page.fill("#plan-from", "2026-04-28")
    page.fill("#plan-to", "2026-05-04")
    page.click("form.plan-form button[type=submit]")
    page.wait_for_url("**/plan?from=2026-04-28&to=2026-05-04")
    days = page.locator(".plan-day")
    assert [days.nth(i).locator("h3").inner_text() for i in range(days.count())] == RUNS[lang]
    # The park's wisteria, the last at its best, ends with the first days of May.
    assert WISTERIA[lang] in days.first.inner_text() and WISTERIA[lang] not in days.last.inner_text()
    assert page.locator("#plan-from").input_value() == "2026-04-28"
    assert overflow(page) <= 0
    # Printed, it is a handout: the plan and its QR code, without the form.
    page.emulate_media(media="print")
    assert page.locator("form.plan-form").is_hidden()
    assert page.locator(".site-header").is_hidden()
    assert days.first.is_visible() and page.locator(".qr-box svg").is_visible()
    assert watch.errors == [] and watch.outside == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dates_backwards_answer_a_message_and_keep_the_form(server, phone, lang):
    _, base = server
    page, watch = phone(locale="zh-CN" if lang == "zh" else "en-US")
    page.goto(f"{base}/{lang}/plan")
    page.fill("#plan-from", "2026-04-20")
    page.fill("#plan-to", "2026-04-16")
    page.click("form.plan-form button[type=submit]")
    page.wait_for_url("**/plan?from=2026-04-20&to=2026-04-16")
    assert BACKWARDS[lang] in page.locator("[role=alert]").inner_text()
    assert page.locator("#plan-from").input_value() == "2026-04-20"
    assert page.locator(".plan-day").count() == 0
    assert overflow(page) <= 0
    assert watch.outside == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_six_day_april_plan_prints_on_two_a4_pages_at_most_and_says_each_thing_once(server, phone, lang, tmp_path):
    """The review printed a 6-day April plan on 5 pages, the last holding only the QR code, the
    same list day after day, and no Chinese name or address for a driver."""
    import re
    import subprocess

    _, base = server
    page, watch = phone(locale="zh-CN" if lang == "zh" else "en-US")
    page.goto(f"{base}/{lang}/plan?from=2026-04-15&to=2026-04-20")
    days = page.locator(".plan-day")
    headings = [days.nth(i).locator("h3").inner_text() for i in range(days.count())]
    lists = [days.nth(i).locator(".plan-list").inner_text() for i in range(days.count())]
    assert all(a != b for a, b in itertools.pairwise(lists))  # consecutive same days are one run
    assert len(headings) < 6
    stops = page.locator(".plan-stops li")
    assert stops.count() >= 1 and "嘉定区" in stops.first.inner_text()  # the Chinese address
    pdf = tmp_path / "plan.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages <= 2, pages
    last = subprocess.run(
        ["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert len(last.split()) > 10  # never a page with only the QR code and its link
    assert watch.errors == [] and watch.outside == []
