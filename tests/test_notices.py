"""The park keeps it true: editors post notices and set festival dates from a phone."""

import feedparser
import pytest
import yaml
from icalendar import Calendar
from sqlalchemy import func, select

from guide.extensions import db
from guide.places.models import EditionChange, FestivalEdition, Notice
from tests.conftest import PASSWORD, PLACES_YAML, csrf_token, login

EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}"


@pytest.fixture
def editor(guide_app, make_staff):
    """A logged-in editor of Huilongtan Park (and reporter of it)."""
    make_staff("li", "huilongtan-park")
    result = guide_app.test_cli_runner().invoke(args=["staff", "grant", "li", "huilongtan-park", "--editor"])
    assert result.exit_code == 0 and "may now edit huilongtan-park" in result.output
    client = guide_app.test_client()
    assert login(client, "li").status_code == 302
    return client


def post_notice(client, lang="en", **fields):
    page = client.get(f"/{lang}/staff/places/huilongtan-park/edit")
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "kind": "crowding",
        "text_zh": "",
        "text_en": "",
        "starts_on": "2026-11-25",
        "ends_on": "",
        **fields,
    }
    return client.post(f"/{lang}/staff/places/huilongtan-park/notices", data=data)


def editions_in_the_file() -> int:
    places = yaml.safe_load(PLACES_YAML.read_text(encoding="utf-8"))["places"]
    return sum(len(festival.get("editions") or []) for place in places for festival in place.get("festivals") or [])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_notice_shows_on_the_place_the_home_page_the_feed_the_api_and_the_widget_until_its_end(
    guide_app, editor, freeze
):
    freeze("2026-11-25 10:00")
    response = post_notice(editor, text_en="Long queues at the east gate; use the south gate.", ends_on="2026-11-26")
    assert response.status_code == 302
    public = guide_app.test_client()
    for url in ("/en/places/huilongtan-park", "/en/", "/embed/en/places/huilongtan-park"):
        html = public.get(url).get_data(as_text=True)
        assert "Long queues at the east gate" in html and "Crowding" in html, url
    zh = public.get("/zh/places/huilongtan-park").get_data(as_text=True)
    assert '<span lang="en">Long queues at the east gate; use the south gate.</span>' in zh  # marked, not hidden
    assert "人流拥挤" in zh
    feed = feedparser.parse(public.get("/en/places/huilongtan-park/feed.atom").data)
    assert any("Long queues" in e.summary for e in feed.entries if ":notice/" in e.id)
    [notice] = public.get("/api/v1/places/huilongtan-park").get_json()["notices"]
    assert (
        notice["kind"] == "crowding" and notice["last_day"] == "2026-11-26" and notice["kind_name"]["zh"] == "人流拥挤"
    )
    freeze("2026-11-26 23:59")
    assert "Long queues" in public.get("/en/places/huilongtan-park").get_data(as_text=True)
    freeze("2026-11-27 00:00")  # after its last day: gone by itself
    assert "Long queues" not in public.get("/en/places/huilongtan-park").get_data(as_text=True)
    assert public.get("/api/v1/places/huilongtan-park").get_json()["notices"] == []


def test_a_notice_that_starts_later_waits(guide_app, editor, freeze):
    freeze("2026-11-25 10:00")
    assert post_notice(editor, kind="closed", text_zh="12月1日闭园维修。", starts_on="2026-12-01").status_code == 302
    public = guide_app.test_client()
    assert "闭园维修" not in public.get("/zh/places/huilongtan-park").get_data(as_text=True)
    freeze("2026-12-01 00:01")
    assert "闭园维修" in public.get("/zh/places/huilongtan-park").get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"text_en": "", "text_zh": "  "}, "Write the notice in Chinese, in English, or in both."),
        (
            {"text_en": "x", "starts_on": "2026-11-25", "ends_on": "2026-11-20"},
            "The last day cannot come before the first.",
        ),
        ({"text_en": "x", "starts_on": "yesterday"}, "Not a valid date value."),
        ({"text_en": "x" * 301}, "At most 300 characters."),
        ({"text_en": "x", "kind": "earthquake"}, "Not a valid choice."),
    ],
)
def test_a_bad_notice_comes_back_with_a_message_and_nothing_is_posted(guide_app, editor, fields, message):
    response = post_notice(editor, **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with guide_app.app_context():
        assert count(Notice) == 0


def test_only_editors_of_the_place_post_and_a_reporter_cannot_withdraw(guide_app, editor, make_staff, freeze):
    freeze("2026-11-25 10:00")
    make_staff("wang", "huilongtan-park")  # reports there, edits nothing
    reporter = guide_app.test_client()
    login(reporter, "wang")
    assert reporter.get("/en/staff/places/huilongtan-park/edit").status_code == 403
    token = csrf_token(reporter.get("/en/staff/places/huilongtan-park").get_data(as_text=True))
    forged = {"csrf_token": token, "kind": "closed", "text_en": "Closed!", "starts_on": "2026-11-25"}
    assert reporter.post("/en/staff/places/huilongtan-park/notices", data=forged).status_code == 403
    assert editor.get("/en/staff/places/guyi-garden/edit").status_code == 403  # another park
    assert post_notice(editor, text_en="Crowded today.").status_code == 302
    with guide_app.app_context():
        notice_id = db.session.scalar(select(Notice.id))
    page = reporter.get("/en/staff/places/huilongtan-park").get_data(as_text=True)
    assert (
        reporter.post(f"/en/staff/notices/{notice_id}/withdraw", data={"csrf_token": csrf_token(page)}).status_code
        == 403
    )  # an editor withdraws their own place's notices: tests/test_notice_submissions.py
    make_staff("boss", admin=True)
    admin = guide_app.test_client()
    login(admin, "boss")
    page = admin.get("/en/staff/places/huilongtan-park/edit").get_data(as_text=True)
    assert "Crowded today." in page and "by li" in page
    assert (
        admin.post(f"/en/staff/notices/{notice_id}/withdraw", data={"csrf_token": csrf_token(page)}).status_code == 302
    )
    assert "Crowded today." not in guide_app.test_client().get("/en/places/huilongtan-park").get_data(as_text=True)
    assert "Withdrawn by boss" in admin.get("/en/staff/places/huilongtan-park/edit").get_data(as_text=True)
    with guide_app.app_context():
        assert count(Notice) == 1  # kept in the record


def test_what_editors_type_is_escaped_everywhere(guide_app, editor, freeze):
    freeze("2026-11-25 10:00")
    assert post_notice(editor, text_en=EVIL, text_zh=EVIL).status_code == 302
    public = guide_app.test_client()
    for url in (
        "/en/places/huilongtan-park",
        "/zh/",
        "/embed/en/places/huilongtan-park",
        "/en/staff/places/huilongtan-park/edit",
    ):
        html = (editor if "staff" in url else public).get(url).get_data(as_text=True)
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html, url
    feed = public.get("/en/feed.atom").get_data(as_text=True)
    assert "<img src=x" not in feed


def test_a_post_without_a_good_token_writes_nothing(guide_app, editor):
    for url, data in (
        (
            "/en/staff/places/huilongtan-park/notices",
            {"kind": "closed", "text_en": "Closed", "starts_on": "2026-11-25"},
        ),
        (
            "/en/staff/places/huilongtan-park/festivals/chrysanthemum-exhibition",
            {"start": "2026-10-30", "end": "2026-11-29"},
        ),
        ("/en/staff/places/nowhere/notices", {"text_en": "x"}),
    ):
        for token in ({}, {"csrf_token": "forged"}):
            response = editor.post(url, data={**data, **token})
            assert response.status_code in (400, 404), url
    with guide_app.app_context():
        assert count(Notice) == 0 and count(FestivalEdition) == editions_in_the_file()


CHRYSANTHEMUM = "/en/staff/places/huilongtan-park/festivals/chrysanthemum-exhibition"


def edition_form(client):
    page = client.get("/en/staff/places/huilongtan-park/edit").get_data(as_text=True)
    form = page.split('id="festival-chrysanthemum-exhibition"')[1].split("</form>")[0]
    return page, form


def test_an_editor_confirms_this_years_dates_and_the_calendar_entry_updates(guide_app, editor, freeze):
    freeze("2026-10-01 10:00")
    page, form = edition_form(editor)
    assert 'value="2026-10-28"' in form and "these are the usual dates" in form
    sequence = form.split('name="sequence"')[1].split('value="')[1].split('"')[0]
    data = {
        "csrf_token": csrf_token(page),
        "start": "2026-10-30",
        "end": "2026-11-29",
        "source": "Park notice board",
        "sequence": sequence,
    }
    assert editor.post(CHRYSANTHEMUM, data=data).status_code == 302
    public = guide_app.test_client()
    html = public.get("/en/events").get_data(as_text=True)
    show = html.split("Jiading Chrysanthemum Exhibition</strong>")[1].split("</li>")[0]
    assert "Oct 30\u2009–\u2009Nov 29" in show and "not yet announced" not in show
    entry = next(
        e
        for e in Calendar.from_ical(public.get("/en/events.ics").data).walk("VEVENT")
        if str(e["uid"]).startswith("festival-huilongtan-park-chrysanthemum-exhibition-2026@")
    )
    assert str(entry["status"]) == "CONFIRMED" and int(entry["sequence"]) == 1
    # The same form sent again (a second tap, or a stale page): the record says who changed what.
    assert editor.post(CHRYSANTHEMUM, data=data).status_code == 409
    with guide_app.app_context():
        [change] = db.session.scalars(select(EditionChange)).all()
        assert change.staff.username == "li" and change.source == "Park notice board"


def test_an_editor_marks_this_years_edition_cancelled(guide_app, editor, freeze):
    freeze("2026-10-01 10:00")
    page, _form = edition_form(editor)
    data = {
        "csrf_token": csrf_token(page),
        "start": "2026-10-28",
        "end": "2026-11-27",
        "cancelled": "y",
        "sequence": "0",
    }
    assert editor.post(CHRYSANTHEMUM, data=data).status_code == 302
    html = guide_app.test_client().get("/en/places/huilongtan-park").get_data(as_text=True)
    assert "Cancelled" in html and "2027" not in html.split("Cancelled")[0][-300:]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"start": "2026-11-30", "end": "2026-11-01"}, "The last day cannot come before the first."),
        ({"start": "", "end": "2026-11-01"}, "Enter the first day."),
        ({"start": "2026-10-30", "end": "soon"}, "Not a valid date value."),
    ],
)
def test_bad_dates_come_back_with_a_message(guide_app, editor, fields, message):
    page, _form = edition_form(editor)
    response = editor.post(CHRYSANTHEMUM, data={"csrf_token": csrf_token(page), "sequence": "0", **fields})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with guide_app.app_context():
        assert count(EditionChange) == 0


def test_a_staff_password_is_still_needed(guide_app, editor):
    """Logging out ends editing too."""
    page = editor.get("/en/staff/places/huilongtan-park/edit").get_data(as_text=True)
    editor.post("/en/staff/logout", data={"csrf_token": csrf_token(page)})
    assert editor.get("/en/staff/places/huilongtan-park/edit").status_code == 302
    assert PASSWORD


def test_a_notice_in_chinese_only_is_marked_chinese_on_english_pages_and_staff_are_told(guide_app, editor, freeze):
    freeze("2026-11-25 10:00")
    page = editor.get("/en/staff/places/huilongtan-park/edit").get_data(as_text=True)
    assert "text in one language only is shown as it is on the other language's pages" in page
    data = {"csrf_token": csrf_token(page), "kind": "route", "text_zh": "东门关闭，请走南门", "starts_on": "2026-11-25"}
    assert editor.post("/en/staff/places/huilongtan-park/notices", data=data).status_code == 302
    html = guide_app.test_client().get("/en/places/huilongtan-park").get_data(as_text=True)
    assert '<span lang="zh-Hans">东门关闭，请走南门</span>' in html  # a screen reader switches voice
