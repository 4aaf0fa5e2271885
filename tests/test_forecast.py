"""Seasons from what was seen, and this season's forecast: the pure arithmetic."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from guide.core.bloom import BloomStage, BloomWindow, MonthDay
from guide.core.forecast import (
    Basis,
    Moment,
    Season,
    Sighting,
    Span,
    backtest,
    forecast,
    last_each_day,
    mean_errors,
    observed_points,
    season_year,
    seasons_of,
    usual_dates,
    when_to_come,
)

S = BloomStage
WISTERIA = BloomWindow(*(MonthDay.parse(p) for p in ("03-25", "04-03", "04-12", "04-28", "05-08")))
WINTERSWEET = BloomWindow(*(MonthDay.parse(p) for p in ("12-01", "12-20", "01-05", "01-25", "02-20")))


def seen(*pairs: tuple[str, BloomStage]) -> list[Sighting]:
    return [Sighting(date.fromisoformat(day), stage) for day, stage in pairs]


def shifted(window: BloomWindow, year: int, days: int) -> list[Sighting]:
    """A season run `days` late (negative: early), reported once at each point."""
    usual = usual_dates(window, year)
    move = timedelta(days=days)
    return [
        Sighting(usual["bud"] + move, S.BUDDING),
        Sighting(usual["first"] + move, S.FIRST_BLOOM),
        Sighting(usual["peak_start"] + move, S.PEAK),
        Sighting(usual["peak_end"] + move, S.PEAK),
        Sighting(usual["peak_end"] + move + timedelta(days=1), S.FADING),
        Sighting(usual["over"] + move, S.OVER),
    ]


def test_a_season_is_the_first_day_each_stage_was_seen():
    (season,) = seasons_of(
        WISTERIA,
        seen(
            ("2025-03-20", S.BUDDING),
            ("2025-03-24", S.BUDDING),
            ("2025-03-30", S.FIRST_BLOOM),
            ("2025-04-05", S.BLOOMING),
            ("2025-04-10", S.PEAK),
            ("2025-04-18", S.PEAK),
            ("2025-04-22", S.PEAK),
            ("2025-04-25", S.FADING),
            ("2025-05-03", S.OVER),
        ),
    )
    assert season.label == "2025"
    assert season.points == {
        "bud": date(2025, 3, 20),
        "first": date(2025, 3, 30),
        "peak_start": date(2025, 4, 10),
        "peak_end": date(2025, 4, 22),
        "over": date(2025, 5, 3),
    }
    assert season.shift(WISTERIA) < -3  # an early year


def test_the_peak_has_no_end_until_the_season_moves_past_it():
    (season,) = seasons_of(WISTERIA, seen(("2025-04-14", S.PEAK), ("2025-04-20", S.PEAK)))
    assert season.points == {"peak_start": date(2025, 4, 14)}


def test_a_season_across_new_year_is_one_season():
    seasons = seasons_of(
        WINTERSWEET,
        seen(
            ("2025-12-18", S.FIRST_BLOOM),
            ("2026-01-08", S.PEAK),
            ("2026-01-28", S.FADING),
            ("2024-12-25", S.FIRST_BLOOM),
            ("2025-01-10", S.PEAK),
        ),
    )
    assert [s.label for s in seasons] == ["2025–26", "2024–25"]
    assert seasons[0].points == {
        "first": date(2025, 12, 18),
        "peak_start": date(2026, 1, 8),
        "peak_end": date(2026, 1, 8),
    }
    assert season_year(WINTERSWEET, date(2026, 2, 10)) == 2025


def test_a_stage_reported_after_a_later_one_marks_nothing():
    (season,) = seasons_of(WISTERIA, seen(("2025-04-10", S.PEAK), ("2025-04-12", S.FIRST_BLOOM)))
    assert "first" not in season.points


def test_no_report_means_the_usual_window_said_so():
    made = forecast(WISTERIA, date(2026, 3, 1), [])
    assert made.basis is Basis.USUAL
    assert made.shift == 0
    assert made.expected["peak_start"].middle == date(2026, 4, 12)


def test_an_early_season_moves_the_remaining_points_earlier():
    made = forecast(WISTERIA, date(2026, 3, 30), seen(("2026-03-19", S.BUDDING), ("2026-03-28", S.FIRST_BLOOM)))
    assert made.basis is Basis.REPORTS
    assert made.reports == 2
    assert -6 <= made.shift <= -4
    assert made.expected["peak_start"].middle < date(2026, 4, 12)
    assert made.expected["over"].middle < date(2026, 5, 8)
    assert "first" not in made.expected  # seen, not forecast


def test_a_late_season_moves_them_later():
    made = forecast(WISTERIA, date(2026, 4, 12), seen(("2026-04-02", S.BUDDING), ("2026-04-11", S.FIRST_BLOOM)))
    assert made.shift >= 6
    assert made.expected["peak_end"].middle > date(2026, 4, 28)


def test_a_forecast_is_always_a_range_wider_further_ahead():
    made = forecast(WISTERIA, date(2026, 3, 20), [])
    widths = [(made.expected[p].end - made.expected[p].start).days for p in ("bud", "peak_start", "over")]
    assert all(w >= 4 for w in widths)
    assert widths[0] < widths[1] < widths[2]


def test_the_range_narrows_as_reports_arrive():
    reports = seen(("2026-03-22", S.BUDDING), ("2026-03-31", S.FIRST_BLOOM), ("2026-04-09", S.PEAK))
    widths = []
    for count in range(4):
        made = forecast(WISTERIA, date(2026, 4, 10), reports[:count])
        span = made.expected["peak_end"]
        widths.append((span.end - span.start).days)
    assert widths == sorted(widths, reverse=True)
    assert widths[-1] < widths[0]


def test_the_same_species_elsewhere_shifts_the_forecast_more_loosely():
    early = seen(("2026-03-19", S.BUDDING), ("2026-03-28", S.FIRST_BLOOM))
    from_elsewhere = forecast(WISTERIA, date(2026, 3, 30), [], elsewhere=[(WISTERIA, early)])
    from_here = forecast(WISTERIA, date(2026, 3, 30), early)
    assert from_elsewhere.basis is Basis.ELSEWHERE
    assert from_elsewhere.reports == 2
    assert from_elsewhere.shift < 0
    assert from_elsewhere.expected["peak_start"].middle < date(2026, 4, 12)
    wide = from_elsewhere.expected["peak_start"]
    narrow = from_here.expected["peak_start"]
    assert (wide.end - wide.start) > (narrow.end - narrow.start)


def test_past_seasons_move_the_usual_window_and_set_its_spread():
    past = [Season(y, str(y), {"peak_start": date(y, 4, 12) + timedelta(days=d)}, 1) for y, d in ((2024, 4), (2025, 6))]
    made = forecast(WISTERIA, date(2026, 3, 1), [], past=past)
    assert made.basis is Basis.USUAL
    assert made.shift == 5
    assert made.past_seasons == 2
    assert made.spread == 3


def test_points_not_reached_come_after_the_latest_report():
    made = forecast(WISTERIA, date(2026, 5, 1), seen(("2026-04-10", S.PEAK), ("2026-04-30", S.PEAK)))
    assert made.expected["peak_end"].start > date(2026, 4, 30)


def test_backtest_of_seasons_that_run_early_beats_the_usual_window():
    trials = []
    for year, days in ((2023, -9), (2024, -7), (2025, -10)):
        sightings = shifted(WISTERIA, year, days)
        (season,) = seasons_of(WISTERIA, sightings)
        trials += backtest(WISTERIA, season, sightings)
    assert trials
    forecast_error, usual_error = mean_errors(trials)
    assert forecast_error < usual_error
    assert usual_error >= 7


@given(
    st.integers(min_value=-20, max_value=20),
    st.integers(min_value=0, max_value=5),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
)
def test_every_forecast_point_is_a_range_of_several_days(days, count, today):
    reports = [s for s in shifted(WISTERIA, 2026, days)[:count] if s.on <= today]
    made = forecast(WISTERIA, today, reports)
    for span in made.expected.values():
        assert (span.end - span.start).days >= 4


def made_on(today: str, sightings=()) -> tuple[date, object]:
    day = date.fromisoformat(today)
    return day, forecast(WISTERIA, day, list(sightings))


def test_when_to_come_is_the_peak_now_then_the_rise_then_the_next_season():
    day, wisteria = made_on("2026-04-26")
    visit = when_to_come([(forecast(WINTERSWEET, day, []), S.NOT_YET), (wisteria, S.PEAK)], day)
    assert (visit.index, visit.moment) == (1, Moment.PEAK)
    assert visit.best.end == date(2026, 4, 28) and visit.last_days(day) and not visit.forecast
    day, wisteria = made_on("2026-04-06")
    visit = when_to_come([(wisteria, S.FIRST_BLOOM)], day)
    assert visit.moment is Moment.RISING and visit.best.start == date(2026, 4, 12)
    day, wisteria = made_on("2026-11-20")
    visit = when_to_come([(forecast(WINTERSWEET, day, []), S.NOT_YET), (wisteria, S.NOT_YET)], day)
    assert (visit.index, visit.moment) == (0, Moment.NEXT)
    assert visit.season == Span(date(2026, 12, 20), date(2027, 2, 20))
    assert visit.best.middle.month == 1


def test_when_nothing_is_coming_a_fading_peak_says_until_when():
    day, wisteria = made_on("2026-05-03")
    visit = when_to_come([(wisteria, S.FADING)], day)
    assert visit.moment is Moment.FADING and visit.season.end == date(2026, 5, 8)


def test_a_correction_on_the_same_day_counts_and_breaks_nothing():
    # Reported at peak, corrected to "blooming" a minute later, then to peak again (the crash of issue 19).
    day = date(2026, 12, 24)
    seen = [Sighting(day, S.PEAK, 1), Sighting(day, S.BLOOMING, 2), Sighting(day, S.PEAK, 3)]
    assert observed_points(seen) == {"peak_start": day}
    corrected = [Sighting(day, S.PEAK, 1), Sighting(day, S.BLOOMING, 2)]
    made = forecast(WINTERSWEET, day, corrected, [(WINTERSWEET, seen)], seasons_of(WINTERSWEET, seen))
    assert made.latest == Sighting(day, S.BLOOMING, 2)
    assert "peak_start" not in made.seen  # the peak was a slip, corrected the same day


def test_the_last_report_of_a_day_stands_whatever_order_they_come_in():
    day = date(2027, 4, 10)
    shuffled = [Sighting(day, S.FADING, 9), Sighting(day, S.NOT_YET, 4), Sighting(day - timedelta(days=1), S.PEAK, 10)]
    assert last_each_day(shuffled) == [Sighting(day - timedelta(days=1), S.PEAK, 10), Sighting(day, S.FADING, 9)]


SIGHTINGS = st.lists(
    st.builds(
        Sighting,
        st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 6, 1)),
        st.sampled_from(BloomStage),
        st.integers(min_value=0, max_value=50),
    ),
    max_size=30,
)


@given(
    here=SIGHTINGS,
    there=SIGHTINGS,
    today=st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 6, 1)),
    window=st.sampled_from([WISTERIA, WINTERSWEET]),
)
def test_any_history_of_sightings_gives_a_forecast_with_real_ranges(here, there, today, window):
    made = forecast(window, today, here, [(window, there)], seasons_of(window, here))
    assert made.expected or made.over or set(made.seen) == set(usual_dates(window, made.year))
    for span in made.expected.values():
        assert span.start <= span.end
    best = made.best()
    assert best.start <= best.end


def test_a_season_first_seen_already_at_peak_moves_the_window_from_the_peaks_middle():
    """A report of full bloom on 20 April, with nothing seen before, says the peak had begun by then, not
    that it began then: against the usual peak (12–28 April) that is on time, not 8 days late.
    Seen not yet in flower a few days before, the same report marks the peak's start."""
    (alone,) = seasons_of(WISTERIA, seen(("2024-04-20", S.PEAK)))
    assert alone.under_way == "peak_start" and alone.shift(WISTERIA) == 0
    (watched,) = seasons_of(WISTERIA, seen(("2024-04-14", S.BLOOMING), ("2024-04-20", S.PEAK)))
    assert watched.under_way is None and watched.shift(WISTERIA) == 8
    (looked_early,) = seasons_of(WISTERIA, seen(("2024-03-10", S.NOT_YET), ("2024-04-20", S.PEAK)))
    assert looked_early.under_way is None  # seen before it began: the peak came in between
    # Buds and first flowers are news of a beginning: a first report of them marks the day.
    (buds,) = seasons_of(WISTERIA, seen(("2024-04-01", S.BUDDING)))
    assert buds.under_way is None and buds.shift(WISTERIA) == 7
    (first,) = seasons_of(WISTERIA, seen(("2024-04-05", S.FIRST_BLOOM)))
    assert first.under_way is None and first.shift(WISTERIA) == 2
    # Fading, first seen, says the peak had ended some time before.
    (fading,) = seasons_of(WISTERIA, seen(("2024-05-03", S.FADING)))
    assert fading.under_way == "peak_end" and fading.shift(WISTERIA) == 0  # the middle of 28 Apr–8 May


def test_past_seasons_first_seen_at_peak_move_this_seasons_forecast_less():
    past = seasons_of(WISTERIA, seen(("2024-04-29", S.PEAK), ("2021-04-19", S.PEAK)))
    made = forecast(WISTERIA, date(2026, 3, 1), [], past=past)
    # Against the peak's middle (20 April): 9 days late and 1 early, so about 4 late, where
    # against its start (12 April) they had said 12.
    assert made.basis is Basis.USUAL and made.shift == 4
    assert made.likely_peak().start == date(2026, 4, 16)


def test_a_report_this_season_first_made_at_peak_counts_as_under_way():
    made = forecast(WISTERIA, date(2026, 4, 20), seen(("2026-04-20", S.PEAK)))
    assert made.shift == 0  # on time, as far as anyone can tell
    watched = forecast(WISTERIA, date(2026, 4, 20), seen(("2026-04-15", S.BLOOMING), ("2026-04-20", S.PEAK)))
    assert watched.shift > made.shift
