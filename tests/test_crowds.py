"""How busy a place is: said by its staff in one tap, shown beside the bloom status on every
surface while it is fresh, then gone; kept in the history; refused for another park."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from guide.core.crowds import Crowd, Said, crowd_now
from guide.extensions import db
from guide.places.models import CrowdReport
from tests.conftest import csrf_token

T0 = datetime(2026, 4, 18, 2, 0, tzinfo=UTC)  # a Saturday, 10:00 in Jiading
PLACE = "jiading-wisteria-park"


def test_the_latest_said_stands_until_it_lapses():
    said = [Said(Crowd.QUIET, T0), Said(Crowd.VERY_BUSY, T0 + timedelta(minutes=30), 2)]
    assert crowd_now(said, T0 + timedelta(minutes=10)).level is Crowd.QUIET
    shown = crowd_now(said, T0 + timedelta(hours=1))
    assert shown.level is Crowd.VERY_BUSY and shown.until == T0 + timedelta(hours=3, minutes=30)
    assert crowd_now(said, T0 + timedelta(hours=3, minutes=30)) is None  # lapsed: nothing, not "quiet"
    assert crowd_now(said, T0 - timedelta(seconds=1)) is None
    assert crowd_now([], T0) is None


def test_two_said_in_the_same_second_the_later_filed_stands():
    said = [Said(Crowd.LIMITED, T0, 7), Said(Crowd.BUSY, T0, 3)]
    assert crowd_now(said, T0).level is Crowd.LIMITED
    assert crowd_now(list(reversed(said)), T0, hours=1).level is Crowd.LIMITED


def staff_page(client, lang="en", slug=PLACE):
    return client.get(f"/{lang}/staff/places/{slug}").get_data(as_text=True)


def say(client, level, lang="en", slug=PLACE, page=None, **extra):
    page = page or staff_page(client, lang, slug)
    form = page.split('id="crowd"')[1]
    data = {
        "csrf_token": csrf_token(form),
        "submission": re.search(r'name="submission" type="hidden" value="([^"]+)"', form).group(1),
        "level": level,
        **extra,
    }
    return client.post(f"/{lang}/staff/places/{slug}/crowd", data=data)


def surfaces(client, lang="en"):
    """Where a visitor meets the place: home, place page, widget, API."""
    return {
        "home": client.get(f"/{lang}/").get_data(as_text=True),
        "place": client.get(f"/{lang}/places/{PLACE}").get_data(as_text=True),
        "widget": client.get(f"/embed/{lang}/places/{PLACE}").get_data(as_text=True),
    }


def crowd_of(client) -> dict | None:
    return client.get(f"/api/v1/places/{PLACE}").get_json()["crowd"]


@pytest.mark.parametrize(
    "lang, level, title", [("en", "busy", "Busy"), ("zh", "very_busy", "非常拥挤"), ("en", "limited", "Entry limited")]
)
def test_staff_say_how_busy_and_every_surface_shows_it_until_it_lapses(login_as, freeze, lang, level, title):
    freeze("2026-04-18 10:00")
    client = login_as("wang", PLACE)
    answer = say(client, level, lang)
    assert answer.status_code == 302
    flashed = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert title in flashed
    for name, html in surfaces(client, lang).items():
        assert f'data-crowd="{level}"' in html and title in html, name
    api = crowd_of(client)
    assert api["level"] == level and api["level_name"][lang].startswith(title)
    assert api["until"].startswith("2026-04-18T05:00")  # three hours on, in UTC
    freeze("2026-04-18 12:59")
    assert f'data-crowd="{level}"' in surfaces(client, lang)["place"]
    freeze("2026-04-18 13:00")
    for name, html in surfaces(client, lang).items():
        assert "data-crowd=" not in html, name
    assert crowd_of(client) is None


def test_the_next_word_replaces_the_last_and_both_stay_in_the_history(login_as, freeze, guide_app):
    freeze("2026-04-18 10:00")
    client = login_as("wang", PLACE)
    say(client, "busy")
    freeze("2026-04-18 10:40")
    say(client, "limited")
    assert crowd_of(client)["level"] == "limited"
    history = client.get(f"/en/staff/places/{PLACE}/history").get_data(as_text=True)
    assert history.index("Entry limited") < history.index("Busy")  # newest first
    with guide_app.app_context():
        assert [r.level for r in db.session.scalars(select(CrowdReport).order_by(CrowdReport.id))] == [
            "busy",
            "limited",
        ]


def test_a_form_sent_twice_says_it_once(login_as, freeze, guide_app):
    freeze("2026-04-18 10:00")
    client = login_as("wang", PLACE)
    page = staff_page(client)
    for _ in range(3):
        assert say(client, "very_busy", page=page).status_code == 302
    with guide_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CrowdReport)) == 1


@pytest.mark.parametrize("level", ["", "packed", "QUIET", "<script>alert(1)</script>"])
def test_a_level_that_is_not_one_is_refused_in_the_page_language(login_as, freeze, guide_app, level):
    freeze("2026-04-18 10:00")
    client = login_as("wang", PLACE)
    for lang, said in (("en", "Choose how busy it is." if not level else "Not a valid choice"), ("zh", "")):
        answer = say(client, level, lang)
        assert answer.status_code == 400
        html = answer.get_data(as_text=True)
        assert said in html and "<script>alert(1)</script>" not in html
    with guide_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CrowdReport)) == 0


def test_staff_of_another_park_cannot_say_it_nor_can_a_visitor(login_as, freeze, client):
    freeze("2026-04-18 10:00")
    visitor = client.application.test_client()
    staff = login_as("li", "guyi-garden")
    page = staff_page(staff, slug="guyi-garden")
    assert say(staff, "busy", slug=PLACE, page=page).status_code == 403
    assert visitor.post(f"/en/staff/places/{PLACE}/crowd", data={"level": "busy"}).status_code in (302, 400)
    assert crowd_of(visitor) is None


def test_without_its_csrf_token_nothing_is_said(login_as, freeze):
    freeze("2026-04-18 10:00")
    client = login_as("wang", PLACE)
    for token in ({}, {"csrf_token": "forged"}):
        answer = client.post(f"/en/staff/places/{PLACE}/crowd", data={"level": "busy", **token})
        assert answer.status_code == 302  # back to the staff pages, saying so
        assert "The page had expired" in client.get(answer.headers["Location"], follow_redirects=True).text
    assert crowd_of(client) is None


def test_an_unknown_level_stored_by_a_bad_restore_hides_that_word_only(login_as, freeze, guide_app):
    freeze("2026-04-18 10:00")
    client = login_as("wang", PLACE)
    say(client, "busy")
    with guide_app.app_context():
        db.session.execute(CrowdReport.__table__.update().values(level="exploded"))
        db.session.commit()
    freeze("2026-04-18 10:01")
    for name, html in surfaces(client).items():
        assert "data-crowd=" not in html, name
    assert crowd_of(client) is None
