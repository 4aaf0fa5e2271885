"""What every page shares: the root redirect, the language switch, vendored assets, photos,
error pages and template helpers. The blueprint is `guide.site.views.bp`."""

from flask import Flask
from werkzeug.routing import IntegerConverter


class RowId(IntegerConverter):
    """`<id:name>`: a row's id as a URL part, at most what an INTEGER column holds on every
    database (PostgreSQL refuses a larger number outright, which would be a 500)."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1)


def init_app(app: Flask) -> None:
    from guide.site import assets, cache, errors, helpers, offline, sessions, views

    app.url_map.converters["id"] = RowId
    app.session_interface = sessions.SecureWhenHttpsSessions()
    app.extensions["guide.assets"] = assets.build_assets()
    app.extensions["guide.page_cache"] = cache.make_cache(app)
    app.add_template_global(assets.asset_url)
    app.add_template_global(offline.registration, "worker_registration")
    app.register_blueprint(views.bp)
    app.register_blueprint(assets.bp)
    app.register_blueprint(offline.bp)
    app.register_blueprint(offline.pages)
    errors.register_error_handlers(app)
    helpers.register_template_helpers(app)
