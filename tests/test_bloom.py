from datetime import UTC, date, datetime, timedelta

import pytest

from guide.core.bloom import BloomStage, BloomWindow, MonthDay, Report, current_status, rank_key
from guide.core.year_strip import flowers_in, strip


def window(*points: str) -> BloomWindow:
    return BloomWindow(*(MonthDay.parse(p) for p in points))


WISTERIA = window("03-25", "04-03", "04-12", "04-25", "05-05")
WINTERSWEET = window("12-01", "12-12", "01-02", "01-22", "02-10")


@pytest.mark.parametrize(
    "day, stage",
    [
        ("01-15", BloomStage.NOT_YET),
        ("03-25", BloomStage.BUDDING),
        ("04-03", BloomStage.FIRST_BLOOM),
        ("04-10", BloomStage.BLOOMING),
        ("04-12", BloomStage.PEAK),
        ("04-25", BloomStage.PEAK),
        ("04-30", BloomStage.FADING),
        ("05-05", BloomStage.OVER),
        ("08-01", BloomStage.OVER),
        ("12-01", BloomStage.NOT_YET),
    ],
)
def test_wisteria_stage_across_the_year(day, stage):
    assert WISTERIA.stage_on(date(2026, *map(int, day.split("-")))) is stage


@pytest.mark.parametrize(
    "day, stage",
    [
        (date(2026, 11, 24), BloomStage.NOT_YET),
        (date(2026, 12, 5), BloomStage.BUDDING),
        (date(2026, 12, 15), BloomStage.FIRST_BLOOM),
        (date(2026, 12, 30), BloomStage.BLOOMING),
        (date(2027, 1, 10), BloomStage.PEAK),
        (date(2027, 2, 1), BloomStage.FADING),
        (date(2027, 3, 1), BloomStage.OVER),
    ],
)
def test_wintersweet_window_crosses_new_year(day, stage):
    assert WINTERSWEET.stage_on(day) is stage


def test_a_sound_window_has_no_problems():
    assert WISTERIA.problems() == [] and WINTERSWEET.problems() == []


def test_peak_outside_the_bloom_is_a_problem():
    problems = dict(window("03-25", "04-03", "04-12", "05-20", "05-05").problems())
    assert "outside the bloom" in problems["peak_end"]


def test_first_bloom_before_buds_is_a_problem():
    problems = dict(window("04-10", "04-03", "04-12", "04-25", "05-05").problems())
    assert set(problems) & {"first", "peak_start", "peak_end"}


@pytest.mark.parametrize("text", ["02-30", "13-01", "4-15", "04/15", "0415", "aa-bb"])
def test_impossible_month_days_are_refused(text):
    with pytest.raises(ValueError):
        MonthDay.parse(text)


def test_february_29_is_a_real_month_day():
    assert MonthDay.parse("02-29").in_year(2027) == date(2027, 2, 28)


NOW = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)


def test_fresh_report_is_the_status():
    latest = Report(BloomStage.FADING, 40, NOW - timedelta(hours=2))
    status = current_status(WISTERIA, latest, NOW, timedelta(hours=72), date(2026, 4, 15))
    assert (status.stage, status.estimated, status.percent_open) == (BloomStage.FADING, False, 40)


def test_stale_report_falls_back_to_estimate():
    latest = Report(BloomStage.BUDDING, 0, NOW - timedelta(days=10))
    status = current_status(WISTERIA, latest, NOW, timedelta(hours=72), date(2026, 4, 15))
    assert (status.stage, status.estimated) == (BloomStage.PEAK, True)


@pytest.mark.parametrize("age, observed", [(timedelta(hours=72), True), (timedelta(hours=72, seconds=1), False)])
def test_a_report_stays_the_status_for_exactly_72_hours(age, observed):
    latest = Report(BloomStage.FADING, 40, NOW - age)
    status = current_status(WISTERIA, latest, NOW, timedelta(hours=72), date(2026, 4, 15))
    assert (not status.estimated) == observed


def test_ranking_puts_peak_first_and_reports_before_estimates():
    today = date(2026, 4, 15)
    fresh = current_status(WISTERIA, Report(BloomStage.PEAK, 80, NOW), NOW, timedelta(hours=72), today)
    estimated_peak = current_status(WISTERIA, None, NOW, timedelta(hours=72), today)
    blooming = current_status(WISTERIA, Report(BloomStage.BLOOMING, 50, NOW), NOW, timedelta(hours=72), today)
    ordered = sorted([blooming, estimated_peak, fresh], key=lambda s: rank_key(s, WISTERIA, today))
    assert ordered == [fresh, estimated_peak, blooming]


def test_every_stage_has_its_own_symbol_and_a_percent_range_within_0_to_100():
    assert len({stage.symbol for stage in BloomStage}) == len(BloomStage)
    for stage in BloomStage:
        low, high = stage.percent_range
        assert 0 <= low <= high <= 100, stage


def test_the_opening_stages_cover_every_percent_once_in_order():
    """Going up from bud to peak, each % open belongs to exactly one stage."""
    rising = [BloomStage.BUDDING, BloomStage.FIRST_BLOOM, BloomStage.BLOOMING, BloomStage.PEAK]
    for percent in range(101):
        assert [s for s in rising if s.fits(percent)] != [], percent
        assert len([s for s in rising if s.fits(percent)]) == 1, percent
    assert [s.percent_range[0] for s in rising] == sorted(s.percent_range[0] for s in rising)


@pytest.mark.parametrize(
    "stage, inside, outside",
    [
        (BloomStage.PEAK, (70, 100), (69,)),
        (BloomStage.FIRST_BLOOM, (5, 29), (4, 30)),
        (BloomStage.NOT_YET, (0,), (1,)),
        (BloomStage.FADING, (5, 69), (4, 70)),
    ],
)
def test_a_percent_fits_a_stage_at_its_edges_and_not_beyond(stage, inside, outside):
    assert all(stage.fits(p) for p in inside) and not any(stage.fits(p) for p in outside)
    assert stage.fits(None)


def test_month_filter_knows_what_flowers_when():
    assert flowers_in(WISTERIA, 4) and not flowers_in(WISTERIA, 6)
    assert flowers_in(WINTERSWEET, 12) and flowers_in(WINTERSWEET, 1) and not flowers_in(WINTERSWEET, 3)


def test_strip_splits_a_band_at_new_year_and_marks_today():
    result = strip(WINTERSWEET, date(2026, 7, 1))
    blooms = [b for b in result.bands if b.kind == "bloom"]
    assert len(blooms) == 2 and blooms[1].left == 0
    assert 49 < result.today < 50
