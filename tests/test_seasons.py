"""Seasons read from the reports staff filed, and the forecast the guide makes from them."""

from datetime import date

from sqlalchemy import select

from guide.core import clock
from guide.core.forecast import Basis
from guide.extensions import db
from guide.places.models import BloomReport, Place, Plant
from guide.places.seasons import outlooks
from guide.staff.models import Staff
from guide.staff.operations import retract_report


def file_on(freeze, report, day: str, slug: str, key: str, stage: str):
    freeze(f"{day} 09:00")
    report(slug, key, stage)


def plant(slug: str, key: str) -> Plant:
    return db.session.scalar(select(Plant).join(Place).where(Place.slug == slug, Plant.key == key))


def test_a_season_is_read_from_reports_without_the_retracted_ones(guide_app, freeze, report):
    for day, stage in (
        ("2025-03-20", "budding"),
        ("2025-03-30", "first_bloom"),
        ("2025-04-01", "peak"),  # a mistake, retracted below
        ("2025-04-10", "peak"),
        ("2025-04-24", "fading"),
    ):
        file_on(freeze, report, day, "nanshuiguan-park", "wisteria", stage)
    with guide_app.app_context():
        wrong = db.session.scalar(select(BloomReport).where(BloomReport.stage == "peak").order_by(BloomReport.id))
        retract_report(db.session.scalar(select(Staff)), wrong, clock.now())
        db.session.commit()
        freeze("2025-12-01 09:00")
        wisteria = plant("nanshuiguan-park", "wisteria")
        (season,) = outlooks([wisteria], clock.today())[wisteria.id].past
    assert season.label == "2025"
    assert season.points["peak_start"] == date(2025, 4, 10)
    assert season.points["peak_end"] == date(2025, 4, 10)
    assert season.points["first"] == date(2025, 3, 30)


def test_reports_at_one_wisteria_move_the_forecast_of_the_others(guide_app, freeze, report):
    file_on(freeze, report, "2026-03-18", "jiading-wisteria-park", "wisteria", "budding")
    file_on(freeze, report, "2026-03-27", "jiading-wisteria-park", "wisteria", "first_bloom")
    with guide_app.app_context():
        here, there = plant("jiading-wisteria-park", "wisteria"), plant("nanshuiguan-park", "wisteria")
        found = outlooks([here, there], clock.today())
    assert found[here.id].forecast.basis is Basis.REPORTS
    assert found[here.id].forecast.shift < -3
    assert found[there.id].forecast.basis is Basis.ELSEWHERE
    assert found[there.id].forecast.expected["peak_start"].middle < date(2026, 4, 12)


def test_the_past_season_from_the_data_file_is_kept_with_its_source(guide_app, freeze):
    freeze("2026-11-29 09:00")
    with guide_app.app_context():
        wisteria = plant("jiading-wisteria-park", "wisteria")
        past = outlooks([wisteria], clock.today())[wisteria.id].past
    assert [s.label for s in past] == ["2024"]
    assert past[0].points == {"peak_start": date(2024, 4, 29)}
    assert "shine.cn" in past[0].source
