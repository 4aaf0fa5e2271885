"""A park warden's morning round on a phone, in real Chromium at 375×812."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser_support import show_map
from tests.conftest import PASSWORD, ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "build" / "screenshots"
EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}"


def add_staff(app, username, *args):
    result = app.test_cli_runner().invoke(args=["staff", "add", username, *args], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


def photo_bytes() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 22.0, 40.0), 3: "E", 4: (121.0, 15.0, 9.0)}
    Image.new("RGB", (2400, 1800), (150, 90, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def log_in(page, base, username, lang="zh"):
    page.goto(f"{base}/{lang}/staff/login")
    page.get_by_label("用户名" if lang == "zh" else "Username").fill(username)
    page.get_by_label("密码" if lang == "zh" else "Password").fill(PASSWORD)
    page.get_by_role("button", name="登录" if lang == "zh" else "Log in").click()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_morning_round_one_tap_per_unchanged_plant_one_form_for_the_changed_one(server, phone):
    app, base = server
    add_staff(app, "wang", "--place", "jiading-wisteria-park")
    page, watch = phone(locale="zh-CN")
    log_in(page, base, "wang")
    page.wait_for_url("**/zh/staff/places/jiading-wisteria-park")
    shot(page, "staff-place-zh")

    # The crabapple has not changed: one tap.
    crabapple = page.locator("section.plant-report", has_text="海棠")
    crabapple.get_by_role("button", name="没有变化").click()
    page.wait_for_load_state()
    assert "海棠：已确认为" in page.locator(".flash").inner_text()

    # The wisteria reached its peak: one short form.
    wisteria = page.locator("section.plant-report", has_text="紫藤")
    wisteria.get_by_text("报告变化").click()
    wisteria.get_by_label("● 盛花").check()
    wisteria.get_by_label("已开的花（%）").fill("85")
    wisteria.get_by_label("中文备注").fill("长廊东段满开，早上人少")
    wisteria.get_by_label("英文备注").fill("East end of the trellis in full bloom; quiet early")
    wisteria.get_by_label("照片（可选）").set_input_files(
        files=[{"name": "IMG_0415.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    shot(page, "staff-report-form-zh")
    wisteria.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    assert "已提交1条报告" in page.locator(".flash").inner_text()
    assert "已开85%" in page.locator("section.plant-report", has_text="紫藤").inner_text()
    shot(page, "staff-after-round-zh")
    assert watch.errors == [] and watch.outside == []

    # Tourists see it at once, in both languages, on the page and on the map.
    visitor, seen = phone(locale="en-US")
    visitor.goto(f"{base}/en/places/jiading-wisteria-park")
    status = visitor.locator(".card", has_text="Wisteria (about 90 vines, 20+ varieties)")
    assert "85% open" in status.inner_text() and "checked just now" in status.inner_text()
    assert "East end of the trellis in full bloom" in status.inner_text()
    image = status.locator("img.photo")
    assert image.get_attribute("loading") == "lazy"
    image.scroll_into_view_if_needed()  # a lazy image loads near the screen; then wait for it
    assert image.evaluate("i => i.decode().then(() => i.naturalWidth)") == 480
    show_map(visitor)
    visitor.locator(".leaflet-marker-icon[title]").dispatch_event("click")
    assert "East end of the trellis" in visitor.locator(".leaflet-popup-content").inner_text()
    shot(visitor, "place-after-report-en")
    visitor.goto(f"{base}/zh/places/jiading-wisteria-park")
    assert "长廊东段满开" in visitor.locator(".card", has_text="紫藤（约90株，20多个品种）").inner_text()
    visitor.goto(f"{base}/zh/")
    assert "已开85%" in visitor.locator(".hero").inner_text()  # a fresh report at peak: the best now
    visitor.goto(f"{base}/zh/places/jiading-wisteria-park/history")
    history = visitor.locator(".reports").inner_text()
    assert "长廊东段满开" in history and "（复核无变化）" in history and "wang" not in history
    shot(visitor, "history-zh")
    assert seen.errors == [] and seen.outside == []


def test_what_staff_type_shows_as_typed_and_runs_nowhere(server, phone):
    app, base = server
    add_staff(app, EVIL.replace(" ", ""), "--place", "qiuxia-garden")  # usernames have no spaces
    page, watch = phone(locale="en-US")
    log_in(page, base, EVIL.replace(" ", ""), lang="en")
    page.wait_for_url("**/en/staff/places/qiuxia-garden")
    plant = page.locator("section.plant-report", has_text="Tree peony")
    plant.get_by_text("Report a change").click()
    plant.get_by_label("● Peak").check()
    plant.get_by_label("Note in Chinese").fill(EVIL)
    plant.get_by_label("Note in English").fill(EVIL)
    plant.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_load_state()
    for path in (
        "/en/staff/places/qiuxia-garden",
        "/en/staff/places/qiuxia-garden/history",
        "/en/places/qiuxia-garden",
        "/zh/places/qiuxia-garden/history",
        "/en/",
        "/zh/calendar",
    ):
        page.goto(base + path)
        if "/places/" in path and "history" not in path and "staff" not in path:
            show_map(page)
            page.locator(".leaflet-marker-icon[title]").dispatch_event("click")
            assert EVIL in page.locator(".leaflet-popup-content").inner_text()
            page.locator(".leaflet-marker-icon[title]").dispatch_event("mouseover")
        if "calendar" not in path and path != "/en/":
            assert page.get_by_text(EVIL).count() >= 1, path
    assert watch.dialogs == [] and watch.errors == []


def test_an_editor_posts_a_notice_and_confirms_festival_dates_from_a_phone(server, phone):
    app, base = server  # the clock stands at 09:00 on 15 April 2026
    add_staff(app, "zhao", "--place", "huilongtan-park")
    assert app.test_cli_runner().invoke(args=["staff", "grant", "zhao", "huilongtan-park", "--editor"]).exit_code == 0
    page, watch = phone(locale="zh-CN")
    log_in(page, base, "zhao")
    page.wait_for_url("**/zh/staff/places/huilongtan-park")
    page.get_by_role("link", name="花展日期与公告").click()
    page.wait_for_url("**/zh/staff/places/huilongtan-park/edit")

    page.get_by_label("闭园").check()
    page.get_by_label("中文公告").fill("4月16日闭园维修。" + EVIL)
    page.get_by_label("结束日期（可不填，不填则一直显示到撤回）").fill("2026-04-16")
    shot(page, "staff-notice-form-zh")
    page.get_by_role("button", name="发布公告").click()
    page.wait_for_load_state()
    assert "公告已发布" in page.locator(".flash").inner_text()

    festival = page.locator("#festival-chrysanthemum-exhibition")
    assert "尚未公布" in festival.inner_text()
    festival.get_by_label("第一天").fill("2026-10-30")
    festival.get_by_label("最后一天").fill("2026-11-29")
    festival.get_by_label("公布来源（链接或名称，可不填）").fill("园内公告栏")
    festival.get_by_role("button", name="保存日期").click()
    page.wait_for_load_state()
    assert "日期已保存" in page.locator(".flash").inner_text()
    shot(page, "staff-edit-after-zh")
    assert watch.errors == [] and watch.dialogs == [] and watch.outside == []

    visitor, seen = phone(locale="en-US")
    visitor.goto(f"{base}/en/places/huilongtan-park")
    notice = visitor.locator(".notice")
    assert "Closed" in notice.inner_text() and "4月16日闭园维修。" + EVIL in notice.inner_text()
    assert "Oct 30" in visitor.locator("#events-heading + ul").inner_text()
    box = notice.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375  # fits the phone
    shot(visitor, "place-with-notice-en")
    assert seen.errors == [] and seen.dialogs == []


def test_a_warden_says_how_busy_it_is_in_one_tap_and_visitors_see_it(server, phone):
    app, base = server
    add_staff(app, "zhou", "--place", "nanshuiguan-park")
    page, watch = phone(locale="zh-CN")
    log_in(page, base, "zhou")
    page.wait_for_url("**/zh/staff/places/nanshuiguan-park")
    page.locator("#crowd").get_by_role("button", name="较拥挤").click()
    page.wait_for_load_state()
    assert "游客现在看到：较拥挤" in page.locator(".flash").inner_text()
    assert page.locator("#crowd").get_by_role("button", name="较拥挤").get_attribute("aria-pressed") == "true"
    shot(page, "staff-crowd-zh")
    assert watch.errors == [] and watch.outside == []

    visitor, _seen = phone(locale="en-US")
    visitor.goto(f"{base}/en/places/nanshuiguan-park")
    line = visitor.locator("[data-crowd]")
    assert line.inner_text().strip().startswith("Crowds now: Busy (said by park staff")
    assert line.is_visible()
