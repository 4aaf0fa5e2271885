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
