"""Cleaning a report photo: decode it for real, apply its orientation, shrink it, turn its
colours into sRGB by its colour profile, keep nothing of the file (EXIF, GPS, XMP, comments, text
chunks, the profile itself), and make a thumbnail. Pure: bytes in, bytes out. Whatever the bytes,
the answer is a CleanPhoto or a PhotoError whose code names the message to show, never another
exception.

Memory stays bounded: a picture over MAX_PIXELS (a PNG or WebP over MAX_PIXELS_DECODED_WHOLE)
is refused from its header, before decoding; a JPEG is decoded already scaled down (`draft`,
at most 1/8); and every picture is shrunk to the full size first, so the conversions that copy
pixels work on at most 1600 × 1600."""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, UnidentifiedImageError

log = logging.getLogger(__name__)
# HEIC/HEIF, as iPhones take them, opened by libheif (which turns them upright as it reads them).
pillow_heif.register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # refuse decompression bombs well before Pillow's own limit
# PNG and WebP are decoded whole, at full size, and a transparent one is copied once more to be
# shrunk: half the pixels keep them within the memory a 50 MP JPEG or HEIC takes. (They are
# screenshots and exports; phone photos are JPEG or HEIC.)
MAX_PIXELS_DECODED_WHOLE = 25_000_000
# MPO: the JPEG with a Multi-Picture index that many phones write (its first picture is the photo).
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
FULL_SIZE = 1600
THUMB_SIZE = 480
ORIENTATION_TAG = 0x0112
# EXIF orientation → the turn that makes the picture upright (as ImageOps.exif_transpose does).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


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
            # Pillow warns of malformed metadata ("Corrupt EXIF data"), which is dropped anyway;
            # of too many pixels it warns only, and that must refuse.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image, profile = _decode(data)
            image = _resizable(image)
            image.thumbnail((FULL_SIZE, FULL_SIZE), Image.Resampling.LANCZOS)
            image = _in_srgb(_flatten(image), profile)
            thumb = image.copy()
            thumb.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
            return CleanPhoto(_jpeg(image), _jpeg(thumb), image.size, thumb.size)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("too-many-pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError):
        raise PhotoError("not-an-image") from None
    except ValueError as error:
        # Pillow refuses a text or profile chunk that would inflate past its limits: a bomb too.
        raise PhotoError("too-many-pixels" if "too large" in str(error).lower() else "not-an-image") from None
    except Exception as error:
        log.warning("photo refused: %s: %s", type(error).__name__, error)
        raise PhotoError("not-an-image") from None


def _decode(data: bytes) -> tuple[Image.Image, bytes | None]:
    """The picture, upright, with nothing of the file (`info` emptied), and its colour profile."""
    image: Image.Image = Image.open(io.BytesIO(data))
    if image.format not in FORMATS:
        raise PhotoError("format")
    limit = MAX_PIXELS_DECODED_WHOLE if image.format in ("PNG", "WEBP") else MAX_PIXELS
    if image.width * image.height > limit:
        raise PhotoError("too-many-pixels")
    if image.format in ("JPEG", "MPO"):
        # Decoded at 1/2, 1/4 or 1/8 where that still leaves at least the full size: a 48 MP
        # photo takes a sixteenth of the memory it would.
        image.draft(image.mode, (FULL_SIZE, FULL_SIZE))
    image.load()  # decode every byte: a truncated file fails here
    orientation = _orientation(image)
    profile = image.info.get("icc_profile")
    # Nothing of the file, but what the pixels mean (a palette's transparent colour).
    image.info = {key: image.info[key] for key in ("transparency",) if key in image.info}
    if orientation in UPRIGHT:
        image = image.transpose(UPRIGHT[orientation])
    return image, profile if isinstance(profile, bytes) and profile else None


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation, or 1 (as taken) when the EXIF cannot be read. Phones write
    malformed EXIF often; Pillow's exif_transpose() then raises while rewriting it, which we
    do not need, as all of it is dropped."""
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:
        return 1
    if isinstance(value, tuple) and value:
        value = value[0]
    return value if isinstance(value, int) else 1


def _resizable(image: Image.Image) -> Image.Image:
    """The picture in a mode Pillow resamples smoothly (a palette or bits it would only pick from)."""
    if image.mode in ("P", "PA") or "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I") or image.mode == "F":
        return image.point(lambda value: value / 256, "L")  # 16-bit grey: no direct way to RGB
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """On white, for JPEG has no transparency; in the picture's own colours still (CMYK stays)."""
    if image.mode in ("RGBA", "LA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _in_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """RGB in sRGB, what a browser assumes of a picture without a profile: converted by the
    picture's own profile (a CMYK print file, a phone's Display P3) where it can be read and
    fits the picture's colours, else as Pillow converts."""
    if profile:
        try:
            converted = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), SRGB, outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # a broken profile, or one for other colours (CMYK for an RGB picture)
        if converted is not None:
            return converted
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    """JPEG of the pixels alone: Pillow would also write a comment left in `info`, so `info`
    is emptied; no profile, for the colours are sRGB already."""
    out = io.BytesIO()
    image.info = {}
    image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


# A photo that comes back from a backup must be one this module wrote: it is not cleaned again
# (that would change its bytes, its name and its URL), only checked.

# Segments a cleaned JPEG is made of: the JFIF header, tables, frame, scans, end. Photos cleaned
# before colour profiles were dropped may also hold one APP2 profile segment (at most 64 KB).
_IMAGE_SEGMENTS = {0xC0, 0xC2, 0xC4, 0xDB, 0xDD}
_APP0, _APP2, _SOS, _EOI = 0xE0, 0xE2, 0xDA, 0xD9


class NotClean(ValueError):
    """Bytes that are not a photo as clean_photo writes them; the message says what is wrong."""


def check_clean(data: bytes, largest: int) -> tuple[int, int]:
    """The size of a JPEG that clean_photo could have written, at most `largest` px a side;
    raise NotClean for anything else (another format, metadata, bytes after its end)."""
    if len(data) > MAX_BYTES:
        raise NotClean(f"{len(data)} bytes: larger than any cleaned photo")
    if data[:2] != b"\xff\xd8":
        raise NotClean(f"not a JPEG (it begins {data[:12]!r})")
    profiles = 0
    for marker, payload in _segments(data):
        if marker == _APP0 and payload.startswith(b"JFIF\x00"):
            continue
        if marker == _APP2 and payload.startswith(b"ICC_PROFILE\x00") and not profiles:
            profiles += 1
            continue
        if marker not in _IMAGE_SEGMENTS | {_SOS, _EOI} and not 0xD0 <= marker <= 0xD7:
            raise NotClean(f"it holds {_NAMES.get(marker, f'a 0x{marker:02X} segment')}, which cleaning removes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != "JPEG" or image.mode not in ("RGB", "L"):
                    raise NotClean(f"a {image.format} picture in {image.mode}: cleaned photos are RGB JPEGs")
                if max(image.size) > largest:
                    raise NotClean(f"{image.width} × {image.height} px: larger than {largest} px")
                image.load()
                return image.size
    except NotClean:
        raise
    except Exception as error:
        raise NotClean(f"not a readable JPEG ({type(error).__name__}: {error})") from None


_NAMES = {
    0xE1: "an APP1 segment (EXIF or XMP: camera, GPS)",
    0xED: "an APP13 segment (Photoshop, IPTC)",
    0xEE: "an APP14 segment (Adobe)",
    0xFE: "a comment",
    _APP0: "an APP0 segment other than JFIF",
    _APP2: "a second colour profile or another APP2 segment (FlashPix, MPF)",
}


def _segments(data: bytes):
    """(marker, the first bytes of its payload) of every segment, scans skipped; NotClean when
    the structure breaks, or bytes follow the end of the image (an HTML page glued after it)."""
    i = 2
    while True:
        if i + 2 > len(data) or data[i] != 0xFF:
            raise NotClean(f"the JPEG structure breaks at byte {i}")
        marker = data[i + 1]
        if marker == _EOI:
            yield marker, b""
            if i + 2 != len(data):
                raise NotClean(f"{len(data) - i - 2} bytes follow the end of the image")
            return
        if i + 4 > len(data):
            raise NotClean(f"the JPEG is cut short at byte {i}")
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        yield marker, data[i + 4 : i + 4 + 16]
        i += 2 + length
        if marker == _SOS:  # entropy-coded data runs to the next marker that is not a restart or stuffing
            while i + 1 < len(data) and not (data[i] == 0xFF and data[i + 1] not in (0x00, *range(0xD0, 0xD8))):
                i += 1
