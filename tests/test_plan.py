"""Plan a trip: /<lang>/plan?from=…&to=…, what is expected at its best on each day."""

import itertools
import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.core.plan import PlanError, Refused, trip, weekend

TODAY = date(2026, 4, 10)
# Jiading Wisteria Park's wisteria. Its past seasons (full bloom on 19 April 2021 and on 29 April
# 2024) put its usual dates later than its window's: at its best from about 19 April.
WISTERIA = {"en": "Wisteria (about 90 vines, 20+ varieties)", "zh": "紫藤（约90株，20多个品种）"}


@pytest.mark.parametrize(
    ("first", "last", "reason"),
    [
        ("2026-13-01", "", PlanError.NOT_A_DATE),
        ("2026-02-30", "", PlanError.NOT_A_DATE),
        ("tomorrow", "", PlanError.NOT_A_DATE),
        ("", "2026-04-12", PlanError.MISSING),
        ("2026-04-14", "2026-04-12", PlanError.BACKWARDS),
        ("2026-04-09", "", PlanError.PAST),
        ("2027-04-12", "", PlanError.TOO_FAR),
        ("2026-04-10", "2026-04-24", PlanError.TOO_LONG),
    ],
)
def test_dates_a_trip_cannot_have_are_refused_with_their_reason(first, last, reason):
    with pytest.raises(Refused) as refused:
        trip(first, last, TODAY)
    assert refused.value.reason is reason


def test_a_trip_is_one_day_or_up_to_two_weeks_up_to_a_year_ahead():
    assert trip("2026-04-10", "", TODAY) == (TODAY, TODAY)
    assert trip("2026-04-10", "2026-04-23", TODAY) == (TODAY, date(2026, 4, 23))
    assert trip("2027-04-10", "2027-04-11", TODAY) == (date(2027, 4, 10), date(2027, 4, 11))


def plan_page(client, lang: str, query: str):
    response = client.get(f"/{lang}/plan?{query}")
    return response.status_code, response.get_data(as_text=True)


def runs_of(html: str) -> list[tuple[str, str, list[str]]]:
    """Each run of days as the page shows it: its first day, its heading, the plants listed
    under it, in order."""
    return [
        (day, re.sub(r"<[^>]+>", "", heading).strip(), re.findall(r'class="plan-list__what">([^<]*)<', body))
        for day, heading, body in re.findall(r'<h3 id="day-([0-9-]+)">(.*?)</h3>(.*?)</section>', html, re.S)
    ]


def days_of(html: str) -> dict[str, list[str]]:
    """Every day of the trip (from the form's dates) with the plants listed for it, in order: a
    run's list for each of its days, up to the day before the next run."""
    first = date.fromisoformat(re.search(r'name="from" value="([0-9-]+)"', html).group(1))
    to = re.search(r'name="to" value="([0-9-]*)"', html).group(1)
    last = date.fromisoformat(to) if to else first
    starts = [(date.fromisoformat(day), plants) for day, _, plants in runs_of(html)]
    assert starts and starts[0][0] == first, "the plan does not begin on the trip's first day"
    found = {}
    for (start, plants), (following, _) in zip(starts, [*starts[1:], (last + timedelta(days=1), None)], strict=True):
        assert start < following, "runs out of order"
        for n in range((following - start).days):
            found[(start + timedelta(days=n)).isoformat()] = plants
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_day_of_a_trip_lists_what_is_at_its_best_and_how_sure(client, freeze, lang):
    freeze("2026-04-08 09:00")
    status, html = plan_page(client, lang, "from=2026-04-10&to=2026-04-15")
    assert status == 200
    days = days_of(html)
    assert list(days) == [f"2026-04-{day}" for day in range(10, 16)]
    # The park's wisteria comes to its best on the 11th: the 10th is a day without it; the 13th
    # to the 15th, listing the same, are one run under one heading.
    assert WISTERIA[lang] not in days["2026-04-10"] and WISTERIA[lang] in days["2026-04-11"]
    assert WISTERIA[lang] in days["2026-04-13"] and days["2026-04-13"] == days["2026-04-14"] == days["2026-04-15"]
    headings = {
        "en": ["Fri, Apr 10", "Sat, Apr 11", "Sun, Apr 12", "Mon, Apr 13 to Wed, Apr 15"],
        "zh": ["4月10日周五", "4月11日周六", "4月12日周日", "4月13日周一至4月15日周三"],
    }
    assert [heading for _, heading, _ in runs_of(html)] == headings[lang]
    assert ("estimated from usual dates" if lang == "en" else "按往年花期估计") in html
    assert ("Plan a trip" if lang == "en" else "规划行程") in html


@pytest.mark.parametrize(
    "lang, busiest",
    [
        ("en", "At its peak 20,000–25,000 visitors a day, with at most 2,000 inside at a time."),
        ("zh", "盛花期每天游客2万至2.5万人次，园内同时最多容纳2000人。"),
    ],
)
def test_the_plan_says_once_when_a_place_it_recommends_is_busiest_with_its_source(client, freeze, lang, busiest):
    freeze("2026-04-10 09:00")
    # The park's wisteria is at its best on every day of this trip, listed under two runs of days.
    _, html = plan_page(client, lang, "from=2026-04-19&to=2026-04-23")
    with_wisteria = [day for day, _, plants in runs_of(html) if WISTERIA[lang] in plants]
    assert with_wisteria == ["2026-04-19", "2026-04-23"]
    said = html.split('class="plan-busiest"')[1].split("</section>")[0]
    assert ("When these places are busiest" if lang == "en" else "这些景点的人流高峰") in said
    assert html.count(busiest) == 1 and busiest in said  # each place once, not under every day
    assert 'href="http://www.zgyllh.net/news/show.php?itemid=12749"' in said
    assert f'href="/{lang}/places/jiading-wisteria-park"' in said
    # A plan that names no place with such a fact says nothing of crowds.
    _, winter = plan_page(client, lang, "from=2027-01-10")
    assert 'class="plan-busiest"' not in winter


def test_a_fresh_report_comes_first_and_says_so(client, freeze, report):
    freeze("2026-04-10 09:00")
    report("ziyun-corridor", "wisteria", "peak")
    status, html = plan_page(client, "en", "from=2026-04-10")
    assert status == 200
    first_day = html.split('id="day-2026-04-10"')[1]
    first = re.search(r'class="plan-list__what">([^<]*)<.*?plan-list__sure--(\w+)', first_day, re.S)
    assert first.group(2) == "report"
    assert "reported by park staff" in first_day


def test_reports_this_season_make_later_days_a_forecast(client, freeze, report):
    freeze("2026-03-18 09:00")
    report("jiading-wisteria-park", "wisteria", "budding")
    freeze("2026-03-27 09:00")
    report("jiading-wisteria-park", "wisteria", "first_bloom")
    freeze("2026-03-28 09:00")
    status, html = plan_page(client, "en", "from=2026-04-06")
    assert status == 200
    # About a week early: at its best on the 6th, which the usual window puts six days later (and
    # its late past seasons later still).
    assert WISTERIA["en"] in days_of(html)["2026-04-06"]
    assert "forecast from this season&#39;s reports" in html or "forecast from this season's reports" in html


def test_a_date_in_next_years_season_uses_its_usual_window(client, freeze):
    freeze("2026-11-29 09:00")
    status, html = plan_page(client, "en", "from=2027-01-10")
    assert status == 200
    assert "Wintersweet" in " ".join(days_of(html)["2027-01-10"])
    # The park's wisteria by its usual dates as its past seasons moved them (a little: they were
    # seen already at peak): at its best from about the 11th, not yet on the 8th.
    status, html = plan_page(client, "en", "from=2027-04-22")
    assert WISTERIA["en"] in days_of(html)["2027-04-22"]
    status, html = plan_page(client, "en", "from=2027-04-08")
    assert status == 200 and WISTERIA["en"] not in days_of(html)["2027-04-08"]


@pytest.mark.parametrize(
    ("query", "en", "zh"),
    [
        ("from=2026-13-01", "That is not a date we can read", "无法识别这个日期"),
        ("from=2026-04-14&to=2026-04-12", "The last day comes before the first", "最后一天早于第一天"),
        ("from=2028-04-12", "The guide plans up to a year ahead", "最多只能规划一年之内的行程"),
        ("from=2026-04-01", "That day has passed", "这一天已经过去"),
        ("from=2026-04-10&to=2026-05-10", "A trip of up to 14 days", "行程最长14天"),
        ("from=%00%ff", "That is not a date we can read", "无法识别这个日期"),
    ],
)
def test_bad_dates_answer_a_clear_message_with_the_form_kept(client, freeze, query, en, zh):
    freeze("2026-04-10 09:00")
    for lang, message in (("en", en), ("zh", zh)):
        status, html = plan_page(client, lang, query)
        assert status == 400
        assert re.search(r'role="alert">[^<]*' + re.escape(message), html), html
        assert 'name="from"' in html and 'name="to"' in html
        assert 'class="plan-day"' not in html


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(first=st.text(max_size=30), last=st.text(max_size=30))
def test_no_input_is_a_server_error(client, first, last):
    response = client.get("/en/plan", query_string={"from": first, "to": last})
    assert response.status_code in (200, 400)


def test_the_share_link_is_neutral_and_opens_the_same_dates_in_the_readers_language(client, freeze):
    freeze("2026-04-10 09:00")
    _, html = plan_page(client, "en", "from=2026-04-12&to=2026-04-14")
    link = re.search(r'id="share-link"[^>]*value="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link == "http://guide.test/plan?from=2026-04-12&to=2026-04-14"
    response = client.get(link, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/zh/plan?from=2026-04-12&to=2026-04-14"


def test_the_plan_is_linked_from_every_page_and_prints_without_its_form(client, freeze):
    freeze("2026-04-10 09:00")
    home = client.get("/zh/").get_data(as_text=True)
    assert 'href="/zh/plan"' in home
    _, html = plan_page(client, "en", "from=2026-04-12")
    assert re.search(r'<form class="plan-form no-print"', html)
    css = client.get(re.search(r'href="([^"]*style[^"]*\.css)"', html).group(1)).get_data(as_text=True)
    assert re.search(r"@media print\s*{[^}]*\.no-print", css)


def test_the_weekend_is_the_coming_saturday_and_sunday():
    assert weekend(date(2026, 11, 25)) == [date(2026, 11, 28), date(2026, 11, 29)]  # a Wednesday
    assert weekend(date(2026, 11, 28)) == [date(2026, 11, 28), date(2026, 11, 29)]
    assert weekend(date(2026, 11, 29)) == [date(2026, 11, 29)]


def test_the_home_page_says_which_peaks_end_soon_and_which_begin_this_weekend(client, freeze):
    freeze("2026-11-22 09:00")  # a Sunday: the chrysanthemum's peak usually ends on the 25th
    for lang, last, name in (("en", "Last chance", "Chrysanthemum"), ("zh", "最后机会", "菊花")):
        html = client.get(f"/{lang}/").get_data(as_text=True)
        section = html.split('id="soon-heading"')[1].split("</section>")[0]
        assert last in section
        assert name in section.split("last-chance")[1]
    # A Wednesday; the park's wisteria, as its past seasons moved it, comes to its peak about
    # the 16th: at its peak this weekend, not yet today.
    freeze("2026-04-15 09:00")
    html = client.get("/en/").get_data(as_text=True)
    section = html.split('id="soon-heading"')[1].split("</section>")[0]
    assert "Peak begins this weekend" in section
    assert WISTERIA["en"] in section.split("weekend-peaks")[1]


@given(st.lists(st.lists(st.sampled_from("abc"), max_size=3), min_size=1, max_size=14))
def test_runs_say_each_list_once_and_keep_every_day(lists):
    """Consecutive days with the same list become one run; no day is lost or repeated, and two
    runs side by side never hold the same list."""
    from guide.core.plan import runs

    days = [(TODAY + timedelta(days=i), items) for i, items in enumerate(lists)]
    found = runs(days, lambda item: item)
    covered = [first + timedelta(days=n) for first, last, _ in found for n in range((last - first).days + 1)]
    assert covered == [day for day, _ in days]
    assert all(a[2] != b[2] for a, b in itertools.pairwise(found))
    by_day = dict(days)
    assert all(by_day[day] == items for first, last, items in found for day in (first, last))
