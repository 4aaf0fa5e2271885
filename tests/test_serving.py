"""Serving: compression, hashed immutable assets, revalidation, the page cache, /healthz."""

import gzip
import re

import brotli
import pytest

from tests.test_staff_reports import plant_ids, send


def asset_links(html):
    """Every asset a page names: in href and src, and those the map loads when wanted (data-map-…)."""
    return re.findall(r'(?:(?:href|src|data-map-css|data-map-scripts)="|(?<=\.js) )(/assets/[\w.-]+)', html)


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_and_assets_are_compressed(client, encoding, decode):
    page = client.get("/en/", headers={"Accept-Encoding": encoding})
    assert page.headers["Content-Encoding"] == encoding and "Accept-Encoding" in page.headers["Vary"]
    html = decode(page.data).decode()
    assert "What is blooming in Jiading now" in html
    for link in asset_links(html):
        asset = client.get(link, headers={"Accept-Encoding": encoding})
        assert asset.headers["Content-Encoding"] == encoding and decode(asset.data)
    for url in ("/api/v1/places", "/en/feed.atom", "/en/places/guyi-garden/bloom.ics"):
        assert client.get(url, headers={"Accept-Encoding": encoding}).headers.get("Content-Encoding") == encoding, url


def test_assets_have_content_hashed_names_and_are_immutable(client):
    links = asset_links(client.get("/en/places/guyi-garden").get_data(as_text=True))
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".", link) for link in links} >= {
        "/assets/style.css",
        "/assets/leaflet.css",
        "/assets/leaflet.js",
        "/assets/share.js",
        "/assets/map-load.js",
        "/assets/map.js",
    }
    for link in links:
        response = client.get(link)
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/assets/style.0000000000.css").status_code == 404


def test_pages_revalidate_with_an_etag(client):
    first = client.get("/zh/places/guyi-garden")
    assert first.headers["ETag"].startswith('W/"') and "no-cache" in first.headers["Cache-Control"]
    again = client.get("/zh/places/guyi-garden", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_report_shows_at_once_despite_the_cache(login_as, guide_app, freeze):
    freeze("2026-04-15 09:00")
    public = guide_app.test_client()
    before = public.get("/en/places/guyi-garden")
    assert "checked just now" not in before.get_data(as_text=True)
    staff = login_as("wang", "guyi-garden")
    send(staff, "guyi-garden", plant_ids(guide_app, "guyi-garden"), lang="en", peony={"stage": "fading"})
    after = public.get("/en/places/guyi-garden", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "checked just now" in after.get_data(as_text=True)


def test_repeated_visits_are_served_from_the_cache(guide_app, freeze, monkeypatch):
    freeze("2026-04-15 09:00")
    from guide.places import views

    calls = []
    real = views.queries.sightings
    monkeypatch.setattr(views.queries, "sightings", lambda *a: calls.append(1) or real(*a))
    client = guide_app.test_client()
    for _ in range(3):
        assert client.get("/en/calendar").status_code == 200
    assert len(calls) == 1


def test_staff_pages_are_never_stored(login_as):
    client = login_as("wang", "guyi-garden")
    response = client.get("/en/staff/places/guyi-garden")
    assert "no-store" in response.headers["Cache-Control"] and "ETag" not in response.headers


def test_healthz_answers_ok_while_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok\n"


def test_healthz_says_so_when_the_database_is_gone(tmp_path):
    from tests.conftest import make_app

    app = make_app(
        tmp_path / "x.sqlite",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/nope/x.sqlite",
        SQLALCHEMY_ENGINE_OPTIONS={},
    )  # SQLite cannot open a file in a missing folder
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and b"database unreachable" in response.data


def test_a_report_at_one_place_leaves_the_other_places_pages_cached(login_as, guide_app, freeze, monkeypatch):
    freeze("2026-04-15 09:00")
    from guide.places import views

    rendered = []
    real = views.queries.sightings
    monkeypatch.setattr(
        views.queries,
        "sightings",
        lambda places, *a: rendered.append(places[0].slug if len(places) == 1 else "all") or real(places, *a),
    )
    public = guide_app.test_client()
    pages = ["/en/places/guyi-garden", "/en/places/qiuxia-garden", "/en/places/huilongtan-park", "/en/"]
    for page in pages:
        public.get(page)
    rendered.clear()
    staff = login_as("wang", "guyi-garden")
    send(staff, "guyi-garden", plant_ids(guide_app, "guyi-garden"), lang="en", peony={"stage": "fading"})
    rendered.clear()  # the staff page's own rendering
    for page in pages:
        assert public.get(page).status_code == 200
    # Qiuxia Garden grows peony too, so the report moves its forecast; Huilongtan Park, with no
    # plant in common, came from the cache.
    assert rendered == ["guyi-garden", "qiuxia-garden", "all"]
    assert "checked just now" in public.get("/en/places/guyi-garden").get_data(as_text=True)
    assert "checked just now" in public.get("/en/").get_data(as_text=True)


def test_the_page_cache_keeps_only_200_answers_and_each_for_its_minute_only(guide_app, freeze):
    from guide.site.cache import cached_page

    calls = []

    @guide_app.get("/probe/<int:status>")
    @cached_page
    def probe(status: int):
        calls.append(status)
        return f"answer {len(calls)}", status, {"Location": "/en/"} if status == 302 else {}

    client = guide_app.test_client()
    freeze("2026-04-15 09:00:05")
    assert client.get("/probe/200").text == "answer 1"
    freeze("2026-04-15 09:00:59")
    assert client.get("/probe/200").text == "answer 1"  # the same minute: from the cache
    freeze("2026-04-15 09:01:00")
    assert client.get("/probe/200").text == "answer 2"  # "checked 1 minute ago" must move on
    for status in (302, 404, 503):
        first, second = client.get(f"/probe/{status}"), client.get(f"/probe/{status}")
        assert first.status_code == second.status_code == status and first.text != second.text
