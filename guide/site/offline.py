"""The guide as an installable web app that works with no signal (docs/offline.md).

- `/sw.js`, the service worker, at the root so that it sees every page: our own script
  (guide/static/sw.js) on Workbox's runtime from npm, served from our origin, with what it needs
  to know written in front of it (`self.GUIDE`): the version, the shell it keeps (every asset
  and each language's saved-pages page), the current name of each asset and the words of its
  notices in every language.
- `/<lang>/manifest.webmanifest`: the app's names in that language, its icons and colours.
- `/<lang>/saved`: what this phone has kept; the page the worker answers with, offline, for a
  page it never saved. Its list is read from the phone's caches by saved.js, never by the server.

The version is a digest of everything the shell is made of (the assets' hashed names, the
templates, the catalogs): a deploy that changes any of them installs a new worker, which
replaces the kept shell. Pages kept by the visitor stay; the worker points their asset links
at the new names when it serves them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from flask_babel import _, force_locale
from markupsafe import Markup

from guide.config import ROOT
from guide.core.i18n import add_language_prefix, html_lang, languages, page_lang
from guide.site.assets import STATIC, asset_url

bp = Blueprint("offline", __name__)
pages = Blueprint("saved", __name__, url_prefix="/<lang>")
add_language_prefix(pages)

# The worker is registered once the page has loaded, so that it adds no request before the load
# event; then "Keep for offline" loads its script where a page has the button. Inline, allowed
# by its hash in the Content-Security-Policy (guide/site/views.py), the only inline script.
REGISTER = (
    'addEventListener("load",function(){'
    'if("serviceWorker"in navigator)navigator.serviceWorker.register("/sw.js").catch(function(){});'
    'var k=document.querySelector("[data-keep-script]");'
    'if(k){var s=document.createElement("script");s.src=k.dataset.keepScript;document.head.appendChild(s)}})'
)
REGISTER_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(REGISTER.encode()).digest()).decode() + "'"


def registration() -> Markup:
    return Markup("<script>{}</script>").format(Markup(REGISTER))


THEME = "#5b2a86"
BACKGROUND = "#fbf9fc"
# How long a visitor waits for the network before the saved copy (seconds), and how many pages
# visited recently are kept, for how long (the day-packs the visitor keeps are kept until removed).
NETWORK_WAIT = 3
RECENT_PAGES = 60
RECENT_DAYS = 14
# The shell is every asset but these: the worker's own runtime (the browser keeps what a worker
# imports) and the icons a home screen reads once, at install.
NOT_IN_SHELL = frozenset({"workbox.js", "icon-512.png", "icon-maskable-192.png", "icon-maskable-512.png"})


def _version() -> str:
    assets = current_app.extensions["guide.assets"]
    digest = hashlib.sha256()
    for name in sorted(assets):
        digest.update(assets[name].hashed_name.encode())
    for folder, pattern in ((ROOT / "templates", "**/*.html"), (ROOT / "translations", "**/*.mo")):
        for path in sorted(Path(folder).glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _words() -> dict[str, dict[str, str]]:
    """The worker's notices, in every language (it picks the page's)."""
    found = {}
    for code in languages():
        with force_locale(code):
            found[html_lang(code)] = {
                "saved": _("Saved on this phone on %(when)s: it may be out of date.", when="{when}"),
                "list": _("Pages saved on this phone"),
                "path": url_for("saved.saved", lang=code),
            }
    return found


def _worker_script(assets: dict) -> str:
    """The worker's script for these assets: read and hashed once (templates, catalogs, sw.js
    from disk), since browsers ask for /sw.js on every page they open."""
    made = current_app.extensions.get("guide.worker")
    if made is not None and made[0] is assets:  # a deploy's assets are a new dict
        return made[1]
    version = _version()
    setup = {
        "version": version,
        "shell": [asset_url(name) for name in sorted(assets) if name not in NOT_IN_SHELL]
        + [{"url": url_for("saved.saved", lang=code), "revision": version} for code in languages()],
        "assets": {name: asset_url(name) for name in assets},
        "workbox": asset_url("workbox.js"),
        "words": _words(),
        "languages": {code: html_lang(code) for code in languages()},
        "networkWait": NETWORK_WAIT,
        "recentPages": RECENT_PAGES,
        "recentSeconds": RECENT_DAYS * 24 * 3600,
    }
    body = f"self.GUIDE = {json.dumps(setup, ensure_ascii=False)};\n" + (STATIC / "sw.js").read_text(encoding="utf-8")
    current_app.extensions["guide.worker"] = (assets, body)
    return body


@bp.get("/sw.js")
def worker():
    """The service worker: never cached by the browser's HTTP cache, so a deploy reaches it."""
    assets = current_app.extensions["guide.assets"]
    if "workbox.js" not in assets:
        abort(404)
    response = Response(_worker_script(assets), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@pages.get("/manifest.webmanifest")
def manifest():
    lang = page_lang()
    body = {
        "name": _("Jiading Bloom Guide"),
        "short_name": _("Bloom Guide"),
        "description": _("What is in flower in Jiading now, where, and how to get there."),
        "lang": html_lang(lang),
        "dir": "ltr",
        "id": "/",
        "start_url": url_for("places.home", lang=lang),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            {"src": asset_url("icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            *(
                {"src": asset_url(f"icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
                for size in (192, 512)
            ),
            *(
                {
                    "src": asset_url(f"icon-maskable-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "maskable",
                }
                for size in (192, 512)
            ),
        ],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@pages.get("/saved")
def saved():
    return render_template("site/saved.html")
