"""One cleaning for all text that comes in (guide.core.text.clean_text): notices, notes, a
festival's source lose control characters however they arrive, and the API serves none."""

import json

import pytest
from sqlalchemy import select

from guide.core import clock
from guide.core.bloom import BloomStage
from guide.core.text import clean_text, clean_texts
from guide.extensions import db
from guide.places.models import BloomReport, EditionChange, Festival, Notice, Place, Plant
from guide.staff import operations
from guide.staff.models import Staff
from tests.conftest import csrf_token, login
from tests.test_staff_reports import plant_ids, send

SLUG = "huilongtan-park"
# A vertical tab, a NUL, an escape, a backspace, a form feed, DEL, a C1 control (NEL), a noncharacter,
# a right-to-left override and isolate (which would show "closed" as "desolc").
CONTROLS = ["\x0b", "\x00", "\x1b", "\x08", "\x0c", "\x7f", "\x85", "\ufffe", "\u202e", "\u2067"]


def dirty(word: str, control: str) -> str:
    return f"{control}East{control} gate{control} {word}{control}"


def has_no_controls(text: str) -> bool:
    return clean_text(text) == text.replace("\r\n", "\n")


@pytest.fixture
def editor(guide_app, make_staff, freeze):
    freeze("2026-11-25 10:00")
    make_staff("li", SLUG, "guyi-garden")
    assert guide_app.test_cli_runner().invoke(args=["staff", "grant", "li", SLUG, "--editor"]).exit_code == 0
    client = guide_app.test_client()
    assert login(client, "li").status_code == 302
    return client


def api_text(guide_app, slug: str = SLUG) -> str:
    """The API's answer for a place, as the bytes a client reads (escapes included)."""
    return guide_app.test_client().get(f"/api/v1/places/{slug}").get_data(as_text=True)


@pytest.mark.parametrize("control", CONTROLS)
def test_a_notice_typed_with_a_control_character_is_stored_and_served_without_it(guide_app, editor, control):
    page = editor.get(f"/en/staff/places/{SLUG}/edit").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "kind": "crowding",
        "text_en": dirty("closed", control),
        "text_zh": f"东门{control}关闭",
        "starts_on": "2026-11-25",
    }
    assert editor.post(f"/en/staff/places/{SLUG}/notices", data=data).status_code == 302
    with guide_app.app_context():
        assert db.session.scalar(select(Notice.text)) == {"en": "East gate closed", "zh": "东门关闭"}
    answer = api_text(guide_app)
    [notice] = json.loads(answer)["notices"]
    assert notice["text"] == {"en": "East gate closed", "zh": "东门关闭"}
    assert f"\\u{ord(control):04x}" not in answer.lower() and control not in answer
    assert "East gate closed" in guide_app.test_client().get(f"/en/places/{SLUG}").get_data(as_text=True)


@pytest.mark.parametrize("only", ["\x00", "\x0b\x0b", " \x1b\t\x7f "])
def test_a_notice_of_control_characters_alone_is_no_notice(guide_app, editor, only):
    page = editor.get(f"/en/staff/places/{SLUG}/edit").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "kind": "other", "text_en": only, "text_zh": only}
    response = editor.post(f"/en/staff/places/{SLUG}/notices", data={**data, "starts_on": "2026-11-25"})
    said = "Write the notice in Chinese, in English, or in both."
    assert response.status_code == 400 and said in response.get_data(as_text=True)
    with guide_app.app_context():
        assert db.session.scalar(select(Notice.id)) is None


@pytest.mark.parametrize("control", ["\x0b", "\x00", "\x1b", "\x85"])
def test_a_note_typed_with_a_control_character_is_stored_and_served_without_it(guide_app, editor, control):
    ids = plant_ids(guide_app, "guyi-garden")
    note = {"stage": "peak", "note_en": dirty("crowded", control), "note_zh": f"人{control}多"}
    assert send(editor, "guyi-garden", ids, lang="en", peony=note).status_code == 302
    with guide_app.app_context():
        assert db.session.scalar(select(BloomReport.note)) == {"en": "East gate crowded", "zh": "人多"}
    answer = api_text(guide_app, "guyi-garden")
    assert "East gate crowded" in answer and control not in answer and f"\\u{ord(control):04x}" not in answer.lower()


@pytest.mark.parametrize("control", ["\x0b", "\x00", "\x1b"])
def test_a_festival_source_typed_with_a_control_character_is_stored_without_it(guide_app, editor, control):
    page = editor.get(f"/en/staff/places/{SLUG}/edit").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "start": "2026-10-30",
        "end": "2026-11-29",
        "source": f"Park{control} notice board{control}",
        "sequence": "0",
    }
    assert editor.post(f"/en/staff/places/{SLUG}/festivals/chrysanthemum-exhibition", data=data).status_code == 302
    with guide_app.app_context():
        assert db.session.scalar(select(EditionChange.source)) == "Park notice board"


# The operations clean too, whoever calls them (the CLI, a script, the history test).


@pytest.fixture
def admin(guide_app, freeze):
    freeze("2026-11-25 10:00")
    with guide_app.app_context():
        boss = Staff(username="boss", created_at=clock.now(), is_admin=True)
        db.session.add(boss)
        db.session.commit()
    return "boss"


def _boss() -> Staff:
    return db.session.scalar(select(Staff).where(Staff.username == "boss"))


@pytest.mark.parametrize("control", CONTROLS)
def test_the_notice_operation_cleans_the_text(guide_app, admin, control):
    with guide_app.app_context():
        place = db.session.scalar(select(Place).where(Place.slug == SLUG))
        text = {"en": dirty("closed", control), "zh": f"\r\n东门{control}关闭\r\n", "fr": control}
        notice = operations.post_notice(_boss(), place, "closed", text, (clock.now(), None), clock.now())
        assert notice.text == {"en": "East gate closed", "zh": "东门关闭"}
        with pytest.raises(ValueError, match="some text"):
            operations.post_notice(_boss(), place, "closed", {"en": control * 3}, (clock.now(), None), clock.now())


@pytest.mark.parametrize("control", ["\x0b", "\x00", "\x1b", "\x85"])
def test_the_report_operation_cleans_the_note(guide_app, admin, control):
    with guide_app.app_context():
        plant = db.session.scalar(select(Plant).join(Place).where(Place.slug == "guyi-garden", Plant.key == "peony"))
        observation = operations.Observation(plant, BloomStage.PEAK, note={"en": f"Cr{control}owded", "zh": control})
        [row] = operations.report_bloom(_boss(), [observation], clock.now())
        assert row.note == {"en": "Crowded"}


@pytest.mark.parametrize("control", ["\x0b", "\x00", "\x1b"])
def test_the_edition_operation_cleans_the_source(guide_app, admin, control):
    from datetime import date

    with guide_app.app_context():
        festival = db.session.scalar(select(Festival).where(Festival.key == "chrysanthemum-exhibition"))
        dates = (date(2026, 10, 30), date(2026, 11, 29))
        edition = operations.set_edition(_boss(), festival, 2026, dates, False, f"Board{control}", 0, clock.now())
        assert edition.source == "Board"
        edition = operations.set_edition(_boss(), festival, 2026, dates, False, control, edition.sequence, clock.now())
        assert edition.source is None


@pytest.mark.parametrize("name", ["wang\x00", "wang\x0b", "wa ng", "\x1bwang"])
def test_the_account_operation_refuses_a_name_with_control_characters(guide_app, name):
    with guide_app.app_context(), pytest.raises(ValueError, match="no spaces or control characters"):
        operations.add_staff(name, "a-long-password", [], True, clock.now())


def test_text_stored_before_cleaning_is_served_without_controls(guide_app, admin):
    with guide_app.app_context():
        place = db.session.scalar(select(Place).where(Place.slug == SLUG))
        db.session.add(
            Notice(
                place=place,
                kind="closed",
                text={"en": "Shut\x0b\x1b today"},
                starts_at=clock.now(),
                created_by=_boss(),
                created_at=clock.now(),
            )
        )
        db.session.commit()
    answer = api_text(guide_app)
    assert json.loads(answer)["notices"][0]["text"] == {"en": "Shut today"} and "\\u000b" not in answer.lower()


def test_the_one_cleaner_keeps_what_a_reader_needs():
    assert clean_text("a\tb\r\nc\rd\x00e\x0bf") == "a\tb\nc\ndef"
    assert clean_texts({"zh": " 人多\x00 ", "en": "\x0b", "fr": ""}) == {"zh": "人多"}
    assert clean_texts(None) == {}
    assert has_no_controls(clean_text("".join(CONTROLS)))
