"""Cleaning a report photo: decode it for real, apply its orientation, drop EXIF (GPS too),
shrink it, and make a thumbnail. Pure: bytes in, bytes out."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # refuse decompression bombs well before Pillow's own limit
FORMATS = {"JPEG", "PNG", "WEBP"}
FULL_SIZE = 1600
THUMB_SIZE = 480


class PhotoError(ValueError):
    """Why a file is not a photo we take; `code` picks the localized message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanPhoto:
    full: bytes
    thumb: bytes
    size: tuple[int, int]
    thumb_size: tuple[int, int]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.full).hexdigest()


def clean_photo(data: bytes) -> CleanPhoto:
    """Return the photo as a JPEG of at most 1600 px with no metadata, and its thumbnail."""
    if len(data) > MAX_BYTES:
        raise PhotoError("too-large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise PhotoError("format")
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError("too-many-pixels")
                probe.load()  # decode every byte: a truncated file fails here
                image = ImageOps.exif_transpose(probe)
    except PhotoError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise PhotoError("not-an-image") from None
    image = _flatten(image)
    image.thumbnail((FULL_SIZE, FULL_SIZE), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    return CleanPhoto(_jpeg(image), _jpeg(thumb), image.size, thumb.size)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True, progressive=True)  # no exif= : none kept
    return out.getvalue()
