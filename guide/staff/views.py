"""Staff pages under /<lang>/staff/: log in, report a place's plants, confirm, review, retract."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import _, ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from guide.core import clock
from guide.core.i18n import add_language_prefix, plain
from guide.extensions import db, limiter, login_manager
from guide.places import queries
from guide.places.models import BloomReport, Photo, Place, Plant
from guide.site.errors import error_page
from guide.site.helpers import local_path
from guide.site.views import never_store
from guide.staff import devices
from guide.staff.forms import ConfirmForm, CrowdForm, CsrfOnlyForm, EnvelopeForm, LoginForm, PlantReportForm
from guide.staff.models import Staff, authenticate, new_submission_key
from guide.staff.operations import (
    AlreadyFiled,
    Conflict,
    NotAllowed,
    Observation,
    confirm_status,
    end_sessions,
    report_bloom,
    report_crowd,
    retract_report,
    start_session,
    store_photo,
)
from guide.staff.photos import PhotoError, clean_photo

bp = Blueprint("staff", __name__, url_prefix="/<lang>/staff")
bp.after_request(never_store)
add_language_prefix(bp)

# A report kept on a phone with no signal and sent later by the guide's service worker (its
# offline queue, docs/offline.md) says so; it is told the outcome in a status, not a page:
# 204 filed (or filed before: the submission key), 401 logged out, 400 with X-Outcome: expired
# for an expired form token (the worker takes a fresh one and sends again), 409 a newer report,
# 400 refused, 403 not this person's place.
QUEUED = "X-Queued"


def _done(response, outcome: str = "filed"):
    """The answer to a form that was filed: its page, or to the queue a bare status."""
    if request.headers.get(QUEUED):
        return "", 204, {"X-Outcome": outcome}
    return response


PHOTO_ERRORS = {
    "too-large": lambda: _("The photo is larger than 10 MB. Choose a smaller one."),
    "format": lambda: _("The photo must be a JPEG, PNG, WebP or HEIC image."),
    "not-an-image": lambda: _("This file is not a readable image (it may be damaged or cut short)."),
    "too-many-pixels": lambda: _("The photo has too many pixels. Choose a smaller one."),
}


@login_manager.user_loader
def load_staff(session_id: str) -> Staff | None:
    """The person a session cookie names, while its token is theirs (see Staff.session_token)."""
    staff_id, _sep, token = session_id.partition(":")
    if not (staff_id.isascii() and staff_id.isdigit() and len(staff_id) < 10 and token):
        return None  # a cookie from before session tokens, or made up
    staff = db.session.get(Staff, int(staff_id))
    return staff if staff is not None and staff.holds(token) else None


@login_manager.unauthorized_handler
def to_login():
    if request.headers.get(QUEUED):
        return "", 401, {"X-Outcome": "login"}
    flash(_("Please log in to continue."))
    return redirect(url_for("staff.login", lang=g.get("lang"), next=request.path))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    exempt_when=lambda: devices.known_device() is not None,
)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_USERNAME"], methods=["POST"], key_func=devices.attempt_key)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        staff = authenticate(form.username.data, form.password.data)
        if staff is not None:
            start_session(staff)
            db.session.commit()
            login_user(staff)
            session.permanent = True  # PERMANENT_SESSION_LIFETIME: 30 days on the phone
            response = redirect(local_path(form.next.data, url_for("staff.home")))
            return devices.remember(response, staff.username)
        form.password.errors.append(_("Wrong username or password."))
    return render_template("staff/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout():
    """Log out everywhere: every session of this person ends, on every device."""
    if current_user.is_authenticated:
        end_sessions(current_user)
        db.session.commit()
    logout_user()
    return redirect(url_for("places.home"))


@bp.get("/")
@login_required
def home():
    places = current_user_places()
    if len(places) == 1:
        return redirect(url_for("staff.place", slug=places[0].slug))
    seen = queries.sightings(places, clock.now(), clock.today())
    return render_template("staff/home.html", places=places, sightings=seen)


@bp.get("/places/<slug>")
@login_required
def place(slug: str):
    found = _allowed_place(slug)
    return _place_page(found, _blank_forms(found))


@bp.post("/places/<slug>/report")
@login_required
def report(slug: str):
    found = _allowed_place(slug)
    forms, photo_errors = _forms_from_request(found)
    # Every sub-form, so that every plant with a mistake is marked, not only the first.
    valid = [f.validate() for f in forms.values()]
    if not all(valid) or photo_errors:
        return _place_page(found, forms, photo_errors, message=_("Please correct the marked fields."), status=400)
    # A touched sub-form has a stage once validated; an untouched one reports nothing.
    chosen = [(plant, forms[plant.id], forms[plant.id].chosen_stage) for plant in found.listed_plants]
    observations = [
        Observation(plant, stage, form.percent_open.data, form.note(), _kept_photo(form), form.version.data)
        for plant, form, stage in chosen
        if stage is not None
    ]
    if not observations:
        return _place_page(found, forms, message=_("Nothing to send: choose a stage for a plant first."), status=400)
    try:
        report_bloom(current_user, observations, clock.now(), EnvelopeForm().submission.data)
        db.session.commit()
    except Conflict as conflict:
        db.session.rollback()
        for plant_id, newer in conflict.newer.items():
            forms[plant_id].version.data = newer.id  # resending now is a deliberate choice
        return _place_page(found, forms, conflict=conflict.newer, status=409)
    except (AlreadyFiled, IntegrityError):  # IntegrityError: the same key, committed meanwhile
        db.session.rollback()
        return _already_filed(found)
    flash(ngettext("%(num)d report sent. Thank you!", "%(num)d reports sent. Thank you!", len(observations)))
    return _done(redirect(url_for("staff.place", slug=found.slug)))


def _already_filed(place: Place, anchor: str | None = None):
    """The answer to a form sent again: what the first send was told, in other words."""
    flash(_("This form had already been sent: it was filed once, not twice."))
    return _done(redirect(url_for("staff.place", slug=place.slug, _anchor=anchor)), "already")


@bp.post("/plants/<id:plant_id>/confirm")
@login_required
def confirm(plant_id: int):
    plant = db.session.get(Plant, plant_id)
    if plant is None or not plant.place.listed:
        abort(404)
    if not current_user.can_report(plant.place):
        abort(403)
    form = ConfirmForm()
    sighting = queries.sightings_of([plant], clock.now(), clock.today())[0]
    try:
        confirm_status(current_user, plant, sighting.status, form.version.data, clock.now(), form.submission.data)
        db.session.commit()
    except Conflict as conflict:
        db.session.rollback()
        forms = _blank_forms(plant.place)
        return _place_page(plant.place, forms, conflict=conflict.newer, status=409)
    except (AlreadyFiled, IntegrityError):
        db.session.rollback()
        return _already_filed(plant.place, anchor=f"plant-{plant.id}")
    flash(_("%(plant)s: confirmed as %(stage)s.", plant=plain(plant.name), stage=sighting.shown.title))
    return _done(redirect(url_for("staff.place", slug=plant.place.slug, _anchor=f"plant-{plant.id}")))


@bp.post("/places/<slug>/crowd")
@login_required
def crowd(slug: str):
    found = _allowed_place(slug)
    form = CrowdForm()
    if not form.validate() or form.crowd is None:
        return _place_page(found, _blank_forms(found), crowd_form=form, status=400)
    try:
        report_crowd(current_user, found, form.crowd, clock.now(), form.submission.data)
        db.session.commit()
    except (AlreadyFiled, IntegrityError):
        db.session.rollback()
        return _already_filed(found, anchor="crowd")
    flash(_("Thank you. Visitors now see: %(level)s.", level=form.crowd.title))
    return _done(redirect(url_for("staff.place", slug=found.slug, _anchor="crowd")))


@bp.get("/places/<slug>/history")
@login_required
def history(slug: str):
    found = _allowed_place(slug)
    return render_template(
        "staff/history.html",
        place=found,
        reports=queries.place_reports(found),
        crowds=queries.place_crowd_reports(found),
        form=CsrfOnlyForm(),
        now=clock.now(),
    )


@bp.post("/reports/<id:report_id>/retract")
@login_required
def retract(report_id: int):
    found = db.session.get(BloomReport, report_id)
    if found is None:
        abort(404)
    try:
        retract_report(current_user, found, clock.now())
    except NotAllowed:
        abort(403)
    db.session.commit()
    flash(_("The report was retracted. The one before it stands again."))
    return redirect(url_for("staff.history", slug=found.plant.place.slug))


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """An expired, missing or forged token: nothing is written; the form comes back with what
    was typed (photos must be chosen again, as they were not kept), to send again."""
    if request.headers.get(QUEUED):
        return "", 400, {"X-Outcome": "expired"}
    slug = (request.view_args or {}).get("slug")
    if request.endpoint == "staff.report" and current_user.is_authenticated:
        found = queries.listed_place(slug) if slug else None
        if found is None:
            return error_page(404)
        if not current_user.can_report(found):
            return error_page(403)
        forms, photo_errors = _forms_from_request(found, keep_photos=False)
        return _place_page(
            found,
            forms,
            photo_errors,
            status=400,
            message=_(
                "The form had expired, so nothing was sent. What you typed is still here; "
                "choose any photos again, then send it."
            ),
        )
    if request.endpoint == "staff.login":
        form = LoginForm(formdata=None, username=request.form.get("username", ""), next=request.form.get("next", ""))
        form.password.errors = [_("The page had expired. Please enter your password again.")]
        return render_template("staff/login.html", form=form), 400
    flash(_("The page had expired. Please try again."))
    return redirect(url_for("staff.home"))


def current_user_places() -> list[Place]:
    if current_user.is_admin:
        return queries.listed_places()
    return [p for p in current_user.places if p.listed]


def _allowed_place(slug: str) -> Place:
    found = queries.place_or_404(slug)
    if not current_user.can_report(found):
        abort(403)
    return found


def _blank_forms(place: Place) -> dict[int, PlantReportForm]:
    latest = queries.latest_reports([p.id for p in place.listed_plants])
    return {
        plant.id: PlantReportForm(
            formdata=None,
            prefix=f"p{plant.id}",
            scale=plant.scale,
            version=latest[plant.id].id if plant.id in latest else 0,
        )
        for plant in place.listed_plants
    }


def _forms_from_request(place: Place, keep_photos: bool = True) -> tuple[dict[int, PlantReportForm], dict[int, str]]:
    """The submitted sub-forms; photos are cleaned and kept now, so they survive a re-render."""
    forms, errors = {}, {}
    for plant in place.listed_plants:
        prefix = f"p{plant.id}"
        upload = request.files.get(f"{prefix}-photo")
        form = PlantReportForm(
            request.form, prefix=prefix, scale=plant.scale, has_photo=bool(upload and upload.filename)
        )
        if upload and upload.filename and keep_photos:
            try:
                photo = store_photo(clean_photo(upload.read()), clock.now())
                db.session.commit()
                form.photo_ref.data = photo.sha256
            except PhotoError as error:
                errors[plant.id] = PHOTO_ERRORS[error.code]()
        forms[plant.id] = form
    return forms, errors


def _kept_photo(form: PlantReportForm) -> Photo | None:
    ref = form.photo_ref.data
    return db.session.scalar(select(Photo).where(Photo.sha256 == ref)) if ref else None


def _place_page(place: Place, forms, photo_errors=None, conflict=None, message=None, crowd_form=None, status=200):
    now = clock.now()
    seen = queries.sightings_of(place.listed_plants, now, clock.today())
    kept = {pid: _kept_photo(f) for pid, f in forms.items() if f.photo_ref.data}
    return render_template(
        "staff/place.html",
        place=place,
        sightings=seen,
        forms=forms,
        photo_errors=photo_errors or {},
        conflict=conflict or {},
        kept=kept,
        message=message,
        envelope=EnvelopeForm(),
        new_submission_key=new_submission_key,
        confirm_form=ConfirmForm(),
        crowd_form=crowd_form or CrowdForm(formdata=None),
        crowd=queries.crowds_now([place], now).get(place.id),
        now=now,
    ), status
