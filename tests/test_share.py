"""What concierges and other sites take away: links, QR codes, share tags, cards, calendars, feeds."""

import io
import re
import subprocess
from datetime import date
from html import unescape

import feedparser
import pytest
from icalendar import Calendar
from PIL import Image

from tests.conftest import PLACES_YAML, make_app
from tests.test_staff_reports import plant_ids, send


@pytest.mark.parametrize(
    "header, expected",
    [
        ("zh-CN,zh;q=0.9", "/zh/places/guyi-garden"),
        ("en-GB", "/en/places/guyi-garden"),
        ("de-DE", "/en/places/guyi-garden"),
        (None, "/zh/places/guyi-garden"),
    ],
)
def test_the_neutral_link_opens_the_place_in_the_visitors_language(client, header, expected):
    response = client.get("/places/guyi-garden", headers={"Accept-Language": header} if header else {})
    assert response.status_code == 302 and response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_share_actions_and_x_default_use_the_neutral_link(client):
    html = client.get("/en/places/guyi-garden").get_data(as_text=True)
    assert 'data-share-url="http://guide.test/places/guyi-garden"' in html
    assert 'value="http://guide.test/places/guyi-garden"' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://guide.test/places/guyi-garden">' in html


def test_the_public_base_url_setting_is_used_for_links_that_leave_the_page(guide_app):
    guide_app.config["PUBLIC_BASE_URL"] = "https://bloom.example.cn/"
    html = guide_app.test_client().get("/zh/places/guyi-garden").get_data(as_text=True)
    assert 'data-share-url="https://bloom.example.cn/places/guyi-garden"' in html
    assert '<meta property="og:url" content="https://bloom.example.cn/zh/places/guyi-garden">' in html


def decode_svg_qr(svg: str, tmp_path) -> str:
    """Draw the QR code as the page draws it (segno's one path of horizontal runs, in modules)
    and read it back with zbarimg, as a phone's camera would."""
    size = int(re.search(r'<path fill="#fff" d="M0 0h(\d+)v', svg).group(1))
    path = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    image = Image.new("L", (size, size), 255)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                image.putpixel((column, int(y)), 0)
            x += float(a)
    picture = tmp_path / "qr.png"
    image.resize((size * 8, size * 8), Image.NEAREST).save(picture)
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(picture)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("lang, label", [("zh", "古猗园链接的二维码"), ("en", "QR code of the link to Guyi Garden")])
def test_the_place_pages_qr_code_reads_as_the_neutral_link(client, tmp_path, lang, label):
    html = client.get(f"/{lang}/places/guyi-garden").get_data(as_text=True)
    svg = re.search(r'<svg role="img" aria-label="([^"]+)"[^>]*class="qr">.*?</svg>', html, re.S)
    assert svg and svg.group(1) == label
    assert decode_svg_qr(svg.group(0), tmp_path) == "http://guide.test/places/guyi-garden"


def test_the_cards_qr_code_reads_as_the_link_printed_beside_it(guide_app, tmp_path):
    guide_app.config["PUBLIC_BASE_URL"] = "https://bloom.example.cn"
    html = guide_app.test_client().get("/en/places/qiuxia-garden/card").get_data(as_text=True)
    link = re.search(r'<p class="card-link">([^<]+)</p>', html).group(1)
    assert link == "https://bloom.example.cn/places/qiuxia-garden"
    svg = re.search(r'<svg role="img"[^>]*class="qr">.*?</svg>', html, re.S).group(0)
    assert decode_svg_qr(svg, tmp_path) == link


@pytest.mark.parametrize("lang, locale, alternate", [("zh", "zh_CN", "en_US"), ("en", "en_US", "zh_CN")])
@pytest.mark.parametrize(
    "path",
    [
        "/{lang}/",
        "/{lang}/places/guyi-garden",
        "/{lang}/calendar",
        "/{lang}/events",
        "/{lang}/places/guyi-garden/history",
        "/{lang}/concierge",
    ],
)
def test_every_public_page_has_share_tags_and_a_canonical_link(client, path, lang, locale, alternate):
    url = path.format(lang=lang)
    html = client.get(url).get_data(as_text=True)
    tag = lambda prop: re.search(rf'<meta (?:property|name)="{prop}" content="([^"]*)">', html).group(1)  # noqa: E731
    assert f'<link rel="canonical" href="http://guide.test{url}">' in html
    assert tag("og:url") == f"http://guide.test{url}"
    assert tag("og:title") and tag("og:description") and tag("twitter:title")
    place_page = re.fullmatch(r"/\{lang\}/places/([a-z-]+)", path)  # shares its own image, the rest the site's
    own = re.escape(f"http://guide.test/places/{place_page.group(1)}/share.png?v=") if place_page else ""
    image = own + "[0-9a-f]{12}" if place_page else re.escape("http://guide.test/static/og.png")
    assert re.fullmatch(image, tag("og:image")) and tag("twitter:card") == "summary_large_image"
    assert tag("og:locale") == locale and tag("og:locale:alternate") == alternate


def test_the_card_has_both_languages_the_taxi_block_and_the_status_with_its_date(client, freeze):
    freeze("2026-04-15 09:00")
    html = client.get("/en/places/jiading-wisteria-park/card").get_data(as_text=True)
    assert "请带我去 / Please take me to" in html
    assert '<p class="card-taxi__address">上海市嘉定区博乐路<span class="nowrap">45号</span></p>' in html
    assert "嘉定紫藤园" in html and "Jiading Wisteria Park" in html
    assert "截至4月15日" in html and "As of Apr 15" in html
    assert "stage--peak" in html
    assert "地铁11号线嘉定西站" in html and "Metro Line 11 to Jiading West" in html
    assert "7:00–18:00" in html and "Free." in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_taxi_view_is_one_tap_from_the_place_page_and_the_card(client, lang):
    taxi = f"/{lang}/places/anting-ancient-ginkgo/taxi"
    for page in (f"/{lang}/places/anting-ancient-ginkgo", f"/{lang}/places/anting-ancient-ginkgo/card"):
        assert f'href="{taxi}"' in client.get(page).get_data(as_text=True)
    html = client.get(taxi).get_data(as_text=True)
    assert '<h1 class="taxi-view__name" lang="zh-Hans">' in html
    assert '上海市嘉定区安亭镇泰海路<span class="nowrap">230号</span>（近安辰路）' in html
    assert "请带我去" in html and 'name="robots" content="noindex"' in html
    assert ("Please take me to" in html) == (lang == "en")
    assert ("230 Taihai Road" in html) == (lang == "en")  # the visitor checks it is the right place
    assert f'href="/{lang}/places/anting-ancient-ginkgo"' in html  # and goes back
    assert client.get(f"/{lang}/places/nowhere/taxi").status_code == 404


def test_the_concierge_link_encodes_the_choice(client):
    url = "/en/concierge?place=guyi-garden&place=qiuxia-garden&place=huilongtan-park"
    html = client.get(url).get_data(as_text=True)
    assert html.count('class="print-card"') == 3 and html.count('class="sheet sheet--a4"') == 1
    assert html.count("checked aria-labelledby=") == 3
    assert "http://guide.test/en/concierge?place=guyi-garden&amp;place=qiuxia-garden&amp;place=huilongtan-park" in html
    assert client.get("/en/concierge?place=nowhere").status_code == 404
    assert client.get("/zh/concierge").status_code == 200


def test_a_handout_of_several_gardens_keeps_them_all_in_the_other_language(client):
    chosen = "place=guyi-garden&place=qiuxia-garden&place=huilongtan-park"
    html = client.get(f"/en/concierge?{chosen}").get_data(as_text=True)
    escaped = chosen.replace("&", "&amp;")
    assert f'hreflang="zh-Hans" href="http://guide.test/zh/concierge?{escaped}"' in html
    assert f"next=/zh/concierge?{chosen.replace('=', '%3D').replace('&', '%26')}" in html
    zh = client.get(f"/zh/concierge?{chosen}").get_data(as_text=True)
    assert zh.count('class="print-card"') == 3 and zh.count("checked aria-labelledby=") == 3


def ical(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


@pytest.mark.parametrize("today", ["2026-11-25 09:00", "2027-01-10 09:00"])
def test_bloom_calendar_gives_each_plants_next_season_in_order(client, freeze, today):
    """On 25 November the wintersweet's season to come runs December 2026 to February 2027; in
    January it is the season under way; the peony's is next spring's either way."""
    freeze(today)
    vevents = ical(client, "/en/places/guyi-garden/bloom.ics").walk("VEVENT")
    events = {str(e["uid"]): e for e in vevents}
    peony = events["bloom-guyi-garden-peony-bloom-2027@jiading-bloom-guide"]
    assert peony.decoded("dtstart") == date(2027, 4, 8) and peony.decoded("dtend") == date(2027, 5, 1)
    assert str(peony["summary"]) == "Tree peony in flower (usual dates)"
    wintersweet = {
        kind: events[f"bloom-guyi-garden-wintersweet-{kind}-2026@jiading-bloom-guide"]
        for kind in ("bud", "bloom", "peak")
    }
    assert wintersweet["bud"].decoded("dtstart") == date(2026, 12, 1)
    assert wintersweet["bloom"].decoded("dtstart") == date(2026, 12, 12)
    assert wintersweet["bloom"].decoded("dtend") == date(2027, 2, 10)
    assert wintersweet["peak"].decoded("dtstart") == date(2027, 1, 2) and wintersweet["peak"].decoded("dtend") == date(
        2027, 1, 23
    )
    starts = [e.decoded("dtstart") for e in vevents]
    assert starts == sorted(starts)  # bud before bloom before peak, plant by plant in time


def test_a_leaf_plants_calendar_speaks_of_colour(client, freeze):
    freeze("2026-11-25 09:00")
    summaries = [str(e["summary"]) for e in ical(client, "/en/places/anting-ancient-ginkgo/bloom.ics").walk("VEVENT")]
    assert summaries == [
        "1,200-year-old ginkgo starting to colour (usual dates)",
        "1,200-year-old ginkgo in autumn colour (usual dates)",
        "1,200-year-old ginkgo at peak colour (usual dates)",
    ]


def test_unknown_calendars_are_404(client):
    assert client.get("/en/events/guyi-garden/nope.ics").status_code == 404
    assert client.get("/en/places/nowhere/bloom.ics").status_code == 404


def test_atom_feeds_carry_the_reports_in_each_language(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    send(
        client,
        "guyi-garden",
        plant_ids(guide_app, "guyi-garden"),
        lang="en",
        peony={"stage": "peak", "percent_open": "80", "note_en": "Best by the pond", "note_zh": "池边最好"},
    )
    public = guide_app.test_client()
    for url, lang, title, note in (
        ("/en/feed.atom", "en", "Guyi Garden · Tree peony: Peak (80% open)", "Best by the pond"),
        ("/zh/places/guyi-garden/feed.atom", "zh", "古猗园 · 牡丹：盛花（已开80%）", "池边最好"),
    ):
        response = public.get(url)
        assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        feed = feedparser.parse(response.data)
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.language.startswith(lang)
        entry = next(e for e in feed.entries if ":report/" in e.id)
        assert entry.title == title and note in entry.summary
        assert entry.link == "http://guide.test/" + lang + "/places/guyi-garden"
        assert entry.id.startswith("tag:jiading-bloom-guide,2026:report/")
        assert "wang" not in response.get_data(as_text=True)


def test_every_page_leads_concierges_to_their_handout(client):
    assert 'href="/zh/concierge">酒店礼宾专用</a>' in client.get("/zh/").get_data(as_text=True)
    assert 'href="/en/concierge">For concierges</a>' in client.get("/en/calendar").get_data(as_text=True)


def share_image_of(client, path):
    html = client.get(path).get_data(as_text=True)
    url = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1).replace("&amp;", "&")
    assert re.search(r'<meta name="twitter:image" content="' + re.escape(url.replace("&", "&amp;")) + '">', html)
    return url, html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_place_shares_its_own_image_with_both_names_and_its_drawing(client, lang):
    url, html = share_image_of(client, f"/{lang}/places/anting-ancient-ginkgo")
    assert re.fullmatch(r"http://guide\.test/places/anting-ancient-ginkgo/share\.png\?v=[0-9a-f]{12}", url)
    names = "嘉定古树公园 · Jiading Ancient Tree Park"
    assert f'<meta property="og:image:alt" content="{names}">' in html
    response = client.get(url.removeprefix("http://guide.test"))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    image = Image.open(io.BytesIO(response.data)).convert("RGB")
    assert image.size == (1200, 630)
    # The ginkgo leaf's gold at the right, the guide's purple bar at the foot, dark text at the left.
    assert image.getpixel((850, 240)) == (0xE4, 0xB2, 0x1F)
    assert image.getpixel((600, 625)) == (0x5B, 0x2A, 0x86)
    assert min(sum(image.getpixel((x, y))) for x in range(72, 600, 3) for y in range(150, 250, 3)) < 150


def test_share_images_differ_by_place_and_follow_a_change_of_name(client, guide_app, tmp_path):
    ginkgo, _ = share_image_of(client, "/en/places/anting-ancient-ginkgo")
    guyi, _ = share_image_of(client, "/en/places/guyi-garden")
    path = lambda url: url.removeprefix("http://guide.test")  # noqa: E731
    assert client.get(path(ginkgo)).data != client.get(path(guyi)).data
    assert share_image_of(client, "/zh/places/guyi-garden")[0] == guyi  # one image for both languages
    renamed = PLACES_YAML.read_text(encoding="utf-8").replace("zh: 古猗园}", "zh: 古猗园（南翔）}", 1)
    (tmp_path / "places.yaml").write_text(renamed, encoding="utf-8")
    assert guide_app.test_cli_runner().invoke(args=["places", "load", str(tmp_path / "places.yaml")]).exit_code == 0
    moved, _ = share_image_of(client, "/en/places/guyi-garden")
    assert moved != guyi
    stale = client.get(path(guyi))  # an old link still answers, with the new picture, briefly cached
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(path(moved), headers={"If-None-Match": client.get(path(moved)).headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/places/nowhere/share.png").status_code == 404


def test_without_a_chinese_font_pages_share_the_sites_image(tmp_path):
    app = make_app(tmp_path / "test.sqlite", start="loaded", SHARE_IMAGE_FONTS="/nowhere/bold.ttc:/nowhere/regular.ttc")
    client = app.test_client()
    url, _ = share_image_of(client, "/en/places/guyi-garden")
    assert url.endswith("/static/og.png")
    assert client.get("/places/guyi-garden/share.png").status_code == 404


def test_a_card_out_of_season_says_when_to_come_in_both_languages(client, freeze):
    freeze("2026-11-29 09:00")  # Waigang Wintersweet Garden: nothing in flower; wintersweet next
    html = client.get("/en/places/waigang-wintersweet-garden/card").get_data(as_text=True)
    assert "Not yet" not in html and "未到花期" not in html
    # The window (Dec 12 – Feb 20) as its past seasons moved it: about 5 days late.
    assert "</svg> 接下来：蜡梅（80多个品种），通常12月17日至2月25日，一月最佳</p>" in html
    assert "Next: Wintersweet (over 80 varieties), usually Dec 17" in html
    freeze("2027-01-15 09:00")  # in flower: the statuses again
    html = client.get("/en/places/waigang-wintersweet-garden/card").get_data(as_text=True)
    assert "card-when" not in html and 'class="card-status"' in html


def test_the_concierge_picker_shows_each_gardens_season_and_puts_the_guests_dates_first(client, freeze):
    freeze("2026-11-29 09:00")
    html = client.get("/en/concierge").get_data(as_text=True)
    items = re.findall(r'<label class="pick__item">.*?</label>', html, re.S)
    assert len(items) == html.count('name="place"') and all('class="pick__season"' in item for item in items)
    waigang = next(item for item in items if "Waigang Wintersweet Garden" in item)
    assert "Next: Wintersweet (over 80 varieties), usually Dec 17" in waigang
    guyi = next(item for item in items if "Guyi Garden" in item)  # its old ginkgo in colour
    assert "stage--peak" in guyi and "Peak colour" in guyi and "Old ginkgo" in guyi
    huilongtan = next(item for item in items if "Huilongtan Park" in item)
    assert "stage--" in huilongtan and "Chrysanthemum" in huilongtan
    april = client.get("/en/concierge?from=2027-04-12&to=2027-04-15").get_data(as_text=True)
    items = re.findall(r'<label class="pick__item">.*?</label>', april, re.S)
    best = items[0].split("At its best on your dates:")[1]  # a wisteria: Japanese wisteria, or Wisteria (…)
    assert re.search(r"\bwisteria\b", best, re.I)
    worth = [item for item in items if "At its best on your dates:" in item]
    assert items[: len(worth)] == worth  # those first, the rest after
    assert 'value="2027-04-12"' in april and 'value="2027-04-15"' in april  # the dates are kept


@pytest.mark.parametrize(
    ("query", "lang", "message"),
    [
        ("from=2027-13-01", "en", "not a date"),
        ("from=2027-04-15&to=2027-04-01", "en", "before"),
        ("from=2099-01-01", "zh", "一年"),
        ("from=%00", "zh", ""),
        ("from=15/04/2027", "en", "not a date"),
    ],
)
def test_the_concierge_answers_bad_dates_with_a_message_and_keeps_the_choice(client, freeze, query, lang, message):
    freeze("2026-11-29 09:00")
    response = client.get(f"/{lang}/concierge?{query}&place=guyi-garden")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = html.split('<p id="dates-error" class="flash flash--error" role="alert">')[1].split("</p>")[0]
    assert message in error and error.strip()
    assert html.count('class="print-card"') == 1 and 'value="guyi-garden" checked' in html


@pytest.mark.parametrize("noise", ["", "&isappinstalled=0", "&utm_source=hotel"])
def test_the_handouts_link_keeps_the_guests_dates_and_nothing_else(client, freeze, noise):
    freeze("2026-02-01 10:00")
    asked = f"/en/concierge?place=guyi-garden&place=qiuxia-garden{noise}&from=2026-02-10&to=2026-02-14"
    html = client.get(asked).text
    link = re.search(r"Link to this handout: <a href=\"([^\"]+)\">([^<]+)</a>", html)
    assert link, html[-2000:]
    for url in (unescape(link.group(1)), unescape(link.group(2))):
        assert "place=guyi-garden&place=qiuxia-garden" in url and "from=2026-02-10&to=2026-02-14" in url
        assert "utm_source" not in url and "isappinstalled" not in url
    # Without dates, the link has none.
    plain = client.get("/en/concierge?place=guyi-garden").text
    assert 'href="/en/concierge?place=guyi-garden">' in plain


@pytest.mark.parametrize(
    "lang, says", [("en", "print 4 to an A4 page, so 8 make 2 pages"), ("zh", "每张A4纸印4张，8张共2页")]
)
def test_the_concierge_says_how_many_pages_the_cards_make_as_they_print(client, lang, says):
    slugs = [p["slug"] for p in client.get("/api/v1/places").get_json()["places"]][:8]
    html = client.get(f"/{lang}/concierge", query_string=[("place", slug) for slug in slugs]).text
    assert says in html
    assert html.count('class="print-card"') == 8 and html.count('class="sheet sheet--a4"') == 2
