import re
from importlib.resources import files
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory, url_for

from guide.i18n import LANG_COOKIE, languages, negotiate
from guide.site.helpers import local_path

bp = Blueprint("site", __name__)

# Leaflet from the registry package installed at setup, served from our own origin.
LEAFLET_DIR = files("js_lib_leaflet") / "static" / "js_lib_leaflet"
ONE_YEAR = 365 * 24 * 3600


FRAMEABLE = {"embed.place"}


@bp.after_app_request
def framing(response):
    """No site may frame our pages (clickjacking), except the embeddable widget."""
    if request.endpoint in FRAMEABLE:
        response.headers["Content-Security-Policy"] = "frame-ancestors *"
    else:
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        response.headers["X-Frame-Options"] = "DENY"
    return response


@bp.get("/")
def root():
    """Send the visitor to the guide in their language."""
    response = redirect(url_for("places.home", lang=negotiate()), code=302)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/places/<slug>")
def place_link(slug: str):
    """The language-neutral link that concierges share: the place in the visitor's language."""
    response = redirect(url_for("places.place", lang=negotiate(), slug=slug), code=302)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/language/<code>")
def choose_language(code: str):
    """Remember an explicit choice of language, then go on to the page in that language."""
    if code not in languages():
        abort(404)
    target = local_path(request.args.get("next"), url_for("places.home", lang=code), prefix=f"/{code}/")
    response = redirect(target, code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


@bp.get("/photos/<name>")
def photo(name: str):
    """Report photos, cleaned and stored by content hash: they never change, so cache them."""
    if not re.fullmatch(r"[0-9a-f]{64}(-thumb)?\.jpg", name):
        abort(404)
    return send_from_directory(Path(current_app.instance_path) / "photos", name, max_age=ONE_YEAR)


@bp.get("/vendor/leaflet/<path:filename>")
def leaflet(filename: str):
    return send_from_directory(str(LEAFLET_DIR), filename, max_age=ONE_YEAR)
