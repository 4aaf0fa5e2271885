"""Fixtures: an app on a fresh database per test, the real places loaded, a settable clock."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from guide import clock, create_app
from guide.extensions import db
from guide.places.operations import load_places
from guide.places.schema import parse_places

ROOT = Path(__file__).resolve().parent.parent
PLACES_YAML = ROOT / "data" / "places.yaml"


def make_app(database: Path, **config):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                       "SERVER_NAME": "guide.test", **config})


def load_file(app, path: Path = PLACES_YAML):
    with app.app_context():
        parsed = parse_places(path.read_text(encoding="utf-8"), str(path),
                              tuple(app.config["LANGUAGES"]))
        db.create_all()
        load_places(parsed, clock.now())
        db.session.commit()


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path / "test.sqlite")
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def guide_app(app):
    """The app with data/places.yaml loaded."""
    load_file(app)
    return app


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
        monkeypatch.setattr(clock, "now", lambda: moment.astimezone(timezone.utc))
        return moment

    return set_time


@pytest.fixture
def report(guide_app):
    """report("guyi-garden", "peak", stage, hours_ago=2): file a staff report directly."""
    from datetime import timedelta

    from sqlalchemy import select

    from guide.places.models import Place, Plant
    from guide.site import cache
    from guide.staff.models import BloomReport, Staff

    def file_report(slug: str, plant_key: str, stage: str, *, hours_ago: float = 0,
                    percent_open: int | None = None, note: dict | None = None):
        with guide_app.app_context():
            staff = db.session.scalar(select(Staff).where(Staff.username == "warden"))
            if staff is None:
                staff = Staff(username="warden", created_at=clock.now())
                db.session.add(staff)
            plant = db.session.scalar(select(Plant).join(Place).where(
                Place.slug == slug, Plant.key == plant_key))
            db.session.add(BloomReport(plant=plant, staff=staff, stage=stage,
                                       percent_open=percent_open, note=note,
                                       reported_at=clock.now() - timedelta(hours=hours_ago)))
            cache.bump()  # as every real write does (guide.staff.operations)
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
        result = guide_app.test_cli_runner().invoke(args=args + (["--admin"] if admin else []),
                                                    input=password + "\n")
        assert result.exit_code == 0, result.output
        return username

    return create


def login(client, username: str, password: str = PASSWORD, lang: str = "zh", **extra):
    page = client.get(f"/{lang}/staff/login")
    return client.post(f"/{lang}/staff/login", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "username": username,
        "password": password, **extra})


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
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The guide with data/places.yaml, frozen at 09:00 on 15 April (wisteria at its peak)."""
    from tests.browser_support import serving
    with pytest.MonkeyPatch.context() as mp:
        moment = datetime(2026, 4, 15, 1, 0, tzinfo=timezone.utc)
        mp.setattr(clock, "now", lambda: moment)
        folder = tmp_path_factory.mktemp("live")
        app = make_app(folder / "guide.sqlite", SERVER_NAME=None)
        app.instance_path = str(folder / "instance")
        load_file(app)
        with serving(app) as base:
            yield app, base
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def phone(browser):
    """phone(tiles_load=True, locale="en-US") → (page, watch) at 375×812, touch, 2× pixels."""
    from tests.browser_support import PHONE, Watch
    contexts = []

    def open_page(tiles_load=True, locale="en-US"):
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale=locale)
        contexts.append(context)
        page = context.new_page()
        return page, Watch(page, tiles_load)

    yield open_page
    for context in contexts:
        context.close()
