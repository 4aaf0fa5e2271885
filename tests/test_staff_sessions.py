"""Staff sessions to trust: 30 days on the phone, ended everywhere at once; names in any script;
login limits no attacker can turn against a staff member, and answer times that tell nothing."""

import os
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from guide import config
from guide.extensions import db
from guide.staff.models import Staff, username_key
from tests.conftest import PASSWORD, TEST_SECRET_KEY, csrf_token, login, make_app

PLACE = "/en/staff/places/guyi-garden"


def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["staff", *args], input=input)


def session_cookie(client) -> str:
    return client.get_cookie("session", domain="guide.test").value


def with_cookie(app, value):
    """Another device (or another server) holding a copy of a session cookie."""
    other = app.test_client()
    other.set_cookie("session", value, domain="guide.test")
    return other


def logged_in(client) -> bool:
    return client.get(PLACE).status_code == 200


def log_out(client):
    client.post("/en/staff/logout", data={"csrf_token": csrf_token(client.get(PLACE).get_data(as_text=True))})


# Thirty days, and ended everywhere at once.


def test_staff_stay_logged_in_for_30_days(client, make_staff):
    make_staff("wang", "guyi-garden")
    response = login(client, "wang")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)


@pytest.mark.parametrize(
    "end",
    [
        lambda app, client: log_out(client),
        lambda app, client: cli(app, "passwd", "wang", input="a-new-password-2026\n"),
        lambda app, client: cli(app, "disable", "wang"),
        lambda app, client: cli(app, "logout", "wang"),
    ],
    ids=["logout", "passwd", "disable", "cli-logout"],
)
def test_every_session_of_the_person_ends_at_once_and_copies_stop_working(guide_app, client, make_staff, end):
    make_staff("wang", "guyi-garden")
    make_staff("li", "guyi-garden")
    assert login(client, "wang").status_code == 302
    copied = session_cookie(client)
    tablet = guide_app.test_client()
    assert login(tablet, "wang").status_code == 302  # the same person on a second device
    colleague = guide_app.test_client()
    assert login(colleague, "li").status_code == 302
    assert logged_in(with_cookie(guide_app, copied))

    end(guide_app, client)

    assert not logged_in(client) and not logged_in(tablet)
    assert not logged_in(with_cookie(guide_app, copied))
    assert logged_in(colleague)  # another person's session is theirs


def test_a_session_ended_through_one_server_is_refused_by_another(tmp_path, guide_app, make_staff):
    make_staff("wang", "guyi-garden")
    other_server = make_app(
        tmp_path / "other.sqlite", SQLALCHEMY_DATABASE_URI=guide_app.config["SQLALCHEMY_DATABASE_URI"]
    )
    phone = guide_app.test_client()
    assert login(phone, "wang").status_code == 302
    copy = with_cookie(other_server, session_cookie(phone))
    assert logged_in(copy)
    log_out(phone)
    assert not logged_in(copy)


def test_a_disabled_account_cannot_log_in_and_is_told_nothing_more(guide_app, client, make_staff):
    make_staff("wang", "guyi-garden")
    assert "wang: disabled; logged out everywhere." in cli(guide_app, "disable", "wang").output
    response = login(client, "wang", lang="en")
    assert response.status_code == 400 and "Wrong username or password." in response.get_data(as_text=True)
    assert "wang\treports: guyi-garden\tedits: -\tlast report: never\tdisabled" in cli(guide_app, "list").output
    assert "wang: enabled." in cli(guide_app, "enable", "wang").output
    assert login(client, "wang").status_code == 302


@pytest.mark.parametrize("session_id", ["1", "1:", "1:not-the-token", ":x", "²:x", "9" * 30 + ":x", "x:y:z"])
def test_a_session_cookie_made_up_with_the_key_still_needs_the_token(guide_app, make_staff, session_id):
    """Even one who knew the secret key (or a cookie from before tokens) cannot name an account."""
    make_staff("wang", "guyi-garden")
    serializer = guide_app.session_interface.get_signing_serializer(guide_app)
    forged = serializer.dumps({"_user_id": session_id, "_fresh": True})
    response = with_cookie(guide_app, forged).get(PLACE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Names in every script.

SAME_NAMES = [
    ("Émile", "émile"),
    ("Émile", "ÉMILE"),
    ("Émile", unicodedata.normalize("NFD", "émile")),
    ("Straße", "STRASSE"),
    ("ΣΊΣΥΦΟΣ", "σίσυφος"),
    ("wang", "ＷＡＮＧ"),  # full-width letters, as a Chinese keyboard may type them
    ("Ǆemal", "ǆemal"),
]


@pytest.mark.parametrize("name, typed", SAME_NAMES)
def test_a_name_logs_in_however_it_is_spelled(client, make_staff, name, typed):
    make_staff(name, "guyi-garden")
    assert login(client, typed).status_code == 302


@pytest.mark.parametrize("name, other", SAME_NAMES)
def test_two_accounts_cannot_differ_only_in_case_or_form(guide_app, make_staff, name, other):
    make_staff(name, "guyi-garden")
    result = cli(guide_app, "add", other, "--place", "guyi-garden", input=PASSWORD + "\n")
    assert result.exit_code != 0 and "exists already" in result.output


def test_the_database_itself_holds_names_unique_in_any_case(guide_app):
    with guide_app.app_context():
        db.session.add(Staff(username="Émile", created_at=datetime.now(UTC)))
        db.session.add(Staff(username="éMILE", created_at=datetime.now(UTC)))
        with pytest.raises(IntegrityError):
            db.session.flush()


@pytest.mark.parametrize("name", ["", " ", "wa ng", "wang\x00", "wang\u200b\x07", "x" * 81])
def test_a_name_that_cannot_be_typed_back_is_refused(guide_app, name):
    result = cli(guide_app, "add", name, "--admin", input=PASSWORD + "\n")
    assert result.exit_code != 0 and "a username is 1–80 characters" in result.output


def test_the_migration_gives_existing_accounts_their_keys_and_refuses_clashes(tmp_path, caplog):
    from flask_migrate import upgrade
    from sqlalchemy import text

    app = make_app(tmp_path / "old.sqlite")
    with app.app_context():
        upgrade(revision="220cf5dc713e")
        insert = text("INSERT INTO staff (username, password_hash, is_admin, created_at) VALUES (:u, '', :admin, :t)")
        for name in ("Émile", "wang"):
            db.session.execute(insert, {"u": name, "admin": False, "t": datetime.now(UTC)})
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT username_key, session_token FROM staff ORDER BY id")).all() == [
            ("émile", ""),
            ("wang", ""),
        ]
    clash = make_app(tmp_path / "clash.sqlite")
    with clash.app_context():
        upgrade(revision="220cf5dc713e")
        for name in ("Émile", "éMILE"):
            db.session.execute(insert, {"u": name, "admin": False, "t": datetime.now(UTC)})
        db.session.commit()
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error, then exits
            upgrade()
    assert "'Émile' and 'éMILE' differ only in case or Unicode form" in caplog.text


def test_an_account_from_before_session_tokens_logs_in_and_gets_one(guide_app, client, make_staff):
    make_staff("wang", "guyi-garden")
    with guide_app.app_context():
        db.session.scalar(select(Staff)).session_token = ""
        db.session.commit()
    assert login(client, "wang").status_code == 302 and logged_in(client)


# Login limits.


def attempt(client, username, password="wrong-password", address="198.51.100.7"):
    page = client.get("/en/staff/login", environ_base={"REMOTE_ADDR": address})
    return client.post(
        "/en/staff/login",
        environ_base={"REMOTE_ADDR": address},
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "username": username, "password": password},
    ).status_code


@pytest.mark.parametrize("spelling", ["wang", "WANG", "Wang ", "ｗａｎｇ"])
@pytest.mark.parametrize("same_address", [False, True])
def test_failing_a_name_from_elsewhere_does_not_lock_its_owner_out(guide_app, make_staff, spelling, same_address):
    make_staff("wang", "guyi-garden")
    phone = guide_app.test_client()
    assert attempt(phone, "wang", PASSWORD, address="203.0.113.5") == 302  # the phone is known from now on
    log_out(phone)
    attacker = "203.0.113.5" if same_address else "192.0.2.66"
    answers = [attempt(guide_app.test_client(), spelling, address=attacker) for _ in range(30)]
    assert answers.count(429) >= 25  # the attacker is stopped …
    assert attempt(phone, "wang", PASSWORD, address="203.0.113.5") == 302  # … but the owner's phone gets in
    # A device new to the name gets in from any address the attacker is not using.
    assert attempt(guide_app.test_client(), "wang", PASSWORD, address="198.51.100.20") == 302
    if same_address:  # behind the attacker's own address, only a device known to the name does
        assert attempt(guide_app.test_client(), "wang", PASSWORD, address="203.0.113.5") == 429


@pytest.mark.parametrize("proxied", [False, True])
def test_failures_from_many_addresses_do_not_lock_out_a_new_phone(tmp_path, proxied):
    """An attacker spreading failures over many addresses (behind a proxy: as it reports them)."""
    app = make_app(tmp_path / "x.sqlite", start="loaded", PROXY_FIX_HOPS=1 if proxied else 0)
    cli(app, "add", "wang", "--place", "guyi-garden", input=PASSWORD + "\n")

    def from_address(address, password):
        client = app.test_client()
        headers = {"X-Forwarded-For": address} if proxied else {}
        environ = {"REMOTE_ADDR": "10.0.0.1" if proxied else address}
        page = client.get("/en/staff/login", headers=headers, environ_base=environ).get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "username": "wang", "password": password}
        return client.post("/en/staff/login", headers=headers, environ_base=environ, data=data).status_code

    assert all(from_address(f"192.0.2.{i}", "wrong-password") == 400 for i in range(40))
    assert from_address("198.51.100.7", PASSWORD) == 302


def test_a_known_device_is_limited_too_and_only_for_its_own_names(guide_app, make_staff):
    make_staff("wang", "guyi-garden")
    make_staff("li", "guyi-garden")
    phone = guide_app.test_client()
    assert attempt(phone, "wang", PASSWORD) == 302
    log_out(phone)
    assert [attempt(phone, "wang") for _ in range(6)] == [400] * 5 + [429]  # guessing from the phone
    assert [attempt(phone, "li") for _ in range(6)][-1] == 429  # a name new to this phone: the common count


@pytest.mark.parametrize("cookie", ["", "garbage", "eyJkIjoieCIsInUiOlsid2FuZyJdfQ.forged.sig"])
def test_a_made_up_device_cookie_counts_for_nothing(guide_app, make_staff, cookie):
    make_staff("wang", "guyi-garden")
    client = guide_app.test_client()
    client.set_cookie("guide_staff_device", cookie, domain="guide.test")
    assert [attempt(client, "wang") for _ in range(6)][-1] == 429


def test_attempts_sent_all_at_once_are_counted_all_the_same(guide_app, make_staff):
    make_staff("wang", "guyi-garden")
    answers, start = [], threading.Barrier(20)

    def guess(i):
        client = guide_app.test_client()
        page = client.get("/en/staff/login")
        start.wait()
        answers.append(
            client.post(
                "/en/staff/login",
                environ_base={"REMOTE_ADDR": "192.0.2.9"},
                data={"csrf_token": csrf_token(page.get_data(as_text=True)), "username": "wang", "password": "x"},
            ).status_code
        )

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers.count(400) == 5 and answers.count(429) == 15


# Answer times.


def test_the_answer_time_does_not_tell_whether_a_name_exists(tmp_path):
    app = make_app(
        tmp_path / "x.sqlite",
        start="loaded",
        PASSWORD_HASH_METHOD="scrypt",  # the real cost: the cheap test hash would hide a difference
        LOGIN_LIMIT_PER_ADDRESS="1000 per minute",
        LOGIN_LIMIT_PER_USERNAME="1000 per minute",
    )
    for name in ("wang", "gone"):
        cli(app, "add", name, "--place", "guyi-garden", input=PASSWORD + "\n")
    cli(app, "disable", "gone")
    client = app.test_client()
    token = csrf_token(client.get("/en/staff/login").get_data(as_text=True))
    times: dict[str, list[float]] = {"wang": [], "nobody-at-all": [], "gone": []}
    for _ in range(9):  # interleaved, so that a busy machine slows all three alike
        for name, seen in times.items():
            started = time.perf_counter()
            status = client.post(
                "/en/staff/login", data={"csrf_token": token, "username": name, "password": "wrong-password"}
            ).status_code
            seen.append(time.perf_counter() - started)
            assert status == 400
    real, unknown, disabled = (statistics.median(seen) for seen in times.values())
    assert real > 0.02  # scrypt really ran
    # Before the stand-in hash, an unknown name answered 20 times faster (4 ms against 81 ms).
    assert 0.5 < unknown / real < 2 and 0.5 < disabled / real < 2, (real, unknown, disabled)


# Counting shared by every worker.


@pytest.mark.parametrize(
    "storage, environ, refused",
    [
        ("memory://", {}, False),  # flask run, the tests, the CLI: one process
        ("memory://", {"SERVER_SOFTWARE": "gunicorn/27.0.1", "GUIDE_GUNICORN_WORKERS": "1"}, False),
        ("memory://", {"SERVER_SOFTWARE": "gunicorn/27.0.1", "GUIDE_GUNICORN_WORKERS": "2"}, True),
        ("memory://", {"SERVER_SOFTWARE": "gunicorn/27.0.1"}, True),  # started without gunicorn.conf.py
        ("redis://127.0.0.1:6379/0", {"SERVER_SOFTWARE": "gunicorn/27.0.1", "GUIDE_GUNICORN_WORKERS": "8"}, False),
    ],
)
def test_limits_counted_per_worker_are_refused(storage, environ, refused):
    assert bool(config.unshared_limits(storage, environ)) is refused


def _gunicorn(tmp_path, *args, **env):
    from bench.cluster import free_port

    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return subprocess.Popen(
        [gunicorn, *args, "-b", f"127.0.0.1:{free_port()}", "guide:create_app()"],
        cwd=Path(__file__).resolve().parent.parent,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_", "REDIS"))},
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "FLASK_SECRET_KEY": TEST_SECRET_KEY,
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.parametrize(
    "args, env",
    [
        (["-c", "gunicorn.conf.py"], {"GUNICORN_WORKERS": "2"}),
        (["-c", "gunicorn.conf.py", "-w", "3"], {"GUNICORN_WORKERS": "1"}),  # the command line wins
        (["-c", "gunicorn.conf.py", "--preload"], {"GUNICORN_WORKERS": "2"}),
        (["-w", "2"], {}),  # without gunicorn.conf.py
    ],
)
def test_gunicorn_with_several_workers_and_no_shared_counting_refuses_to_start(tmp_path, args, env):
    process = _gunicorn(tmp_path, *args, **env)
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "login limits are counted in memory" in output


def test_gunicorn_with_one_worker_counts_in_memory_and_serves(tmp_path):
    process = _gunicorn(tmp_path, "-c", "gunicorn.conf.py", GUNICORN_WORKERS="1", GUNICORN_BIND="")
    try:
        base = None
        for _ in range(100):
            line = process.stdout.readline()
            if "Listening at:" in line:
                base = line.split("Listening at: ")[1].split()[0]
                break
        assert base, "gunicorn did not start"
        for _ in range(50):
            try:
                if requests.get(base + "/healthz", timeout=1).status_code in (200, 503):
                    break
            except requests.RequestException:
                time.sleep(0.1)
        assert requests.get(base + "/en/staff/login", timeout=5).status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_the_username_key_is_what_the_limits_count_by():
    assert username_key(" ＷＡＮＧ ") == username_key("wang") == "wang"
