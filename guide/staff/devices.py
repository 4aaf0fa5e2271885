"""Devices a staff member has logged in on, and the login limits they meet.

Failing someone's password from elsewhere must not lock them out. So attempts at a name are
counted per name *and address*: failures from another address never refuse this one. And a
device where that name has logged in before (it carries a signed cookie saying so) is counted
on its own, apart from its address too: an attacker behind the same address (a park's Wi-Fi, a
carrier's shared address) exhausts only the counts of devices that never logged in as that
name. The cookie grants nothing else: it is only given after a correct password, and the
password is still asked for.
"""

from __future__ import annotations

import secrets

from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from guide.staff.models import username_key

COOKIE = "guide_staff_device"
SALT = "guide.staff.device"
ONE_YEAR = 365 * 24 * 3600
NAMES_KEPT = 8  # a phone shared by a few staff members


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)  # type: ignore[arg-type]


def _device() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        device = _serializer().loads(raw, max_age=ONE_YEAR)
    except BadData:
        return None
    if not (isinstance(device, dict) and isinstance(device.get("d"), str) and isinstance(device.get("u"), list)):
        return None
    return device


def _attempted_key() -> str:
    return username_key(request.form.get("username") or "")


def known_device() -> str | None:
    """This device's id, when the name being tried has logged in on it before."""
    device = _device()
    return device["d"] if device and _attempted_key() in device["u"] else None


def attempt_key() -> str:
    """Whose login attempts this one counts with: the known device's own, or the name's from
    this address."""
    device = known_device()
    return f"device:{device}:{_attempted_key()}" if device else f"user:{_attempted_key()}@{get_remote_address()}"


def remember(response: Response, username: str) -> Response:
    """After a correct password: this device is known for that name from now on."""
    device = _device() or {"d": secrets.token_urlsafe(16), "u": []}
    names = [name for name in device["u"] if name != username_key(username)] + [username_key(username)]
    value = _serializer().dumps({"d": device["d"], "u": names[-NAMES_KEPT:]})
    response.set_cookie(
        COOKIE, value, max_age=ONE_YEAR, httponly=True, samesite="Lax", secure=request.is_secure, path="/"
    )
    return response
