"""Localized error pages: a visitor never meets a traceback or Werkzeug's English page."""

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_babel import _
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from guide.extensions import database_error_line, db, login_manager

# The database is down, restarting or out of connections: a passing state, not a bug.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = make_response(_error_page(error.code or 500, error.name))
        # Keep what the error says besides its body: Allow on a 405, Retry-After on a 429 …
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    def database_unavailable(error: Exception):
        # One line, not a traceback: the log fills fast while the database restarts.
        app.logger.warning("database unavailable (%s %s): %s", request.method, request.path, database_error_line(error))
        # Render as nobody: Flask-Login's template context would load the staff member's row.
        g._login_user = login_manager.anonymous_user()
        response = make_response(_error_page(ServiceUnavailable.code, ServiceUnavailable().name))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.teardown_appcontext
    def end_session(error):
        """Close the request's session; when the database has gone in the meantime (its
        connection cut during the request), the answer is already made: do not spoil it."""
        try:
            db.session.remove()
        except DATABASE_UNAVAILABLE as lost:
            app.logger.warning("database connection lost at the end of a request: %s", database_error_line(lost))
            db.session.registry.clear()

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        try:
            return _error_page(InternalServerError.code, InternalServerError().name)
        except Exception:
            app.logger.exception("the error page failed too")
            return Response(f"{_('Something went wrong')}\n", status=500, mimetype="text/plain")


def error_page(code: int):
    """The localized page (or, under /api/, the JSON) for an HTTP error code; for a handler
    that must answer an error without raising (an abort inside an error handler is a 500)."""
    return _error_page(code, HTTP_STATUS_CODES[code])


def _error_page(code: int, name: str):
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=name), code
    return render_template("site/error.html", code=code, posted=request.method == "POST"), code
