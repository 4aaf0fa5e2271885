"""QR codes of our links, as inline SVG for pages and cards (segno; pure)."""

import segno
from markupsafe import Markup


def qr_svg(url: str, title: str, scale: int = 4) -> Markup:
    """An inline <svg> QR code; `title` names it for screen readers."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(
        scale=scale, border=2, dark="#1f1a24", light="#ffffff", title=title, svgclass="qr", omitsize=True
    )
    return Markup('<svg role="img" aria-label="{}" ').format(title) + Markup(svg.removeprefix("<svg "))
