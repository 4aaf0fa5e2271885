"""Localized error pages: a visitor never meets a traceback or Werkzeug's English page."""
from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("site/error.html", code=error.code), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        return render_template("site/error.html", code=InternalServerError.code), 500
