"""The kinds of notice a park posts for visitors, and their names on every page."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

KIND_TITLES: dict[str, LazyString] = {
    "closed": _l("Closed"),
    "reservations": _l("Timed reservations"),
    "route": _l("Gate or route change"),
    "crowding": _l("Crowding"),
    "other": _l("Notice"),
}
