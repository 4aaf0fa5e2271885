"""Absolute links never come from a forged Host header, and no app serves with a key anyone knows."""

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import Config

from guide import config
from tests.conftest import TEST_SECRET_KEY, make_app

CACHED_PAGES = [
    "/en/",
    "/zh/places/guyi-garden",
    "/en/places/guyi-garden/card",
    "/en/concierge?place=guyi-garden",
    "/en/calendar",
    "/en/events",
    "/en/feed.atom",
    "/zh/places/guyi-garden/feed.atom",
    "/en/events.ics",
    "/en/places/guyi-garden/bloom.ics",
    "/embed/en/places/guyi-garden",
    "/api/v1/places",
    "/api/v1/places/guyi-garden",
]

# What an attacker may send: a forged Host, with or without a port, in another case, or the
# X-Forwarded-* headers a proxy would set (honoured only behind PROXY_FIX_HOPS).
FORGED = [
    (0, {"Host": "evil.example"}),
    (0, {"Host": "EVIL.example:8080"}),
    (0, {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}),
    (1, {"X-Forwarded-Host": "evil.example"}),
    (1, {"X-Forwarded-Host": "guide.test, evil.example", "X-Forwarded-Proto": "https"}),
    (1, {"X-Forwarded-Host": "evil.example:443", "X-Forwarded-For": "6.6.6.6"}),
    (2, {"X-Forwarded-Host": "evil.example, evil.example"}),
]


def _get(client, path, headers=None):
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("hops, forged", FORGED)
def test_a_forged_host_never_reaches_another_visitors_links(tmp_path, hops, forged):
    """Without PUBLIC_BASE_URL (development), each host gets its own cached pages."""
    app = make_app(tmp_path / "x.sqlite", start="loaded", PROXY_FIX_HOPS=hops, SERVER_NAME=None)
    client = app.test_client()
    for path in CACHED_PAGES:
        _get(client, path, forged)  # the attacker first, so that their page would be cached
        honest = _get(client, path)
        assert "evil" not in honest.lower(), path
        assert _get(client, path) == honest  # and the honest page is cached in its turn


@pytest.mark.parametrize("hops, forged", FORGED)
def test_with_a_public_base_url_no_page_names_the_host_that_was_asked(tmp_path, hops, forged):
    app = make_app(
        tmp_path / "x.sqlite",
        start="loaded",
        PROXY_FIX_HOPS=hops,
        SERVER_NAME=None,
        PUBLIC_BASE_URL="https://bloom.example.cn",
    )
    client = app.test_client()
    for path in CACHED_PAGES:
        forged_page = _get(client, path, forged)
        assert "evil" not in forged_page.lower(), path
        assert "localhost" not in forged_page, path
        assert _get(client, path) == forged_page  # one page for every host: one cache entry
    assert "https://bloom.example.cn/places/guyi-garden" in _get(client, "/api/v1/places/guyi-garden", forged)


def test_two_apps_sharing_a_page_cache_keep_hosts_apart(tmp_path):
    """Two servers with one store (Redis in production): the key holds the host, not the server."""
    one = make_app(tmp_path / "one.sqlite", start="loaded", SERVER_NAME=None)
    other = make_app(tmp_path / "other.sqlite", start="loaded", SERVER_NAME=None)
    other.extensions["guide.page_cache"] = one.extensions["guide.page_cache"]
    _get(one.test_client(), "/zh/places/guyi-garden", {"Host": "evil.example"})
    assert "evil.example" not in _get(other.test_client(), "/zh/places/guyi-garden")


# Secret keys.

WEAK_KEYS = ["", "   ", "dev-only-not-secret", b"dev-only-not-secret", "short", "k" * 31, b"k" * 31]


@pytest.mark.parametrize("production", [False, True])
@pytest.mark.parametrize("key", WEAK_KEYS)
def test_a_weak_secret_key_is_refused_whatever_the_other_settings(tmp_path, key, production):
    with pytest.raises(RuntimeError, match=r"SECRET_KEY is (empty|the public development key|shorter than 32)"):
        make_app(tmp_path / "x.sqlite", SECRET_KEY=key, PRODUCTION=production, PUBLIC_BASE_URL="https://b.example")


@pytest.mark.parametrize("settings", [{"PRODUCTION": True}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}])
def test_where_servers_must_share_a_key_none_is_made_up(tmp_path, settings):
    app_config = Config(tmp_path)
    app_config["PUBLIC_BASE_URL"] = "https://bloom.example.cn"
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set: set FLASK_SECRET_KEY to the same"):
        config.load(app_config, {"PUBLIC_BASE_URL": "https://bloom.example.cn", **settings})
    assert not (tmp_path / "secret_key").exists()


def test_on_one_machine_a_random_key_is_made_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    first, second = Config(tmp_path), Config(tmp_path)
    config.load(first)
    config.load(second)
    key = first["SECRET_KEY"]
    assert len(key) == 64 and key == second["SECRET_KEY"] and key != config.DEV_SECRET_KEY
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no partial file left behind
    other = tmp_path / "other-machine"
    assert config.instance_secret_key(other) != key


def test_workers_starting_together_agree_on_one_key(tmp_path):
    keys, start = [], threading.Barrier(8)

    def start_worker():
        start.wait()
        keys.append(config.instance_secret_key(tmp_path))

    workers = [threading.Thread(target=start_worker) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(keys) == 8 and len(set(keys)) == 1


def test_the_app_starts_without_settings_on_a_fresh_machine(tmp_path, monkeypatch):
    """`make run` on a fresh checkout: no key set, none in instance/; one is made there."""
    import guide

    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setattr(guide, "ROOT", tmp_path)  # the instance folder of a fresh checkout
    app = guide.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    assert app.config["SECRET_KEY"] == (tmp_path / "instance" / "secret_key").read_text().strip()
    assert app.test_client().get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "base", ["bloom.example.cn", "ftp://bloom.example.cn", "https://", "https://bloom.example.cn/?a=1", "javascript:x"]
)
def test_a_public_base_url_that_is_not_one_is_refused(tmp_path, base):
    with pytest.raises(RuntimeError, match=r"PUBLIC_BASE_URL must look like https://bloom\.example\.cn"):
        make_app(tmp_path / "x.sqlite", PUBLIC_BASE_URL=base)


def test_production_requires_the_public_base_url(tmp_path):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL is required in production"):
        make_app(tmp_path / "x.sqlite", PRODUCTION=True)
    assert make_app(tmp_path / "x.sqlite", PRODUCTION=True, PUBLIC_BASE_URL="https://bloom.example.cn")


# Under gunicorn, as it is really started: the app refuses, and gunicorn stops, saying why.


def _gunicorn(tmp_path, **env) -> subprocess.CompletedProcess:
    from bench.cluster import free_port

    root = Path(__file__).resolve().parent.parent
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return subprocess.run(
        [gunicorn, "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{free_port()}", "guide:create_app()"],
        cwd=root,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_"))},
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "GUNICORN_WORKERS": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, said",
    [
        ({"FLASK_SECRET_KEY": "dev-only-not-secret"}, "SECRET_KEY is the public development key"),
        ({"FLASK_SECRET_KEY": ""}, "SECRET_KEY is empty"),
        ({"FLASK_SECRET_KEY": "dev-only-not-secret", "FLASK_PRODUCTION": "false"}, "public development key"),
        ({"FLASK_SECRET_KEY": TEST_SECRET_KEY, "FLASK_PRODUCTION": "true"}, "PUBLIC_BASE_URL is required"),
    ],
)
def test_gunicorn_refuses_to_serve_with_a_key_anyone_knows(tmp_path, env, said):
    result = _gunicorn(tmp_path, **env)
    assert result.returncode != 0
    assert said in result.stderr + result.stdout
