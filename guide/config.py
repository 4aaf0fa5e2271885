"""Settings: their defaults, where overrides come from, and the check made before serving.

Each can be set in instance/config.py or in the environment as FLASK_<NAME> (FLASK_SECRET_KEY,
FLASK_MAP_TILES …); DATABASE_URL and REDIS_URL are read as they are commonly named.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Config

from guide.core.i18n import discover_languages
from guide.core.maps import TILES

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-not-secret"


class Wiring:
    """How the libraries are set up for the guide: not meant to be changed by whoever runs it."""

    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    COMPRESS_ALGORITHM = ("br", "gzip")
    COMPRESS_MIMETYPES = (
        "text/html",
        "text/css",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "application/atom+xml",
        "text/calendar",
        "text/plain",
    )
    COMPRESS_MIN_SIZE = 500
    COMPRESS_BR_LEVEL = 5  # fast enough per request; static assets are compressed once at 11
    RATELIMIT_HEADERS_ENABLED = True


class Defaults(Wiring):
    """The settings, each listed in docs/deploy.md (a test checks)."""

    SECRET_KEY = DEV_SECRET_KEY
    PRODUCTION = False  # FLASK_PRODUCTION=true: refuse to start on unsafe settings
    PROXY_FIX_HOPS = 0  # how many proxies (load balancers) stand in front of the app
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{ROOT / 'instance' / 'guide.sqlite'}"  # or DATABASE_URL
    REDIS_URL = None  # shared state between servers: rate-limit counters and the page cache
    PUBLIC_BASE_URL = None  # e.g. https://bloom.example.cn: the host in QR codes, feeds and share tags
    MAP_TILES = "amap"  # a basemap that loads in mainland China; or "osm" (OpenStreetMap)
    REPORT_FRESH_HOURS = 72  # a report older than this gives way to the estimate
    PAGE_CACHE_SECONDS = 60  # rendered public pages; 0 turns the cache off
    DEFAULT_LANGUAGE = "zh"  # for a browser that states no preference
    OTHER_LANGUAGE = "en"  # for a browser that asks only for languages we do not serve
    LOGIN_LIMIT_PER_ADDRESS = "10 per minute;60 per hour"
    LOGIN_LIMIT_PER_USERNAME = "5 per minute;20 per hour"
    RATELIMIT_STORAGE_URI = "memory://"  # REDIS_URL, when set, takes its place
    CACHE_KEY_PREFIX = "guide:page:"
    RATELIMIT_KEY_PREFIX = "guide:limits"
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)  # staff stay logged in on their phones
    WTF_CSRF_TIME_LIMIT = 12 * 3600  # a form may lie open through a morning's round
    MAX_CONTENT_LENGTH = 80 * 1024 * 1024  # several photos of up to 10 MB in one form
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's; the tests use a cheap one


def load(config: Config, overrides: dict[str, Any] | None = None) -> None:
    """Defaults, then instance/config.py, then the environment, then `overrides` (the tests')."""
    config.from_object(Defaults)
    config.from_pyfile("config.py", silent=True)
    for name, setting in (("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"), ("REDIS_URL", "REDIS_URL")):
        if os.environ.get(name):
            config[setting] = os.environ[name]
    config.from_prefixed_env()
    config.from_mapping(overrides or {})
    # Test each pooled connection before use, so that after a database restart no request
    # meets a dead connection: the app recovers by itself.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    if config["REDIS_URL"] and config["RATELIMIT_STORAGE_URI"] == "memory://":
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]
    config.setdefault(
        "LANGUAGES", discover_languages([Path(d) for d in config["BABEL_TRANSLATION_DIRECTORIES"].split(";")])
    )
    check(config)


def check(config: Config) -> None:
    """Stop at start-up, saying why, rather than run with a setting that cannot work."""
    if config["MAP_TILES"] not in TILES:
        raise RuntimeError(f"MAP_TILES must be one of {', '.join(TILES)}, not {config['MAP_TILES']!r}")
    if config["PRODUCTION"]:
        key = config.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(str(key)) < 32:
            raise RuntimeError(
                "SECRET_KEY is missing or is the development default: set FLASK_SECRET_KEY "
                "to a random string of at least 32 characters (python -c 'import secrets; "
                "print(secrets.token_hex(32))') before starting in production"
            )
