"""`flask --app guide forecast backtest`: recorded seasons replayed against the forecast."""

import re
from datetime import timedelta

from sqlalchemy import select

from guide.core.forecast import usual_dates
from guide.extensions import db
from guide.places.models import Place, Plant


def file_season(guide_app, freeze, report, year: int, days: int):
    """A Nanshuiguan wisteria season run `days` late (negative: early), reported at each point."""
    with guide_app.app_context():
        window = db.session.scalar(
            select(Plant).join(Place).where(Place.slug == "nanshuiguan-park", Plant.key == "wisteria")
        ).window
    usual = usual_dates(window, year)
    move = timedelta(days=days)
    for day, stage in (
        (usual["bud"], "budding"),
        (usual["first"], "first_bloom"),
        (usual["peak_start"], "peak"),
        (usual["peak_end"], "peak"),
        (usual["peak_end"] + timedelta(days=1), "fading"),
        (usual["over"], "over"),
    ):
        freeze(f"{day + move} 09:00")
        report("nanshuiguan-park", "wisteria", stage)


def test_backtest_prints_its_table_and_beats_the_usual_window_on_early_seasons(guide_app, freeze, report):
    for year, days in ((2023, -9), (2024, -7), (2025, -10)):
        file_season(guide_app, freeze, report, year, days)
    result = guide_app.test_cli_runner().invoke(args=["forecast", "backtest"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["place", "plant", "season", "known"]
    rows = [line for line in lines if line.startswith("nanshuiguan-park")]
    assert any(" 2024 " in row and " peak_start " in row for row in rows)
    # The data file's 2024 season at Wisteria Park has one day only: listed, nothing to replay.
    assert "4 recorded season(s), 3 with a later point to forecast" in result.output
    found = re.search(r"forecast (\d+\.\d) days, usual window (\d+\.\d) days", result.output)
    assert found, result.output
    assert float(found.group(1)) < float(found.group(2))
    assert float(found.group(2)) >= 7


def test_backtest_without_recorded_seasons_says_there_is_nothing_to_compare(guide_app, freeze):
    freeze("2026-11-29 09:00")
    result = guide_app.test_cli_runner().invoke(args=["forecast", "backtest"])
    assert result.exit_code == 0
    assert "1 recorded season(s), 0 with a later point to forecast; 0 forecast(s)." in result.output
    assert "Nothing to compare yet" in result.output
