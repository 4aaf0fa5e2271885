"""Every public page, in both languages, as a visitor meets it."""

import re
from html.parser import HTMLParser

import pytest
import yaml

from tests.conftest import PLACES_YAML


def data_places() -> list[dict]:
    return yaml.safe_load(PLACES_YAML.read_text(encoding="utf-8"))["places"]


PAGES = [
    "/{lang}/",
    "/{lang}/places/jiading-wisteria-park",
    "/{lang}/places/guyi-garden",
    "/{lang}/calendar",
    "/{lang}/calendar?month=4",
    "/{lang}/events",
    "/{lang}/plan",
    "/{lang}/plan?from=2026-04-15&to=2026-04-18",
]
TITLES = {"en": "Jiading Bloom Guide", "zh": "嘉定花信"}


class Head(HTMLParser):
    """Collects <html lang>, <title>, meta description and hreflang links."""

    def __init__(self, html):
        super().__init__()
        self.lang, self.title, self.description, self.alternates = None, "", None, {}
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "title" and not self.title:  # the document's, not an SVG's
            self._in_title = True
        elif tag == "meta" and a.get("name") == "description":
            self.description = a.get("content")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]

    def handle_endtag(self, tag):
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_its_language_with_alternates(client, freeze, page, lang):
    freeze("2026-04-15 09:00")
    url = page.format(lang=lang)
    response = client.get(url)
    assert response.status_code == 200
    head = Head(response.get_data(as_text=True))
    assert head.lang == {"en": "en", "zh": "zh-Hans"}[lang]
    assert head.title.strip().endswith(TITLES[lang])
    assert head.description and len(head.description) > 10
    other = "zh" if lang == "en" else "en"
    assert head.alternates[{"en": "en", "zh": "zh-Hans"}[other]] == "http://guide.test" + page.format(lang=other)
    assert head.alternates[{"en": "en", "zh": "zh-Hans"}[lang]] == "http://guide.test" + url
    assert "x-default" in head.alternates


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_zh_pages_have_no_english_ui_left(client, freeze):
    freeze("2026-04-15 09:00")
    for page in PAGES:
        html = client.get(page.format(lang="zh")).get_data(as_text=True)
        body = text_of(html.split("<main", 1)[1].split("</main>")[0])
        # Latin names of plants and URLs may remain; UI words must not.
        for word in (
            "Peak",
            "Budding",
            "Not yet",
            "estimate",
            "checked",
            "Opening hours",
            "Ticket",
            "Calendar",
            "Events",
            "open",
            "Map",
        ):
            assert not re.search(rf"\b{word}\b", body), (page, word)


def test_home_ranks_what_is_at_peak_first(client, freeze):
    freeze("2026-04-15 09:00")
    html = client.get("/en/").get_data(as_text=True)
    now = html.split('id="now-heading"')[1].split('id="next-heading"')[0]
    stages = re.findall(r'class="stage stage--(\w+)"', now)
    assert stages and stages[0] == "peak"
    order = {"peak": 0, "blooming": 1, "first_bloom": 2, "fading": 3}
    assert [order[s] for s in stages] == sorted(order[s] for s in stages)
    assert "Wisteria" in now and "Lotus" not in now


def test_home_lists_what_opens_next(client, freeze):
    freeze("2026-11-24 09:00")
    html = client.get("/en/").get_data(as_text=True)
    upcoming = html.split('id="next-heading"')[1].split('id="map-heading"')[0]
    assert "Wintersweet" in upcoming and "first flowers usually Dec 12, in 18 days" in upcoming


def test_fresh_report_shows_how_fresh_in_each_language(client, freeze, report):
    freeze("2026-04-15 09:00")
    report("guyi-garden", "peony", "fading", hours_ago=2, percent_open=55)
    en = client.get("/en/places/guyi-garden").get_data(as_text=True)
    zh = client.get("/zh/places/guyi-garden").get_data(as_text=True)
    assert "checked 2 hours ago" in en and "55% open" in en
    assert "2小时前更新" in zh and "已开55%" in zh


def test_stale_report_falls_back_to_an_estimate_labelled_as_such(client, freeze, report):
    freeze("2026-04-15 09:00")
    report("guyi-garden", "peony", "budding", hours_ago=24 * 5)
    html = client.get("/en/places/guyi-garden").get_data(as_text=True)
    peony = html.split("Tree peony")[1].split('class="window"')[0]
    assert "stage--peak" in peony and "estimated from usual dates" in peony


def test_place_page_has_what_a_visitor_needs_to_get_there(client):
    html = client.get("/en/places/guyi-garden").get_data(as_text=True)
    assert '上海市嘉定区南翔镇沪宜公路<span class="nowrap">218号</span>' in html  # for the taxi driver
    assert "218 Huyi Highway" in html
    for host in ("uri.amap.com", "api.map.baidu.com", "maps.apple.com", "www.google.com/maps"):
        assert host in html
    # The tip as its source gives it (China Daily, 2023): "in the morning", no longer "at dawn".
    assert "Metro Line 11 to Nanxiang" in html and "¥12" in html and "Lotus is best in the morning" in html
    assert "Shanghai Lotus and Water-Lily Exhibition" in html


def test_place_page_marks_estimated_coordinates(client):
    # Every place as the data file marks it: Qiuxia Garden's point is now an estimate too, and the
    # places placed from a map point (Anting's ginkgo, Ziyun Corridor, Guihu Garden) are not.
    marked = {place["slug"]: place["coords_estimated"] for place in data_places()}
    assert True in marked.values() and False in marked.values()
    for slug, estimated in marked.items():
        html = client.get(f"/en/places/{slug}").get_data(as_text=True)
        assert ("placed approximately" in html) is estimated, slug


def test_calendar_shows_every_plant_with_a_text_alternative_and_today(client, freeze):
    freeze("2026-04-15 09:00")
    html = client.get("/en/calendar").get_data(as_text=True)
    # One compact strip per plant, each with its dates in words one tap away (no script needed).
    rows = re.findall(r'<details class="chart__row">.*?</details>', html, re.S)
    assert len(rows) == html.count('class="strip strip--compact"') >= 20
    assert all('<p class="window">' in row and 'href="/en/places/' in row for row in rows)
    # (a no-break space before each separator: none starts a line)
    assert "Buds from Mar 25\u00a0· first flowers Apr 3\u00a0· peak Apr 12\u2009–\u200925\u00a0· over by May 5" in html
    assert html.count("strip__today") >= 20
    assert html.count('class="strip strip--compact" aria-hidden="true"') == len(rows)
    axis = html.split('<div class="chart__axis" aria-hidden="true">')[1].split("</div>")[0]
    assert re.findall(r">(\w+)</span>", axis) == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]
    assert axis.count("chart__today") == 1  # today's mark in a lane of its own, over no month name


def test_calendar_month_filter(client):
    april = client.get("/en/calendar?month=4").get_data(as_text=True)
    chart = april.split('<div class="chart">')[1].split('id="scale"')[0]
    assert "What blooms in April" in april and "Wisteria" in chart and "Lotus" not in chart
    january = client.get("/zh/calendar?month=1").get_data(as_text=True)
    chart = january.split('<div class="chart">')[1].split('id="scale"')[0]
    assert "蜡梅" in chart and "紫藤" not in chart
    assert "kind=wisteria" not in january and "kind=wintersweet" in january  # only kinds of that month


@pytest.mark.parametrize(
    "url",
    [
        "/en/places/nowhere",
        "/xx/",
        "/xx/places/guyi-garden",
        "/en/calendar?month=13",
        "/en/calendar?month=abc",
        "/en/calendar?month=%C2%B2",
        "/en/calendar?month=0",
        "/en/calendar?month=",
        "/en/calendar?kind=tulip",
        "/en/calendar?kind=",
        "/en/calendar?kind=%3Cscript%3E",
        "/en/places/",
        "/en/places/guyi-garden/extra",
        "/assets/../../etc/passwd",
        "/assets/leaflet.js",
        "/en/places/%00",
        "/zh/places/" + "a" * 500,
    ],
)
def test_bad_urls_are_localized_404s(client, url):
    response = client.get(url, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    if url.startswith("/en/"):
        assert "Page not found" in html
    else:
        assert "页面不存在" in html


def test_post_to_a_page_is_refused_politely(client):
    response = client.post("/en/")
    assert response.status_code == 405 and "Jiading Bloom Guide" in response.get_data(as_text=True)


def test_content_falls_back_to_the_other_language_marked_with_its_lang(guide_app):
    from sqlalchemy import select

    from guide.extensions import db
    from guide.places.models import Place

    with guide_app.app_context():
        place = db.session.scalar(select(Place).where(Place.slug == "guyi-garden"))
        place.tips = {"zh": "清晨去。"}
        db.session.commit()
    html = guide_app.test_client().get("/en/places/guyi-garden").get_data(as_text=True)
    assert '<span lang="zh-Hans">清晨去。</span>' in html


def test_text_from_data_is_escaped_everywhere(guide_app):
    from sqlalchemy import select

    from guide.extensions import db
    from guide.places.models import Place

    evil = "</script><img src=x onerror=alert(1)>"
    with guide_app.app_context():
        place = db.session.scalar(select(Place).where(Place.slug == "guyi-garden"))
        place.name = {"en": evil, "zh": evil}
        place.summary = {"en": evil, "zh": evil}
        db.session.commit()
    client = guide_app.test_client()
    for url in ("/en/", "/en/places/guyi-garden", "/zh/calendar", "/en/events"):
        html = client.get(url).get_data(as_text=True)
        assert "<img src=x" not in html, url
        assert html.count("</script>") == html.count("<script"), url


def test_leaflet_is_served_from_our_own_origin_and_only_when_the_map_is_wanted(client):
    html = client.get("/en/").get_data(as_text=True)
    found = re.search(
        r'data-map-css="(/assets/leaflet\.[0-9a-f]{10}\.css)"\s+'
        r'data-map-scripts="(/assets/leaflet\.[0-9a-f]{10}\.js) /assets/map\.[0-9a-f]{10}\.js"',
        html,
    )
    assert found, "map-load.js finds Leaflet's files named on the map's figure"
    assert [s for s in re.findall(r"<script[^>]*>", html) if "leaflet" in s] == []
    assert re.search(r'<script src="/assets/map-load\.[0-9a-f]{10}\.js" defer>', html)
    assert not re.search(r'<(script|link rel="stylesheet")[^>]*(src|href)="(https?:)?//', html)
    response = client.get(found.group(2), headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200 and b"Leaflet" in response.data[:400]


def test_out_of_season_plant_says_when_to_come_back(client, freeze):
    freeze("2026-11-25 09:00")
    en = client.get("/en/places/jiading-wisteria-park").get_data(as_text=True)
    assert "first flowers usually Apr 3, in 129 days" in en
    zh = client.get("/zh/places/jiading-wisteria-park").get_data(as_text=True)
    assert "通常4月3日初开，还有129天" in zh


def test_zh_place_page_also_gives_the_address_in_english(client):
    html = client.get("/zh/places/jiading-wisteria-park").get_data(as_text=True)
    assert '<span lang="en">45 Bole Road, Jiading District, Shanghai</span>' in html
    assert '上海市嘉定区博乐路<span class="nowrap">45号</span>' in html


def test_calendar_highlights_the_chosen_month(client):
    html = client.get("/en/calendar?month=4").get_data(as_text=True)
    assert html.count('class="strip__focus"') == html.count('class="strip strip--compact"') + 1 > 1  # and the axis
    assert 'aria-current="page">Apr<' in html


@pytest.mark.parametrize("lang, labels", [("zh", "lang=zh_cn&"), ("en", "lang=en&")])
def test_the_default_basemap_loads_in_china_with_labels_in_the_page_language(client, lang, labels):
    spec = client.get(f"/{lang}/places/guyi-garden/map.json").get_json()
    assert "webrd0{s}.is.autonavi.com" in spec["tiles"]["url"] and labels in spec["tiles"]["url"]
    assert spec["pins"][0]["at"][0] == pytest.approx(31.289, abs=0.001)  # shifted to GCJ-02
    assert "img-src 'self' data: https://*.is.autonavi.com" in client.get("/zh/").headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "lang, text",
    [
        ("en", "Nearest metro: Nanxiang (Metro Line 11), 800 m in a straight line"),
        ("zh", "最近的地铁站：南翔站（地铁11号线），直线距离800米"),
    ],
)
def test_a_place_on_the_map_says_how_far_its_nearest_station_is(client, lang, text):
    (pin,) = client.get(f"/{lang}/places/guyi-garden/map.json").get_json()["pins"]
    assert text in pin["popup"]
    home = {p["name"]: p for p in client.get(f"/{lang}/map.json").get_json()["pins"]}
    assert text in home[pin["name"]]["popup"]


def test_openstreetmap_stays_a_setting_and_draws_the_data_as_it_is(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path / "osm.sqlite", start="loaded", MAP_TILES="osm")
    client = app.test_client()
    spec = client.get("/en/places/guyi-garden/map.json").get_json()
    assert "tile.openstreetmap.org" in spec["tiles"]["url"]
    assert spec["pins"][0]["at"] == [31.2916, 121.317]
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org" in client.get("/en/").headers["Content-Security-Policy"]
    )


def test_an_unknown_tile_setting_stops_the_app_with_a_reason(tmp_path):
    from tests.conftest import make_app

    with pytest.raises(RuntimeError, match="MAP_TILES must be one of osm, amap"):
        make_app(tmp_path / "x.sqlite", MAP_TILES="bing")


def test_a_refused_method_says_which_are_allowed(client):
    response = client.post("/en/calendar")
    assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


def test_map_apps_come_in_the_order_each_reader_uses_them(client):
    def order(html):
        hosts = ("uri.amap.com", "api.map.baidu.com", "maps.apple.com", "www.google.com/maps")
        return sorted(hosts, key=html.index)

    zh = client.get("/zh/places/guyi-garden").get_data(as_text=True)
    en = client.get("/en/places/guyi-garden").get_data(as_text=True)
    assert order(zh) == ["uri.amap.com", "api.map.baidu.com", "maps.apple.com", "www.google.com/maps"]
    assert order(en) == ["maps.apple.com", "www.google.com/maps", "uri.amap.com", "api.map.baidu.com"]


def test_chinese_text_takes_full_width_colons_and_no_separator_starts_a_line(client, freeze):
    freeze("2026-01-20 09:00")  # the wintersweet in flower: the card lists each plant's stage
    card = client.get("/en/places/guyi-garden/card").get_data(as_text=True)
    zh_side = card.split('class="card-side" lang="zh-Hans"')[1].split("</ul>")[0]
    en_side = card.split('class="card-side" lang="en"')[1].split("</ul>")[0]
    # The wintersweet's name carries its count now ("200+ shrubs", content review §4.10).
    assert "蜡梅（200多株）：<span" in zh_side and ": <span" not in zh_side
    assert "Wintersweet (200+ shrubs): <span" in en_side
    footer = client.get("/zh/").get_data(as_text=True).split('<footer class="site-footer">')[1]
    assert footer.count("</a>&nbsp;· <a") == 2


def test_the_calendar_is_one_chart_by_kind_in_the_order_of_the_year(client):
    html = client.get("/en/calendar").get_data(as_text=True)
    kinds = re.findall(r'<section class="chart__kind" aria-labelledby="kind-([a-z-]+)">', html)
    assert kinds[:2] == ["plum", "cherry-plum"] and kinds[-1] == "wintersweet"  # Jan → Dec by first flowers
    # A kind is a plant's drawing, or the generic flower or leaf of a plant without one.
    firsts: dict[str, list[str]] = {}
    for place in data_places():
        for plant in place["plants"]:
            kind = plant.get("picture") or {"leaves": "leaf"}.get(plant.get("visited_for"), "flower")
            firsts.setdefault(kind, []).append(plant["window"]["first"])
    assert kinds == sorted(firsts, key=lambda kind: min(firsts[kind]))  # each kind once, in that order
    assert len(kinds) == len(set(kinds))
    wisteria = html.split('aria-labelledby="kind-wisteria"')[1].split("</section>")[0]
    assert wisteria.count('<details class="chart__row">') == len(firsts["wisteria"])
    assert "Guyi Garden" in wisteria and "Nanshuiguan Park" in wisteria
    assert "Huancheng River Wisteria Corridor" in wisteria and "Ziyun Corridor" in wisteria  # two places now


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_calendar_shows_one_kind_and_keeps_it_in_the_link(client, lang):
    html = client.get(f"/{lang}/calendar?kind=wisteria").get_data(as_text=True)
    assert re.findall(r'aria-labelledby="kind-([a-z-]+)"', html) == ["wisteria"]
    assert f'<a href="/{lang}/calendar?kind=wisteria" aria-current="page">' in html
    assert f'href="/{lang}/calendar?month=4&amp;kind=wisteria"' in html  # a month keeps the kind
    assert f'<a href="/{lang}/calendar" >' in html or f'<a href="/{lang}/calendar">' in html  # every kind again
    heading = {"zh": "紫藤全年花历", "en": "Wisteria through the year"}[lang]
    assert f"<h1>{heading}</h1>" in html
    both = client.get(f"/{lang}/calendar?kind=wisteria&month=4").get_data(as_text=True)
    assert {"zh": "<h1>四月的紫藤</h1>", "en": "<h1>Wisteria in April</h1>"}[lang] in both
    assert client.get(f"/{lang}/calendar?kind=lotus&month=1").get_data(as_text=True).count("chart__row") == 0


@pytest.mark.parametrize(
    "moment, now, next_up",
    [
        # Guyi Garden's old ginkgo and maples (autumn leaves, from late November) are among them now.
        ("2026-04-15 09:00", {"peony", "wisteria"}, ["lotus", "ginkgo", "maple", "wintersweet", "plum"]),
        ("2027-01-15 09:00", {"wintersweet"}, ["plum", "wisteria", "peony", "lotus", "ginkgo", "maple"]),
        ("2026-09-01 09:00", {"lotus"}, ["ginkgo", "maple", "wintersweet", "plum", "wisteria", "peony"]),
    ],
)
def test_the_place_page_shows_what_is_at_its_best_now_first(client, freeze, moment, now, next_up):
    """Issue 24: in calendar order, the plant in flower now could be third. In flower first,
    then what comes next, soonest first."""
    freeze(moment)
    html = client.get("/en/places/guyi-garden").get_data(as_text=True)
    status = html.split('id="status-heading"')[1]
    plants = list(dict.fromkeys(re.findall(r'data-plant="guyi-garden/([a-z-]+)"', status)))
    assert set(plants[: len(now)]) == now and plants[len(now) :] == next_up, plants


@pytest.mark.parametrize(
    "lang, share, about, one",
    [("en", "Share this place", "About this place", "1 plant"), ("zh", "分享这个景点", "景点介绍", "1株")],
)
def test_a_single_old_tree_is_a_place_not_a_garden_and_is_not_counted(client, lang, share, about, one):
    html = client.get(f"/{lang}/places/zhouqiao-old-wisteria").get_data(as_text=True)
    assert share in html and about in html
    assert one not in html
    # A garden with a count shows it: Ziyun Corridor's 149 wisteria.
    counted = client.get(f"/{lang}/places/ziyun-corridor").text
    assert ('<p class="muted">149 plants</p>' if lang == "en" else '<p class="muted">149株</p>') in counted
    # Wisteria Park's vines are "about 90" (content review §4.10): the number is in the plant's
    # name, never shown as an exact count.
    park = client.get(f"/{lang}/places/jiading-wisteria-park").text
    assert ("Wisteria (about 90 vines, 20+ varieties)" if lang == "en" else "紫藤（约90株，20多个品种）") in park
    assert '<p class="muted">90' not in park
