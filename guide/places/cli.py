"""`flask --app guide places load FILE`: validate the whole file, then upsert it in one go."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from guide.core import clock
from guide.extensions import database_error_line, db, schema_missing
from guide.places.operations import load_places
from guide.places.schema import InvalidPlaces, parse_places

places_cli = AppGroup("places", help="Manage the places of the guide.")


@places_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def load_command(path: Path) -> None:
    """Validate PATH against the schema, then upsert every place by slug."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: cannot read the file: {error}") from error
    try:
        parsed = parse_places(text, str(path), tuple(current_app.config["LANGUAGES"]))
    except InvalidPlaces as invalid:
        for problem in invalid.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{path}: {len(invalid.problems)} problem(s); the database was not changed.", err=True)
        raise SystemExit(1) from None
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
