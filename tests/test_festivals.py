"""Festivals that come back every year: the next edition is always known, and honest about it."""

from datetime import date

import pytest
from icalendar import Calendar

from guide.core.bloom import MonthDay
from guide.core.festivals import Edition, Standing, Usual, When, past, upcoming
from tests.conftest import PLACES_YAML

AUTUMN = Usual(MonthDay(10, 28), MonthDay(11, 27))
WINTER = Usual(MonthDay(12, 20), MonthDay(2, 10))  # across New Year


def confirmed(year, start, end, standing=Standing.CONFIRMED):
    return Edition(year, date.fromisoformat(start), date.fromisoformat(end), standing)


@pytest.mark.parametrize(
    "today, year, when",
    [
        (date(2026, 3, 1), 2026, When.COMING),
        (date(2026, 10, 28), 2026, When.NOW),
        (date(2026, 11, 27), 2026, When.NOW),
        (date(2026, 11, 28), 2027, When.COMING),
        (date(2026, 12, 31), 2027, When.COMING),
    ],
)
def test_without_an_announcement_the_next_edition_is_expected_from_the_usual_dates(today, year, when):
    [edition] = upcoming(AUTUMN, {}, today)
    assert (edition.year, edition.standing, edition.when(today)) == (year, Standing.EXPECTED, when)
    assert (edition.start, edition.end) == (date(year, 10, 28), date(year, 11, 27))


def test_an_announced_edition_takes_the_place_of_the_expected_one():
    announced = {2026: confirmed(2026, "2026-11-01", "2026-11-30")}
    [edition] = upcoming(AUTUMN, announced, date(2026, 10, 30))
    assert edition.standing is Standing.CONFIRMED and edition.when(date(2026, 10, 30)) is When.COMING
    assert upcoming(AUTUMN, announced, date(2026, 11, 29))[0].when(date(2026, 11, 29)) is When.NOW


def test_a_cancelled_edition_is_shown_with_the_one_after_it():
    announced = {2026: confirmed(2026, "2026-10-28", "2026-11-27", Standing.CANCELLED)}
    editions = upcoming(AUTUMN, announced, date(2026, 11, 1))
    assert [(e.year, e.standing) for e in editions] == [(2026, Standing.CANCELLED), (2027, Standing.EXPECTED)]


def test_a_festival_across_new_year_is_on_in_january():
    [edition] = upcoming(WINTER, {}, date(2027, 1, 15))
    assert (edition.year, edition.start, edition.end) == (2026, date(2026, 12, 20), date(2027, 2, 10))
    assert edition.when(date(2027, 1, 15)) is When.NOW


def test_a_one_off_has_no_expected_edition_and_its_past_stays_past():
    once = {2021: confirmed(2021, "2021-04-17", "2021-04-17")}
    assert upcoming(None, once, date(2026, 4, 1)) == []
    assert [e.year for e in past(once, date(2026, 4, 1))] == [2021]


def test_past_lists_only_confirmed_editions_latest_first_and_few():
    announced = {y: confirmed(y, f"{y}-10-28", f"{y}-11-27") for y in range(2015, 2026)}
    announced[2024] = confirmed(2024, "2024-10-28", "2024-11-27", Standing.CANCELLED)
    assert [e.year for e in past(announced, date(2026, 11, 1))] == [2025, 2023, 2022]


# The real guide on chosen dates.


def section(html: str, heading: str, following: str) -> str:
    return (
        html.split(f'id="{heading}"')[1].split(f'id="{following}"')[0]
        if following
        else html.split(f'id="{heading}"')[1]
    )


def test_on_25_november_the_chrysanthemum_show_is_expected_on_now(client, freeze):
    freeze("2026-11-25 10:00")
    html = client.get("/en/events").get_data(as_text=True)
    on_now = section(html, "on-heading", "up-heading")
    assert "Jiading Chrysanthemum Exhibition" in on_now
    assert "Usually Oct 28\u2009–\u2009Nov 27; 2026 dates not yet announced." in on_now
    assert "usually on now" in on_now
    assert "Jiading Chrysanthemum Exhibition" in section(
        client.get("/en/").get_data(as_text=True), "events-heading", ""
    )
    zh = client.get("/zh/events").get_data(as_text=True)
    assert "通常在10月28日至11月27日举办，2026年日期尚未公布。" in section(zh, "on-heading", "up-heading")


def ical(client, url) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def vevent(client, url, uid):
    return next(e for e in ical(client, url).walk("VEVENT") if str(e["uid"]) == f"{uid}@jiading-bloom-guide")


CHRYSANTHEMUM_2026 = "festival-huilongtan-park-chrysanthemum-exhibition-2026"
# The head of the chrysanthemum show's editions in data/places.yaml (its first comment).
EDITIONS = "        editions:\n          # A visitor's post that quotes the show's dates"


def with_edition(edition: str) -> str:
    """data/places.yaml with one more edition of the chrysanthemum show, listed first."""
    text = PLACES_YAML.read_text(encoding="utf-8")
    assert text.count(EDITIONS) == 1, "the chrysanthemum show's editions are not where this test looks"
    return text.replace(EDITIONS, EDITIONS.replace("editions:\n", "editions:\n" + edition))


def load(app, tmp_path, text):
    path = tmp_path / "places.yaml"
    path.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["places", "load", str(path)])
    assert result.exit_code == 0, result.output


def test_an_expected_edition_is_tentative_and_confirming_it_updates_the_same_calendar_entry(
    guide_app, tmp_path, freeze
):
    freeze("2026-10-01 10:00")
    client = guide_app.test_client()
    expected = vevent(client, "/en/events.ics", CHRYSANTHEMUM_2026)
    assert str(expected["status"]) == "TENTATIVE" and int(expected["sequence"]) == 0
    assert "not yet announced" in str(expected["description"])
    assert expected.decoded("dtstart") == date(2026, 10, 28) and expected.decoded("dtend") == date(2026, 11, 28)
    assert "上海市嘉定区" in str(expected["location"]) and "Huilongtan" in str(expected["location"])
    assert expected["geo"].latitude and str(expected["transp"]) == "TRANSPARENT"
    announced = (
        "          - {year: 2026, start: 2026-10-30, end: 2026-11-29,"
        ' source: "https://example.org/2026", checked: 2026-11-25}\n'
    )
    load(guide_app, tmp_path, with_edition(announced))
    again = vevent(client, "/en/events.ics", CHRYSANTHEMUM_2026)
    assert str(again["status"]) == "CONFIRMED" and int(again["sequence"]) > int(expected["sequence"])
    assert again.decoded("dtstart") == date(2026, 10, 30) and again.decoded("dtend") == date(2026, 11, 30)
    place_calendar = vevent(client, "/zh/events/huilongtan-park/chrysanthemum-exhibition.ics", CHRYSANTHEMUM_2026)
    assert str(place_calendar["summary"]) == "嘉定菊花展" and int(place_calendar["sequence"]) == int(again["sequence"])
    moved = announced.replace("2026-10-30", "2026-11-02")
    load(guide_app, tmp_path, with_edition(moved))
    assert int(vevent(client, "/en/events.ics", CHRYSANTHEMUM_2026)["sequence"]) > int(again["sequence"])


def test_a_cancelled_edition_says_so_and_the_next_year_is_expected(guide_app, tmp_path, freeze):
    freeze("2026-11-01 10:00")
    cancelled = (
        "          - {year: 2026, start: 2026-10-28, end: 2026-11-27, cancelled: true,"
        ' source: "https://example.org/off", checked: 2026-11-25}\n'
    )
    load(guide_app, tmp_path, with_edition(cancelled))
    client = guide_app.test_client()
    html = client.get("/en/places/huilongtan-park").get_data(as_text=True)
    assert "Cancelled" in html and "Usually Oct 28\u2009–\u2009Nov 27" in html
    statuses = {str(e["uid"]).split("@")[0]: str(e["status"]) for e in ical(client, "/en/events.ics").walk("VEVENT")}
    assert statuses[CHRYSANTHEMUM_2026] == "CANCELLED"
    assert statuses["festival-huilongtan-park-chrysanthemum-exhibition-2027"] == "TENTATIVE"


def test_on_a_confirmed_editions_dates_the_pages_show_them(client, freeze):
    freeze("2025-07-20 09:00")
    html = client.get("/en/events").get_data(as_text=True)
    on_now = section(html, "on-heading", "up-heading")
    # The official dates (content review S13): this pins the data on purpose.
    assert "Shanghai Lotus and Water-Lily Exhibition" in on_now and "Jul 7\u2009–\u2009Aug 7" in on_now
    assert "(end date approximate)" not in on_now and "on now" in on_now
    assert "Jiading Chrysanthemum Exhibition" in section(html, "past-heading", "")
    assert 'href="webcal://guide.test/en/events/guyi-garden/lotus-exhibition.ics">Remind me' in html
    assert 'href="/en/events/guyi-garden/lotus-exhibition.ics" download' in html
    api = client.get("/api/v1/places/guyi-garden").get_json()["festivals"][0]["next"]
    assert api == [
        {
            "year": 2025,
            "start": "2025-07-07",
            "end": "2025-08-07",
            "standing": "confirmed",
            "end_approximate": False,
            "on_now": True,
        }
    ]


def test_the_loader_refuses_editions_that_contradict_themselves(guide_app, tmp_path):
    text = PLACES_YAML.read_text(encoding="utf-8").replace(
        "{year: 2023, start: 2023-11-01, end: 2023-11-25,", "{year: 2024, start: 2023-11-26, end: 2023-11-25,"
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = guide_app.test_cli_runner().invoke(args=["places", "load", str(path)])
    assert result.exit_code == 1
    assert "the 2024 edition is listed twice" in result.output
    assert "the edition ends (2023-11-25) before it starts (2023-11-26)" in result.output
    assert "the 2024 edition starts in 2023" in result.output


@pytest.mark.parametrize(
    "moment, year",
    [("2026-12-03 10:00", 2027), ("2026-11-28 10:00", 2027), ("2026-09-01 10:00", 2026), ("2027-01-10 10:00", 2027)],
)
def test_an_expected_edition_names_its_year_in_any_month(client, freeze, moment, year):
    """In December the next chrysanthemum show is next year's: every writer says which year, never
    'this year', and the show that ended days ago is not on now."""
    freeze(moment)
    en = client.get("/en/places/huilongtan-park").get_data(as_text=True)
    line = en.split("Jiading Chrysanthemum Exhibition</strong>")[1].split("</li>")[0]
    assert f"Usually Oct 28\u2009–\u2009Nov 27; {year} dates not yet announced." in line
    assert "this year" not in line and "on now" not in line
    zh = client.get("/zh/places/huilongtan-park").get_data(as_text=True)
    assert f"通常在10月28日至11月27日举办，{year}年日期尚未公布。" in zh and "今年的日期" not in zh
    assert f"{year} dates not yet announced" in client.get("/en/feed.atom").get_data(as_text=True)
    [show] = [e for e in ical(client, "/en/events.ics").walk("VEVENT") if "chrysanthemum" in str(e["uid"])]
    assert f"the {year} dates are not yet announced" in str(show["description"])
    assert str(show["uid"]).split("@")[0].endswith(str(year))


def test_an_edition_whose_source_gives_only_a_duration_says_its_end_is_approximate(client, freeze):
    freeze("2017-07-15 09:00")  # the 2017 lotus show: opened 1 July, "will run until the end of July"
    on_now = section(client.get("/en/events").get_data(as_text=True), "on-heading", "up-heading")
    show = on_now.split("Shanghai Lotus and Water-Lily Exhibition")[1].split("</li>")[0]
    assert "Jul 1\u2009–\u200931" in show and "(end date approximate)" in show
    zh = section(client.get("/zh/events").get_data(as_text=True), "on-heading", "up-heading")
    assert "上海荷花睡莲展" in zh
    api = client.get("/api/v1/places/guyi-garden").get_json()["festivals"][0]["next"]
    assert api[0]["year"] == 2017 and api[0]["end_approximate"] is True


def test_the_2024_chrysanthemum_show_has_its_sourced_end_day_not_an_approximate_one(client, freeze):
    """Pins a corrected fact: the 2024 show's end, once only "about a month", is now the day a
    source gives (27 November, meipian.cn/58l045kv)."""
    freeze("2024-11-10 09:00")
    on_now = section(client.get("/en/events").get_data(as_text=True), "on-heading", "up-heading")
    show = on_now.split("Jiading Chrysanthemum Exhibition")[1].split("</li>")[0]
    assert "Oct 28\u2009–\u2009Nov 27" in show and "(end date approximate)" not in show
    api = client.get("/api/v1/places/huilongtan-park").get_json()["festivals"][0]["next"]
    assert (api[0]["year"], api[0]["end"], api[0]["end_approximate"]) == (2024, "2024-11-27", False)


def test_a_festival_with_nothing_coming_keeps_its_calendar_valid_and_empty(client, freeze):
    """Waigang's festival has past editions only and no usual dates: the calendar the API links
    (and a subscriber has) answers with no events, never a 404; an unknown festival is a 404."""
    from icalendar import Calendar

    freeze("2026-12-08 08:30")
    place = client.get("/api/v1/places/waigang-wintersweet-garden").get_json()
    [festival] = place["festivals"]
    assert festival["next"] == []
    response = client.get(festival["calendar_url"].removeprefix("http://guide.test"))
    assert response.status_code == 200
    assert Calendar.from_ical(response.data).walk("VEVENT") == []
    assert client.get("/en/events/waigang-wintersweet-garden/nope.ics").status_code == 404
