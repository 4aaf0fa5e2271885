"""Report photos: colours turned into sRGB by their profile, the profile itself dropped, and
the memory used for a large picture bounded."""

import io
import struct

import pytest
from PIL import Image, ImageCms

from guide.staff.photos import (
    FULL_SIZE,
    MAX_PIXELS,
    MAX_PIXELS_DECODED_WHOLE,
    THUMB_SIZE,
    PhotoError,
    clean_photo,
)
from tests.test_inputs import IMAGE_DATA, jpeg_segments
from tests.test_photos import app_with_photos, post_with_photo, stored  # noqa: F401

MB = 1024 * 1024


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def cmyk_profile() -> bytes:
    """A small CMYK printer profile (ICC v2, one lut8 to Lab with a 2-point grid), so that the
    tests need no profile file: cyan prints as a real cyan, far from the RGB (0, 255, 255)."""
    corners = {  # (C, M, Y) on or off, no black → Lab, roughly as a press prints them
        (0, 0, 0): (100, 0, 0),
        (1, 0, 0): (55, -37, -50),
        (0, 1, 0): (48, 74, -3),
        (0, 0, 1): (89, -5, 93),
        (1, 1, 0): (24, 22, -46),
        (1, 0, 1): (48, -66, 24),
        (0, 1, 1): (47, 68, 48),
        (1, 1, 1): (20, 0, 0),
    }
    grid = b""
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    lightness, a, b = (10, 0, 0) if k else corners[(c, m, y)]
                    grid += bytes((round(lightness * 255 / 100), a + 128, b + 128))
    same = bytes(range(256))
    matrix = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    lut = b"mft1" + bytes(4) + bytes((4, 3, 2, 0)) + matrix + same * 4 + grid + same * 3
    name = b"CMYK for tests\x00"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(name)) + name + bytes(78)
    white = b"XYZ " + bytes(4) + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    tags = [(b"desc", desc), (b"wtpt", white), (b"A2B0", lut)]
    start = 128 + 4 + 12 * len(tags)
    table, data = struct.pack(">I", len(tags)), b""
    for signature, body in tags:
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", start + len(data), len(body))
        data += body
    header = struct.pack(">I", start + len(data)) + bytes(4) + bytes((2, 0x10, 0, 0)) + b"prtrCMYKLab "
    header += bytes(12) + b"acsp" + bytes(28) + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    return header + bytes(128 - len(header)) + table + data


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def saved(image: Image.Image, kind: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_no_profile(data: bytes):
    image = opened(data)
    assert image.mode == "RGB" and "icc_profile" not in image.info
    assert {marker for marker, _ in jpeg_segments(data)} <= IMAGE_DATA | {0xE0}  # JFIF, no APP2


# A colour profile is never copied: it could be any size, and the colours are sRGB by then.

HUGE_PROFILES = {
    "sRGB padded to 2 MB": srgb_profile() + bytes(2 * MB),
    "2 MB of noise": bytes(range(256)) * (2 * MB // 256),
    "CMYK padded to 2 MB, on an RGB picture": cmyk_profile() + bytes(2 * MB),
}


@pytest.mark.parametrize("name", HUGE_PROFILES)
@pytest.mark.parametrize("kind", ["JPEG", "WEBP"])
def test_a_small_photo_with_a_huge_profile_becomes_a_small_jpeg_without_it(name, kind):
    data = saved(Image.new("RGB", (64, 64), (200, 60, 160)), kind, icc_profile=HUGE_PROFILES[name])
    assert len(data) > 2 * MB
    clean = clean_photo(data)
    for out in (clean.full, clean.thumb):
        assert len(out) < 10_000
        assert_no_profile(out)
        assert opened(out).getpixel((32, 32)) == pytest.approx((200, 60, 160), abs=12)
    assert clean.size == (64, 64)


@pytest.mark.parametrize("name", HUGE_PROFILES)
def test_a_png_whose_profile_inflates_past_pillows_limit_is_refused_as_too_large(name):
    data = saved(Image.new("RGB", (64, 64), (200, 60, 160)), "PNG", icc_profile=HUGE_PROFILES[name])
    with pytest.raises(PhotoError) as refused:
        clean_photo(data)
    assert refused.value.code == "too-many-pixels"


def test_a_huge_profile_through_the_form_is_stored_small(login_as, app_with_photos):  # noqa: F811
    data = saved(Image.new("RGB", (64, 64), "orange"), icc_profile=HUGE_PROFILES["sRGB padded to 2 MB"])
    assert post_with_photo(login_as("wang", "guyi-garden"), app_with_photos, data).status_code == 302
    count, sizes = stored(app_with_photos)
    assert count == 1 and all(size < 10_000 for size in sizes[0])


# CMYK becomes RGB by its profile, and keeps no CMYK profile.

CMYK_COLOURS = {  # what the test profile prints, in sRGB, give or take
    "cyan": ((255, 0, 0, 0), (0, 150, 215)),
    "red": ((0, 255, 255, 0), (215, 5, 20)),
    "yellow": ((0, 0, 255, 0), (245, 225, 0)),
    "paper": ((0, 0, 0, 0), (255, 255, 255)),
    "black": ((0, 0, 0, 255), (0, 0, 0)),
}


@pytest.mark.parametrize("colour", CMYK_COLOURS)
def test_a_cmyk_photo_is_converted_by_its_profile_into_rgb_without_it(colour):
    ink, seen = CMYK_COLOURS[colour]
    clean = clean_photo(saved(Image.new("CMYK", (2000, 1000), ink), icc_profile=cmyk_profile()))
    assert clean.size == (FULL_SIZE, 800)
    for out in (clean.full, clean.thumb):
        assert_no_profile(out)
        assert opened(out).getpixel((100, 100)) == pytest.approx(seen, abs=16)


@pytest.mark.parametrize(
    "profile", [None, b"not a profile", srgb_profile()], ids=["none", "unreadable", "an RGB profile"]
)
def test_a_cmyk_photo_whose_profile_cannot_be_used_is_converted_plainly(profile):
    options = {"icc_profile": profile} if profile else {}
    clean = clean_photo(saved(Image.new("CMYK", (300, 200), (0, 255, 255, 0)), **options))
    assert_no_profile(clean.full)
    red, green, blue = opened(clean.full).getpixel((150, 100))
    assert red > 200 and green < 40 and blue < 40


def test_a_photo_in_srgb_keeps_its_colours():
    for kind in ("JPEG", "PNG", "WEBP"):
        clean = clean_photo(saved(Image.new("RGB", (300, 200), (10, 120, 30)), kind, icc_profile=srgb_profile()))
        assert_no_profile(clean.full)
        assert opened(clean.full).getpixel((150, 100)) == pytest.approx((10, 120, 30), abs=6)


# A large picture: refused from its header, or shrunk before anything copies its pixels.


@pytest.mark.parametrize(
    "mode, size",
    [("1", (5000, 5000)), ("L", (5000, 5000)), ("P", (6250, 4000)), ("RGBA", (4000, 3000))],
)
def test_a_large_png_just_under_the_limit_is_shrunk_to_the_full_size(mode, size):
    assert size[0] * size[1] <= MAX_PIXELS_DECODED_WHOLE
    clean = clean_photo(saved(Image.new(mode, size, 1), "PNG"))
    assert max(clean.size) == FULL_SIZE and max(clean.thumb_size) == THUMB_SIZE
    assert opened(clean.full).size == clean.size


@pytest.mark.parametrize("size", [(7070, 7070), (5001, 5000), (25_001, 1000), (65_000, 65_000)])
def test_a_png_over_the_pixel_limit_is_refused_before_it_is_decoded(size):
    """A PNG is decoded whole: its limit is half a JPEG's (7070 × 7070 once took 850 MB)."""
    from tests.test_inputs import _png_bomb

    assert size[0] * size[1] > MAX_PIXELS_DECODED_WHOLE
    with pytest.raises(PhotoError) as refused:
        clean_photo(_png_bomb(*size))
    assert refused.value.code == "too-many-pixels"


@pytest.mark.parametrize(
    "size, expected",
    [((6000, 4000), (1600, 1067)), ((4000, 6000), (1067, 1600)), ((7000, 4000), (1600, 914))],
)
def test_a_large_jpeg_is_decoded_scaled_down_and_comes_out_the_usual_size(size, expected):
    """A JPEG over the PNG limit is still taken: it is decoded at a half or a quarter."""
    assert size[0] * size[1] <= MAX_PIXELS
    photo = Image.new("RGB", size, (200, 60, 160))
    clean = clean_photo(saved(photo, quality=70))
    assert clean.size == expected and opened(clean.full).size == expected
    assert opened(clean.full).getpixel((500, 500)) == pytest.approx((200, 60, 160), abs=12)
