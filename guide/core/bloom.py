"""Bloom arithmetic: the stages of a season, bloom windows and a plant's status on a date.

Pure functions only: no request, no database. Windows are month-days measured on a leap
reference year, so 02-29 is valid and a window may cross New Year (wintersweet, Dec → Feb).
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

REFERENCE_YEAR = 2000  # a leap year, so every real month-day has an ordinal
YEAR_DAYS = 366


class BloomStage(enum.Enum):
    """Where a plant is in its season, in the order it goes through it. What each stage is
    called depends on what the plant is visited for (guide.core.scales): the same position is
    "Peak" for a wisteria and "Peak colour" for a ginkgo."""

    NOT_YET = "not_yet"
    BUDDING = "budding"
    FIRST_BLOOM = "first_bloom"
    BLOOMING = "blooming"
    PEAK = "peak"
    FADING = "fading"
    OVER = "over"

    @property
    def symbol(self) -> str:
        """A shape that tells the stage apart without colour."""
        return _SYMBOLS[self]

    @property
    def percent_range(self) -> tuple[int, int]:
        """The share, in %, of flowers open (or of leaves coloured) that this stage stands for."""
        return _PERCENT[self]

    def fits(self, percent: int | None) -> bool:
        """Whether a reported share agrees with this stage (none given: yes)."""
        low, high = self.percent_range
        return percent is None or low <= percent <= high

    @property
    def rank(self) -> int:
        """How worth a visit now: higher is better (peak first)."""
        return _RANK[self]

    @property
    def in_season(self) -> bool:
        """Worth seeing: in flower, or in colour."""
        return self in (BloomStage.FIRST_BLOOM, BloomStage.BLOOMING, BloomStage.PEAK, BloomStage.FADING)


_SYMBOLS = {
    BloomStage.NOT_YET: "○",
    BloomStage.BUDDING: "◔",
    BloomStage.FIRST_BLOOM: "◑",
    BloomStage.BLOOMING: "◕",
    BloomStage.PEAK: "●",
    BloomStage.FADING: "◒",
    BloomStage.OVER: "×",
}
_PERCENT = {
    BloomStage.NOT_YET: (0, 0),
    BloomStage.BUDDING: (0, 4),
    BloomStage.FIRST_BLOOM: (5, 29),
    BloomStage.BLOOMING: (30, 69),
    BloomStage.PEAK: (70, 100),
    BloomStage.FADING: (5, 69),
    BloomStage.OVER: (0, 4),
}
_RANK = {
    BloomStage.PEAK: 6,
    BloomStage.BLOOMING: 5,
    BloomStage.FIRST_BLOOM: 4,
    BloomStage.FADING: 3,
    BloomStage.BUDDING: 2,
    BloomStage.NOT_YET: 1,
    BloomStage.OVER: 0,
}


@dataclass(frozen=True, order=True)
class MonthDay:
    month: int
    day: int

    @classmethod
    def parse(cls, text: str) -> MonthDay:
        """Read "MM-DD"; raise ValueError for anything that is not a real day of the year."""
        month, sep, day = text.partition("-")
        if not (sep and month.isdigit() and day.isdigit() and len(month) == 2 and len(day) == 2):
            raise ValueError(f"{text!r} is not a month-day such as 04-15")
        try:
            date(REFERENCE_YEAR, int(month), int(day))
        except ValueError:
            raise ValueError(f"{text} is not a real day of the year") from None
        return cls(int(month), int(day))

    @classmethod
    def of(cls, day: date) -> MonthDay:
        return cls(day.month, day.day)

    @property
    def ordinal(self) -> int:
        return date(REFERENCE_YEAR, self.month, self.day).timetuple().tm_yday

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"

    def in_year(self, year: int) -> date:
        """This month-day in a given year (02-29 becomes 02-28 in a common year)."""
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return date(year, 2, 28)


def _after(start: MonthDay, end: MonthDay) -> int:
    """Days from start forward to end, going round New Year if needed."""
    return (end.ordinal - start.ordinal) % YEAR_DAYS


@dataclass(frozen=True)
class BloomWindow:
    """A plant's typical year: buds, first flowers, peak, and when it is over."""

    bud: MonthDay
    first: MonthDay
    peak_start: MonthDay
    peak_end: MonthDay
    over: MonthDay

    def season(self, today: date) -> dict[str, date]:
        """The dates of the season under way on `today` (bud to over, "over" being the first
        day without), or of the next one: a window across New Year keeps its points in order."""
        for year in (today.year - 1, today.year, today.year + 1):
            dates = {
                name: point.in_year(year if point >= self.bud else year + 1)
                for name, point in (
                    ("bud", self.bud),
                    ("first", self.first),
                    ("peak_start", self.peak_start),
                    ("peak_end", self.peak_end),
                    ("over", self.over),
                )
            }
            if dates["over"] > today:
                return dates
        raise AssertionError("a season ends within two years")  # pragma: no cover

    def problems(self) -> list[tuple[str, str]]:
        """Return (field, message) for every point out of order; empty when the window is sound."""
        found = []
        order = [
            ("bud", self.bud),
            ("first", self.first),
            ("peak_start", self.peak_start),
            ("peak_end", self.peak_end),
            ("over", self.over),
        ]
        total = _after(self.bud, self.over)
        if total == 0:
            return [("over", "the bloom must end after it starts")]
        points = [(name, point, _after(self.bud, point)) for name, point in order]
        for (prev_name, prev, prev_offset), (name, point, offset) in itertools.pairwise(points):
            if offset < prev_offset or (name != "over" and offset >= total):
                where = "outside the bloom" if name.startswith("peak") else "out of order"
                found.append(
                    (
                        name,
                        f"{name} {point} is {where}: it must fall after {prev_name} {prev} and before over {self.over}",
                    )
                )
        return found

    def stage_on(self, day: date) -> BloomStage:
        """The stage this window predicts for a day of the year."""
        offset = _after(self.bud, MonthDay.of(day))
        first, peak_start, peak_end, over = (
            _after(self.bud, p) for p in (self.first, self.peak_start, self.peak_end, self.over)
        )
        if offset < first:
            return BloomStage.BUDDING
        if offset < peak_start:
            # The first half of the run-up is first bloom, the second half well under way.
            return BloomStage.FIRST_BLOOM if offset < (first + peak_start) / 2 else BloomStage.BLOOMING
        if offset <= peak_end:
            return BloomStage.PEAK
        if offset < over:
            return BloomStage.FADING
        # Out of season: just after the bloom it is over, later it is not yet.
        days_since_over = offset - over
        days_to_bud = YEAR_DAYS - offset
        return BloomStage.OVER if days_since_over <= days_to_bud else BloomStage.NOT_YET

    def next_occurrence(self, point: MonthDay, today: date) -> date:
        """The next date (today or later) on which a month-day of this window falls."""
        this_year = point.in_year(today.year)
        return this_year if this_year >= today else point.in_year(today.year + 1)

    def days_until_first_bloom(self, today: date) -> int:
        return (self.next_occurrence(self.first, today) - today).days


@dataclass(frozen=True)
class Report:
    """What a staff member saw, as the status logic needs it."""

    stage: BloomStage
    percent_open: int | None
    reported_at: datetime


@dataclass(frozen=True)
class Status:
    """A plant's status as shown to the public: observed while fresh, otherwise estimated."""

    stage: BloomStage
    estimated: bool
    percent_open: int | None = None
    reported_at: datetime | None = None


def current_status(
    window: BloomWindow, latest: Report | None, now: datetime, fresh_for: timedelta, today: date
) -> Status:
    """The latest report while it is fresh, otherwise the window's estimate for today."""
    if latest is not None and now - latest.reported_at <= fresh_for:
        return Status(latest.stage, estimated=False, percent_open=latest.percent_open, reported_at=latest.reported_at)
    return Status(window.stage_on(today), estimated=True)


def rank_key(status: Status, window: BloomWindow, today: date) -> tuple[int, bool, int]:
    """Sort key for "what to see now": best stage first, fresh reports before estimates,
    then whatever opens soonest."""
    return (-status.stage.rank, status.estimated, window.days_until_first_bloom(today))
