"""Fixtures: an app on a fresh database per test, the real places loaded, a settable clock.

The suite runs on SQLite. With TEST_DATABASE_URL (PostgreSQL) each app gets a database of its
own, and with TEST_REDIS_URL a key prefix of its own for rate limits and the page cache; both
are removed when the test ends, and any left are swept away when the session ends.

Migrating and loading data/places.yaml takes a while, so it is done once per session into a
template (a SQLite file, or a PostgreSQL template database), and each test starts on a copy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pytest
import sqlalchemy
from flask_migrate import upgrade

from guide import create_app
from guide.core import clock
from guide.extensions import db, limiter
from guide.places.operations import load_places
from guide.places.schema import parse_places

ROOT = Path(__file__).resolve().parent.parent
PLACES_YAML = ROOT / "data" / "places.yaml"


TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
_DATABASES: list[str] = []  # PostgreSQL databases made by this session
_PREFIXES: list[str] = []
_MADE: list = []  # every app made, so that none is left holding connections or data
Start = Literal["empty", "migrated", "loaded"]
_TEMPLATES: dict[str, str] = {}  # start → SQLite file or PostgreSQL database to copy
CHEAP_HASHING = {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}  # scrypt costs ~100 ms per hash
TEST_SECRET_KEY = "test-secret-key-" + "x" * 32  # given, so that no test writes one into instance/


def make_app(database: Path, *, start: Start = "empty", **config):
    """An app on its own database (a SQLite file, or a fresh PostgreSQL database): empty,
    migrated, or migrated with data/places.yaml loaded."""
    template = _template(start) if start != "empty" else None
    if TEST_DATABASE_URL:
        name = f"test_{uuid.uuid4().hex[:16]}"
        _run_sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        _DATABASES.append(name)
        place = {"SQLALCHEMY_DATABASE_URI": _pg_url(name)}
    else:
        if template:
            shutil.copyfile(template, database)
        place = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    if TEST_REDIS_URL:
        prefix = f"guide-test-{uuid.uuid4().hex[:16]}:"
        _PREFIXES.append(prefix)
        place.update(
            REDIS_URL=TEST_REDIS_URL, CACHE_KEY_PREFIX=prefix + "page:", RATELIMIT_KEY_PREFIX=prefix + "limits"
        )
    # Flask-Limiter keeps the first app's key prefix for good (one app per process in production);
    # each test app here needs its own, so that no counter carries over from another test.
    limiter._key_prefix = ""
    app = create_app(
        {
            "TESTING": True,
            "SERVER_NAME": "guide.test",
            "SECRET_KEY": TEST_SECRET_KEY,
            **CHEAP_HASHING,
            **place,
            **config,
        }
    )
    _MADE.append(app)
    return app


def _template(start: Start) -> str:
    """The database every test of this start copies, made the first time it is asked for."""
    if start not in _TEMPLATES:
        path = Path(tempfile.mkdtemp(prefix="guide-template-")) / f"{start}.sqlite"
        app = make_app(path)
        if start == "loaded":
            load_file(app)
        else:
            with app.app_context():
                upgrade()
        cleanup(app, drop=False)
        _MADE.remove(app)
        url = sqlalchemy.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        _TEMPLATES[start] = url.database if TEST_DATABASE_URL else str(path)
    return _TEMPLATES[start]


def _pg_url(name: str) -> str:
    return sqlalchemy.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def _run_sql(statement: str) -> None:
    engine = sqlalchemy.create_engine(
        TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.pool.NullPool
    )
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(statement))
    engine.dispose()


def cleanup(app, drop: bool = True) -> None:
    """Drop what an app made outside its temporary folder: its database and its Redis keys."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    name = sqlalchemy.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    if drop and TEST_DATABASE_URL and name in _DATABASES:
        _run_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _DATABASES.remove(name)
    if TEST_REDIS_URL:
        import redis

        prefix = app.config["CACHE_KEY_PREFIX"].removesuffix("page:")
        client = redis.from_url(TEST_REDIS_URL)
        for key in client.scan_iter(match=f"*{prefix}*"):  # page cache and rate-limit counters
            client.delete(key)
        client.close()


@pytest.fixture(autouse=True)
def _clean_up_apps_made_by_the_test():
    start = len(_MADE)
    yield
    for app in _MADE[start:]:
        cleanup(app)
    del _MADE[start:]


def pytest_sessionfinish(session):
    """Whatever a test could not clean up (failures), and the templates."""
    for app in _MADE:
        cleanup(app)
    for name in list(_DATABASES):
        _run_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _DATABASES.clear()
    for template in _TEMPLATES.values():
        if not TEST_DATABASE_URL:
            shutil.rmtree(Path(template).parent, ignore_errors=True)
    _TEMPLATES.clear()  # a tool that runs pytest again in this process (mutmut) makes them anew
    if TEST_REDIS_URL and _PREFIXES:
        import redis

        client = redis.from_url(TEST_REDIS_URL)
        for prefix in _PREFIXES:
            for key in client.scan_iter(match=f"*{prefix}*"):
                client.delete(key)
        client.close()


def load_file(app, path: Path = PLACES_YAML):
    with app.app_context():
        parsed = parse_places(path.read_text(encoding="utf-8"), str(path), tuple(app.config["LANGUAGES"]))
        upgrade()  # the schema from the migrations, as `make data` makes it
        load_places(parsed, clock.now())
        db.session.commit()


@pytest.fixture
def app(tmp_path):
    """The app on a migrated, empty database."""
    return make_app(tmp_path / "test.sqlite", start="migrated")  # cleaned up by _clean_up_apps_made_by_the_test


@pytest.fixture
def guide_app(tmp_path):
    """The app with data/places.yaml loaded."""
    return make_app(tmp_path / "test.sqlite", start="loaded")


@pytest.fixture
def client(guide_app):
    return guide_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def freeze(monkeypatch):
    """freeze("2026-04-15 09:00"): set the guide's clock to a Shanghai local time."""

    def set_time(local: str) -> datetime:
        moment = datetime.fromisoformat(local).replace(tzinfo=clock.LOCAL_ZONE)
        monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))
        return moment

    return set_time


@pytest.fixture
def report(guide_app):
    """report("guyi-garden", "peak", stage, hours_ago=2): file a staff report, as the form does."""
    from datetime import timedelta

    from sqlalchemy import select

    from guide.core.bloom import BloomStage
    from guide.places.models import Place, Plant
    from guide.places.queries import latest_reports
    from guide.staff import operations
    from guide.staff.models import Staff

    def file_report(
        slug: str,
        plant_key: str,
        stage: str,
        *,
        hours_ago: float = 0,
        percent_open: int | None = None,
        note: dict | None = None,
    ):
        with guide_app.app_context():
            staff = db.session.scalar(select(Staff).where(Staff.username == "warden"))
            if staff is None:
                staff = Staff(username="warden", created_at=clock.now(), is_admin=True)
                db.session.add(staff)
            plant = db.session.scalar(select(Plant).join(Place).where(Place.slug == slug, Plant.key == plant_key))
            seen = latest_reports([plant.id]).get(plant.id)
            observation = operations.Observation(
                plant, BloomStage(stage), percent_open, note, seen_version=seen.id if seen else 0
            )
            operations.report_bloom(staff, [observation], clock.now() - timedelta(hours=hours_ago))
            db.session.commit()

    return file_report


PASSWORD = "plum-blossom-2026"


def csrf_token(html: str) -> str:
    import re

    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def make_staff(guide_app):
    """make_staff("wang", "guyi-garden", admin=False): an account made through the CLI."""

    def create(username: str, *slugs: str, admin: bool = False, password: str = PASSWORD):
        args = ["staff", "add", username, *[a for slug in slugs for a in ("--place", slug)]]
        result = guide_app.test_cli_runner().invoke(args=args + (["--admin"] if admin else []), input=password + "\n")
        assert result.exit_code == 0, result.output
        return username

    return create


def login(client, username: str, password: str = PASSWORD, lang: str = "zh", **extra):
    page = client.get(f"/{lang}/staff/login")
    return client.post(
        f"/{lang}/staff/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "username": username,
            "password": password,
            **extra,
        },
    )


@pytest.fixture
def login_as(client, make_staff):
    """login_as("wang", "guyi-garden"): a logged-in client for a new staff member of those places."""

    def log_in(username: str, *slugs: str, admin: bool = False):
        make_staff(username, *slugs, admin=admin)
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return log_in


# Browser tests: one Chromium for the session, one live server (and database) per test module.


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield WithoutWorkers(chromium)
        chromium.close()


class WithoutWorkers:
    """The browser, whose pages see the guide as on a first visit: with no service worker, which
    would answer from what earlier tests saved. The offline tests ask for one
    (`new_context(service_workers="allow")`, tests/test_offline_browser.py)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        options.setdefault("service_workers", "block")
        return self._browser.new_context(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The guide with data/places.yaml, frozen at 09:00 on 15 April (wisteria at its peak)."""
    from tests.browser_support import serving

    with pytest.MonkeyPatch.context() as mp:
        moment = datetime(2026, 4, 15, 1, 0, tzinfo=UTC)
        mp.setattr(clock, "now", lambda: moment)
        folder = tmp_path_factory.mktemp("live")
        app = make_app(folder / "guide.sqlite", start="loaded", SERVER_NAME=None)
        app.instance_path = str(folder / "instance")
        with serving(app) as base:
            yield app, base
        cleanup(app)


@pytest.fixture
def phone(browser):
    """phone(tiles="answer", locale="en-US") → (page, watch) at 375×812, touch, 2× pixels; tiles
    "fail" or "hang" as on a filtered network (tests/browser_support.py)."""
    from tests.browser_support import PHONE, Watch

    contexts = []

    def open_page(tiles="answer", locale="en-US"):
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale=locale
        )
        contexts.append(context)
        page = context.new_page()
        return page, Watch(page, tiles)

    yield open_page
    for context in contexts:
        context.close()
