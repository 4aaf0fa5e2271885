"""`flask --app guide places load FILE`: validate the whole file, then upsert it in one go;
`flask --app guide forecast backtest`: replay the recorded seasons against the forecast."""

from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from guide.core import clock
from guide.core.forecast import mean_errors
from guide.extensions import database_error_line, db, schema_missing
from guide.places import seasons
from guide.places.operations import load_places
from guide.places.schema import MAX_FILE_BYTES, InvalidPlaces, Problem, parse_places, too_big_message

places_cli = AppGroup("places", help="Manage the places of the guide.")


@places_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def load_command(path: Path) -> None:
    """Validate PATH against the schema, then upsert every place by slug. A file over 512 KB, or
    one whose aliases or nesting go past the schema's bounds, is refused before it is checked."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:  # before reading it all in
            raise InvalidPlaces([Problem(str(path), 1, "(file)", too_big_message())])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: cannot read the file: {error}") from error
    except InvalidPlaces as invalid:
        _refuse(path, invalid)
    try:
        parsed = parse_places(text, str(path), tuple(current_app.config["LANGUAGES"]))
    except InvalidPlaces as invalid:
        _refuse(path, invalid)
    if reason := schema_missing():
        raise click.ClickException(reason)
    try:
        result = load_places(parsed, clock.now())
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        raise click.ClickException(
            f"database error, nothing was changed: {error.__class__.__name__}: {database_error_line(error)}"
        ) from error
    click.echo(
        f"{path}: {len(result.created)} created, {len(result.updated)} updated, {len(result.unchanged)} unchanged."
    )
    for slug in result.unlisted:
        click.echo(
            f"{slug}: no longer in {path.name}; hidden from the guide, its history kept. "
            f"Put it back in the file to list it again.",
            err=True,
        )


def _refuse(path: Path, invalid: InvalidPlaces) -> NoReturn:
    for problem in invalid.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{path}: {len(invalid.problems)} problem(s); the database was not changed.", err=True)
    raise SystemExit(1) from None


@click.group("forecast", cls=AppGroup)
@with_appcontext
def forecast_cli() -> None:
    """Check the bloom forecasts against recorded seasons."""
    if reason := schema_missing():
        raise click.ClickException(reason)


@forecast_cli.command("backtest")
def backtest_command() -> None:
    """Replay every recorded season: forecast each point from what was known on each earlier
    day, and print the error in days next to the usual window's."""
    replayed = seasons.replays()
    trials = [t for r in replayed for t in r.trials]
    click.echo(
        f"{'place':<28} {'plant':<14} {'season':<8} {'known on':<10} {'point':<10} {'observed':<10} "
        f"{'forecast':<23} {'err':>4} {'usual':<10} {'err':>4}"
    )
    for replay in replayed:
        for t in replay.trials:
            click.echo(
                f"{replay.plant.place.slug:<28} {replay.plant.key:<14} {t.season:<8} {t.known_on} {t.point:<10} "
                f"{t.observed} {t.forecast.start}..{t.forecast.end} {t.forecast_error:>4} {t.usual} {t.usual_error:>4}"
            )
    forecast_error, usual_error = mean_errors(trials)
    used = sum(1 for r in replayed if r.trials)
    click.echo(f"{len(replayed)} recorded season(s), {used} with a later point to forecast; {len(trials)} forecast(s).")
    if trials:
        click.echo(f"Mean absolute error: forecast {forecast_error:.1f} days, usual window {usual_error:.1f} days.")
    else:
        click.echo("Nothing to compare yet: no recorded season has points seen on two different days.")
