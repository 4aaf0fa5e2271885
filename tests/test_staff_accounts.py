"""Staff accounts: the CLI, logging in and out, throttling, who may see what."""

import pytest
from sqlalchemy import select

from guide.extensions import db
from guide.staff.models import Staff
from tests.conftest import PASSWORD, csrf_token, login, make_app


def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["staff", *args], input=input)


def test_add_reads_the_password_from_standard_input_and_stores_a_hash(tmp_path):
    guide_app = make_app(tmp_path / "x.sqlite", start="loaded", PASSWORD_HASH_METHOD="scrypt")  # the real setting
    result = cli(guide_app, "add", "wang", "--place", "guyi-garden", "--place", "qiuxia-garden", input=PASSWORD + "\n")
    assert result.exit_code == 0 and "wang: created: guyi-garden, qiuxia-garden." in result.output
    with guide_app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.username == "wang"))
        assert staff.password_hash.startswith("scrypt:") and PASSWORD not in staff.password_hash
        assert staff.check_password(PASSWORD) and not staff.check_password("wrong")
        assert [p.slug for p in staff.places] == ["guyi-garden", "qiuxia-garden"]


def test_there_is_no_way_to_pass_a_password_as_an_argument(guide_app):
    result = cli(guide_app, "add", "wang", "--place", "guyi-garden", "--password", PASSWORD)
    assert result.exit_code != 0 and "No such option" in result.output


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["add", "li", "--place", "nowhere"], PASSWORD, "no place with the slug 'nowhere'"),
        (["add", "li", "--place", "guyi-garden"], "short", "at least 10 characters"),
        (["add", "li"], PASSWORD, "give at least one --place, or --admin"),
        (["passwd", "nobody"], PASSWORD, "no staff member called 'nobody'"),
    ],
)
def test_cli_mistakes_get_a_clear_message(guide_app, args, password, message):
    result = cli(guide_app, *args, input=password + "\n")
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_passwd_grant_revoke_and_list(guide_app, make_staff):
    make_staff("wang", "guyi-garden")
    make_staff("boss", admin=True)
    assert cli(guide_app, "passwd", "wang", input="another-long-one\n").exit_code == 0
    assert "may now report on qiuxia-garden" in cli(guide_app, "grant", "wang", "qiuxia-garden").output
    assert "no longer reports on guyi-garden" in cli(guide_app, "revoke", "wang", "guyi-garden").output
    listing = cli(guide_app, "list").output
    assert "wang\treports: qiuxia-garden\tedits: -\tlast report: never" in listing
    assert "boss\tall places (admin)" in listing
    with guide_app.app_context():
        assert db.session.scalar(select(Staff).where(Staff.username == "wang")).check_password("another-long-one")


@pytest.mark.parametrize(
    "lang, title, error",
    [("zh", "工作人员登录", "用户名或密码错误"), ("en", "Staff login", "Wrong username or password")],
)
def test_login_page_speaks_both_languages(client, make_staff, lang, title, error):
    make_staff("wang", "guyi-garden")
    assert title in client.get(f"/{lang}/staff/login").get_data(as_text=True)
    response = login(client, "wang", "not-the-password", lang=lang)
    assert response.status_code == 400 and error in response.get_data(as_text=True)
    assert 'value="wang"' in response.get_data(as_text=True)  # what they typed stays


def test_login_takes_staff_to_their_place_with_a_safe_session_cookie(client, make_staff):
    make_staff("wang", "guyi-garden")
    response = login(client, "WANG")  # usernames are not case-sensitive
    assert response.status_code == 302 and response.headers["Location"] == "/zh/staff/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/zh/staff/").headers["Location"] == "/zh/staff/places/guyi-garden"
    html = client.get("/zh/staff/places/guyi-garden").get_data(as_text=True)
    assert "古猗园" in html and "没有变化" in html


def test_session_cookie_is_secure_over_https(guide_app, make_staff):
    make_staff("wang", "guyi-garden")
    client = guide_app.test_client()
    page = client.get("/en/staff/login", base_url="https://guide.test")
    response = client.post(
        "/en/staff/login",
        base_url="https://guide.test",
        headers={"Referer": "https://guide.test/en/staff/login"},
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "username": "wang", "password": PASSWORD},
    )
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/zh/staff/places/guyi-garden", "/zh/staff/places/guyi-garden"),
        ("https://evil.example/", "/zh/staff/"),
        ("//evil.example/x", "/zh/staff/"),
        ("/\\evil.example", "/zh/staff/"),
        ("javascript:alert(1)", "/zh/staff/"),
        # Browsers drop tabs and line breaks from a URL: "/\t/evil.example" would be "//evil.example".
        ("/\t/evil.example", "/zh/staff/"),
        ("/\n/evil.example", "/zh/staff/"),
        ("/zh/\x00", "/zh/staff/"),
        # Addresses that answer POST only, or nothing: the staff home instead of a 405 or 404.
        ("/zh/staff/places/guyi-garden/report", "/zh/staff/"),
        ("/zh/staff/logout", "/zh/staff/"),
        ("/zh/staff/plants/1/confirm", "/zh/staff/"),
        ("/zh/staff/reports/1/retract", "/zh/staff/"),
        ("/zh/no-such-page", "/zh/staff/"),
        ("/zh/staff/places/guyi-garden?from=card", "/zh/staff/places/guyi-garden?from=card"),
        ("/zh/staff", "/zh/staff"),
    ],
)
def test_next_only_leads_to_our_own_pages(client, make_staff, target, expected):
    make_staff("wang", "guyi-garden")
    assert login(client, "wang", next=target).headers["Location"] == expected


def test_after_a_form_sent_while_logged_out_login_lands_on_a_page_that_exists(client, make_staff):
    make_staff("wang", "guyi-garden")
    token = csrf_token(client.get("/en/staff/login").get_data(as_text=True))
    to_login = client.post("/en/staff/places/guyi-garden/report", data={"csrf_token": token}).headers["Location"]
    next_page = to_login.split("next=")[1]
    landed = login(client, "wang", lang="en", next=next_page)
    assert landed.status_code == 302
    assert client.get(landed.headers["Location"], follow_redirects=True).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/en/staff/places/guyi-garden")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/staff/login?next=/en/staff/places/guyi-garden"
    token = csrf_token(client.get("/en/staff/login").get_data(as_text=True))
    response = client.post("/en/staff/places/guyi-garden/report", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/staff/login?next=/en/staff/places/guyi-garden/report"
    without_token = client.post("/en/staff/places/guyi-garden/report")
    assert without_token.status_code == 302 and without_token.headers["Location"] == "/en/staff/"


def test_logout_ends_the_session(login_as):
    client = login_as("wang", "guyi-garden")
    page = client.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    client.post("/en/staff/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/en/staff/places/guyi-garden").status_code == 302


def test_staff_of_one_place_get_403_on_another(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    page = client.get("/zh/staff/places/guyi-garden").get_data(as_text=True)
    response = client.get("/zh/staff/places/qiuxia-garden")
    assert response.status_code == 403 and "无权操作此景点" in response.get_data(as_text=True)
    token = csrf_token(page)
    from guide.places.models import Place, Plant

    with guide_app.app_context():
        other = db.session.scalar(select(Plant).join(Place).where(Place.slug == "qiuxia-garden"))
        other_id = other.id
    assert (
        client.post(
            "/zh/staff/places/qiuxia-garden/report", data={"csrf_token": token, f"p{other_id}-stage": "peak"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/zh/staff/plants/{other_id}/confirm", data={"csrf_token": token, "version": "0"}).status_code
        == 403
    )
    assert client.get("/zh/staff/places/qiuxia-garden/history").status_code == 403


def test_admins_see_every_place(login_as):
    client = login_as("boss", admin=True)
    html = client.get("/en/staff/").get_data(as_text=True)
    from tests.test_places_load import places_in_the_file

    assert html.count('class="card-title"') == places_in_the_file()


def test_login_is_throttled_per_username_however_it_is_spelled(client, make_staff):
    make_staff("wang", "guyi-garden")
    spellings = ["wang", "WANG", "Wang", " wang", "ｗａｎｇ", "wang"]
    statuses = [_login_from(client, name, "10.0.0.1").status_code for name in spellings]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    # Counted per address too: failures here never refuse the name elsewhere (tests/test_staff_sessions.py).
    assert _login_from(client, "wang", "10.0.0.2").status_code == 400


def test_login_is_throttled_per_address_and_says_so_in_the_page_language(client, make_staff):
    responses = [_login_from(client, f"user{i}", "10.9.9.9", lang="en") for i in range(11)]
    assert [r.status_code for r in responses] == [400] * 10 + [429]
    assert "Too many login attempts" in responses[10].get_data(as_text=True)
    assert int(responses[10].headers["Retry-After"]) > 0


def _login_from(client, username, address, lang="zh"):
    page = client.get(f"/{lang}/staff/login", environ_base={"REMOTE_ADDR": address})
    return client.post(
        f"/{lang}/staff/login",
        environ_base={"REMOTE_ADDR": address},
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "username": username,
            "password": "wrong-password",
        },
    )


def test_staff_commands_on_a_database_without_tables_say_what_to_do(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path / "empty.sqlite")
    result = app.test_cli_runner().invoke(args=["staff", "add", "boss", "--admin"], input=PASSWORD + "\n")
    assert result.exit_code != 0 and "run `flask --app guide db upgrade` first" in result.output
    assert "Traceback" not in result.output
