"""The session cookie: HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS."""

from flask import request
from flask.sessions import SecureCookieSessionInterface


class SecureWhenHttpsSessions(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure
