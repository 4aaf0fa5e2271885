"""Settings: their defaults, where overrides come from, and the check made before serving.

Each can be set in instance/config.py or in the environment as FLASK_<NAME> (FLASK_SECRET_KEY,
FLASK_MAP_TILES …); DATABASE_URL and REDIS_URL are read as they are commonly named.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Config

from guide.core.crowds import FRESH_HOURS
from guide.core.i18n import discover_languages
from guide.core.maps import TILES

ROOT = Path(__file__).resolve().parent.parent
# The key earlier versions used when none was set: public, so refused like an empty one.
DEV_SECRET_KEY = "dev-only-not-secret"
MIN_SECRET_KEY = 32
SECRET_KEY_FILE = "secret_key"  # in the instance folder, made on first start without FLASK_SECRET_KEY


class Wiring:
    """How the libraries are set up for the guide: not meant to be changed by whoever runs it."""

    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    SESSION_COOKIE_SAMESITE = "Lax"
    # Redis down or full: count in this process meanwhile, and never fail a login over a counter.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
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

    SECRET_KEY = None  # unset: a random key kept in instance/secret_key (one machine, not production)
    PRODUCTION = False  # FLASK_PRODUCTION=true: refuse to start on unsafe settings
    PROXY_FIX_HOPS = 0  # how many proxies (load balancers) stand in front of the app
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{ROOT / 'instance' / 'guide.sqlite'}"  # or DATABASE_URL
    REDIS_URL = None  # shared state between servers: rate-limit counters and the page cache
    PUBLIC_BASE_URL = None  # e.g. https://bloom.example.cn: the host in QR codes, feeds and share tags
    MAP_TILES = "amap"  # a basemap that loads in mainland China; or "osm" (OpenStreetMap)
    REPORT_FRESH_HOURS = 72  # a report older than this gives way to the estimate
    CROWD_FRESH_HOURS = FRESH_HOURS  # 3: how long "busy" or "quiet", said by staff, stands before it is gone
    PAGE_CACHE_SECONDS = 60  # rendered public pages; 0 turns the cache off
    PAGE_STALE_SECONDS = 24 * 3600  # database down: pages rendered this recently are served, marked; 0: never
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
    # Fonts with Chinese glyphs for each place's share image, "BOLD:REGULAR" (Debian's fonts-noto-cjk)
    SHARE_IMAGE_FONTS = (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    )


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
    if config.get("SECRET_KEY") is None:
        config["SECRET_KEY"] = _instance_secret_key(config)
    config.setdefault(
        "LANGUAGES", discover_languages([Path(d) for d in config["BABEL_TRANSLATION_DIRECTORIES"].split(";")])
    )
    check(config)


def check(config: Config) -> None:
    """Stop at start-up, saying why, rather than run with a setting that cannot work."""
    if config["MAP_TILES"] not in TILES:
        raise RuntimeError(f"MAP_TILES must be one of {', '.join(TILES)}, not {config['MAP_TILES']!r}")
    if problem := weak_secret_key(config.get("SECRET_KEY")):
        # Whatever the other settings: whoever knows the key can sign an admin's session.
        raise RuntimeError(
            f"SECRET_KEY {problem}: set FLASK_SECRET_KEY to a random string of at least {MIN_SECRET_KEY} "
            "characters (python3 -c 'import secrets; print(secrets.token_hex(32))'), or leave it unset "
            "on one machine to have one made in the instance folder"
        )
    if problem := unshared_limits(config["RATELIMIT_STORAGE_URI"], os.environ):
        raise RuntimeError(problem)
    base = config.get("PUBLIC_BASE_URL")
    if base:
        parts = urlsplit(str(base))
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise RuntimeError(f"PUBLIC_BASE_URL must look like https://bloom.example.cn, not {base!r}")
    elif config["PRODUCTION"]:
        raise RuntimeError(
            "PUBLIC_BASE_URL is required in production: set FLASK_PUBLIC_BASE_URL to the address visitors "
            "use (e.g. https://bloom.example.cn), so that links in QR codes, cards, feeds and share tags "
            "never come from a request's Host header, which anyone can forge"
        )


def unshared_limits(storage: str, environ: Mapping[str, str]) -> str | None:
    """Why login attempts would not be counted by every process of this server, or None.
    Counted in memory, each process keeps its own count: with 4 gunicorn workers a limit of 5
    lets 20 through. gunicorn.conf.py says how many workers there are; without it, unknown."""
    if not storage.startswith("memory://") or not environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
        return None  # shared storage, or one process (flask run, the tests, the CLI)
    workers = environ.get("GUIDE_GUNICORN_WORKERS", "")
    if workers == "1":
        return None
    many = f"{workers} gunicorn workers" if workers.isdigit() else "gunicorn workers (how many is unknown)"
    return (
        f"login limits are counted in memory (RATELIMIT_STORAGE_URI={storage}), so each of {many} would "
        "count its own attempts and let several times the limit through: set REDIS_URL (or "
        "RATELIMIT_STORAGE_URI) so that every worker and server shares the count, or run one worker "
        "(GUNICORN_WORKERS=1, with -c gunicorn.conf.py, which tells the guide how many there are)"
    )


def weak_secret_key(key: object) -> str | None:
    """Why a secret key cannot be trusted, or None."""
    if not key or not str(key).strip():
        return "is empty"
    if key in (DEV_SECRET_KEY, DEV_SECRET_KEY.encode()):
        return "is the public development key"
    if len(key) < MIN_SECRET_KEY:  # type: ignore[arg-type]  # str or bytes
        return f"is shorter than {MIN_SECRET_KEY} characters"
    return None


def _instance_secret_key(config: Config) -> str:
    """The key kept in the instance folder, made (randomly, readable by its owner only) the
    first time. Refused where servers must share one key: in production, or with REDIS_URL."""
    if config["PRODUCTION"] or config["REDIS_URL"]:
        raise RuntimeError(
            "SECRET_KEY is not set: set FLASK_SECRET_KEY to the same random string of at least "
            f"{MIN_SECRET_KEY} characters on every server (python3 -c 'import secrets; "
            "print(secrets.token_hex(32))'); "
            + ("production needs one" if config["PRODUCTION"] else "with REDIS_URL several servers may share the guide")
        )
    return instance_secret_key(Path(config.root_path))


def instance_secret_key(folder: Path) -> str:
    """Read `folder`/secret_key, making it first if it is missing (safe when several workers
    start at once: the file appears whole, and the first one made is kept)."""
    path = folder / SECRET_KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        try:
            os.link(partial, path)  # fails if another worker made it first: theirs stands
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path.read_text().strip()
