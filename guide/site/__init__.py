"""What every page shares: the root redirect, the language switch, vendored assets, photos,
error pages and template helpers. The blueprint is `guide.site.views.bp`."""

from flask import Flask


def init_app(app: Flask) -> None:
    from guide.site import assets, cache, errors, helpers, sessions, views

    app.session_interface = sessions.SecureWhenHttpsSessions()
    app.extensions["guide.assets"] = assets.build_assets()
    app.extensions["guide.page_cache"] = cache.make_cache(app)
    app.add_template_global(assets.asset_url)
    app.register_blueprint(views.bp)
    app.register_blueprint(assets.bp)
    errors.register_error_handlers(app)
    helpers.register_template_helpers(app)
