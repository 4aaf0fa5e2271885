"""Reminders that need no push service: a calendar per plant whose one event is its coming peak,
with alarms, that moves (same UID, SEQUENCE raised) as reports move the forecast; and a
festival's calendar with alarms before it opens."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import select

from guide.extensions import db
from guide.places.models import PeakReminder

WISTERIA = "/en/places/jiading-wisteria-park/remind/wisteria.ics"


def calendar(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def the_event(cal: Calendar):
    (event,) = cal.walk("VEVENT")
    return event


def test_a_plants_reminder_is_one_event_at_its_coming_peak_with_two_alarms(client, freeze):
    freeze("2027-03-01 09:00")
    cal = calendar(client, WISTERIA)
    # What subscribed calendars read, as they read it: published (METHOD), read again twice a
    # day (RFC 7986's REFRESH-INTERVAL; X-PUBLISHED-TTL for Outlook's and Google's).
    lines = client.get(WISTERIA).get_data(as_text=True).split("\r\n")
    for line in ("METHOD:PUBLISH", "VERSION:2.0", "REFRESH-INTERVAL;VALUE=DURATION:PT12H", "X-PUBLISHED-TTL:PT12H"):
        assert line in lines
    event = the_event(cal)
    assert str(event["uid"]) == "peak-jiading-wisteria-park-wisteria-2027@jiading-bloom-guide"
    first, last = event.decoded("dtstart"), event.decoded("dtend") - timedelta(days=1)
    assert date(2027, 4, 1) <= first <= last <= date(2027, 5, 10)  # an April peak, as all-day dates
    assert int(event["sequence"]) == 0
    assert str(event["summary"]) == "Wisteria at its peak: Jiading Wisteria Park"  # the name without its aside
    description = str(event["description"])
    assert "Usually at its peak" in description  # how sure: no report yet, the usual dates
    assert "http://guide.test/en/places/jiading-wisteria-park" in description
    alarms = event.walk("VALARM")
    triggers = sorted(alarm.decoded("trigger") for alarm in alarms)
    assert triggers == [-timedelta(days=2, hours=15), timedelta(hours=9)]  # 09:00 three days before, 09:00 on the day
    assert all(str(alarm["action"]) == "DISPLAY" and str(alarm["description"]) for alarm in alarms)
    assert "in 3 days" in " ".join(str(alarm["description"]) for alarm in alarms)


def test_the_reminder_moves_with_the_forecast_keeping_its_uid(client, freeze, report):
    freeze("2027-04-02 09:00")
    before = the_event(calendar(client, WISTERIA))
    freeze("2027-04-06 09:00")
    report("jiading-wisteria-park", "wisteria", "peak")  # at peak well before the usual days
    moved = the_event(calendar(client, WISTERIA))
    assert str(moved["uid"]) == str(before["uid"])
    assert moved.decoded("dtstart") == date(2027, 4, 6) < before.decoded("dtstart")
    assert int(moved["sequence"]) == int(before["sequence"]) + 1
    assert moved.decoded("dtstamp") > before.decoded("dtstamp")
    assert "At its peak since" in str(moved["description"])
    freeze("2027-04-06 12:00")
    again = the_event(calendar(client, WISTERIA))  # read again, nothing moved: nothing raised
    assert int(again["sequence"]) == int(moved["sequence"]) and again.decoded("dtstart") == moved.decoded("dtstart")


def test_once_the_peak_is_over_the_reminder_is_next_seasons(client, freeze, report):
    freeze("2027-04-20 09:00")
    report("jiading-wisteria-park", "wisteria", "peak", hours_ago=24 * 8)
    report("jiading-wisteria-park", "wisteria", "over")
    event = the_event(calendar(client, WISTERIA))
    assert str(event["uid"]) == "peak-jiading-wisteria-park-wisteria-2028@jiading-bloom-guide"
    assert event.decoded("dtstart").year == 2028


def test_a_leaf_plants_reminder_speaks_of_colour_and_chinese_reads_chinese(client, freeze):
    freeze("2026-10-01 09:00")
    leaves = the_event(calendar(client, "/en/places/anting-ancient-ginkgo/remind/ginkgo.ics"))
    assert "peak colour" in str(leaves["summary"])
    zh = the_event(calendar(client, "/zh/places/jiading-wisteria-park/remind/wisteria.ics"))
    text = str(zh["summary"]) + str(zh["description"]) + " ".join(str(a["description"]) for a in zh.walk("VALARM"))
    assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"\b(peak|expected|days)\b", text)


def test_unknown_or_unlisted_plants_have_no_reminder(client):
    assert client.get("/en/places/jiading-wisteria-park/remind/nope.ics").status_code == 404
    assert client.get("/en/places/nowhere/remind/wisteria.ics").status_code == 404


def test_every_plant_on_a_place_page_offers_a_subscription_and_a_file(client, freeze):
    freeze("2027-03-01 09:00")
    html = client.get("/en/places/guyi-garden").get_data(as_text=True)
    subscribe = set(re.findall(r'href="webcal://guide\.test(/en/places/guyi-garden/remind/[a-z-]+\.ics)"', html))
    files = set(re.findall(r'href="(/en/places/guyi-garden/remind/[a-z-]+\.ics)" download', html))
    plants = set(re.findall(r'data-plant="guyi-garden/([a-z-]+)"', html))
    assert plants and subscribe == files == {f"/en/places/guyi-garden/remind/{key}.ics" for key in plants}
    for link in files:
        assert client.get(unescape(link)).status_code == 200


def test_a_festivals_own_calendar_reminds_and_the_whole_list_does_not(client, freeze):
    freeze("2027-03-01 09:00")
    html = client.get("/en/places/qiuxia-garden").get_data(as_text=True)
    own = re.search(r'href="webcal://guide\.test(/en/events/qiuxia-garden/[a-z-]+\.ics)"', html).group(1)
    events = calendar(client, own).walk("VEVENT")
    assert events and all(len(event.walk("VALARM")) == 2 for event in events if str(event["status"]) != "CANCELLED")
    assert "opens in 3 days" in str(events[0].walk("VALARM")[0]["description"])
    assert not calendar(client, "/en/events.ics").walk("VALARM")


# Weeks of reports on one plant, some retracted: whatever happens, the reminder keeps one UID a
# season, its SEQUENCE never falls and rises exactly when its days move, and its days are the
# forecast's likeliest peak.
STAGES = ["not_yet", "budding", "first_bloom", "blooming", "peak", "fading", "over"]
history = st.lists(st.tuples(st.integers(0, 3), st.sampled_from(STAGES), st.booleans()), min_size=1, max_size=8)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=history)
def test_over_any_history_the_reminder_only_moves_forward_in_sequence(guide_app, freeze, report, steps):
    from guide.core import clock
    from guide.places.models import BloomReport
    from guide.places.seasons import peak_to_come
    from guide.staff import operations
    from guide.staff.models import Staff

    client = guide_app.test_client()
    with guide_app.app_context():
        db.session.execute(PeakReminder.__table__.delete())
        db.session.execute(BloomReport.__table__.delete())
        db.session.commit()
    day = date(2027, 3, 25)
    seen: dict[str, tuple[int, tuple[date, date]]] = {}
    for gap, stage, retract in steps:
        day += timedelta(days=gap)
        freeze(f"{day.isoformat()} 10:00")
        report("jiading-wisteria-park", "wisteria", stage)
        if retract:
            with guide_app.app_context():
                admin = db.session.scalar(select(Staff).where(Staff.username == "warden"))
                last = db.session.scalar(select(BloomReport).order_by(BloomReport.id.desc()))
                operations.retract_report(admin, last, clock.now())
                db.session.commit()
        event = the_event(calendar(client, WISTERIA))
        uid, sequence = str(event["uid"]), int(event["sequence"])
        first, days = event.decoded("dtstart"), (event.decoded("dtstart"), event.decoded("dtend"))
        with guide_app.app_context():
            from guide.places.models import Place, Plant

            plant = db.session.scalar(
                select(Plant).join(Place).where(Place.slug == "jiading-wisteria-park", Plant.key == "wisteria")
            )
            assert first == peak_to_come(plant, day).likely_peak().start
        if uid in seen:
            was_sequence, was_days = seen[uid]
            assert sequence == was_sequence + (days != was_days)
        seen[uid] = (sequence, days)


def test_the_api_gives_each_plant_its_reminder(client, freeze):
    freeze("2027-03-01 09:00")
    place = client.get("/api/v1/places/jiading-wisteria-park").get_json()
    urls = [plant["reminder_url"] for plant in place["plants"]]
    assert "http://guide.test/en/places/jiading-wisteria-park/remind/wisteria.ics" in urls
    for url in urls:
        assert the_event(calendar(client, url.removeprefix("http://guide.test")))
