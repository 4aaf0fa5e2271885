"""Every fact a visitor reads names its source and when it was checked (issue 20): the page links
each source quietly, flags an old one, and the API gives the same."""

import re
from datetime import date

import pytest

from guide.core import i18n
from guide.core.bloom import MonthDay
from tests.conftest import PLACES_YAML, load_file
from tests.test_places_load import VALID

OLD_TICKET = VALID.replace(
    "ticket: {source: https://example.org/guyi, year: 2024, checked: 2026-11-25}",
    "ticket: {source: https://example.org/ticket-2019, year: 2019, checked: 2026-11-25}",
).replace('usual: {start: "07-06", end: "08-08"}', 'usual: {start: "06-22", start_latest: "07-07", end: "08-07"}')


@pytest.fixture
def sourced(app, tmp_path):
    path = tmp_path / "places.yaml"
    path.write_text(OLD_TICKET, encoding="utf-8")
    load_file(app, path)
    return app.test_client()


def _fact(page: str, title: str) -> str:
    return page.split(f"<dt>{title}</dt>")[1].split("</dd>")[0]


def test_each_fact_links_its_source_and_an_old_one_is_flagged(sourced, freeze):
    freeze("2026-12-04 10:00")
    page = sourced.get("/en/places/guyi-garden").get_data(as_text=True)
    ticket = _fact(page, "Ticket")
    assert "(from a 2019 source: it may have changed)" in ticket
    assert 'href="https://example.org/ticket-2019"' in ticket and ">source 2019</a>" in ticket
    hours = _fact(page, "Opening hours")
    assert ">source 2025</a>" in hours and "may have changed" not in hours
    # A source that is not a web page is cited, not linked.
    assert "source: Shanghai Daily, 3 July 2024" in _fact(page, "Getting there")
    assert "Every fact here was checked against its source on Nov 25, 2026 or later." in page
    zh = sourced.get("/zh/places/guyi-garden").get_data(as_text=True)
    assert "2019" in _fact(zh, "门票") and "may have changed" not in zh
    card = sourced.get("/en/places/guyi-garden/card").get_data(as_text=True)
    assert "may have changed" not in card  # never on a guest's card


def test_the_api_gives_where_each_fact_is_from(sourced, freeze):
    freeze("2026-12-04 10:00")
    place = sourced.get("/api/v1/places/guyi-garden").get_json()
    assert place["sources"]["ticket"] == {
        "source": "https://example.org/ticket-2019",
        "year": 2019,
        "checked": "2026-11-25",
        "old": True,
    }
    assert set(place["sources"]) == {"about", "address", "hours", "ticket", "transit", "tips", "position"}
    assert place["plants"][0]["source"]["source"] == "https://example.org/lotus-plants"
    [lotus] = place["festivals"]
    assert lotus["source"]["checked"] == "2026-11-25"
    assert lotus["usual"] == {"start": "06-22", "start_latest": "07-07", "end": "08-07"}


@pytest.mark.parametrize(
    "lang, words",
    [
        ("en", "Usually opens late June to early July and runs until early August; 2027 dates not yet announced."),
        ("zh", "通常六月下旬至七月上旬开幕，持续到八月上旬；2027年日期尚未公布。"),
    ],
)
def test_usual_openings_that_spread_over_weeks_read_as_a_range(sourced, freeze, lang, words):
    freeze("2026-12-04 10:00")
    page = sourced.get(f"/{lang}/places/guyi-garden").get_data(as_text=True)
    assert words in page


@pytest.mark.parametrize(
    "start, latest, en",
    [
        ("06-22", "07-07", "late June to early July"),
        ("07-01", "07-10", "early July"),
        ("07-11", "07-20", "mid-July"),
        ("12-25", "01-05", "late December to early January"),
    ],
)
def test_parts_of_the_month(app, start, latest, en):
    with app.test_request_context("/en/"):
        assert i18n.format_spread(MonthDay.parse(start), MonthDay.parse(latest)) == en


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_fact_of_every_real_place_shows_its_source(client, lang, freeze):
    """The real data file: not one place fact, plant window or position is shown without a source."""
    freeze("2026-12-04 10:00")
    slugs = re.findall(r"^  - slug: (\S+)", PLACES_YAML.read_text(encoding="utf-8"), re.M)
    assert len(slugs) >= 13
    for slug in slugs:
        page = client.get(f"/{lang}/places/{slug}").get_data(as_text=True)
        facts = page.split('<dl class="facts">')[1].split("</dl>")[0]
        for dd in re.findall(r"<dd(?: [^>]*)?>(.*?)</dd>", facts, re.S):
            assert 'class="source' in dd, (slug, dd)
        for window in re.findall(r'<p class="window">(.*?)</p>', page, re.S):
            assert 'class="source' in window, (slug, window)
        assert page.count('class="source') >= 7, slug
        assert "checked against its source" in page or "核对" in page, slug


def test_the_check_day_never_lies_about_the_earliest_check():
    """The loader stores the earliest check of any of a place's facts as the page's day."""
    from guide.places.operations import _checked_days
    from guide.places.schema import parse_places

    parsed = parse_places(OLD_TICKET, "x.yaml", ("en", "zh"))
    assert min(_checked_days(parsed.places[0])) == date(2026, 11, 25)
