"""The installed app's icons, drawn as icon.svg is (a plum blossom on the guide's purple), in
the sizes a home screen asks for. Drawn at start-up with Pillow, never kept as build output."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

PURPLE, PETAL, HEART = "#5b2a86", "#e5ccf3", "#f0c23b"
# icon.svg's five petals on a 64-unit square: centres and radius.
PETALS = ((32, 17), (46.3, 27.4), (40.8, 44.1), (23.2, 44.1), (17.7, 27.4))
SIZES = (192, 512)


def icon_png(size: int, maskable: bool = False) -> bytes:
    """A square PNG. A maskable icon fills its square (the launcher cuts its own shape) and keeps
    the blossom inside the middle 80%, its safe zone; the plain one has icon.svg's rounded corners."""
    scale = 4  # drawn large, then reduced: smooth edges without anti-aliasing of our own
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = side / 64
    if maskable:
        draw.rectangle((0, 0, side, side), fill=PURPLE)
        unit *= 0.8
    else:
        draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=14 * unit, fill=PURPLE)
    offset = (side - 64 * unit) / 2

    def circle(x: float, y: float, r: float, fill: str) -> None:
        cx, cy = offset + x * unit, offset + y * unit
        draw.ellipse((cx - r * unit, cy - r * unit, cx + r * unit, cy + r * unit), fill=fill)

    for x, y in PETALS:
        circle(x, y, 9, PETAL)
    circle(32, 32, 7, HEART)
    out = io.BytesIO()
    small = image.resize((size, size), Image.Resampling.LANCZOS)
    if maskable:
        small = small.convert("RGB")  # opaque to its edges
    # Four flat colours and their edges: a palette of 32 keeps them, at a fraction of the bytes.
    small.quantize(32, method=Image.Quantize.FASTOCTREE).save(out, "PNG", optimize=True)
    return out.getvalue()


def icons() -> dict[str, bytes]:
    """Public name → PNG bytes."""
    found = {f"icon-{size}.png": icon_png(size) for size in SIZES}
    found |= {f"icon-maskable-{size}.png": icon_png(size, maskable=True) for size in SIZES}
    found["apple-touch-icon.png"] = icon_png(180, maskable=True)  # iOS rounds the corners itself
    return found
