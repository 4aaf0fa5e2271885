"""Security headers, the proxy setting, and refusing to start on unsafe settings."""
import re

import pytest
from flask import request

from tests.conftest import make_app


def csp(response) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in response.headers["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize("url", ["/en/", "/zh/places/guyi-garden", "/en/calendar", "/en/staff/login",
                                 "/api/v1/places", "/en/places/nowhere", "/healthz"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    policy = csp(response)
    assert re.fullmatch(r"'self' 'nonce-[\w-]{20,}'", policy["script-src"])
    assert policy["img-src"] == "'self' data: https://tile.openstreetmap.org"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_the_nonce_changes_with_every_response(client):
    assert csp(client.get("/en/"))["script-src"] != csp(client.get("/en/"))["script-src"]


def test_pages_have_no_inline_script(client):
    for url in ("/en/", "/zh/places/guyi-garden", "/en/places/guyi-garden/card", "/en/concierge"):
        html = client.get(url).get_data(as_text=True)
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], url


def test_hsts_over_https(client):
    response = client.get("/en/", base_url="https://guide.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_forged_forwarded_for_is_ignored_without_a_proxy_setting(guide_app):
    seen = []
    guide_app.before_request(lambda: seen.append(request.remote_addr))
    guide_app.test_client().get("/healthz", headers={"X-Forwarded-For": "6.6.6.6"},
                                environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen == ["10.0.0.1"]


def test_behind_one_proxy_the_client_address_comes_from_it(tmp_path):
    app = make_app(tmp_path / "x.sqlite", PROXY_FIX_HOPS=1)
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    app.test_client().get("/healthz", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen == ["203.0.113.9"]  # the address the proxy saw, not what the client claimed


@pytest.mark.parametrize("key", [None, "dev-only-not-secret", "short"])
def test_production_refuses_a_missing_or_default_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY is missing or is the development default"):
        make_app(tmp_path / "x.sqlite", PRODUCTION=True, SECRET_KEY=key)


def test_production_starts_with_a_real_secret_key(tmp_path):
    assert make_app(tmp_path / "x.sqlite", PRODUCTION=True, SECRET_KEY="x" * 64)
