"""Staff pages under /<lang>/staff/ for a place's editors: this year's festival dates and notices
for visitors. Reporting bloom is guide.staff.views; both share the staff layout and login."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from guide.core import clock
from guide.core.festivals import Standing
from guide.core.i18n import add_language_prefix, plain
from guide.extensions import db
from guide.places import queries
from guide.places.models import Festival, Notice, Place
from guide.site.errors import error_page
from guide.site.views import never_store
from guide.staff.forms import CsrfOnlyForm, EditionForm, NoticeForm
from guide.staff.operations import AlreadyFiled, NotAllowed, Outdated, post_notice, set_edition, withdraw_notice

bp = Blueprint("editing", __name__, url_prefix="/<lang>/staff")
bp.after_request(never_store)
add_language_prefix(bp)


@bp.get("/places/<slug>/edit")
@login_required
def place(slug: str):
    found = _editable_place(slug)
    return _page(found, NoticeForm(formdata=None, starts_on=clock.today()))


@bp.post("/places/<slug>/notices")
@login_required
def notice(slug: str):
    found = _editable_place(slug)
    form = NoticeForm()
    if not form.validate():
        return _page(found, form, message=_("Please correct the marked fields."), status=400)
    try:
        post_notice(current_user, found, form.kind.data, form.text(), _span(form), clock.now(), form.submission.data)
        db.session.commit()
    except (AlreadyFiled, IntegrityError):  # IntegrityError: the same key, committed meanwhile
        db.session.rollback()  # posted by the first send: this one is told the same
    flash(_("The notice is posted."))
    return redirect(url_for("editing.place", slug=found.slug))


@bp.post("/notices/<int:notice_id>/withdraw")
@login_required
def withdraw(notice_id: int):
    found = db.session.get(Notice, notice_id)
    if found is None:
        abort(404)
    try:
        withdraw_notice(current_user, found, clock.now())
    except NotAllowed:
        abort(403)
    db.session.commit()
    flash(_("The notice was withdrawn: it no longer shows."))
    return redirect(url_for("editing.place", slug=found.place.slug))


@bp.post("/places/<slug>/festivals/<key>")
@login_required
def edition(slug: str, key: str):
    found = _editable_place(slug)
    festival = next((f for f in found.festivals if f.key == key and f.listed), None)
    if festival is None:
        abort(404)
    form = EditionForm()
    if not form.validate():
        return _page(
            found, NoticeForm(formdata=None), {festival.key: form}, _("Please correct the marked fields."), 400
        )
    dates = (form.start.data, form.end.data)
    source = (form.source.data or "").strip() or None
    try:
        set_edition(
            current_user, festival, dates[0].year, dates, form.cancelled.data, source, form.sequence.data, clock.now()
        )
    except Outdated:
        db.session.rollback()
        message = _("Someone changed these dates in the meantime; nothing was saved. Check them and send again.")
        return _page(found, NoticeForm(formdata=None), message=message, status=409)
    db.session.commit()
    flash(_("%(festival)s: the dates are saved.", festival=plain(festival.name)))
    return redirect(url_for("editing.place", slug=found.slug))


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """An expired, missing or forged token: nothing is written; the page comes back."""
    found = queries.listed_place((request.view_args or {}).get("slug") or "")
    if found is None or not current_user.is_authenticated:
        return error_page(404 if current_user.is_authenticated else 403)
    if not current_user.can_edit(found):
        return error_page(403)
    notice_form = NoticeForm(formdata=request.form if request.endpoint == "editing.notice" else None)
    return _page(
        found, notice_form, message=_("The page had expired, so nothing was sent. Please send it again."), status=400
    )


def _editable_place(slug: str) -> Place:
    found = queries.place_or_404(slug)
    if not current_user.can_edit(found):
        abort(403)
    return found


def _span(form: NoticeForm) -> tuple[datetime, datetime | None]:
    """Whole days in Jiading: from the first day's midnight to the midnight after the last."""
    start = datetime.combine(form.starts_on.data, time(), clock.LOCAL_ZONE)
    last = form.ends_on.data
    return start, datetime.combine(last + timedelta(days=1), time(), clock.LOCAL_ZONE) if last else None


def _edition_forms(place: Place, today: date) -> dict[str, EditionForm]:
    forms = {}
    for festival in place.festivals:
        upcoming = [e for e in festival.upcoming(today) if e.standing is not Standing.CANCELLED] or festival.upcoming(
            today
        )
        if not upcoming:
            continue
        shown = upcoming[0]
        forms[festival.key] = EditionForm(
            formdata=None,
            start=shown.start,
            end=shown.end,
            cancelled=shown.cancelled,
            sequence=shown.sequence,
        )
    return forms


def _page(
    place: Place,
    notice_form: NoticeForm,
    edition_forms: dict[str, EditionForm] | None = None,
    message: str | None = None,
    status: int = 200,
):
    now, today = clock.now(), clock.today()
    forms = {**_edition_forms(place, today), **(edition_forms or {})}
    festivals: list[Festival] = [f for f in place.festivals if f.listed and f.key in forms]
    return render_template(
        "staff/edit.html",
        place=place,
        notice_form=notice_form,
        festivals=festivals,
        edition_forms=forms,
        upcoming={f.key: f.upcoming(today) for f in festivals},
        notices=queries.place_notices(place, now),
        withdraw_form=CsrfOnlyForm(),
        message=message,
        now=now,
        today=today,
    ), status
