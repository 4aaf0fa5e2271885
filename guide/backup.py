"""`flask --app guide export FILE` and `import FILE`: the whole database in one JSON file.

The file holds every table of the schema, row by row, with the migration it was written at
(docs/backup.md describes it). It restores into an empty database at that same migration, in
one transaction: all of it or nothing. It holds the staff's password hashes, so it is written
readable by its owner only, and both commands say that it is secret.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from datetime import date, datetime
from pathlib import Path

import click
from alembic.migration import MigrationContext
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Date, LargeBinary, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from guide.backup_checks import problems
from guide.core import clock
from guide.extensions import UTCDateTime, database_error_line, db, schema_missing

FORMAT = "jiading-bloom-guide-backup"
VERSION = 1
WARNING = (
    "SECRET: this file holds the staff's password hashes. Keep it where only the people "
    "who run the guide can read it, and delete copies you no longer need."
)


class BadBackup(ValueError):
    """The file cannot be restored; the message says where and why."""


def _tables():
    """Every table, parents before children (the order rows can be inserted in)."""
    return db.metadata.sorted_tables


def schema_revision() -> str | None:
    return MigrationContext.configure(db.session.connection()).get_current_revision()


# Pure: rows to and from JSON values, by column type.


def _to_json(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):  # the photos themselves
        return base64.b64encode(value).decode("ascii")
    return value


def _from_json(column, value, where: str):
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        try:
            return base64.b64decode(value, validate=True)
        except (TypeError, ValueError) as error:  # binascii.Error is a ValueError
            raise BadBackup(f"{where}: not base64 ({error})") from error
    try:
        if isinstance(column.type, UTCDateTime):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("a time without its zone")
            return moment
        if isinstance(column.type, Date):
            return date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise BadBackup(
            f"{where}: {value!r} is not a {'date' if isinstance(column.type, Date) else 'time'} in ISO 8601 ({error})"
        ) from error
    return value


SHOWN_PROBLEMS = 20


def rows_for_insert(table, rows, file: str, languages: tuple[str, ...], today: date) -> list[dict]:
    """Check one table's rows against its columns and against what the loader, the forms and
    the upload would have written (guide.backup_checks), and convert them back from JSON. Free
    text comes back cleaned as the forms clean it; anything else wrong is a BadBackup naming
    the table, the row (its index and id) and the column, for every row wrong (the first 20)."""
    if not isinstance(rows, list):
        raise BadBackup(f"{file}: tables.{table.name} must be a list of rows")
    names = {c.name for c in table.columns}
    converted, found = [], []
    for number, row in enumerate(rows):
        where = f"{file}: tables.{table.name}[{number}]"
        if not isinstance(row, dict):
            raise BadBackup(f"{where}: a row must be an object of column: value")
        if unknown := sorted(row.keys() - names):
            raise BadBackup(f"{where}: unknown column {unknown[0]!r}")
        if missing := sorted(c.name for c in table.columns if c.name not in row and not c.nullable):
            raise BadBackup(f"{where}: missing column {missing[0]!r}")
        values = {c.name: _from_json(c, row.get(c.name), f"{where}.{c.name}") for c in table.columns}
        named = f"{where} (id {row['id']!r})" if "id" in row else where
        found += [f"{named}.{column}: {message}" for column, message in problems(table, values, languages, today)]
        converted.append(values)
    if found:
        more = f"\n… and {len(found) - SHOWN_PROBLEMS} more" if len(found) > SHOWN_PROBLEMS else ""
        raise BadBackup("\n".join(found[:SHOWN_PROBLEMS]) + more)
    return converted


# Against the database.


def dump() -> dict:
    """The whole database as one JSON-ready document, read in one snapshot."""
    if db.session.get_bind().dialect.name == "postgresql":  # every table as of one moment
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    tables = {}
    for table in _tables():
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns))
        tables[table.name] = [{k: _to_json(v) for k, v in row._mapping.items()} for row in rows]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "schema": schema_revision(),
        "exported_at": clock.now().isoformat(),
        "warning": WARNING,
        "tables": tables,
    }
    db.session.rollback()
    return document


def restore(document, file: str) -> dict[str, int]:
    """Insert every row of a backup into an empty database (flushes; the caller commits)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadBackup(f'{file}: not a backup of this guide (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise BadBackup(f"{file}: backup format version {document.get('version')!r}; this guide reads {VERSION}")
    here = schema_revision()
    if document.get("schema") != here:
        raise BadBackup(
            f"{file}: written at migration {document.get('schema')!r}, but this database is at "
            f"{here!r}: restore it with the guide's version of that time, then upgrade"
        )
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise BadBackup(f'{file}: "tables" must be an object of table name: rows')
    known = {t.name: t for t in _tables()}
    if unknown := sorted(tables.keys() - known.keys()):
        raise BadBackup(f"{file}: unknown table {unknown[0]!r}")
    filled = {
        name: n for name, table in known.items() if (n := db.session.scalar(select(func.count()).select_from(table)))
    }
    if filled:
        raise BadBackup(
            "the database is not empty ("
            + ", ".join(f"{name}: {n}" for name, n in filled.items())
            + "): import restores into a new database made by `flask --app guide db upgrade`"
        )
    # Every table checked before the first row is written: a bad row refuses the whole file.
    languages, today = tuple(current_app.config["LANGUAGES"]), clock.today()
    checked, found = {}, []
    for name, table in known.items():
        try:
            checked[name] = rows_for_insert(table, tables.get(name, []), file, languages, today)
        except BadBackup as bad:
            found.append(str(bad))
    if found:
        raise BadBackup("\n".join(found))
    counts = {}
    for name, table in known.items():
        if checked[name]:
            db.session.execute(table.insert(), checked[name])
        counts[name] = len(checked[name])
    _move_sequences_past_the_restored_ids()
    db.session.flush()
    return counts


def _move_sequences_past_the_restored_ids() -> None:
    """PostgreSQL hands out ids from sequences, which rows inserted with their ids do not move."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        if table.primary_key.columns.keys() == ["id"]:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


# The commands.


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(path: Path) -> None:
    """Write the whole database (places, reports, photos, staff) to PATH."""
    if reason := schema_missing():
        raise click.ClickException(reason)
    document = dump()
    # Readable by its owner only from the first byte, and never half-written: a temporary
    # file beside it, renamed into place.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=1)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    counts = ", ".join(f"{name}: {len(rows)}" for name, rows in document["tables"].items())
    click.echo(f"{path}: exported {counts}.")
    click.echo(f"{path} holds the staff's password hashes: keep it secret (it is readable by you only).", err=True)


def _not_imported(reason: str) -> click.ClickException:
    return click.ClickException(f"{reason}. Nothing was imported.")


# A backup is read whole into memory (JSON is), so its size is bounded: a guide's photos take
# about 0.3 MB each in the file, so 1 GB is some 3,000 photos; a larger guide says so with
# --max-mb (docs/backup.md).
MAX_MB = 1024


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--max-mb", type=click.IntRange(min=1), default=MAX_MB, show_default=True, help="Refuse a larger file.")
@with_appcontext
def import_command(path: Path, max_mb: int) -> None:
    """Restore PATH, written by `export`, into an empty database."""
    if reason := schema_missing():
        raise click.ClickException(reason)
    try:
        if (size := path.stat().st_size) > max_mb * 1024 * 1024:
            raise _not_imported(
                f"{path}: {size / 1024 / 1024:.0f} MB, larger than {max_mb} MB (if it is a backup of this guide, "
                "import it with a larger --max-mb)"
            )
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise _not_imported(f"{path}: cannot read the file: {error}") from error
    except json.JSONDecodeError as error:
        raise _not_imported(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from error
    except RecursionError:
        raise _not_imported(f"{path}: nested too deep to be a backup of this guide") from None
    try:
        counts = restore(document, str(path))
        db.session.commit()
    except BadBackup as error:
        db.session.rollback()
        raise _not_imported(str(error)) from error
    except SQLAlchemyError as error:
        db.session.rollback()
        raise _not_imported(f"{path}: the database refused the rows: {database_error_line(error)}") from error
    click.echo(f"{path}: imported " + ", ".join(f"{name}: {n}" for name, n in counts.items()) + ".")
    click.echo(f"{path} holds the staff's password hashes: keep it secret.", err=True)
