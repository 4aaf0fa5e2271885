"""What the pages say about seasons and forecasts, in the page's language."""

from __future__ import annotations

from datetime import date

from flask_babel import _, ngettext
from flask_babel import lazy_gettext as _l

from guide.core.bloom import BloomStage
from guide.core.forecast import Basis, Forecast, Moment, Season, Span, Visit
from guide.core.i18n import format_day, format_day_range, month_names_wide, plain
from guide.core.plan import MAX_DAYS, Certainty, PlanError, Refused, trip
from guide.places.models import Plant


def span_text(span: Span) -> str:
    """Apr 10–14 / 4月10日至14日."""
    return format_day_range(span.start, span.end)


def reason(made: Forecast) -> str:
    """Why the dates are what they are: about 6 days early this year (from 3 reports)."""
    if made.fallback:
        return _("the usual dates: this season's reports could not be read just now")
    days = abs(made.shift)
    if made.basis is Basis.USUAL:
        if made.past_seasons >= 2:
            return ngettext(
                "the usual dates, as the past %(num)d season ran",
                "the usual dates, as the past %(num)d seasons ran",
                made.past_seasons,
            )
        return _("the usual dates: no report yet this season")
    if made.basis is Basis.ELSEWHERE:
        if made.shift < 0:
            return ngettext(
                "about %(num)d day early, from reports at other gardens",
                "about %(num)d days early, from reports at other gardens",
                days,
            )
        if made.shift > 0:
            return ngettext(
                "about %(num)d day late, from reports at other gardens",
                "about %(num)d days late, from reports at other gardens",
                days,
            )
        return _("on time, from reports at other gardens")
    reports = ngettext("from %(num)d report", "from %(num)d reports", made.reports)
    if made.shift < 0:
        return ngettext(
            "about %(num)d day early this year (%(reports)s)",
            "about %(num)d days early this year (%(reports)s)",
            days,
            reports=reports,
        )
    if made.shift > 0:
        return ngettext(
            "about %(num)d day late this year (%(reports)s)",
            "about %(num)d days late this year (%(reports)s)",
            days,
            reports=reports,
        )
    return _("on time this year (%(reports)s)", reports=reports)


def reason_line(made: Forecast) -> str:
    """The reason as a line of its own: capitalized where the language has capitals."""
    text = reason(made)
    return text[:1].upper() + text[1:]


def forecast_line(made: Forecast) -> str:
    """Where the peak stands this season: expected, under way, or past."""
    if made.over:
        return _("Over for this season")
    if "peak_end" in made.seen:
        return _(
            "Peak %(days)s; over expected %(over)s", days=span_text(made.best()), over=span_text(made.expected["over"])
        )
    if "peak_start" in made.seen:
        return _(
            "At its peak since %(day)s; expected to end %(end)s",
            day=format_day(made.seen["peak_start"]),
            end=span_text(made.expected["peak_end"]),
        )
    if made.basis is Basis.USUAL:
        return _("Usually at its peak %(days)s", days=span_text(made.likely_peak()))
    return _(
        "Peak expected to begin %(start)s and end %(end)s",
        start=span_text(made.expected["peak_start"]),
        end=span_text(made.expected["peak_end"]),
    )


def season_text(season: Season, plant: Plant) -> str:
    """2025: First bloom Mar 30 · Peak Apr 10–22 · Over May 3."""
    scale, points = plant.scale, season.points

    def seen(stage: BloomStage, when: str) -> str:
        return _("%(stage)s %(day)s", stage=scale.of(stage).title, day=when)

    parts = []
    if "first" in points:
        parts.append(seen(BloomStage.FIRST_BLOOM, format_day(points["first"])))
    if "peak_start" in points and "peak_end" in points:
        parts.append(seen(BloomStage.PEAK, format_day_range(points["peak_start"], points["peak_end"])))
    elif "peak_start" in points:
        peak = scale.of(BloomStage.PEAK).title
        parts.append(_("%(peak)s by %(day)s", peak=peak, day=format_day(points["peak_start"])))
    if "over" in points:
        parts.append(seen(BloomStage.OVER, format_day(points["over"])))
    if not parts and "bud" in points:
        parts.append(seen(BloomStage.BUDDING, format_day(points["bud"])))
    return " · ".join(parts)


def visit_line(visit: Visit, plant: Plant, today: date) -> str:
    """Now: chrysanthemum at its peak, usually until about Nov 25 — last days."""
    name = plain(plant.name)
    leaves = plant.visited_for == "leaves"
    if visit.moment is Moment.PEAK:
        until = format_day(visit.best.end)
        if visit.forecast:
            line = (
                _("Now: %(plant)s in peak colour, expected until about %(day)s", plant=name, day=until)
                if leaves
                else _("Now: %(plant)s at its peak, expected until about %(day)s", plant=name, day=until)
            )
        else:
            line = (
                _("Now: %(plant)s in peak colour, usually until about %(day)s", plant=name, day=until)
                if leaves
                else _("Now: %(plant)s at its peak, usually until about %(day)s", plant=name, day=until)
            )
        return _("%(line)s — last days", line=line) if visit.last_days(today) else line
    if visit.moment is Moment.RISING:
        start = format_day(visit.best.start)
        if visit.forecast:
            return _("Now: %(plant)s coming into its peak, expected from about %(day)s", plant=name, day=start)
        return _("Now: %(plant)s coming into its peak, usually from about %(day)s", plant=name, day=start)
    if visit.moment is Moment.FADING:
        return _("Now: %(plant)s past its peak, over by about %(day)s", plant=name, day=format_day(visit.season.end))
    month = month_names_wide()[visit.best.middle.month]
    if visit.forecast:
        return _(
            "Next: %(plant)s, expected %(days)s, best in %(month)s",
            plant=name,
            days=span_text(visit.season),
            month=month,
        )
    return _(
        "Next: %(plant)s, usually %(days)s, best in %(month)s", plant=name, days=span_text(visit.season), month=month
    )


PLAN_ERRORS = {
    PlanError.MISSING: _l("Choose the first day of your trip."),
    PlanError.NOT_A_DATE: _l("That is not a date we can read: choose one from the calendar, as 2026-04-15."),
    PlanError.BACKWARDS: _l("The last day comes before the first: swap them, or choose again."),
    PlanError.PAST: _l("That day has passed: choose today or a later day."),
    PlanError.TOO_FAR: _l("The guide plans up to a year ahead: choose an earlier day."),
    PlanError.TOO_LONG: _l("A trip of up to %(num)s days, please: choose a shorter range."),
}
CERTAINTY = {  # Certainty.USUAL is said in the plant's own words (how_sure)
    Certainty.REPORT: _l("reported by park staff"),
    Certainty.FORECAST: _l("forecast from this season's reports"),
}


def how_sure(certainty: Certainty, plant: Plant) -> str:
    """Reported by park staff / forecast from this season's reports / estimated from usual dates."""
    return plant.scale.estimated if certainty is Certainty.USUAL else str(CERTAINTY[certainty])


def plan_error(reason: PlanError) -> str:
    return str(PLAN_ERRORS[reason]) % {"num": MAX_DAYS}


def asked_trip(first: str, last: str, today: date) -> tuple[tuple[date, date] | None, str | None]:
    """The days of a trip asked in a form (`from`, `to`), or the reason they cannot be, in the
    page's language; neither when nothing was asked."""
    if not (first or last):
        return None, None
    try:
        return trip(first, last, today), None
    except Refused as refused:
        return None, plan_error(refused.reason)
