"""Reading comfort in real Chromium: at 320 px and at 200% text, in both scripts, no page
scrolls sideways and no word or short label breaks letter by letter (a word wider than the
whole column may break: there is nothing else it can do)."""

from __future__ import annotations

import pytest

from tests.test_quality import PUBLIC

pytestmark = pytest.mark.browser

PAGES = PUBLIC  # every public page the quality checks visit, in both languages

# Every Latin word (a hyphen may end a line), and every label of two to four Chinese characters that is a whole element
# (a tab, the language switch, a badge), must sit on one line unless it is wider than the room
# it has. URLs and other links written out may break anywhere.
BROKEN = """() => {
  const found = [];
  const lines = (node, start, end) => {
    const range = document.createRange();
    range.setStart(node, start); range.setEnd(node, end);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    return {count: new Set(rects.map(r => Math.round(r.top))).size, range};
  };
  const fits = (element, text) => {
    const probe = document.createElement("span");
    probe.style.whiteSpace = "nowrap";
    probe.textContent = text;
    element.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    let box = element;
    while (getComputedStyle(box).display.startsWith("inline")) box = box.parentElement;
    const style = getComputedStyle(box);
    return width <= box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement, text = node.textContent;
    if (element.closest("script, style, svg, .leaflet-container, .card-link, [aria-hidden=true]")) continue;
    if (getComputedStyle(element).display === "none" || /https?:|\\.\\w+\\//.test(text)) continue;
    for (const word of text.matchAll(/[A-Za-z0-9][A-Za-z0-9'’]*[A-Za-z0-9]/g)) {
      if (lines(node, word.index, word.index + word[0].length).count > 1 && fits(element, word[0])) found.push(word[0]);
    }
    const label = text.trim();
    const short = /^[\\u4e00-\\u9fff]{2,4}$/.test(label);
    if (short && lines(node, 0, text.length).count > 1 && fits(element, label)) found.push(label);
  }
  return found;
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("width", "text"), [(320, 100), (375, 200), (320, 200)])
def test_nothing_overflows_and_no_word_breaks_at_narrow_width_and_large_text(server, browser, lang, width, text):
    _, base = server
    context = browser.new_context(viewport={"width": width, "height": 700}, locale="en-US")
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    problems = {}
    for path in PAGES:
        url = path.format(lang=lang)
        page.goto(base + url)
        page.add_style_tag(content=f"html {{ font-size: {text}% !important; }}")  # as the browser's text size
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        broken = page.evaluate(BROKEN)
        if wide > 0 or broken:
            problems[url] = {"wider by px": wide, "broken": broken}
    context.close()
    assert problems == {}


def test_no_chinese_text_is_slanted(server, phone):
    _, base = server
    page, _watch = phone(locale="zh-CN")
    slanted = {}
    for path in PAGES:
        page.goto(base + path.format(lang="zh"))
        found = page.evaluate(
            """() => [...document.querySelectorAll("body *")]
              .filter(e => getComputedStyle(e).fontStyle !== "normal")
              .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && /[\\u4e00-\\u9fff]/.test(n.textContent)))
              .map(e => e.textContent.trim().slice(0, 30))"""
        )
        if found:
            slanted[path] = found
    assert slanted == {}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_year_fits_about_two_phone_screens_with_its_months_in_view(server, phone, lang):
    _, base = server
    page, watch = phone()
    page.goto(f"{base}/{lang}/calendar")
    chart = page.locator(".chart").bounding_box()
    # With the 25 strips (one a plant) it was written for, the year took 2.3 screens (it was seven
    # screens of strips); each strip keeps that share as gardens are added (41 strips in 19 gardens).
    strips = page.locator(".chart__row").count()
    assert strips >= 25 and chart["height"] <= strips * 2.3 * 812 / 25
    tops = page.evaluate("[...document.querySelectorAll('.months__grid a')].map(a => a.getBoundingClientRect().top)")
    assert len(tops) == 12 and len(set(tops)) == 1  # the months in one row
    page.evaluate("window.scrollTo(0, 1200)")
    axis = page.locator(".chart__axis").bounding_box()
    assert axis["y"] == 0  # the months stay in view while the chart scrolls
    # One tap on a garden opens its dates and a link to its page.
    row = page.locator(".chart__row").first
    row.locator("summary").click()
    assert row.locator(".window").first.is_visible() and row.get_by_role("link").is_visible()
    page.goto(f"{base}/{lang}/calendar?kind=wintersweet")
    chip = page.locator(".kinds [aria-current]").bounding_box()
    assert chip["x"] >= 0 and chip["x"] + chip["width"] <= 375  # the chosen kind is in view
    assert watch.errors == [] and watch.outside == []
