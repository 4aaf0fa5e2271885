"""A season of real use never breaks the guide: whole histories of staff work, every public surface.

A Hypothesis state machine plays park staff over weeks: reports of any stage (with and without a
share open), corrections within the minute, "still the same", retractions, reports at several
gardens growing the same species, crowd levels said and lapsing, notices posted and withdrawn,
festival editions confirmed,
moved and cancelled on odd but valid dates, photos; and a clock that moves by minutes and by
days, across the end of a season and across New Year. After every step it renders the public
surfaces and checks each answer and document (HTML, Atom, iCalendar, JSON against the OpenAPI
document), and that a plant's status reads the same on the home page, its place page, the API
and the widget, and that a place's crowd level is what staff last said, while it is fresh, there
as in the API.

Which surfaces after which step: a step that changes one place renders the pages that show it
(every place growing one of its plants, since forecasts read the same species elsewhere) and
every page that lists all places; a step of the clock renders everything. The `long` profile
(HYPOTHESIS_PROFILE=long) renders everything after every step, with many more examples.
"""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import feedparser
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from guide.core import clock
from guide.core.bloom import BloomStage
from guide.core.clock import LOCAL_ZONE
from guide.core.crowds import Crowd
from guide.core.text import clean_text
from guide.extensions import db
from guide.places.models import NOTICE_KINDS, BloomReport, Festival, Notice, Place, Plant
from guide.places.queries import latest_reports, sightings_of
from guide.staff import operations
from guide.staff.models import Staff
from guide.staff.photos import clean_photo
from tests.conftest import make_app

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
RUNS = settings(
    max_examples=60 if LONG else 3,
    stateful_step_count=40 if LONG else 10,
    deadline=None,
    # Shrinking a failing history takes minutes: the long profile does it, the fast one prints the history as found.
    phases=list(Phase) if LONG else [Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# Where a history begins: before, in and after seasons, just before New Year, across the year.
STARTS = [
    "2026-12-08 08:30",  # wintersweet coming
    "2026-12-29 09:00",  # across New Year within days
    "2027-01-18 10:00",  # wintersweet at its peak
    "2027-02-24 16:00",  # wintersweet ending, plum
    "2027-04-06 07:45",  # wisteria
    "2027-06-27 09:00",  # lotus
    "2027-10-26 09:00",  # chrysanthemum, osmanthus
    "2027-11-24 12:00",  # ginkgo, maple
]
MINUTES = st.sampled_from([1, 2, 15, 90, 60 * 7])
DAYS = st.sampled_from([1, 2, 6, 13, 40])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)


class Stages(HTMLParser):
    """The stage shown for each plant marked data-plant="slug/key" on a page (its first badge)."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, str] = {}
        self._open: list[str | None] = []  # per open element: the plant it marks, if any

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        marked = attributes.get("data-plant")
        inside = next((p for p in reversed(self._open) if p), None)
        classes = (attributes.get("class") or "").split()
        if inside and inside not in self.found and "stage" in classes:
            stage = next(c.removeprefix("stage--") for c in classes if c.startswith("stage--"))
            self.found[inside] = stage
        if tag not in ("img", "br", "meta", "link", "input", "source", "hr", "use", "wbr"):
            self._open.append(marked)

    def handle_endtag(self, tag):
        if tag not in ("img", "br", "meta", "link", "input", "source", "hr", "use", "wbr") and self._open:
            self._open.pop()


def stages_on(html: str) -> dict[str, str]:
    parser = Stages()
    parser.feed(html)
    return parser.found


def tiny_jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40 + seed % 50, 30), (seed % 256, 120, 200)).save(out, "JPEG")
    return out.getvalue()


class SeasonOfUse(RuleBasedStateMachine):
    """Staff at work on the real places, a clock that moves, and every public surface checked."""

    def __init__(self, folder, moment: list[datetime]):
        super().__init__()
        self.folder, self.moment = folder, moment
        self.app = make_app(folder / f"h{id(self)}.sqlite", start="loaded")
        self.client = self.app.test_client()
        self.touched: set[int] | None = None  # place ids changed by the last step; None: all
        with self.app.app_context():
            staff = operations.add_staff("warden", "plum-blossom-2026", [], True, clock.now())
            db.session.commit()
            self.staff_id = staff.id
            places = list(db.session.scalars(select(Place).where(Place.listed).order_by(Place.position)))
            self.slugs = {p.id: p.slug for p in places}
            self.plants = [(pl.id, pl.key, p.id) for p in places for pl in p.listed_plants]
            self.kin = {
                p.id: {q.id for q in places if {x.key for x in q.listed_plants} & {x.key for x in p.listed_plants}}
                for p in places
            }
            self.festivals = [(f.id, f.place_id, f.key) for f in db.session.scalars(select(Festival)) if f.listed]
            self.kinds = sorted({pl.picture_name for p in places for pl in p.listed_plants})
        self.schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", self.app)
        self.last_plant: int | None = None
        self.begun = False
        self.full = LONG  # every surface of every place after every step
        self.said: dict[int, tuple[str, datetime]] = {}  # place id → the last crowd level said, when
        self.steps = 0

    def teardown(self):
        self.full = True
        try:
            self.every_surface_answers()  # once more with everything
        finally:
            from tests.conftest import cleanup

            cleanup(self.app)

    # The clock.

    @initialize(start=st.sampled_from(STARTS))
    def begin(self, start):
        self.moment[0] = datetime.fromisoformat(start).replace(tzinfo=LOCAL_ZONE).astimezone(UTC)
        self.begun = True

    @rule(minutes=MINUTES)
    def minutes_pass(self, minutes):
        self.moment[0] += timedelta(minutes=minutes)
        self.touched = None

    @rule(days=DAYS)
    def days_pass(self, days):
        self.moment[0] += timedelta(days=days)
        self.touched = None

    # Bloom reports.

    def _staff(self) -> Staff:
        return db.session.get(Staff, self.staff_id)

    def _file(self, plant_id: int, stage: BloomStage, percent: int | None, photo: bytes | None = None, note=None):
        with self.app.app_context():
            plant = db.session.get(Plant, plant_id)
            if photo is not None:
                photo = operations.store_photo(clean_photo(photo), clock.now())
            seen = latest_reports([plant_id]).get(plant_id)
            observation = operations.Observation(
                plant, stage, percent, note, photo=photo, seen_version=seen.id if seen else 0
            )
            operations.report_bloom(self._staff(), [observation], clock.now())
            db.session.commit()
            self.touched = {plant.place_id}
        self.last_plant = plant_id

    def _plant(self, data, same_species: bool) -> int:
        if same_species:  # the species grown in most gardens (wintersweet): forecasts read each other
            keys = [key for _, key, _ in self.plants]
            common = max(set(keys), key=keys.count)
            return data.draw(st.sampled_from([pid for pid, key, _ in self.plants if key == common]))
        return data.draw(st.sampled_from([pid for pid, _, _ in self.plants]))

    @staticmethod
    def _percent(data, stage: BloomStage) -> int | None:
        low, high = stage.percent_range
        return data.draw(st.none() | st.integers(low, high), label="percent")

    @rule(data=st.data(), stage=st.sampled_from(BloomStage), same_species=st.booleans())
    def report(self, data, stage, same_species):
        self._file(self._plant(data, same_species), stage, self._percent(data, stage))

    @precondition(lambda self: self.last_plant is not None)
    @rule(data=st.data(), stage=st.sampled_from(BloomStage))
    def correct_within_the_minute(self, data, stage):
        self._file(self.last_plant, stage, self._percent(data, stage))

    @rule(data=st.data(), note=st.none() | st.fixed_dictionaries({"zh": TEXT}) | st.fixed_dictionaries({"en": TEXT}))
    def report_with_a_photo_and_note(self, data, note):
        stage = data.draw(st.sampled_from(BloomStage))
        photo = tiny_jpeg(data.draw(st.integers(0, 500)))
        self._file(self._plant(data, False), stage, None, photo=photo, note=note)

    @rule(data=st.data())
    def still_the_same(self, data):
        plant_id = self._plant(data, data.draw(st.booleans()))
        with self.app.app_context():
            plant = db.session.get(Plant, plant_id)
            (seen,) = sightings_of([plant], clock.now(), clock.today())
            version = seen.latest.id if seen.latest else 0
            operations.confirm_status(self._staff(), plant, seen.status, version, clock.now())
            db.session.commit()
            self.touched = {plant.place_id}

    @rule(data=st.data())
    def retract(self, data):
        with self.app.app_context():
            standing = list(
                db.session.scalars(
                    select(BloomReport)
                    .where(BloomReport.retracted_at.is_(None))
                    .order_by(BloomReport.id.desc())
                    .limit(8)
                    .options(selectinload(BloomReport.plant))
                )
            )
            if not standing:
                return
            row = data.draw(st.sampled_from(standing))
            operations.retract_report(self._staff(), row, clock.now())
            db.session.commit()
            self.touched = {row.plant.place_id}

    @rule(data=st.data(), level=st.sampled_from(Crowd))
    def say_how_busy(self, data, level):
        place_id = data.draw(st.sampled_from(sorted(self.slugs)))
        with self.app.app_context():
            operations.report_crowd(self._staff(), db.session.get(Place, place_id), level, clock.now())
            db.session.commit()
        self.said[place_id] = (level.value, clock.now())
        self.touched = {place_id}

    def _crowds_expected(self) -> dict[str, str | None]:
        """Each place's crowd level as a visitor should see it now: the last said, for 3 hours."""
        fresh = timedelta(hours=self.app.config["CROWD_FRESH_HOURS"])
        expected: dict[str, str | None] = {}
        for place_id, slug in self.slugs.items():
            level, at = self.said.get(place_id, (None, None))
            expected[slug] = level if at is not None and clock.now() < at + fresh else None
        return expected

    # Notices and festivals.

    @rule(
        data=st.data(),
        kind=st.sampled_from(NOTICE_KINDS),
        languages=st.sampled_from([("zh",), ("en",), ("zh", "en")]),
        starts_in=st.sampled_from([0, 0, 1, 5]),
        lasts=st.none() | st.sampled_from([1, 3, 30]),
    )
    def post_notice(self, data, kind, languages, starts_in, lasts):
        # Text that is only control characters is no notice (post_notice refuses it): some words.
        text = {lang: data.draw(TEXT.filter(lambda t: clean_text(t).strip()), label=lang) for lang in languages}
        with self.app.app_context():
            place_id = data.draw(st.sampled_from(sorted(self.slugs)))
            starts = datetime.combine(clock.today() + timedelta(days=starts_in), datetime.min.time(), LOCAL_ZONE)
            ends = starts + timedelta(days=lasts) if lasts else None
            operations.post_notice(
                self._staff(), db.session.get(Place, place_id), kind, text, (starts, ends), clock.now()
            )
            db.session.commit()
            self.touched = {place_id}

    @rule(data=st.data())
    def withdraw_notice(self, data):
        with self.app.app_context():
            standing = list(db.session.scalars(select(Notice).where(Notice.withdrawn_at.is_(None))))
            if not standing:
                return
            notice = data.draw(st.sampled_from(standing))
            operations.withdraw_notice(self._staff(), notice, clock.now())
            db.session.commit()
            self.touched = {notice.place_id}

    @precondition(lambda self: self.festivals)
    @rule(
        data=st.data(),
        next_year=st.booleans(),
        # Odd but valid: one day, New Year's Eve into January, the last days of February.
        shape=st.sampled_from([("04-01", 0), ("12-31", 0), ("12-30", 4), ("02-27", 3), ("06-28", 40), ("10-20", 12)]),
        cancelled=st.booleans(),
    )
    def set_edition(self, data, next_year, shape, cancelled):
        festival_id, place_id, _ = data.draw(st.sampled_from(self.festivals))
        with self.app.app_context():
            festival = db.session.get(Festival, festival_id)
            year = clock.today().year + next_year
            start = date.fromisoformat(f"{year}-{shape[0]}")
            edition = next((e for e in festival.editions if e.year == year), None)
            operations.set_edition(
                self._staff(),
                festival,
                year,
                (start, start + timedelta(days=shape[1])),
                cancelled,
                data.draw(st.none() | st.just("https://example.org/announcement")),
                edition.sequence if edition else 0,
                clock.now(),
            )
            db.session.commit()
            self.touched = {place_id}

    # What every visitor sees.

    def _get(self, url: str, *statuses: int):
        response = self.client.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code in (statuses or (200,)), (url, response.status_code)
        return response

    def _places_to_check(self) -> tuple[list[int], list[int]]:
        """The places whose main pages (API, place page, widget) and whose other pages (history,
        card, taxi, map, calendars, feed, share image) this step checks."""
        everything = sorted(self.slugs)
        if self.full:
            return everything, everything
        if self.touched is None:  # the clock moved: every place's status may have changed
            return everything, [everything[self.steps % len(everything)]]
        near = sorted({kin for place_id in self.touched for kin in self.kin[place_id]})
        return near, near

    @invariant()
    def every_surface_answers(self):
        if not self.begun:
            return
        self.steps += 1
        today = clock.today()
        api = self._get("/api/v1/places")
        self.schema["/places"]["GET"].validate_response(api)
        places = api.get_json()["places"]
        shown = {f"{p['slug']}/{plant['key']}": plant["status"]["stage"] for p in places for plant in p["plants"]}
        crowds = {p["slug"]: p["crowd"] and p["crowd"]["level"] for p in places}
        assert crowds == self._crowds_expected(), "the API's crowd levels are not what staff last said"
        for plant in (plant for p in places for plant in p["plants"]):
            for span in plant["forecast"]["expected"].values():
                assert span["start"] <= span["end"], (plant["key"], span)

        for lang in ("zh", "en"):
            home = self._get(f"/{lang}/").get_data(as_text=True)
            assert stages_on(home).items() <= shown.items(), "home and API disagree"
        kinds = self.kinds if self.full else [self.kinds[self.steps % len(self.kinds)]]
        for kind in kinds:
            self._get(f"/en/?kind={kind}")
            self._get(f"/zh/calendar?kind={kind}")
        self._get("/zh/calendar")
        self._get(f"/en/calendar?month={today.month}")
        self._get("/en/events")
        self._get("/zh/map.json")
        new_year = (date(today.year, 12, 29) - today).days % 360  # a trip across New Year
        for start, length in ((0, 0), (3, 6), (new_year, 5)):
            first, last = today + timedelta(days=start), today + timedelta(days=start + length)
            query = f"from={first.isoformat()}&to={last.isoformat()}"
            self._get(f"/en/plan?{query}")
            self.schema["/plan"]["GET"].validate_response(self._get(f"/api/v1/plan?{query}"))
        self._get(f"/zh/concierge?{query}&place={self.slugs[min(self.slugs)]}")
        self._check_calendar(self._get("/en/events.ics"))
        for lang in ("zh", "en"):
            self._check_feed(self._get(f"/{lang}/feed.atom"))

        main, other = self._places_to_check()
        for place_id in main:
            slug = self.slugs[place_id]
            self.schema["/places/{slug}"]["GET"].validate_response(self._get(f"/api/v1/places/{slug}"))
            for lang in ("zh", "en"):
                on_page = stages_on(self._get(f"/{lang}/places/{slug}").get_data(as_text=True))
                assert on_page.items() <= shown.items(), (slug, "place page and API disagree")
                assert {k for k in shown if k.startswith(slug + "/")} <= on_page.keys(), (slug, "a plant is missing")
            widget_page = self._get(f"/embed/en/places/{slug}").get_data(as_text=True)
            widget = stages_on(widget_page)
            assert widget.items() <= shown.items(), (slug, "widget and API disagree")
            place_page = self._get(f"/zh/places/{slug}").get_data(as_text=True)
            for name, html in (("place page", place_page), ("widget", widget_page)):
                found = re.findall(r'data-crowd="([a-z_]+)"', html)
                assert found == ([crowds[slug]] if crowds[slug] else []), (slug, name, "crowd level")
        for place_id in other:
            slug = self.slugs[place_id]
            for path in ("history", "card", "taxi", "map.json"):
                self._get(f"/en/places/{slug}/{path}")
            self._check_calendar(self._get(f"/zh/places/{slug}/bloom.ics"))
            for plant in self._get(f"/api/v1/places/{slug}").get_json()["plants"]:  # each one's reminder
                self._check_calendar(self._get(urlsplit(plant["reminder_url"]).path))
            self._check_feed(self._get(f"/en/places/{slug}/feed.atom"))
            assert self._get(f"/places/{slug}/share.png").data.startswith(b"\x89PNG")
        for _, place_id, key in self.festivals:
            if place_id in other:
                self._check_calendar(self._get(f"/en/events/{self.slugs[place_id]}/{key}.ics"))

        self._nothing_past_is_coming(today)

    @staticmethod
    def _check_calendar(response) -> None:
        calendar = Calendar.from_ical(response.data)
        for event in calendar.walk("VEVENT"):
            start, end = event.decoded("DTSTART"), event.decoded("DTEND", None)
            assert end is None or end >= start, event.get("SUMMARY")

    @staticmethod
    def _check_feed(response) -> None:
        feed = feedparser.parse(response.data)
        assert not feed.bozo, feed.bozo_exception

    def _nothing_past_is_coming(self, today: date) -> None:
        """No festival edition that has ended is billed as on now or coming."""
        with self.app.app_context():
            from guide.places.queries import billings

            for billing in billings(today):
                assert billing.edition.end >= today, (billing.festival.key, billing.edition)


@pytest.fixture
def history_clock(monkeypatch):
    moment: list[datetime] = [datetime(2026, 12, 8, tzinfo=UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    return moment


def test_a_season_of_staff_work_never_breaks_a_public_page(tmp_path, history_clock):
    run_state_machine_as_test(lambda: SeasonOfUse(tmp_path, history_clock), settings=RUNS)


# One plant's bad data or a bug in its forecast: that plant falls back to its usual dates, said so;
# every surface still answers and the other plants read as before.
BROKEN_SEASONS = [
    [{"year": 2024, "source": "x", "seen": [["2024-12-20", "exploded"]]}],
    [{"year": 2024, "source": "x", "seen": [["2024-02-30", "peak"]]}],
    [{"year": 2024, "seen": [["2024-12-20", "peak"]]}],
    [{"year": 2024, "source": "x", "seen": "peak"}],
]


@pytest.mark.parametrize("broken", [*BROKEN_SEASONS, "bug"])
def test_one_plants_failing_forecast_leaves_every_surface_up(tmp_path, history_clock, monkeypatch, caplog, broken):
    machine = SeasonOfUse(tmp_path, history_clock)
    machine.begin("2027-01-18 10:00")
    with machine.app.app_context():
        plant = db.session.scalar(
            select(Plant).join(Place).where(Place.slug == "guyi-garden", Plant.key == "wintersweet")
        )
        plant_id = plant.id
        if broken == "bug":
            original = Plant.recorded_sightings

            def failing(self):
                if self.id == plant_id:
                    raise ZeroDivisionError("a bug in one plant's forecast")
                return original(self)

            monkeypatch.setattr(Plant, "recorded_sightings", failing)
        else:
            plant.seasons = broken
        from guide.places.operations import mark_changed

        mark_changed(plant.place)
        db.session.commit()
    machine._file(machine.plants[0][0], BloomStage.PEAK, None)  # another plant's report reads as usual
    machine.touched = None
    machine.every_surface_answers()
    page = machine.client.get("/en/places/guyi-garden").get_data(as_text=True)
    assert "could not be read just now" in page
    assert page.count("could not be read just now") == 1  # the other plants keep their forecasts
    api = machine.client.get("/api/v1/places/guyi-garden").get_json()
    reasons = {p["key"]: p["forecast"]["reason"]["en"] for p in api["plants"]}
    assert "could not be read" in reasons["wintersweet"]
    assert not any("could not be read" in r for key, r in reasons.items() if key != "wintersweet")
    assert f"the forecast of plant {plant_id}" in caplog.text
    machine.teardown()
