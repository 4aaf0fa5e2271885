"""Jiading Bloom Guide: a bilingual guide to Jiading's seasonal flowers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from guide import config
from guide.config import ROOT


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process and shared by its apps (one in production, hundreds
    in the tests); Jinja checks each against its source's checksum, so an edited one recompiles."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings (guide.config), extensions, then the base and each feature."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        instance_relative_config=True,
    )
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
    config.load(app.config, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if hops := int(app.config["PROXY_FIX_HOPS"]):
        # Behind a known number of proxies, take the client's address and scheme from their
        # X-Forwarded-* headers (rate limits, Secure cookies); without it they are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from guide import extensions

    extensions.init_app(app, migrations=ROOT / "migrations")

    from guide import backup, site
    from guide.api import views as api_views
    from guide.places import cli as places_cli
    from guide.places import views as places_views
    from guide.share import views as share_views
    from guide.staff import cli as staff_cli
    from guide.staff import editing
    from guide.staff import views as staff_views

    site.init_app(app)
    for blueprint in (
        places_views.bp,
        places_views.photos_bp,
        staff_views.bp,
        editing.bp,
        share_views.bp,
        share_views.embed_bp,
        share_views.image_bp,
        api_views.bp,
    ):
        app.register_blueprint(blueprint)
    for command in (
        places_cli.places_cli,
        places_cli.forecast_cli,
        staff_cli.staff_cli,
        backup.export_command,
        backup.import_command,
    ):
        app.cli.add_command(command)
    return app
