"""The installable app, checked without a browser: the manifest in each language, the icons, the
worker's script and what it is told to keep; the browser's side is test_offline_browser.py."""

from __future__ import annotations

import dataclasses
import io
import json
import re

import pytest
from PIL import Image


@pytest.mark.parametrize(("lang", "name"), [("en", "Jiading Bloom Guide"), ("zh", "嘉定花信")])
def test_the_manifest_names_the_app_in_each_language_with_its_own_icons(client, lang, name):
    response = client.get(f"/{lang}/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"] == name and manifest["short_name"] and len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == f"/{lang}/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert manifest["lang"] == ("zh-Hans" if lang == "zh" else "en")
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"]) and manifest["background_color"]
    sizes = {}
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/assets/")  # our own origin
        served = client.get(icon["src"])
        assert served.status_code == 200 and served.mimetype == icon["type"]
        if icon["type"] == "image/png":
            image = Image.open(io.BytesIO(served.data))
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes[(icon["sizes"], icon.get("purpose", "any"))] = image
    # What an install asks for: 192 and 512, plain and maskable.
    assert set(sizes) == {(s, p) for s in ("192x192", "512x512") for p in ("any", "maskable")}
    plain, maskable = sizes[("512x512", "any")].convert("RGBA"), sizes[("512x512", "maskable")].convert("RGBA")
    assert plain.getpixel((0, 0))[3] == 0 and maskable.getpixel((0, 0))[3] == 255  # rounded; full bleed
    heart = maskable.getpixel((256, 256))[:3]  # the blossom's heart, in the middle
    assert all(abs(a - b) <= 8 for a, b in zip(heart, (0xF0, 0xC2, 0x3B), strict=True)), heart


def test_every_page_links_the_manifest_and_registers_the_worker_after_load(client):
    html = client.get("/zh/places/guyi-garden").get_data(as_text=True)
    assert '<link rel="manifest" href="/zh/manifest.webmanifest">' in html
    (inline,) = re.findall(r"<script>(.*?)</script>", html)  # the only inline script
    assert inline.startswith('addEventListener("load"') and 'register("/sw.js")' in inline
    policy = client.get("/zh/places/guyi-garden").headers["Content-Security-Policy"]
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'(;|$)", policy)  # that script, by its hash


def worker_setup(client) -> dict:
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"  # a deploy reaches phones at once
    body = response.get_data(as_text=True)
    assert "importScripts(GUIDE.workbox)" in body and "googleapis" not in body  # no CDN
    return json.loads(re.match(r"self\.GUIDE = (.*);\n", body).group(1))


def test_the_worker_keeps_our_assets_and_each_languages_saved_page_under_its_version(client, guide_app):
    setup = worker_setup(client)
    shell = [entry if isinstance(entry, str) else entry["url"] for entry in setup["shell"]]
    assert {"/en/saved", "/zh/saved"} <= set(shell)
    for url in shell:
        assert client.get(url).status_code == 200, url
    assets = guide_app.extensions["guide.assets"]
    assert {f"/assets/{assets[name].hashed_name}" for name in ("style.css", "map.js", "leaflet.js")} <= set(shell)
    assert client.get(setup["workbox"]).status_code == 200
    assert set(setup["words"]) == {"en", "zh-Hans"} and "{when}" in setup["words"]["zh-Hans"]["saved"]
    # A deploy that changes one asset is a new version, naming the new asset.
    style = assets["style.css"]
    guide_app.extensions["guide.assets"] = {
        **assets,
        "style.css": dataclasses.replace(style, hashed_name="style.abc.css"),
    }
    changed = worker_setup(client)
    assert changed["version"] != setup["version"] and "/assets/style.abc.css" in changed["shell"]
    assert changed["assets"]["style.css"] == "/assets/style.abc.css"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_saved_pages_page_is_in_the_pages_language_and_says_nothing_without_its_script(client, lang):
    html = client.get(f"/{lang}/saved").get_data(as_text=True)
    assert f'<html lang="{"zh-Hans" if lang == "zh" else "en"}"' in html
    assert re.search(r"<div class=\"saved\" data-saved hidden", html)  # the lists appear when saved.js runs
    assert "data-no-keeping" in html


def test_keep_for_offline_names_the_pages_of_a_place_a_plan_and_a_handout(client, freeze):
    freeze("2026-04-10 09:00")

    def kept(url):
        html = client.get(url).get_data(as_text=True)
        return json.loads(re.search(r"data-keep='([^']*)'", html).group(1).replace("&#34;", '"'))

    assert kept("/en/places/guyi-garden") == [
        "/en/places/guyi-garden",
        "/en/places/guyi-garden/taxi",
        "/en/places/guyi-garden/card",
        "/en/places/guyi-garden/map.json",
    ]
    trip = kept("/zh/places/guyi-garden?from=2026-04-15&to=2026-04-16&utm_source=x")
    assert trip[0] == "/zh/places/guyi-garden?from=2026-04-15&to=2026-04-16" and all("utm" not in u for u in trip)
    plan = kept("/en/plan?from=2026-04-15&to=2026-04-17")
    assert plan[0] == "/en/plan?from=2026-04-15&to=2026-04-17" and any(u.endswith("/taxi") for u in plan)
    handout = kept("/en/concierge?place=guyi-garden&place=qiuxia-garden&from=2026-04-15&to=2026-04-16")
    assert handout[0] == "/en/concierge?place=guyi-garden&place=qiuxia-garden&from=2026-04-15&to=2026-04-16"
    assert "/en/places/qiuxia-garden/card?from=2026-04-15&to=2026-04-16" in handout
    for url in plan + handout:
        assert client.get(url).status_code == 200, url
    assert "data-keep=" not in client.get("/en/plan").get_data(as_text=True)  # nothing planned, nothing to keep


def test_without_workboxs_runtime_the_guide_is_served_without_its_worker(guide_app):
    assets = guide_app.extensions["guide.assets"]
    guide_app.extensions["guide.assets"] = {k: v for k, v in assets.items() if k != "workbox.js"}
    client = guide_app.test_client()
    assert client.get("/sw.js").status_code == 404
    assert client.get("/en/places/guyi-garden").status_code == 200


def test_a_form_sent_from_the_phones_queue_is_told_its_outcome_in_a_status(client, login_as, guide_app):
    """What the worker's queue reads (guide/static/sw.js): 204 filed, 204 already filed (the
    same submission key), 409 a newer report, 400 expired token, 401 logged out."""
    from tests.conftest import csrf_token
    from tests.test_staff_reports import plant_ids

    login_as("qian", "guyi-garden")
    page = client.get("/zh/staff/places/guyi-garden").get_data(as_text=True)
    token = csrf_token(page)
    plant = plant_ids(guide_app, "guyi-garden")["wintersweet"]
    version = re.search(rf'id="p{plant}-version"[^>]*value="(\d*)"', page).group(1)
    queued = {"X-Queued": "1"}
    form = {"csrf_token": token, "submission": "k" * 32, f"p{plant}-stage": "budding", f"p{plant}-version": version}
    first = client.post("/zh/staff/places/guyi-garden/report", data=form, headers=queued)
    assert first.status_code == 204 and first.headers["X-Outcome"] == "filed"
    again = client.post("/zh/staff/places/guyi-garden/report", data=form, headers=queued)
    assert again.status_code == 204 and again.headers["X-Outcome"] == "already"
    stale = client.post(
        "/zh/staff/places/guyi-garden/report", data={**form, "submission": "m" * 32}, headers=queued
    )  # the version the form was opened with is no longer the latest
    assert stale.status_code == 409
    expired = client.post("/zh/staff/places/guyi-garden/report", data={**form, "csrf_token": "x"}, headers=queued)
    assert expired.status_code == 400 and expired.headers["X-Outcome"] == "expired"
    client.post("/zh/staff/logout", data={"csrf_token": token})
    client.delete_cookie("session")
    out = client.post("/zh/staff/places/guyi-garden/report", data=form, headers=queued)
    assert out.status_code == 401 and out.headers["X-Outcome"] == "login"
    # Without the header, the same forms answer as pages, as they always have.
    assert client.post("/zh/staff/places/guyi-garden/report", data=form).status_code == 302


def test_a_response_that_sets_a_cookie_is_never_stored(client, login_as, guide_app):
    """The worker cannot see Set-Cookie; it keeps nothing marked no-store, so the server marks
    every response that sets a cookie."""
    choose = client.get("/language/en?next=/en/places/guyi-garden")
    assert "Set-Cookie" in choose.headers and "no-store" in choose.headers["Cache-Control"]
    login_as("wu", "guyi-garden")
    staff = client.get("/en/staff/places/guyi-garden")
    assert "no-store" in staff.headers["Cache-Control"]
    # Logged in, even a public page refreshes the session cookie: that answer is this person's.
    assert "no-store" in client.get("/en/places/guyi-garden").headers["Cache-Control"]
    public = guide_app.test_client().get("/en/places/guyi-garden")  # a visitor: no cookie, kept
    assert "Set-Cookie" not in public.headers and "no-store" not in public.headers.get("Cache-Control", "")
