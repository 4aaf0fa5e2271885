"""Dates at the ends of the calendar: refused where they come in (forms, operations), and one
already stored (before the check, or by hand) breaks no page, feed, calendar or API answer."""

from datetime import UTC, date, datetime

import feedparser
import pytest
from icalendar import Calendar
from sqlalchemy import select

from guide.core import clock
from guide.extensions import db
from guide.places.models import Festival, FestivalEdition, Notice, Place
from guide.staff.models import Staff
from tests.conftest import csrf_token, login

SLUG, KEY = "huilongtan-park", "chrysanthemum-exhibition"


def _public_answers(guide_app, today: date) -> None:
    client = guide_app.test_client()
    urls = [
        "/en/",
        "/zh/",
        f"/en/places/{SLUG}",
        f"/zh/places/{SLUG}",
        f"/en/places/{SLUG}/history",
        f"/en/places/{SLUG}/card",
        f"/en/places/{SLUG}/taxi",
        f"/en/places/{SLUG}/map.json",
        f"/places/{SLUG}/share.png",
        f"/zh/concierge?place={SLUG}",
        "/zh/map.json",
        f"/embed/en/places/{SLUG}",
        "/en/calendar",
        f"/en/calendar?month={today.month}",
        "/zh/calendar?month=12",
        "/en/events",
        "/zh/events",
        "/en/plan",
        "/api/v1/plan?from=2026-10-01&to=2026-10-05",
        f"/api/v1/places/{SLUG}",
        "/api/v1/places",
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    for url in ("/en/events.ics", "/zh/events.ics", f"/en/events/{SLUG}/{KEY}.ics", f"/en/places/{SLUG}/bloom.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        for event in Calendar.from_ical(response.data).walk("VEVENT"):
            assert event.decoded("DTEND") >= event.decoded("DTSTART"), url
    for url in ("/en/feed.atom", "/zh/feed.atom", f"/en/places/{SLUG}/feed.atom"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not feedparser.parse(response.data).bozo, url


def _staff_pages_answer(guide_app, make_staff) -> None:
    make_staff("boss", admin=True)
    client = guide_app.test_client()
    login(client, "boss")
    for url in (f"/en/staff/places/{SLUG}/edit", f"/zh/staff/places/{SLUG}", "/en/staff/"):
        assert client.get(url).status_code == 200, url


def _festival() -> Festival:
    place = db.session.scalar(select(Place).where(Place.slug == SLUG))
    return next(f for f in place.festivals if f.key == KEY)


@pytest.mark.parametrize(
    "year, first, last",
    [
        (2026, date(2026, 10, 28), date.max),  # this year's, ending at the end of time
        (2026, date(2026, 10, 28), date(9999, 12, 30)),
        (2027, date(2027, 10, 28), date.max),  # next year's
        (1, date.min, date.min),  # long past
        (9999, date.max, date.max),  # never reached
        (2026, date.min, date.max),
    ],
)
def test_a_stored_edition_at_the_ends_of_the_calendar_breaks_no_public_surface(
    guide_app, freeze, make_staff, year, first, last
):
    freeze("2026-10-01 10:00")
    with guide_app.app_context():
        festival = _festival()
        for edition in [e for e in festival.editions if e.year == year]:
            db.session.delete(edition)
        db.session.flush()
        festival.editions.append(
            FestivalEdition(year=year, starts_on=first, ends_on=last, sequence=1, updated_at=clock.now())
        )
        db.session.commit()
    _public_answers(guide_app, date(2026, 10, 1))
    _staff_pages_answer(guide_app, make_staff)


@pytest.mark.parametrize(
    "starts_at, ends_at",
    [
        (datetime(2026, 10, 1, tzinfo=UTC), datetime.max.replace(tzinfo=UTC)),
        (datetime.min.replace(tzinfo=UTC), None),
        (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)),
        (datetime(9999, 12, 31, 20, tzinfo=UTC), datetime.max.replace(tzinfo=UTC)),  # a local day past the end
        (datetime.min.replace(tzinfo=UTC), datetime(1, 1, 2, tzinfo=UTC)),  # long gone
    ],
)
def test_a_stored_notice_at_the_ends_of_the_calendar_breaks_no_public_surface(
    guide_app, freeze, make_staff, starts_at, ends_at
):
    freeze("2026-10-01 10:00")
    with guide_app.app_context():
        place = db.session.scalar(select(Place).where(Place.slug == SLUG))
        staff = Staff(username="warden", created_at=clock.now(), is_admin=True)
        notice = Notice(
            place=place,
            kind="closed",
            text={"en": "Closed for ever"},
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=staff,
            created_at=clock.now(),
        )
        db.session.add_all([staff, notice])
        db.session.commit()
    _public_answers(guide_app, date(2026, 10, 1))
    _staff_pages_answer(guide_app, make_staff)


# Where dates come in: the forms, with a message in the page's language, and the operations.

EDIT = f"/{{lang}}/staff/places/{SLUG}/edit"
# The Chinese sentence waits for its catalog entry (proposed: 请选择2025年1月1日至2028年12月31日之间的日期。);
# the dates in it are already the page's language.
RANGE = {"en": ["Choose a day from Jan 1, 2025 to Dec 31, 2028."], "zh": ["2025年1月1日", "2028年12月31日"]}


def says_the_range(response, lang: str) -> bool:
    html = response.get_data(as_text=True)
    return response.status_code == 400 and all(part in html for part in RANGE[lang])


@pytest.fixture
def editor(guide_app, make_staff, freeze):
    freeze("2026-10-01 10:00")
    make_staff("li", SLUG)
    assert guide_app.test_cli_runner().invoke(args=["staff", "grant", "li", SLUG, "--editor"]).exit_code == 0
    client = guide_app.test_client()
    assert login(client, "li").status_code == 302
    return client


def _stored(guide_app) -> tuple[int, list[tuple[date, date]]]:
    with guide_app.app_context():
        notices = len(db.session.scalars(select(Notice)).all())
        editions = [(e.starts_on, e.ends_on) for e in _festival().editions]
        return notices, editions


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "first, last",
    [
        ("0001-01-01", ""),
        ("2026-10-01", "9999-12-31"),
        ("0001-01-01", "9999-12-31"),
        ("2024-12-31", "2026-10-02"),  # a day before the range
        ("2026-10-01", "2029-01-01"),  # a day after it
    ],
)
def test_a_notice_far_in_time_comes_back_with_the_range_and_nothing_is_posted(guide_app, editor, lang, first, last):
    before = _stored(guide_app)
    page = editor.get(EDIT.format(lang=lang)).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "kind": "closed", "text_en": "Closed", "starts_on": first, "ends_on": last}
    response = editor.post(f"/{lang}/staff/places/{SLUG}/notices", data=data)
    assert says_the_range(response, lang)
    assert _stored(guide_app) == before


def test_a_notice_at_the_ends_of_the_range_is_posted(guide_app, editor):
    page = editor.get(EDIT.format(lang="en")).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "kind": "closed", "text_en": "Closed a while"}
    response = editor.post(
        f"/en/staff/places/{SLUG}/notices", data={**data, "starts_on": "2025-01-01", "ends_on": "2028-12-31"}
    )
    assert response.status_code == 302
    assert "Closed a while" in guide_app.test_client().get(f"/en/places/{SLUG}").get_data(as_text=True)
    _public_answers(guide_app, date(2026, 10, 1))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "first, last",
    [
        ("2026-10-28", "9999-12-31"),
        ("0001-01-01", "2026-11-27"),
        ("0001-01-01", "9999-12-31"),
        ("2028-12-30", "2029-01-02"),  # across the end of the range
        ("2024-12-30", "2025-01-02"),  # across its start
    ],
)
def test_a_festival_edition_far_in_time_comes_back_with_the_range_and_nothing_is_saved(
    guide_app, editor, lang, first, last
):
    before = _stored(guide_app)
    page = editor.get(EDIT.format(lang=lang)).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "start": first, "end": last, "sequence": "0"}
    response = editor.post(f"/{lang}/staff/places/{SLUG}/festivals/{KEY}", data=data)
    assert says_the_range(response, lang)
    assert _stored(guide_app) == before


@pytest.mark.parametrize(
    "span",
    [
        (datetime(1, 1, 1, tzinfo=UTC), None),
        (datetime(2026, 10, 1, tzinfo=clock.LOCAL_ZONE), datetime(9999, 12, 31, tzinfo=clock.LOCAL_ZONE)),
        (datetime(2026, 10, 1, tzinfo=clock.LOCAL_ZONE), datetime.max.replace(tzinfo=UTC)),
        (datetime(2024, 12, 31, tzinfo=clock.LOCAL_ZONE), None),
        (datetime(2026, 10, 1, tzinfo=clock.LOCAL_ZONE), datetime(2029, 1, 2, tzinfo=clock.LOCAL_ZONE)),
    ],
)
def test_the_notice_operation_refuses_far_dates_whoever_calls_it(guide_app, freeze, span):
    from guide.staff import operations

    freeze("2026-10-01 10:00")
    with guide_app.app_context():
        admin = Staff(username="boss", created_at=clock.now(), is_admin=True)
        place = db.session.scalar(select(Place).where(Place.slug == SLUG))
        with pytest.raises(ValueError, match="outside 2025-01-01–2028-12-31"):
            operations.post_notice(admin, place, "closed", {"en": "Closed"}, span, clock.now())
        # the last day of the range: a notice ending at the midnight after it
        widest = (datetime(2025, 1, 1, tzinfo=clock.LOCAL_ZONE), datetime(2029, 1, 1, tzinfo=clock.LOCAL_ZONE))
        assert operations.post_notice(admin, place, "closed", {"en": "Closed"}, widest, clock.now()).last_day == date(
            2028, 12, 31
        )


@pytest.mark.parametrize(
    "year, first, last",
    [(2026, date(2026, 10, 28), date.max), (1, date.min, date(1, 1, 2)), (2029, date(2029, 1, 1), date(2029, 1, 2))],
)
def test_the_edition_operation_refuses_far_dates_whoever_calls_it(guide_app, freeze, year, first, last):
    from guide.staff import operations

    freeze("2026-10-01 10:00")
    with guide_app.app_context():
        admin = Staff(username="boss", created_at=clock.now(), is_admin=True)
        with pytest.raises(ValueError, match="outside 2025-01-01–2028-12-31"):
            operations.set_edition(admin, _festival(), year, (first, last), False, None, 0, clock.now())


def test_the_day_after_the_last_day_of_the_calendar_is_itself():
    assert clock.day_after(date(2026, 12, 31)) == date(2027, 1, 1)
    assert clock.day_after(date.max) == date.max


@pytest.mark.parametrize(
    "moment, just_before, day",
    [
        (datetime(2026, 10, 1, 16, tzinfo=UTC), False, date(2026, 10, 2)),  # midnight in Jiading
        (datetime(2026, 10, 1, 16, tzinfo=UTC), True, date(2026, 10, 1)),
        (datetime.max.replace(tzinfo=UTC), False, date.max),
        (datetime.max.replace(tzinfo=UTC), True, date.max),
        (datetime.min.replace(tzinfo=UTC), False, date(1, 1, 1)),
        (datetime.min.replace(tzinfo=UTC), True, date.min),
    ],
)
def test_a_moment_at_the_ends_of_the_calendar_has_a_day_in_jiading(moment, just_before, day):
    assert clock.local_date(moment, just_before=just_before) == day
