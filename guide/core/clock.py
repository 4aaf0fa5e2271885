"""The one place that reads the time, so tests and previews can set it."""

from datetime import UTC, date, datetime, timedelta
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


def day_after(day: date) -> date:
    """The next day; the last day of the calendar (date.max, stored before dates were checked)
    has none, and stays itself rather than overflowing."""
    return day if day == date.max else day + timedelta(days=1)


def local_date(moment: datetime, *, just_before: bool = False) -> date:
    """The day in Jiading of `moment` (or of the instant before it, for an end that is
    exclusive); a moment at the ends of the calendar gives its first or last day."""
    try:
        return ((moment - timedelta(microseconds=1)) if just_before else moment).astimezone(LOCAL_ZONE).date()
    except OverflowError:
        return date.max if moment.year == datetime.max.year else date.min
