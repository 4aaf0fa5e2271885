"""Languages: which ones we serve, which one a visitor gets, and localized formatting.

A language is served when translations/<code>/LC_MESSAGES/messages.po exists (English is the
source language and needs no catalog). Adding one needs a catalog and YAML keys, no code.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import get_global
from babel.dates import format_interval, format_skeleton, format_time, get_month_names
from flask import Blueprint, abort, current_app, g, request
from flask_babel import _, format_timedelta, get_locale
from markupsafe import Markup, escape

from guide.core.bloom import MonthDay
from guide.core.clock import LOCAL_ZONE

SOURCE_LANGUAGE = "en"
# When a text is missing in the page's language, try these next.
FALLBACK_ORDER = ("en", "zh")
LANG_COOKIE = "lang"


def discover_languages(translation_dirs: list[Path]) -> list[str]:
    """The source language plus every language with a catalog, sorted, zh and en first."""
    found = {SOURCE_LANGUAGE}
    for folder in translation_dirs:
        found.update(po.parent.parent.name for po in folder.glob("*/LC_MESSAGES/messages.po"))
    return sorted(found, key=lambda code: (code not in ("zh", "en"), code))


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def negotiate() -> str:
    """The visitor's language: an explicit earlier choice, then the browser's, then the default."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen is not None and chosen in languages():
        return chosen
    stated = [tag for tag, quality in request.accept_languages if quality > 0 and tag != "*"]
    if not stated:
        return str(current_app.config["DEFAULT_LANGUAGE"])
    # In the browser's order of preference, any regional form counts: zh-HK → zh, en-GB → en.
    # (Werkzeug's best_match would prefer an exact "en;q=0.5" over "zh-CN" at full quality.)
    for tag in stated:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in languages():
            return primary
    return str(current_app.config["OTHER_LANGUAGE"])


def add_language_prefix(bp: Blueprint) -> None:
    """Make a blueprint's URLs start with /<lang>/: a language we serve, or a 404."""

    @bp.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        lang = (values or {}).pop("lang", None)
        if lang not in languages():
            abort(404)
        g.lang = lang

    @bp.url_defaults
    def add_lang(endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("lang", g.get("lang"))


def select_locale() -> str:
    """Flask-Babel's locale selector: the language in the URL, else negotiation."""
    if g.get("lang"):
        return str(g.lang)
    # A URL that matched no page (a 404) still speaks the language its path starts with.
    first = request.path.strip("/").split("/", 1)[0]
    return first if first in languages() else negotiate()


def page_lang() -> str:
    return str(get_locale())


def localized(text: dict[str, str] | None, lang: str | None = None) -> tuple[str, str]:
    """Return (value, its language): the page's language, else the first fallback present."""
    if not text:
        return "", lang or page_lang()
    lang = lang or page_lang()
    for code in (lang, *FALLBACK_ORDER, *sorted(text)):
        if text.get(code):
            return text[code], code
    return "", lang


def tr(text: dict[str, str] | None) -> Markup:
    """Jinja filter: localized text, marked with its own lang when it is a fallback."""
    value, lang = localized(text)
    if lang != page_lang():
        return Markup('<span lang="{}">{}</span>').format(html_lang(lang), value)
    return escape(value)


def plain(text: dict[str, str] | None) -> str:
    """Localized text without markup, for attributes, titles and map labels."""
    return localized(text)[0]


def html_lang(code: str) -> str:
    """The tag for lang= and hreflang=: our zh is Simplified Chinese."""
    return {"zh": "zh-Hans"}.get(code, code)


def og_locale(code: str) -> str:
    """Open Graph's form, language_TERRITORY: zh → zh_CN, en → en_US."""
    likely = Locale.parse(get_global("likely_subtags").get(code, code))
    return f"{likely.language}_{likely.territory}" if likely.territory else likely.language


def colon() -> str:
    """What goes between a label and its value: "海棠：" in Chinese (full width, no space),
    "Crabapple: " in English."""
    return "：" if page_lang() == "zh" else ": "


def aside(text: str) -> str:
    """A remark in brackets after what it qualifies: "（已开80%）" in Chinese, " (80% open)" in English."""
    return f"（{text}）" if page_lang() == "zh" else f" ({text})"


def language_name(code: str) -> str:
    """A language's name in that language: 中文, English."""
    return (Locale.parse(code).get_display_name(code) or code).split(" (")[0]


def format_monthday(md: MonthDay | str) -> str:
    """4月15日 / Apr 15."""
    md = MonthDay.parse(md) if isinstance(md, str) else md
    return format_skeleton("MMMd", md.in_year(2000), locale=get_locale())


def format_day(day: date, with_year: bool = False) -> str:
    return format_skeleton("yMMMd" if with_year else "MMMd", day, locale=get_locale())


def format_weekday_date(day: date) -> str:
    """11月24日星期二 / Tue, Nov 24."""
    return format_skeleton("MMMEd", day, locale=get_locale())


def format_day_range(start: date | MonthDay, end: date | MonthDay, with_year: bool = False) -> str:
    """Jul 7 – Aug 7 / 7月7日至8月7日; month-days are shown without a year."""
    if isinstance(start, MonthDay) and isinstance(end, MonthDay):
        first, last = start.in_year(2001), end.in_year(2001 if end >= start else 2002)
        return str(format_interval(first, last, "MMMd", locale=get_locale()))
    if isinstance(start, MonthDay) or isinstance(end, MonthDay):
        raise TypeError("give two month-days or two dates")
    return format_interval(start, end, "yMMMd" if with_year else "MMMd", locale=get_locale())


def format_part_of_month(md: MonthDay) -> str:
    """early July / 七月上旬 (days 1–10, 11–20, 21 on), for dates that move from year to year."""
    month = get_month_names("wide", locale=get_locale())[md.month]
    if md.day <= 10:
        return str(_("early %(month)s", month=month))
    if md.day <= 20:
        return str(_("mid-%(month)s", month=month))
    return str(_("late %(month)s", month=month))


def format_spread(start: MonthDay, latest: MonthDay) -> str:
    """late June to early July / 六月下旬至七月上旬: when something has begun over the years."""
    first, last = format_part_of_month(start), format_part_of_month(latest)
    return first if first == last else str(_("%(first)s to %(last)s", first=first, last=last))


def format_ago(moment: datetime, now: datetime) -> str:
    """2 hours ago / 2小时前; under a minute, "just now" (Babel would say "in 0 seconds")."""
    if now - moment < timedelta(minutes=1):
        return str(_("just now"))
    return str(format_timedelta(moment - now, add_direction=True))


def format_local_time(moment: datetime) -> str:
    """Apr 15 07:30 / 4月15日 07:30, in Shanghai time."""
    local = moment.astimezone(LOCAL_ZONE)
    return f"{format_skeleton('MMMd', local, locale=get_locale())} {format_time(local, 'short', locale=get_locale())}"


def month_names() -> dict[int, str]:
    """1月 … 12月 / Jan … Dec."""
    return dict(get_month_names("abbreviated", locale=get_locale()))


def month_names_wide() -> dict[int, str]:
    """一月 … / January …."""
    return dict(get_month_names("wide", locale=get_locale()))
