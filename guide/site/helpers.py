"""What every template can use: the page's language, its other-language versions, formatting."""

from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from guide.core import i18n
from guide.core.bloom import BloomStage
from guide.core.qr import qr_svg
from guide.core.scales import estimated
from guide.core.text import drop_unsafe, numbers_kept_whole
from guide.site import pictures


def absolute_url(endpoint: str, **values) -> str:
    """A full URL for links that leave the page (QR codes, feeds, share tags): on the public
    base URL when one is configured (PUBLIC_BASE_URL), else on the host that was asked."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def webcal_url(endpoint: str, **values) -> str:
    """The link that asks a calendar app to subscribe to a calendar (it reads it again itself)."""
    return "webcal://" + absolute_url(endpoint, **values).partition("://")[2]


def alternate_urls(external: bool = True) -> dict[str, str]:
    """This page in every language we serve: absolute for hreflang, paths for the switch."""
    link = absolute_url if external else url_for
    if not (request.endpoint and g.get("lang")):
        return {code: link("places.home", lang=code) for code in i18n.languages()}
    # The query as asked, but never url_for's own arguments (?_scheme=javascript, ?endpoint=…)
    # nor over the page's path (?slug=…): those are the page's, not the visitor's.
    # Every value of a repeated key is kept: a handout of three gardens stays three gardens.
    query = {
        k: values
        for k, values in request.args.lists()
        if k.isidentifier() and not k.startswith("_") and k != "endpoint"
    }
    args = {**query, **(request.view_args or {})}
    return {code: link(request.endpoint, **{**args, "lang": code}) for code in i18n.languages()}


def local_path(target: str | None, default: str, prefix: str = "/") -> str:
    """`target` if it is a page on this site under `prefix`, else `default`: never another host
    ("//evil.example", "/\\evil.example", "https://…"), nor an address that answers no GET
    (a form's, which answers POST only, or none at all)."""
    target = target or ""
    if (
        target.startswith(prefix)
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 32 or ord(c) == 127 for c in target)
        and _answers_get(target)
    ):
        return target
    return default


def _answers_get(target: str) -> bool:
    path = urlsplit(target).path.removeprefix(request.script_root)
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        return True  # the same page by another spelling ("/zh/staff" for "/zh/staff/")
    except HTTPException:
        return False
    return True


def x_default_url(alternates: dict[str, str]) -> str:
    """For visitors in no language we serve: the root negotiates on the home page; elsewhere
    the version for other languages."""
    if request.endpoint == "places.home":
        return absolute_url("site.root")
    if request.endpoint == "places.place":
        return absolute_url("site.place_link", slug=(request.view_args or {})["slug"])
    return alternates[str(current_app.config["OTHER_LANGUAGE"])]


def switch_url(code: str) -> str:
    """The language switch: remembers the choice, then opens the same page in that language."""
    return url_for("site.choose_language", code=code, next=alternate_urls(external=False)[code])


def printable(value):
    """Every value a template writes, without the characters no page, feed or calendar may hold
    (guide.core.text), whatever was stored: one NUL must not make a feed invalid XML."""
    if isinstance(value, Markup):
        return Markup(drop_unsafe(value))
    if isinstance(value, str):
        return drop_unsafe(value)
    return value


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.finalize = printable

    @app.context_processor
    def page_context():
        return {
            "lang": i18n.page_lang(),
            "languages": i18n.languages(),
            "language_name": i18n.language_name,
            "colon": i18n.colon,
            "picture": pictures.picture,
            "picture_defs": pictures.picture_defs,
            "kind_name": lambda kind: i18n.localized(pictures.KINDS.get(kind))[0],
            "aside": i18n.aside,
            "alternate_urls": alternate_urls,
            "switch_url": switch_url,
            "stages": list(BloomStage),
            "stages_by_value": {stage.value: stage for stage in BloomStage},
            "local_time": i18n.format_local_time,
            "month_names": i18n.month_names,
            "month_names_wide": i18n.month_names_wide,
            "html_lang": i18n.html_lang,
            "x_default_url": x_default_url,
            "ago": i18n.format_ago,
            "weekday_date": i18n.format_weekday_date,
            "absolute_url": absolute_url,
            "webcal_url": webcal_url,
            "og_locale": i18n.og_locale,
            "qr_svg": qr_svg,
            "day_range": i18n.format_day_range,
            "part_of_month": i18n.format_part_of_month,
            "spread": i18n.format_spread,
            "estimated": estimated,
        }

    app.add_template_filter(i18n.tr, "tr")
    app.add_template_filter(i18n.plain, "plain")
    app.add_template_filter(i18n.format_monthday, "monthday")
    app.add_template_filter(i18n.format_day, "day")
    app.add_template_filter(numbers_kept_whole, "address")
