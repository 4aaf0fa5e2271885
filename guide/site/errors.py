"""Localized error pages: a visitor never meets a traceback or Werkzeug's English page."""
from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = make_response(_error_page(error.code, error.name))
        # Keep what the error says besides its body: Allow on a 405, Retry-After on a 429 …
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        return _error_page(InternalServerError.code, InternalServerError().name)


def _error_page(code: int, name: str):
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=name), code
    return render_template("site/error.html", code=code), code
