"""The one place that reads the time, so tests and previews can set it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Jiading."""
    return now().astimezone(LOCAL_ZONE).date()


# Dates staff (or a restored backup) may store for notices and festival editions: from the
# year before this one to two years ahead. Anything outside is a typing slip, and a far date
# (9999-12-31) would overflow the writers that add a day to it (calendars, feeds).
YEARS_BACK = 1
YEARS_AHEAD = 2


def sensible_dates(day: date) -> tuple[date, date]:
    """The first and last day that may be stored as a notice's or an edition's date, seen from `day`."""
    return date(day.year - YEARS_BACK, 1, 1), date(day.year + YEARS_AHEAD, 12, 31)
