"""How busy a place is now, as its staff say: a small scale, kept for a few hours, then gone.

Pure: no request, no database. A level said at `said_at` stands until `said_at + hours`; the
latest said stands over any earlier one, and once it has lapsed nothing is shown (an old "quiet"
is worse than none).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

FRESH_HOURS = 3  # how long a level stands: the default of the CROWD_FRESH_HOURS setting


class Crowd(enum.Enum):
    """From empty paths to a queue at the gate, in order."""

    QUIET = "quiet"
    BUSY = "busy"
    VERY_BUSY = "very_busy"
    LIMITED = "limited"  # entry limited: a queue, a quota, or timed entry

    @property
    def title(self) -> LazyString:
        return _TITLES[self]

    @property
    def rank(self) -> int:
        """0 to 3: how many of the meter's four bars are filled, less one."""
        return list(Crowd).index(self)


_TITLES = {
    Crowd.QUIET: _l("Quiet"),
    Crowd.BUSY: _l("Busy"),
    Crowd.VERY_BUSY: _l("Very busy"),
    Crowd.LIMITED: _l("Entry limited"),
}


@dataclass(frozen=True)
class Said:
    """A level said by staff at a moment (`seq` orders two said in the same second: an id)."""

    level: Crowd
    at: datetime
    seq: int = 0


@dataclass(frozen=True)
class Now:
    level: Crowd
    at: datetime
    until: datetime


def crowd_now(said: Iterable[Said], now: datetime, hours: float = FRESH_HOURS) -> Now | None:
    """The level that stands now: the latest said no later than now, if it has not lapsed."""
    before = [s for s in said if s.at <= now]
    if not before:
        return None
    latest = max(before, key=lambda s: (s.at, s.seq))
    until = latest.at + timedelta(hours=hours)
    return Now(latest.level, latest.at, until) if now < until else None
