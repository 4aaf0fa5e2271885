"""Localized error pages: a visitor never meets a traceback or Werkzeug's English page."""
from flask import Flask, jsonify, make_response, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

# The database is down, restarting or out of connections: a passing state, not a bug.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = make_response(_error_page(error.code, error.name))
        # Keep what the error says besides its body: Allow on a 405, Retry-After on a 429 …
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    def database_unavailable(error: Exception):
        # One line, not a traceback: the log fills fast while the database restarts.
        app.logger.warning("database unavailable (%s %s): %s", request.method, request.path,
                           str(getattr(error, "orig", error)).strip().splitlines()[0][:200])
        response = make_response(_error_page(ServiceUnavailable.code, ServiceUnavailable().name))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        return _error_page(InternalServerError.code, InternalServerError().name)


def _error_page(code: int, name: str):
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=name), code
    return render_template("site/error.html", code=code, posted=request.method == "POST"), code
