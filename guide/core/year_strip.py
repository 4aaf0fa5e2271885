"""The year at a glance: where a bloom window falls on a 12-month strip. Pure arithmetic."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from guide.core.bloom import REFERENCE_YEAR, YEAR_DAYS, BloomWindow, MonthDay


@dataclass(frozen=True)
class Band:
    kind: str  # "bud", "bloom" or "peak"
    left: float  # % of the year from Jan 1
    width: float  # % of the year


@dataclass(frozen=True)
class Strip:
    bands: list[Band]
    today: float  # % of the year


def _percent(days: int) -> float:
    return round(days / YEAR_DAYS * 100, 2)


def _bands(kind: str, start: MonthDay, end_exclusive: MonthDay) -> list[Band]:
    """One band, or two when it runs over New Year."""
    a, b = start.ordinal - 1, end_exclusive.ordinal - 1
    if b > a:
        return [Band(kind, _percent(a), _percent(b - a))]
    return (
        [Band(kind, _percent(a), _percent(YEAR_DAYS - a)), Band(kind, 0.0, _percent(b))]
        if b
        else [Band(kind, _percent(a), _percent(YEAR_DAYS - a))]
    )


def _next_day(md: MonthDay) -> MonthDay:
    ordinal = md.ordinal % YEAR_DAYS + 1
    d = date.fromordinal(date(REFERENCE_YEAR, 1, 1).toordinal() + ordinal - 1)
    return MonthDay(d.month, d.day)


def strip(window: BloomWindow, today: date) -> Strip:
    """Bud, bloom and peak bands of a window, and today's mark."""
    bands = (
        _bands("bud", window.bud, window.first)
        + _bands("bloom", window.first, window.over)
        + _bands("peak", window.peak_start, _next_day(window.peak_end))
    )
    return Strip(bands, _percent(MonthDay.of(today).ordinal - 1))


def month_starts() -> list[float]:
    """Where each month begins on the strip, in %."""
    return [_percent(MonthDay(m, 1).ordinal - 1) for m in range(1, 13)]


def flowers_in(window: BloomWindow, month: int) -> bool:
    """Whether any flower is usually open (first bloom to over) during a month."""
    start = MonthDay(month, 1).ordinal
    span = (window.over.ordinal - window.first.ordinal) % YEAR_DAYS
    return any(
        (start + i - window.first.ordinal) % YEAR_DAYS < span for i in range(monthrange(REFERENCE_YEAR, month)[1])
    )
