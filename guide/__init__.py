"""Jiading Bloom Guide: a bilingual guide to Jiading's seasonal flowers."""
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the instance config and environment, then test overrides."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{ROOT / 'instance' / 'guide.sqlite'}",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        BABEL_DEFAULT_LOCALE="en",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        DEFAULT_LANGUAGE="zh",  # for a browser that states no preference
        OTHER_LANGUAGE="en",  # for a browser that asks only for languages we do not serve
        REPORT_FRESH_HOURS=72,  # a report older than this gives way to the estimate
        MAP_TILES="osm",  # or "amap": a basemap that loads in mainland China
        JSON_AS_ASCII=False,
    )
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)

    from guide.i18n import discover_languages
    app.config.setdefault("LANGUAGES", discover_languages(
        [Path(d) for d in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")]))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from guide.maps import TILES
    if app.config["MAP_TILES"] not in TILES:
        raise RuntimeError(f"MAP_TILES must be one of {', '.join(TILES)}, not {app.config['MAP_TILES']!r}")

    from guide.extensions import babel, db
    from guide.i18n import select_locale
    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from guide import places, site
    app.register_blueprint(site.bp)
    app.register_blueprint(places.bp)
    site.register_error_handlers(app)
    site.register_template_helpers(app)
    app.cli.add_command(places.places_cli)
    return app
