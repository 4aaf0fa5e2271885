"""The page cache under attack: query strings that would fill it or bypass it, links that would
copy them, and a Redis that is full or gone. Pages must answer from what they read, and a page
store that fails must cost speed, never an answer."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
import uuid
from html import unescape

import pytest
import redis

from tests.conftest import PASSWORD, login, make_app

# Pages with the query parameters they read; each is asked with others mixed in.
PAGES = [
    "/en/",
    "/zh/?kind=wisteria",
    "/en/places/guyi-garden",
    "/en/places/guyi-garden/history",
    "/en/places/guyi-garden/card",
    "/en/places/guyi-garden?from=2026-04-15&to=2026-04-18",
    "/en/places/guyi-garden/card?from=2026-04-15&to=2026-04-18",
    "/en/calendar?month=4",
    "/en/plan?from=2026-04-15&to=2026-04-18",
    "/en/concierge?place=guyi-garden",
    "/en/map.json",
    "/en/feed.atom",
    "/en/events.ics",
    "/api/v1/places",
    "/api/v1/plan?from=2026-04-15&to=2026-04-16",
]
NOISE = ["utm_source={}", "from=singlemessage&isappinstalled=0", "fbclid={}", "spm={}.0.0", "_={}", "endpoint={}"]

# Pages where `from` is the guests' first day read WeChat's `from=singlemessage` as no date at all.


def with_noise(page: str, noise: str) -> str:
    noise = noise.format(uuid.uuid4().hex)
    return f"{page}{'&' if '?' in page else '?'}{noise}"


def stored(app) -> set[str]:
    """The keys the page store holds now."""
    store = app.extensions["guide.page_cache"]
    if hasattr(store, "_cache"):  # cachelib's SimpleCache (one process)
        return set(store._cache)
    client, prefix = store._write_client, app.config["CACHE_KEY_PREFIX"]
    return {k.decode() for k in client.scan_iter(match=f"{prefix}*")}


@pytest.mark.parametrize("page", PAGES)
def test_unknown_query_parameters_share_the_page_and_its_cache_entry(guide_app, freeze, page):
    freeze("2026-04-15 09:00")
    client = guide_app.test_client()
    first = client.get(page)
    assert first.status_code == 200
    keys = stored(guide_app)
    for noise in NOISE * 2:
        again = client.get(with_noise(page, noise))
        assert again.status_code == 200 and again.data == first.data, noise
    assert stored(guide_app) == keys  # nothing new kept: the store cannot be filled this way


def test_the_parameters_a_page_reads_still_make_it_a_different_page(guide_app, freeze):
    freeze("2026-04-15 09:00")
    client = guide_app.test_client()
    plain, wisteria = client.get("/en/"), client.get("/en/?kind=wisteria&utm_source=x")
    assert plain.status_code == wisteria.status_code == 200 and plain.data != wisteria.data
    april, may = client.get("/en/calendar?month=4"), client.get("/en/calendar?month=5&spm=1")
    assert april.data != may.data
    short, longer = (
        client.get("/api/v1/plan?from=2026-04-15&to=2026-04-16").get_json(),
        client.get("/api/v1/plan?to=2026-04-17&from=2026-04-15&fbclid=z").get_json(),
    )
    assert len(short["days"]) == 2 and len(longer["days"]) == 3
    both = client.get("/en/concierge?place=guyi-garden&place=qiuxia-garden&utm_medium=qr").get_data(as_text=True)
    assert "place=guyi-garden&amp;place=qiuxia-garden" in both  # a handout of two stays two
    today = client.get("/en/places/guyi-garden").get_data(as_text=True)
    trip = client.get("/en/places/guyi-garden?from=2027-02-12&to=2027-02-16&utm_source=x").get_data(as_text=True)
    assert 'class="on-trip"' in trip and 'class="on-trip"' not in today  # the guests' dates are read
    card = client.get("/en/places/guyi-garden/card?from=2027-02-12&to=2027-02-16&spm=1").get_data(as_text=True)
    assert "On your dates" in card and "On your dates" not in client.get("/en/places/guyi-garden/card").text


def page_links(html: str) -> list[str]:
    """The page's canonical link, og:url and every hreflang alternate."""
    found = re.findall(r'<link rel="canonical" href="([^"]*)"', html)
    found += re.findall(r'<meta property="og:url" content="([^"]*)"', html)
    found += re.findall(r'<link rel="alternate" hreflang="(?!x-default)[^"]*" href="([^"]*)"', html)
    return [unescape(link) for link in found]


@pytest.mark.parametrize(
    "asked, kept",
    [
        ("/en/?from=singlemessage&isappinstalled=0", ""),
        ("/zh/?kind=wisteria&from=timeline&utm_source=wechat", "?kind=wisteria"),
        ("/en/places/guyi-garden?from=groupmessage&share=1", ""),
        ("/en/places/guyi-garden/card?from=singlemessage&isappinstalled=0", ""),
        ("/en/concierge?place=guyi-garden&from=timeline", "?place=guyi-garden"),
        ("/en/plan?from=singlemessage&to=2026-04-18", "?to=2026-04-18"),
        ("/en/places/guyi-garden?from=2026-04-15&to=2026-04-18&share=1", "?from=2026-04-15&to=2026-04-18"),
        ("/en/places/guyi-garden/card?to=2026-04-18&from=2026-04-15&ref=hotel", "?from=2026-04-15&to=2026-04-18"),
        ("/en/calendar?month=4&kind=wisteria&spm=a.b.c", "?month=4&kind=wisteria"),
        ("/en/plan?from=2026-04-15&to=2026-04-18&utm_campaign=spring", "?from=2026-04-15&to=2026-04-18"),
        ("/en/concierge?place=guyi-garden&from=2026-04-15&ref=hotel", "?place=guyi-garden&from=2026-04-15"),
    ],
)
def test_canonical_og_url_and_hreflang_carry_only_what_defines_the_page(guide_app, freeze, asked, kept):
    freeze("2026-04-15 09:00")
    html = guide_app.test_client().get(asked).get_data(as_text=True)
    links = page_links(html)
    assert len(links) == 4  # canonical, og:url, one alternate per language
    for link in links:
        query = link.partition("?")[2]
        assert sorted(query.split("&")) == sorted(kept.lstrip("?").split("&")) if kept else not query, link
    everywhere = html.split("</head>")[0]  # x-default too, and every other link in the head
    for noise in ("singlemessage", "groupmessage", "timeline", "isappinstalled", "utm_", "a.b.c", "hotel", "share=1"):
        assert noise not in everywhere


class Broken:
    """A page store whose every read and write fails as Redis does when it is down or full."""

    def __init__(self, error: Exception):
        self.error = error

    def get(self, key):
        raise self.error

    def set(self, key, value, timeout=None):
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
        redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'."),
        redis.exceptions.TimeoutError("Timeout reading from socket"),
    ],
)
def test_a_failing_page_store_costs_the_cache_never_the_page(guide_app, freeze, error, caplog):
    freeze("2026-04-15 09:00")
    guide_app.extensions["guide.page_cache"] = Broken(error)
    client = guide_app.test_client()
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    assert "page store" in caplog.text
    health = client.get("/healthz")
    assert health.status_code == 200 and health.text.startswith("degraded: the page store cannot be written")


def fill(client: redis.Redis) -> int:
    """Write until Redis refuses (`maxmemory`): how many writes it took."""
    for n in range(10_000):
        try:
            client.set(f"filler:{n}", b"x" * 10_000)
        except redis.exceptions.OutOfMemoryError:
            return n
    return 10_000


@pytest.fixture
def full_redis(tmp_path):
    """A Redis of its own, 2 MB and `noeviction` (Redis's default), filled until it refuses writes."""
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (Debian's redis-server package)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = {"port": port, "bind": "127.0.0.1", "save": "", "appendonly": "no", "dir": tmp_path}
    settings |= {"maxmemory": "2mb", "maxmemory-policy": "noeviction"}
    process = subprocess.Popen(
        [server, *(str(part) for name, value in settings.items() for part in (f"--{name}", value))],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        filled = fill(client)
        assert filled < 1000  # it did refuse
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(10)


def test_with_redis_full_every_page_and_the_staff_login_still_answer(tmp_path, freeze, full_redis):
    freeze("2026-04-15 09:00")
    app = make_app(tmp_path / "full.sqlite", start="loaded", REDIS_URL=full_redis, CACHE_KEY_PREFIX="full:page:")
    made = app.test_cli_runner().invoke(args=["staff", "add", "wang", "--place", "guyi-garden"], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    client = app.test_client()
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    wrong = login(client, "wang", "not-the-password", lang="en")
    assert wrong.status_code == 400 and "Wrong username or password" in wrong.text
    assert login(client, "wang", lang="en").status_code == 302
    assert client.get("/en/staff/places/guyi-garden").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and "maxmemory" in health.text and health.text.startswith("degraded")


def test_healthz_says_ok_while_the_page_store_takes_writes(client):
    assert client.get("/healthz").text == "ok\n"
