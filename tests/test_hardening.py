"""Security headers, the proxy setting, and refusing to start on unsafe settings."""

import base64
import hashlib
import re

import pytest
from flask import request

from guide.extensions import db
from guide.site.offline import REGISTER, REGISTER_HASH
from tests.conftest import make_app


def csp(response) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in response.headers["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/zh/places/guyi-garden",
        "/en/calendar",
        "/en/staff/login",
        "/api/v1/places",
        "/en/places/nowhere",
        "/healthz",
    ],
)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    policy = csp(response)
    assert policy["script-src"] == f"'self' {REGISTER_HASH}"  # our files, and the worker's registration
    assert policy["img-src"] == "'self' data: https://*.is.autonavi.com"  # the default basemap's tiles
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_script_but_the_workers_registration_which_the_policy_names(client):
    for url in ("/en/", "/zh/places/guyi-garden", "/en/places/guyi-garden/card", "/en/concierge"):
        html = client.get(url).get_data(as_text=True)
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)
        assert inline == [REGISTER], url
        digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
        assert f"'sha256-{digest}'" == REGISTER_HASH  # any other inline script is refused


def test_hsts_over_https(client):
    response = client.get("/en/", base_url="https://guide.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_forged_forwarded_for_is_ignored_without_a_proxy_setting(guide_app):
    seen = []
    guide_app.before_request(lambda: seen.append(request.remote_addr))
    guide_app.test_client().get(
        "/healthz", headers={"X-Forwarded-For": "6.6.6.6"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert seen == ["10.0.0.1"]


def test_behind_one_proxy_the_client_address_comes_from_it(tmp_path):
    app = make_app(tmp_path / "x.sqlite", PROXY_FIX_HOPS=1)
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    app.test_client().get(
        "/healthz", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert seen == ["203.0.113.9"]  # the address the proxy saw, not what the client claimed


# Secret keys and the public base URL: tests/test_links_and_keys.py.


# The database goes away (stopped, restarting, unreachable): a localized 503, then recovery.


def _app_without_its_database(tmp_path, **config):
    folder = tmp_path / "not-yet"  # SQLite cannot open a file in a folder that does not exist
    return folder, make_app(
        tmp_path / "unused.sqlite",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'guide.sqlite'}",
        SQLALCHEMY_ENGINE_OPTIONS={},
        **config,
    )


@pytest.mark.parametrize("lang, heading", [("zh", "嘉定花信暂时无法访问"), ("en", "The guide is briefly unavailable")])
@pytest.mark.parametrize("path", ["/{lang}/", "/{lang}/places/guyi-garden", "/{lang}/calendar", "/{lang}/events"])
def test_without_its_database_the_guide_answers_a_localized_503(tmp_path, caplog, path, lang, heading):
    _, app = _app_without_its_database(tmp_path)
    response = app.test_client().get(path.format(lang=lang))
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert f"<h1>{heading}</h1>" in page and "Traceback" not in page
    assert f'<a href="{path.format(lang=lang)}">' in page  # try again: the same page
    assert not any(record.exc_info for record in caplog.records)  # a one-line warning, no traceback


def test_a_form_sent_while_the_database_is_down_says_nothing_was_saved(tmp_path):
    _, app = _app_without_its_database(tmp_path, WTF_CSRF_ENABLED=False)
    response = app.test_client().post("/en/staff/login", data={"username": "wang", "password": "x" * 12})
    assert response.status_code == 503
    assert "Nothing was saved." in response.get_data(as_text=True)


def test_the_api_and_health_check_answer_503_while_the_database_is_down(tmp_path):
    _, app = _app_without_its_database(tmp_path)
    client = app.test_client()
    assert client.get("/api/v1/places").get_json() == {"error": 503, "message": "Service Unavailable"}
    assert client.get("/healthz").status_code == 503


def test_the_guide_recovers_by_itself_when_the_database_is_back(tmp_path):
    from tests.conftest import load_file

    folder, app = _app_without_its_database(tmp_path)
    client = app.test_client()
    assert client.get("/en/places/guyi-garden").status_code == 503
    folder.mkdir()
    load_file(app)  # the database is back (here: created), without restarting the app
    response = client.get("/en/places/guyi-garden")
    assert response.status_code == 200 and "Guyi Garden" in response.get_data(as_text=True)


def test_a_logged_in_staff_member_gets_the_503_page_too_and_is_told_nothing_was_saved(tmp_path):
    from tests.conftest import PASSWORD, csrf_token, load_file, login

    folder, app = _app_without_its_database(tmp_path)
    folder.mkdir()
    load_file(app)
    assert (
        app.test_cli_runner()
        .invoke(args=["staff", "add", "wang", "--place", "guyi-garden"], input=PASSWORD + "\n")
        .exit_code
        == 0
    )
    client = app.test_client()
    assert login(client, "wang", lang="en").status_code == 302
    form = client.get("/en/staff/places/guyi-garden").get_data(as_text=True)  # open on the phone
    with app.app_context():
        db.engine.dispose()
    folder.rename(tmp_path / "gone")  # the database goes away under a logged-in phone
    page = client.get("/en/staff/places/guyi-garden")
    assert page.status_code == 503 and "<h1>The guide is briefly unavailable</h1>" in page.get_data(as_text=True)
    sent = client.post("/en/staff/places/guyi-garden/report", data={"csrf_token": csrf_token(form), "p1-stage": "peak"})
    assert sent.status_code == 503 and "Nothing was saved." in sent.get_data(as_text=True)


def test_a_connection_cut_after_the_page_was_made_does_not_spoil_the_answer(guide_app, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    real_remove, calls = db.session.remove, []

    def cut():  # the first close of the request's session finds its connection gone
        real_remove()
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))

    monkeypatch.setattr(db.session, "remove", cut)
    response = guide_app.test_client().get("/en/places/guyi-garden")
    assert response.status_code == 200 and "Guyi Garden" in response.get_data(as_text=True)
    assert "database connection lost at the end of a request" in caplog.text


# While the database is down, pages rendered recently are served as they were, marked.


def _page_then_no_database(tmp_path, paths, **config):
    from tests.conftest import PASSWORD, load_file

    folder, app = _app_without_its_database(tmp_path, **config)
    folder.mkdir()
    load_file(app)
    app.test_cli_runner().invoke(args=["staff", "add", "wang", "--place", "guyi-garden"], input=PASSWORD + "\n")
    client = app.test_client()
    for path in paths:
        assert client.get(path).status_code == 200  # rendered once, while all was well
    with app.app_context():
        db.engine.dispose()
    folder.rename(tmp_path / "gone")
    return app, client


STALE_PAGES = ["/en/", "/zh/places/guyi-garden", "/en/calendar", "/zh/events", "/en/feed.atom", "/api/v1/places"]


@pytest.mark.parametrize("lang, notice", [("en", "this page may be out of date"), ("zh", "此页内容可能不是最新的")])
def test_while_the_database_is_down_recent_pages_are_served_marked_as_possibly_out_of_date(tmp_path, lang, notice):
    paths = [p.replace("/en/", f"/{lang}/").replace("/zh/", f"/{lang}/") for p in STALE_PAGES]
    _app, client = _page_then_no_database(tmp_path, paths)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Warning"] == '110 - "Response is Stale"'
        assert "no-store" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert notice in html and html.index(notice) > html.index("<main")
    # A page not rendered before, a form: the 503 page (which says nothing was saved).
    assert client.get(f"/{lang}/places/qiuxia-garden").status_code == 503
    posted = client.post(f"/{lang}/staff/login", data={"username": "wang", "password": "x" * 12})
    assert posted.status_code in (400, 503)  # the CSRF check answers first, without the database


def test_with_no_stale_pages_allowed_the_503_page_answers(tmp_path):
    _app, client = _page_then_no_database(tmp_path, ["/en/"], PAGE_STALE_SECONDS=0)
    assert client.get("/en/").status_code == 503
