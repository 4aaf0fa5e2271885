"""Each place's own share image (1200×630, what a chat app shows for a pasted link): its name in
Chinese and English, the drawing of what it is visited for, the guide's name.

Drawn with Pillow; the drawing comes from guide/static/pictures.svg through resvg. The text needs
a font with Chinese glyphs (SHARE_IMAGE_FONTS: bold, then regular; Debian's fonts-noto-cjk by
default). Without one, pages point at the site's one image (static/og.png) instead.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import resvg_py
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
INK, MUTED, ACCENT, PAPER = "#1f1a24", "#5c5563", "#5b2a86", "#fbf9fc"
MARGIN = 72
TEXT_WIDTH = 620  # the left column; the drawing takes the right
SC = 2  # in Noto Sans CJK's collections, the face with Simplified Chinese glyph forms


@dataclass(frozen=True)
class ShareCard:
    """What the image says: every field is part of its identity (`version`)."""

    name_zh: str
    name_en: str
    kinds_zh: tuple[str, ...]
    kinds_en: tuple[str, ...]
    drawing: str  # the <symbol> of the place's first plant
    guide_zh: str = "嘉定花信"
    guide_en: str = "Jiading Bloom Guide"

    @property
    def version(self) -> str:
        """Changes whenever the picture would: the image's URL carries it, so caches never keep an old one."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:12]


def fonts_found(paths: tuple[str, str]) -> bool:
    return all(Path(path).is_file() for path in paths)


@functools.lru_cache(maxsize=64)
def render(card: ShareCard, fonts: tuple[str, str]) -> bytes:
    """The PNG. Cached by content: a place's image is drawn once per process until it changes."""
    bold, regular = fonts
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 18, WIDTH, HEIGHT), fill=ACCENT)

    art = Image.open(io.BytesIO(_drawing_png(card.drawing, 440))).convert("RGBA")
    image.paste(art, (WIDTH - 440 - 60, (HEIGHT - 18 - 440) // 2), art)

    draw.text((MARGIN, 58), f"{card.guide_zh} · {card.guide_en}", font=_font(bold, 30), fill=ACCENT)
    y = 130
    y = _paragraph(draw, card.name_zh, bold, (84, 56), y, INK, cjk=True)
    y = _paragraph(draw, card.name_en, regular, (46, 34), y + 10, MUTED, cjk=False)
    kinds = [("、".join(card.kinds_zh), True), (", ".join(card.kinds_en), False)]
    y = max(y + 30, 430)
    for text, cjk in kinds:
        if text:
            y = _paragraph(draw, text, regular, (32, 26), y, INK, cjk=cjk, lines=1) + 6
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _drawing_png(symbol: str, size: int) -> bytes:
    svg = symbol.replace("<symbol", '<svg xmlns="http://www.w3.org/2000/svg"', 1).replace("</symbol>", "</svg>")
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, width=size, height=size, skip_system_fonts=True))


@functools.lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size, index=SC)
    except OSError:  # a single font, not a collection
        return ImageFont.truetype(path, size)


def _paragraph(draw, text, font_path, sizes, y, fill, *, cjk: bool, lines: int = 2) -> int:
    """Write `text` in the left column at the largest size (from sizes[0] down to sizes[1]) at
    which it fits in `lines` lines, breaking between words (English) or characters (Chinese);
    at the smallest size, what does not fit ends in "…". Returns the y below it."""
    for size in range(sizes[0], sizes[1] - 1, -2):
        font = _font(font_path, size)
        wrapped = _wrap(draw, text, font, cjk)
        if len(wrapped) <= lines:
            break
    else:
        wrapped = wrapped[:lines]
        while draw.textlength(wrapped[-1] + "…", font=font) > TEXT_WIDTH and len(wrapped[-1]) > 1:
            wrapped[-1] = wrapped[-1][:-1]
        wrapped[-1] = wrapped[-1].rstrip(" ,、") + "…"
    step = round(size * 1.3)
    for line in wrapped:
        draw.text((MARGIN, y), line, font=font, fill=fill)
        y += step
    return y


# Chinese punctuation that may not start a line: it stays with the character before it.
_NO_LINE_START = set("，。、；：！？）》」』…·")
_NO_LINE_END = set("（《「『")


def _wrap(draw, text: str, font, cjk: bool) -> list[str]:
    units = list(text) if cjk else text.split(" ")
    joiner = "" if cjk else " "
    lines: list[str] = []
    line = ""
    for unit in units:
        candidate = line + joiner + unit if line else unit
        fits = draw.textlength(candidate, font=font) <= TEXT_WIDTH
        if fits or not line or unit in _NO_LINE_START:
            line = candidate
        elif cjk and line[-1] in _NO_LINE_END:  # an opening bracket goes down with what it opens
            lines.append(line[:-1])
            line = line[-1] + unit
        else:
            lines.append(line)
            line = unit
    return [*lines, line] if line else lines
