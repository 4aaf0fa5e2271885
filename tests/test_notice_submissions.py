"""A notice form sent twice posts one notice; an editor withdraws their own place's notices."""

import re

import pytest
from sqlalchemy import func, select

from guide.core import clock
from guide.extensions import db
from guide.places.models import Notice, Place
from guide.staff import operations
from guide.staff.models import Staff
from tests.conftest import csrf_token, login
from tests.test_races import together

SLUG = "huilongtan-park"
NOTICES = f"/{{lang}}/staff/places/{SLUG}/notices"


@pytest.fixture
def editor(guide_app, make_staff, freeze):
    freeze("2026-11-25 10:00")
    make_staff("li", SLUG)
    assert guide_app.test_cli_runner().invoke(args=["staff", "grant", "li", SLUG, "--editor"]).exit_code == 0
    client = guide_app.test_client()
    assert login(client, "li").status_code == 302
    return client


def notice_form(client, lang="en", slug=SLUG, **fields) -> dict:
    page = client.get(f"/{lang}/staff/places/{slug}/edit").get_data(as_text=True)
    key = re.search(r'name="submission"[^>]*value="([^"]+)"', page).group(1)
    return {
        "csrf_token": csrf_token(page),
        "submission": key,
        "kind": "crowding",
        "text_en": "Long queues at the east gate.",
        "starts_on": "2026-11-25",
        **fields,
    }


def posted(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notice))


def shown(app, text: str) -> int:
    return app.test_client().get(f"/en/places/{SLUG}").get_data(as_text=True).count(text)


@pytest.mark.parametrize("lang, said", [("en", "The notice is posted."), ("zh", "公告已发布。")])
@pytest.mark.parametrize("times", [2, 3])
def test_the_same_notice_form_sent_again_posts_once_and_says_it_is_posted(guide_app, editor, lang, said, times):
    data = notice_form(editor, lang)
    answers = [editor.post(NOTICES.format(lang=lang), data=data) for _ in range(times)]
    assert {a.status_code for a in answers} == {302} and len({a.headers["Location"] for a in answers}) == 1
    assert said in editor.get(answers[-1].headers["Location"]).get_data(as_text=True)
    assert posted(guide_app) == 1 and shown(guide_app, "Long queues at the east gate.") == 1


def test_a_double_tap_arriving_together_posts_once(guide_app, editor):
    for trial in range(6):
        data = notice_form(editor, text_en=f"Queue number {trial}.")
        answers = together([editor, editor], [(NOTICES.format(lang="en"), data)] * 2)
        assert answers == [302, 302], answers
        assert posted(guide_app) == trial + 1


def test_a_fresh_form_posts_a_second_notice_with_the_same_words(guide_app, editor):
    """The same words twice on purpose (two forms, two keys) are two notices."""
    assert editor.post(NOTICES.format(lang="en"), data=notice_form(editor)).status_code == 302
    assert editor.post(NOTICES.format(lang="en"), data=notice_form(editor)).status_code == 302
    assert posted(guide_app) == 2


def test_a_form_edited_after_a_mistake_keeps_its_key_and_posts_once(guide_app, editor):
    data = notice_form(editor, text_en="")
    refused = editor.post(NOTICES.format(lang="en"), data=data)
    assert refused.status_code == 400 and f'value="{data["submission"]}"' in refused.get_data(as_text=True)
    fixed = {**data, "text_en": "Fixed words."}
    assert [editor.post(NOTICES.format(lang="en"), data=fixed).status_code for _ in range(2)] == [302, 302]
    assert posted(guide_app) == 1


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "<script>", "../../etc"])
def test_a_missing_or_odd_key_still_posts_once_per_send(guide_app, editor, key):
    data = {**notice_form(editor), "submission": key}
    assert editor.post(NOTICES.format(lang="en"), data=data).status_code == 302
    assert posted(guide_app) == 1


def test_the_operation_files_a_key_once_whoever_calls_it(guide_app, freeze):
    freeze("2026-11-25 10:00")
    with guide_app.app_context():
        admin = Staff(username="boss", created_at=clock.now(), is_admin=True)
        db.session.add(admin)
        db.session.flush()
        place = db.session.scalar(select(Place).where(Place.slug == SLUG))
        span = (clock.now(), None)
        key = "k" * 32
        operations.post_notice(admin, place, "closed", {"en": "Closed"}, span, clock.now(), key)
        with pytest.raises(operations.AlreadyFiled):
            operations.post_notice(admin, place, "closed", {"en": "Closed"}, span, clock.now(), key)
        operations.post_notice(admin, place, "closed", {"en": "Closed"}, span, clock.now())  # no key: no memory
        db.session.commit()
    assert posted(guide_app) == 2


# Withdrawing: an editor of the place, or an admin; nobody else, whatever they send.


def withdraw(client, notice_id: int, lang="en"):
    page = client.get(f"/{lang}/staff/login").get_data(as_text=True)  # any form: the token is the session's
    return client.post(f"/{lang}/staff/notices/{notice_id}/withdraw", data={"csrf_token": csrf_token(page)})


def first_notice(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Notice.id))


def test_an_editor_withdraws_a_notice_of_their_place(guide_app, editor):
    editor.post(NOTICES.format(lang="en"), data=notice_form(editor, text_en="Crowded today."))
    page = editor.get(f"/en/staff/places/{SLUG}/edit").get_data(as_text=True)
    assert "Withdraw this notice" in page
    response = withdraw(editor, first_notice(guide_app))
    assert response.status_code == 302
    assert "it no longer shows" in editor.get(response.headers["Location"]).get_data(as_text=True)
    assert shown(guide_app, "Crowded today.") == 0
    assert "Withdrawn by li" in editor.get(f"/en/staff/places/{SLUG}/edit").get_data(as_text=True)
    assert withdraw(editor, first_notice(guide_app)).status_code == 302  # again: nothing more happens
    assert posted(guide_app) == 1  # kept in the record


@pytest.mark.parametrize("who", ["reporter", "other-editor", "revoked-editor"])
def test_nobody_else_withdraws_a_notice(guide_app, editor, make_staff, who):
    editor.post(NOTICES.format(lang="en"), data=notice_form(editor, text_en="Crowded today."))
    runner = guide_app.test_cli_runner()
    if who == "reporter":
        make_staff("wang", SLUG)
        name = "wang"
    elif who == "other-editor":
        make_staff("zhao", "guyi-garden")
        runner.invoke(args=["staff", "grant", "zhao", "guyi-garden", "--editor"])
        name = "zhao"
    else:
        runner.invoke(args=["staff", "revoke", "li", SLUG, "--editor"])
        name = "li"
    client = editor if name == "li" else guide_app.test_client()
    if name != "li":
        login(client, name)
    assert withdraw(client, first_notice(guide_app)).status_code == 403
    assert shown(guide_app, "Crowded today.") == 1


def test_an_admin_withdraws_any_notice(guide_app, editor, make_staff):
    editor.post(NOTICES.format(lang="en"), data=notice_form(editor, text_en="Crowded today."))
    make_staff("boss", admin=True)
    admin = guide_app.test_client()
    login(admin, "boss")
    assert withdraw(admin, first_notice(guide_app)).status_code == 302
    assert shown(guide_app, "Crowded today.") == 0


def test_withdrawing_a_notice_that_does_not_exist_is_not_found(guide_app, editor):
    assert withdraw(editor, 999).status_code == 404


def test_the_withdraw_operation_checks_the_place(guide_app, freeze):
    freeze("2026-11-25 10:00")
    with guide_app.app_context():
        places = {p.slug: p for p in db.session.scalars(select(Place))}
        admin = Staff(username="boss", created_at=clock.now(), is_admin=True)
        other = Staff(username="zhao", created_at=clock.now(), places=[places["guyi-garden"]])
        other.edits = [places["guyi-garden"]]
        db.session.add_all([admin, other])
        span = (clock.now(), None)
        notice = operations.post_notice(admin, places[SLUG], "closed", {"en": "Closed"}, span, clock.now())
        with pytest.raises(operations.NotAllowed):
            operations.withdraw_notice(other, notice, clock.now())
        assert notice.withdrawn_at is None
