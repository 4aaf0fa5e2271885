"""`flask --app guide staff …`: accounts for park staff. Passwords come from a prompt or
standard input, never from an argument (arguments end up in shell history and `ps`)."""

from __future__ import annotations

import sys
import unicodedata
from datetime import datetime

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from guide.core import clock
from guide.extensions import db, schema_missing
from guide.places.models import BloomReport, Place
from guide.staff import operations
from guide.staff.models import USERNAME_MAX, Staff, find_staff, username_key


@click.group("staff", cls=AppGroup)
@with_appcontext
def staff_cli() -> None:
    """Manage park staff accounts."""
    if reason := schema_missing():
        raise click.ClickException(reason)


MIN_PASSWORD = 10
MAX_PASSWORD = 200  # what the login form takes


def _password() -> str:
    """Ask twice on a terminal; read one line when standard input is a pipe."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise click.ClickException(f"the password may have at most {MAX_PASSWORD} characters")
    return password


def _staff(username: str) -> Staff:
    staff = find_staff(username)
    if staff is None:
        raise click.ClickException(f"no staff member called {username!r}")
    return staff


def _place(slug: str) -> Place:
    place = db.session.scalar(select(Place).where(Place.slug == slug))
    if place is None:
        raise click.ClickException(f"no place with the slug {slug!r} (see data/places.yaml)")
    return place


@staff_cli.command("add")
@click.argument("username")
@click.option("--place", "slugs", multiple=True, help="A place this person reports on (repeatable).")
@click.option("--admin", is_flag=True, help="May report on every place and retract reports.")
def add_command(username: str, slugs: tuple[str, ...], admin: bool) -> None:
    """Create a staff account; the password is asked for."""
    username = unicodedata.normalize("NFC", username)
    if (
        not (1 <= len(username) <= USERNAME_MAX)
        or any(c.isspace() or unicodedata.category(c).startswith("C") for c in username)
        or len(username_key(username)) > 255
    ):
        raise click.ClickException(f"a username is 1–{USERNAME_MAX} characters without spaces or control characters")
    if existing := find_staff(username):
        raise click.ClickException(
            f"{existing.username!r} exists already (names differ by more than case); "
            "use `staff passwd` or `staff grant`"
        )
    places = [_place(slug) for slug in slugs]
    if not places and not admin:
        raise click.ClickException("give at least one --place, or --admin")
    operations.add_staff(username, _password(), places, admin, clock.now())
    db.session.commit()
    click.echo(f"{username}: created{' (admin)' if admin else ''}{': ' + ', '.join(slugs) if slugs else ''}.")


@staff_cli.command("passwd")
@click.argument("username")
def passwd_command(username: str) -> None:
    """Set a new password; it is asked for. Every session of the person ends."""
    staff = _staff(username)
    operations.set_password(staff, _password())
    db.session.commit()
    click.echo(f"{staff.username}: password changed; logged out everywhere.")


@staff_cli.command("logout")
@click.argument("username")
def logout_command(username: str) -> None:
    """End every session of a staff member (a lost phone); they log in again."""
    staff = _staff(username)
    operations.end_sessions(staff)
    db.session.commit()
    click.echo(f"{staff.username}: logged out everywhere.")


@staff_cli.command("disable")
@click.argument("username")
def disable_command(username: str) -> None:
    """Stop an account at once: its sessions end, it cannot log in; its reports stay."""
    staff = _staff(username)
    changed = operations.disable(staff, clock.now())
    db.session.commit()
    click.echo(f"{staff.username}: {'disabled' if changed else 'was disabled already'}; logged out everywhere.")


@staff_cli.command("enable")
@click.argument("username")
def enable_command(username: str) -> None:
    """Let a disabled account log in again."""
    staff = _staff(username)
    changed = operations.enable(staff)
    db.session.commit()
    click.echo(f"{staff.username}: {'enabled' if changed else 'was not disabled'}.")


@staff_cli.command("grant")
@click.argument("username")
@click.argument("slug")
@click.option("--editor", is_flag=True, help="Also set its festival dates and post its notices.")
def grant_command(username: str, slug: str, editor: bool) -> None:
    """Let a staff member report on a place (and, with --editor, keep its dates and notices)."""
    staff, place = _staff(username), _place(slug)
    changed = operations.grant(staff, place)
    edits = operations.grant_editing(staff, place) if editor else False
    db.session.commit()
    click.echo(f"{staff.username}: {'may now report on' if changed else 'could already report on'} {slug}.")
    if editor:
        click.echo(f"{staff.username}: {'may now edit' if edits else 'could already edit'} {slug}'s dates and notices.")


@staff_cli.command("revoke")
@click.argument("username")
@click.argument("slug")
@click.option("--editor", is_flag=True, help="Only stop editing its dates and notices; keep reporting.")
def revoke_command(username: str, slug: str, editor: bool) -> None:
    """Stop a staff member reporting on a place and editing it (their past reports stay);
    with --editor, stop the editing alone."""
    staff, place = _staff(username), _place(slug)
    if editor:
        changed = operations.revoke_editing(staff, place)
        db.session.commit()
        click.echo(f"{staff.username}: {'no longer edits' if changed else 'did not edit'} {slug}'s dates and notices.")
        return
    edited = place in staff.edits
    changed = operations.revoke(staff, place)
    db.session.commit()
    click.echo(f"{staff.username}: {'no longer reports on' if changed else 'did not report on'} {slug}.")
    if edited:
        click.echo(f"{staff.username}: no longer edits {slug}'s dates and notices either.")


@staff_cli.command("list")
def list_command() -> None:
    """Every staff member, the places they report on and edit, and their last report."""
    last: dict[int, datetime] = dict(
        db.session.execute(
            select(BloomReport.staff_id, func.max(BloomReport.reported_at)).group_by(BloomReport.staff_id)
        )
        .tuples()
        .all()
    )
    for staff in db.session.scalars(select(Staff).order_by(Staff.username)):
        if staff.is_admin:
            places = "all places (admin)"
        else:
            reports = ", ".join(p.slug for p in staff.places) or "-"
            edits = ", ".join(p.slug for p in staff.editable_places) or "-"
            places = f"reports: {reports}\tedits: {edits}"
        seen = last.get(staff.id)
        when = seen.astimezone(clock.LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if seen else "never"
        disabled = "\tdisabled" if staff.disabled_at else ""
        click.echo(f"{staff.username}\t{places}\tlast report: {when}{disabled}")
