from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as WerkzeugResponse

from guide.core.i18n import LANG_COOKIE, languages, negotiate
from guide.core.maps import TILES
from guide.extensions import db
from guide.site import cache, offline
from guide.site.assets import ONE_YEAR
from guide.site.helpers import local_path

bp = Blueprint("site", __name__)


def frameable(view):
    """Let other sites show this page in a frame (the embed widget); every other page refuses."""
    view.frameable = True
    return view


@bp.after_app_request
def security_headers(response):
    """CSP (scripts only from our own files, never inline but the worker's registration; images
    from us, data: and the tile hosts), no MIME sniffing, a careful referrer, HSTS over HTTPS."""
    tiles = TILES[current_app.config["MAP_TILES"]].origin
    view = current_app.view_functions.get(request.endpoint or "")
    ancestors = "*" if getattr(view, "frameable", False) else "'none'"
    response.headers["Content-Security-Policy"] = "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {offline.REGISTER_HASH}",  # and the worker's registration, inline
            # Calendar strips position their bands with style attributes; Leaflet styles by script.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: {tiles}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )
    if ancestors == "'none'":
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def revalidate(response: Response) -> Response | WerkzeugResponse:
    """For a feature whose pages are the same for every visitor (`bp.after_request(revalidate)`):
    an ETag, and revalidation on every visit (a report must show at once), answered with 304
    when nothing changed."""
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.cache_control.no_store:
        response.cache_control.public = True
        response.cache_control.no_cache = True
        response.add_etag(weak=True)
        return response.make_conditional(request)
    return response


def never_store(response: Response) -> Response:
    """For pages that carry a person's data or a CSRF token (`bp.after_request(never_store)`)."""
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/healthz")
def healthz():
    """For load balancers and monitors: the app answers and its database does (else 503). A page
    store (Redis) that cannot be written is said in the body ("degraded: …") with a 200: pages
    still render without it, so the server should stay in the pool, but someone should look."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return Response("database unreachable\n", status=503, mimetype="text/plain")
    if problem := cache.store_error():
        current_app.logger.warning("healthz: %s", problem)
        return Response(f"degraded: {problem}\n", mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")


@bp.get("/")
def root():
    """Send the visitor to the guide in their language."""
    response = redirect(url_for("places.home", lang=negotiate()), code=302)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/places/<slug>")
def place_link(slug: str):
    """The language-neutral link that concierges share: the place in the visitor's language."""
    # A card made for the guests' dates carries them: the guest's phone opens those days.
    dates: dict[str, Any] = {name: request.args[name][:40] for name in ("from", "to") if request.args.get(name)}
    response = redirect(url_for("places.place", lang=negotiate(), slug=slug, **dates), code=302)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/plan")
def plan_link():
    """The language-neutral link to a trip's plan: the same dates in the visitor's language."""
    dates: dict[str, Any] = {name: request.args[name][:40] for name in ("from", "to") if request.args.get(name)}
    response = redirect(url_for("places.plan", **{"lang": negotiate(), **dates}), code=302)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/language/<code>")
def choose_language(code: str):
    """Remember an explicit choice of language, then go on to the page in that language."""
    if code not in languages():
        abort(404)
    target = local_path(request.args.get("next"), url_for("places.home", lang=code), prefix=f"/{code}/")
    response = redirect(target, code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=ONE_YEAR, samesite="Lax", httponly=True, secure=request.is_secure)
    return response
