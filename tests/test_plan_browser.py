"""The trip planner in real Chromium at phone size (the live server is frozen at 15 April 2026)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WISTERIA = {"en": "Wisteria (over 20 kinds)", "zh": "紫藤（20多个品种）"}
BACKWARDS = {"en": "The last day comes before the first", "zh": "最后一天早于第一天"}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_form_plans_the_days_of_a_trip_on_a_phone(server, phone, lang):
    _, base = server
    page, watch = phone(locale="zh-CN" if lang == "zh" else "en-US")
    page.goto(f"{base}/{lang}/plan")
    page.fill("#plan-from", "2026-04-16")
    page.fill("#plan-to", "2026-04-19")
    page.click("form.plan-form button[type=submit]")
    page.wait_for_url("**/plan?from=2026-04-16&to=2026-04-19")
    days = page.locator(".plan-day")
    assert days.count() == 4
    assert WISTERIA[lang] in days.first.inner_text()
    assert page.locator("#plan-from").input_value() == "2026-04-16"
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
