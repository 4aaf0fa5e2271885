"""The session cookie: HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS;
and a response that sets it is one person's: kept by no shared cache and no service worker."""

from flask import request
from flask.sessions import SecureCookieSessionInterface


class SecureWhenHttpsSessions(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if "Set-Cookie" in response.headers:
            # After every after_request handler, so this sees the session's cookie and any a view
            # set (the language choice): the worker cannot see Set-Cookie, only no-store.
            response.cache_control.public = False
            response.cache_control.private = True
            response.cache_control.no_store = True
