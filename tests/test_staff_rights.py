"""Rights end when they are revoked: in the open session too, on every editing request."""

import pytest
from sqlalchemy import func, insert, select

from guide.extensions import db
from guide.places.models import EditionChange, Notice, Place
from guide.staff.models import Staff, staff_editor
from tests.conftest import csrf_token, login

EDIT = "/en/staff/places/huilongtan-park/edit"
NOTICES = "/en/staff/places/huilongtan-park/notices"
CHRYSANTHEMUM = "/en/staff/places/huilongtan-park/festivals/chrysanthemum-exhibition"


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["staff", *args])


@pytest.fixture
def editor(guide_app, make_staff, freeze):
    """Li, logged in, reporting on and editing Huilongtan Park, with the edit page open."""
    freeze("2026-10-01 10:00")
    make_staff("li", "huilongtan-park")
    assert cli(guide_app, "grant", "li", "huilongtan-park", "--editor").exit_code == 0
    client = guide_app.test_client()
    assert login(client, "li").status_code == 302
    return client


def open_form(client) -> str:
    """The token of the edit page as it was shown before any revoke (a tab left open)."""
    page = client.get(EDIT)
    assert page.status_code == 200
    return csrf_token(page.get_data(as_text=True))


def closed_notice(client, token: str):
    data = {"csrf_token": token, "kind": "closed", "text_en": "Closed today!", "starts_on": "2026-10-01"}
    return client.post(NOTICES, data=data)


def public_page(guide_app) -> str:
    return guide_app.test_client().get("/en/places/huilongtan-park").get_data(as_text=True)


def notices(guide_app) -> int:
    with guide_app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notice))


@pytest.mark.parametrize("editor_only", [(), ("--editor",)])
def test_after_a_revoke_the_open_session_no_longer_opens_the_edit_page_or_posts(guide_app, editor, editor_only):
    token = open_form(editor)
    result = cli(guide_app, "revoke", "li", "huilongtan-park", *editor_only)
    assert result.exit_code == 0 and "no longer edits huilongtan-park's dates and notices" in result.output
    assert editor.get(EDIT).status_code == 403
    assert closed_notice(editor, token).status_code == 403
    edition = {"csrf_token": token, "start": "2026-10-30", "end": "2026-11-29", "sequence": "0"}
    assert editor.post(CHRYSANTHEMUM, data=edition).status_code == 403
    assert "Closed today!" not in public_page(guide_app) and notices(guide_app) == 0
    with guide_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EditionChange)) == 0  # the dates untouched


def test_revoking_a_place_ends_reporting_and_editing_and_the_list_says_so(guide_app, editor):
    assert "edits: huilongtan-park" in cli(guide_app, "list").output
    result = cli(guide_app, "revoke", "li", "huilongtan-park")
    assert "no longer reports on huilongtan-park" in result.output and "no longer edits" in result.output
    assert editor.get("/en/staff/places/huilongtan-park").status_code == 403
    assert "li\treports: -\tedits: -\tlast report: never" in cli(guide_app, "list").output
    with guide_app.app_context():
        li = db.session.scalar(select(Staff).where(Staff.username == "li"))
        assert li.edits == [] and li.places == []


def test_revoking_editing_alone_keeps_reporting(guide_app, editor):
    result = cli(guide_app, "revoke", "li", "huilongtan-park", "--editor")
    assert result.exit_code == 0 and "no longer reports" not in result.output
    page = editor.get("/en/staff/places/huilongtan-park")
    assert page.status_code == 200 and "Festival dates and notices" not in page.get_data(as_text=True)
    assert editor.get(EDIT).status_code == 403
    assert "li\treports: huilongtan-park\tedits: -" in cli(guide_app, "list").output
    again = cli(guide_app, "revoke", "li", "huilongtan-park", "--editor")
    assert "li: did not edit huilongtan-park's dates and notices." in again.output


def test_a_grant_again_gives_the_rights_back(guide_app, editor):
    cli(guide_app, "revoke", "li", "huilongtan-park")
    assert editor.get(EDIT).status_code == 403
    cli(guide_app, "grant", "li", "huilongtan-park", "--editor")
    assert closed_notice(editor, open_form(editor)).status_code == 302
    assert "Closed today!" in public_page(guide_app)


def test_an_editor_row_left_from_before_grants_nothing_without_reporting(guide_app, editor):
    """A revoke made before revoking took editing too left a staff_editor row behind."""
    token = open_form(editor)
    cli(guide_app, "revoke", "li", "huilongtan-park")
    with guide_app.app_context():
        li = db.session.scalar(select(Staff).where(Staff.username == "li"))
        park = db.session.scalar(select(Place).where(Place.slug == "huilongtan-park"))
        db.session.execute(insert(staff_editor).values(staff_id=li.id, place_id=park.id))
        db.session.commit()
    assert editor.get(EDIT).status_code == 403
    assert closed_notice(editor, token).status_code == 403
    assert notices(guide_app) == 0
    assert "li\treports: -\tedits: -" in cli(guide_app, "list").output


def test_revoking_another_place_leaves_this_one(guide_app, editor):
    cli(guide_app, "grant", "li", "guyi-garden", "--editor")
    cli(guide_app, "revoke", "li", "guyi-garden")
    assert editor.get("/en/staff/places/guyi-garden/edit").status_code == 403
    assert closed_notice(editor, open_form(editor)).status_code == 302
    assert "li\treports: huilongtan-park\tedits: huilongtan-park" in cli(guide_app, "list").output


def test_an_admin_is_unaffected_by_revokes(guide_app, make_staff, freeze):
    freeze("2026-10-01 10:00")
    make_staff("boss", admin=True)
    admin = guide_app.test_client()
    login(admin, "boss")
    result = cli(guide_app, "revoke", "boss", "huilongtan-park")
    assert result.exit_code == 0 and "did not report on huilongtan-park" in result.output
    cli(guide_app, "revoke", "boss", "huilongtan-park", "--editor")
    assert closed_notice(admin, open_form(admin)).status_code == 302
    assert "Closed today!" in public_page(guide_app)


def test_a_disabled_editors_open_session_posts_nothing(guide_app, editor):
    token = open_form(editor)
    assert cli(guide_app, "disable", "li").exit_code == 0
    response = closed_notice(editor, token)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert notices(guide_app) == 0 and "Closed today!" not in public_page(guide_app)
