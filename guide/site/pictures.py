"""The guide's own pictures (guide/static/pictures.svg): one drawing per kind of flower or leaf,
in one style, each in its own colours.

A picture on a page is `<svg><use href="#pic-NAME"/></svg>`; the page carries the drawings it
uses once each, at its end (`picture_defs`), so twenty cards of wisteria write one drawing and
no request is made for any of them. Plants name theirs in data/places.yaml; a plant without one
gets the generic flower or leaf.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from flask import g
from markupsafe import Markup

SPRITE = Path(__file__).parent.parent / "static" / "pictures.svg"
GENERIC = {"flowers": "flower", "leaves": "leaf"}
# What each drawing shows, in the words a visitor uses for the kind (not one garden's plant name).
KINDS = {
    "wisteria": {"zh": "紫藤", "en": "Wisteria"},
    "plum": {"zh": "梅花", "en": "Plum blossom"},
    "wintersweet": {"zh": "蜡梅", "en": "Wintersweet"},
    "crabapple": {"zh": "海棠", "en": "Crabapple"},
    "peony": {"zh": "牡丹", "en": "Peony"},
    "lotus": {"zh": "荷花", "en": "Lotus"},
    "osmanthus": {"zh": "桂花", "en": "Osmanthus"},
    "chrysanthemum": {"zh": "菊花", "en": "Chrysanthemum"},
    "ginkgo": {"zh": "银杏", "en": "Ginkgo"},
    "maple": {"zh": "红枫", "en": "Maple"},
    "rapeseed": {"zh": "油菜花", "en": "Rapeseed"},
    "crape-myrtle": {"zh": "紫薇", "en": "Crape myrtle"},
    "cherry-plum": {"zh": "紫叶李", "en": "Cherry-plum"},
    "flower": {"zh": "花卉", "en": "Flowers"},
    "leaf": {"zh": "秋叶", "en": "Autumn leaves"},
}
_SYMBOL = re.compile(r'<symbol id="pic-([a-z-]+)".*?</symbol>', re.DOTALL)


@functools.cache
def drawings() -> dict[str, str]:
    """Every drawing by name, as its <symbol> element."""
    text = SPRITE.read_text(encoding="utf-8")
    # Written into pages without the file's line breaks and indents.
    return {found.group(1): re.sub(r">\s+<", "><", found.group(0)) for found in _SYMBOL.finditer(text)}


def picture(name: str, size: int = 48) -> Markup:
    """A drawing, decorative (the words beside it say what it is); noted for `picture_defs`."""
    if name not in drawings():
        name = GENERIC["flowers"]
    used = g.setdefault("pictures", [])
    if name not in used:
        used.append(name)
    return Markup(
        '<svg class="pic" width="{0}" height="{0}" viewBox="0 0 48 48" aria-hidden="true" focusable="false">'
        '<use href="#pic-{1}"></use></svg>'
    ).format(size, name)


def picture_defs() -> Markup:
    """The drawings this page used, once each: written at the end of the page."""
    used = g.get("pictures") or []
    if not used:
        return Markup()
    symbols = "".join(drawings()[name] for name in used)
    return Markup(f'<svg class="pic-defs" aria-hidden="true" focusable="false">{symbols}</svg>')
