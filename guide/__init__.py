"""Jiading Bloom Guide: a bilingual guide to Jiading's seasonal flowers."""
import os
from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-not-secret"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the instance config and environment, then test overrides."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=DEV_SECRET_KEY,
        PRODUCTION=False,  # FLASK_PRODUCTION=true: refuse to start on unsafe settings
        PROXY_FIX_HOPS=0,  # how many proxies (load balancers) stand in front of the app
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{ROOT / 'instance' / 'guide.sqlite'}",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        BABEL_DEFAULT_LOCALE="en",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        DEFAULT_LANGUAGE="zh",  # for a browser that states no preference
        OTHER_LANGUAGE="en",  # for a browser that asks only for languages we do not serve
        REPORT_FRESH_HOURS=72,  # a report older than this gives way to the estimate
        MAP_TILES="osm",  # or "amap": a basemap that loads in mainland China
        PUBLIC_BASE_URL=None,  # e.g. https://bloom.example.cn: the host in QR codes, feeds and share tags
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(days=30),  # staff stay logged in on their phones
        WTF_CSRF_TIME_LIMIT=12 * 3600,  # a form may lie open through a morning's round
        MAX_CONTENT_LENGTH=80 * 1024 * 1024,  # several photos of up to 10 MB in one form
        RATELIMIT_STORAGE_URI="memory://",
        PAGE_CACHE_SECONDS=60,  # rendered public pages; 0 turns the cache off
        REDIS_URL=None,  # shared state between servers: rate-limit counters and the page cache
        CACHE_KEY_PREFIX="guide:page:",
        RATELIMIT_KEY_PREFIX="guide:limits",
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIMETYPES=["text/html", "text/css", "application/javascript", "application/json",
                            "image/svg+xml", "application/atom+xml", "text/calendar", "text/plain"],
        COMPRESS_MIN_SIZE=500,
        COMPRESS_BR_LEVEL=5,  # fast enough per request; static assets are compressed once at 11
        RATELIMIT_HEADERS_ENABLED=True,
        LOGIN_LIMIT_PER_ADDRESS="10 per minute;60 per hour",
        LOGIN_LIMIT_PER_USERNAME="5 per minute;20 per hour",
    )
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    # Test each pooled connection before use, so that after a database restart no request
    # meets a dead connection: the app recovers by itself.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                               **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    if app.config["REDIS_URL"] and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]

    from guide.core.i18n import discover_languages
    app.config.setdefault("LANGUAGES", discover_languages(
        [Path(d) for d in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")]))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _check_settings(app)
    if app.config["PROXY_FIX_HOPS"]:
        # Behind a known number of proxies, take the client's address and scheme from their
        # X-Forwarded-* headers (rate limits, Secure cookies); without it they are ignored.
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from guide.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
    from guide.core.i18n import select_locale
    from guide.site.sessions import SecureWhenHttpsSessions
    db.init_app(app)
    # The schema comes from migrations/ (Alembic), the same for SQLite and PostgreSQL; batch
    # mode lets SQLite alter tables.
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    # First, so that its after-request step runs last: it compresses what the others produced.
    compress.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    app.session_interface = SecureWhenHttpsSessions()

    from guide.places import cli as places_cli, views as places_views
    from guide.site import errors, helpers, views as site_views
    from guide.api import views as api_views
    from guide.site import assets
    from guide.share import views as share_views
    from guide.staff import cli as staff_cli, views as staff_views
    from guide.site import cache
    from guide import backup
    app.extensions["guide.assets"] = assets.build_assets()
    app.extensions["guide.page_cache"] = cache.make_cache(app)
    app.add_template_global(assets.asset_url)
    for blueprint in (site_views.bp, assets.bp, places_views.bp, staff_views.bp, share_views.bp,
                      share_views.embed_bp, api_views.bp):
        app.register_blueprint(blueprint)
    errors.register_error_handlers(app)
    helpers.register_template_helpers(app)
    app.cli.add_command(places_cli.places_cli)
    app.cli.add_command(staff_cli.staff_cli)
    app.cli.add_command(backup.export_command)
    app.cli.add_command(backup.import_command)
    return app


def _check_settings(app: Flask) -> None:
    """Stop at start-up, saying why, rather than run with a setting that cannot work."""
    from guide.core.maps import TILES
    if app.config["MAP_TILES"] not in TILES:
        raise RuntimeError(f"MAP_TILES must be one of {', '.join(TILES)}, not {app.config['MAP_TILES']!r}")
    if app.config["PRODUCTION"]:
        key = app.config.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(str(key)) < 32:
            raise RuntimeError("SECRET_KEY is missing or is the development default: set FLASK_SECRET_KEY "
                               "to a random string of at least 32 characters (python -c 'import secrets; "
                               "print(secrets.token_hex(32))') before starting in production")
