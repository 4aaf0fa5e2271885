"""Cards and handouts made for the guests' dates show what is worth seeing on those dates, and
their links and QR codes carry the dates (issue 24)."""

import re
from datetime import date, timedelta
from html import unescape

import pytest

from guide.core.bloom import MonthDay

TRIPS = [
    ("2027-02-10", "2027-02-14"),
    ("2027-04-12", "2027-04-16"),
    ("2027-07-08", "2027-07-08"),
    ("2027-11-02", "2027-11-06"),
]


def _side(page: str, lang: str, slug: str) -> str:
    sides = re.findall(rf'<div class="card-side" lang="{lang}">(.*?)</dl>', page, re.S)
    assert sides, page[:500]
    return sides[0]


def _in_season_on_some_day(window: dict, start: date, end: date) -> bool:
    from guide.core.bloom import BloomWindow

    w = BloomWindow(*(MonthDay.parse(window[f]) for f in ("bud", "first", "peak_start", "peak_end", "over")))
    day = start
    while day <= end:
        if w.stage_on(day).in_season:
            return True
        day += timedelta(days=1)
    return False


@pytest.mark.parametrize("first, last", TRIPS)
def test_a_card_for_given_dates_lists_only_what_is_in_season_on_them(client, freeze, first, last):
    freeze("2026-12-04 10:00")
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    for place in client.get("/api/v1/places").get_json()["places"]:
        slug = place["slug"]
        page = client.get(f"/en/places/{slug}/card?from={first}&to={last}").get_data(as_text=True)
        side = _side(page, "en", slug)
        assert "On your dates" in side and "As of" not in side
        for plant in client.get(f"/api/v1/places/{slug}").get_json()["plants"]:
            name = plant["name"]["en"]
            # Read as the guest reads it: the HTML writes Hall's crabapple as "Hall&#39;s crabapple".
            listed = re.search(rf"</svg> {re.escape(name)}: <span class=\"stage", unescape(side)) is not None
            # No staff report in this data: the usual window decides, and the card follows it.
            assert listed == _in_season_on_some_day(plant["bloom_window"], start, end), (slug, name, first)
        if "Nothing here is expected" in side:
            assert "stage stage--" not in side
        # The link and the QR code open the same days on the guest's phone.
        assert f"/places/{slug}?from={first}&amp;to={last}" in page


def test_february_guests_get_plum_not_the_wintersweet_that_is_over(client, freeze):
    freeze("2026-12-04 10:00")
    page = client.get("/en/concierge?place=guyi-garden&from=2027-02-12&to=2027-02-16").get_data(as_text=True)
    side = _side(page, "en", "guyi-garden")
    assert "Plum blossom" in side and "Wintersweet" not in side
    assert "Feb 12\u2009–\u200916" in side or "Feb 12 – 16" in side
    zh = _side(page, "zh-Hans", "guyi-garden")
    assert "梅花" in zh and "蜡梅" not in zh


def test_the_link_of_a_dated_card_opens_those_days_in_the_guests_language(client, freeze):
    freeze("2026-12-04 10:00")
    moved = client.get("/places/guyi-garden?from=2027-02-12&to=2027-02-16", headers={"Accept-Language": "en"})
    assert moved.status_code == 302
    assert moved.headers["Location"].endswith("/en/places/guyi-garden?from=2027-02-12&to=2027-02-16")
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    trip = page.split('class="on-trip"')[1].split("</section>")[0]
    assert "On your dates" in trip and "Plum blossom" in trip and "Wintersweet" not in trip


def test_without_dates_or_with_dates_that_cannot_be_planned_the_card_is_of_today(client, freeze):
    freeze("2026-12-04 10:00")
    for query in ("", "?from=2020-01-01", "?from=nonsense&to=2027-01-01"):
        response = client.get(f"/en/places/guyi-garden/card{query}")
        assert response.status_code == 200
        side = _side(response.get_data(as_text=True), "en", "guyi-garden")
        assert "As of Dec 4" in side and "On your dates" not in side
    page = client.get("/en/places/guyi-garden?from=2020-01-01").get_data(as_text=True)
    assert 'class="on-trip"' not in page
