"""Every input gets a clear answer in the page's language, never a 500: odd form values, control
characters, malformed photos. (tests/test_fuzz.py sends generated ones.)"""

import io
import json
import re
import struct
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from sqlalchemy import func, select

from guide.core.text import clean_text, drop_unsafe, numbers_kept_whole
from guide.extensions import db
from guide.places.models import BloomReport
from guide.places.schema import InvalidPlaces, parse_places
from guide.staff.photos import PhotoError, clean_photo
from tests.conftest import PLACES_YAML, login
from tests.test_photos import app_with_photos, jpeg, post_with_photo  # noqa: F401  (a fixture)
from tests.test_staff_reports import plant_ids, send


def report_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BloomReport))


def marked(html: str) -> list[str]:
    """The fields marked wrong, by id, and their messages."""
    return re.findall(r'<span class="error" id="(p\d+-\w+)-error">([^<]*)</span>', html)


# Form values.


@pytest.mark.parametrize("stage", ["bogus", "peak%", "50", "<b>peak</b>", "PEAK", "peak\x00", "峰"])
@pytest.mark.parametrize("percent", ["", "50", "%", "150"])
def test_an_unknown_stage_gets_a_localized_message(login_as, guide_app, stage, percent):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    response = send(client, "guyi-garden", ids, peony={"stage": stage, "percent_open": percent})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (f"p{ids['peony']}-stage", "请从列出的选项中选择。") in marked(html)
    assert "Not a valid" not in html and report_count(guide_app) == 0


@pytest.mark.parametrize("percent", ["abc", "1e3", "50.5", "-5", "101", "٣", "9" * 5000, "5 0", "0x10", "½", "50%%"])
@pytest.mark.parametrize("lang, message", [("zh", "请输入0到100之间的数字。"), ("en", "Enter a number from 0 to 100.")])
def test_a_percent_that_is_not_one_gets_one_clear_message(login_as, guide_app, percent, lang, message):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    response = send(client, "guyi-garden", ids, lang=lang, peony={"stage": "peak", "percent_open": percent})
    assert response.status_code == 400
    assert marked(response.get_data(as_text=True)) == [(f"p{ids['peony']}-percent_open", message)]
    assert report_count(guide_app) == 0


@pytest.mark.parametrize("percent, stored", [("85", 85), (" 85 ", 85), ("85%", 85), ("８５", 85), ("100", 100)])
def test_a_percent_typed_as_phones_type_it_is_taken(login_as, guide_app, percent, stored):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    assert send(client, "guyi-garden", ids, peony={"stage": "peak", "percent_open": percent}).status_code == 302
    with guide_app.app_context():
        assert db.session.scalar(select(BloomReport.percent_open)) == stored


def test_every_plant_with_a_mistake_is_marked_not_only_the_first(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    keys = list(ids)[:4]
    wrong = [{"stage": "bogus"}, {"stage": "peak", "percent_open": "abc"}, {"note_en": "no stage"}, {"stage": "x%"}]
    response = send(client, "guyi-garden", ids, **dict(zip(keys, wrong, strict=True)))
    fields = {field.rsplit("-", 1)[0] for field, _message in marked(response.get_data(as_text=True))}
    assert response.status_code == 400 and fields == {f"p{ids[key]}" for key in keys}
    assert report_count(guide_app) == 0


@pytest.mark.parametrize("version", ["²", "٣", "9" * 5000, "-1", "1.5", "", "0x1", "\x00"])
def test_an_odd_version_is_a_conflict_or_a_report_never_an_error(login_as, guide_app, report, version):
    report("guyi-garden", "peony", "budding")
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    page = client.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    page = re.sub(r'(id="p\d+-version"[^>]*value=")\d*', lambda m: m.group(1) + version, page)
    assert send(client, "guyi-garden", ids, page=page, peony={"stage": "peak"}).status_code == 409
    confirm = client.post(
        f"/en/staff/plants/{ids['peony']}/confirm", data={"csrf_token": _token(page), "version": version}
    )
    assert confirm.status_code == 409


@pytest.mark.parametrize("ref", ["a" * 64, "'; DROP TABLE photo; --", "\x00" * 64, "A" * 64, "../" * 20])
def test_a_photo_reference_that_is_not_ours_is_ignored(login_as, guide_app, ref):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    assert send(client, "guyi-garden", ids, peony={"stage": "peak", "photo_ref": ref}).status_code == 302
    with guide_app.app_context():
        assert db.session.scalar(select(BloomReport)).photo is None


def _token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(
    "username, password, lang, message",
    [
        ("", "x" * 12, "zh", "请输入用户名。"),
        ("   ", "x" * 12, "en", "Enter your username."),
        ("\x00\x07", "x" * 12, "zh", "请输入用户名。"),
        ("x" * 81, "x" * 12, "zh", "用户名最多80个字符。"),
        ("x" * 81, "x" * 12, "en", "A username has at most 80 characters."),
        ("wang", "", "zh", "请输入密码。"),
        ("wang", "x" * 201, "en", "A password has at most 200 characters."),
        ("wa\x00ng", "x" * 12, "en", "Wrong username or password."),
        ("wang\u202e", "x" * 12, "zh", "用户名或密码错误"),
    ],
)
def test_every_login_mistake_gets_a_message_in_the_page_language(client, username, password, lang, message):
    response = login(client, username, password, lang=lang)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


# Control characters.

CONTROL = "Best\x0b on the\x00 east\x1b side\x85\x7f\ufffe\x0c!\r\nSecond line"


def test_control_characters_in_a_note_are_removed_where_it_comes_in(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    assert send(client, "guyi-garden", ids, peony={"stage": "peak", "note_en": CONTROL, "note_zh": "\x00"}).status_code
    with guide_app.app_context():
        assert db.session.scalar(select(BloomReport.note)) == {"en": "Best on the east side!\nSecond line"}


def test_stored_control_characters_break_no_feed_calendar_json_or_page(guide_app, report, client):
    """Text stored before the forms removed them (or by another door) is made safe when written."""
    report("guyi-garden", "peony", "peak", note={"en": CONTROL, "zh": "东侧\x0b最好\x00"})
    for path, said in (
        ("/en/feed.atom", "Best on the east side!"),
        ("/zh/feed.atom", "东侧最好"),
        ("/en/places/guyi-garden/feed.atom", "Best on the east side!"),
    ):
        body = client.get(path).get_data(as_text=True)
        ET.fromstring(body.encode())  # well-formed XML
        assert said in body
    for path in ("/en/places/guyi-garden", "/zh/places/guyi-garden", "/en/places/guyi-garden/history", "/en/"):
        html = client.get(path).get_data(as_text=True)
        assert drop_unsafe(html) == html, path
    api = client.get("/api/v1/places/guyi-garden")
    assert json.loads(api.get_data(as_text=True))  # JSON escapes them: still valid
    for path in ("/en/events.ics", "/en/places/guyi-garden/bloom.ics"):
        body = client.get(path).get_data(as_text=True)
        assert drop_unsafe(body) == body


@pytest.mark.parametrize("character", ["\\v", "\\0", "\\x1b", "\\x85", "\\uFFFE"])
def test_a_places_file_with_control_characters_is_refused_naming_them(character):
    text = PLACES_YAML.read_text(encoding="utf-8")
    text = text.replace("{en: Jiading Wisteria Park,", f'{{en: "Jiading{character} Wisteria Park",', 1)
    with pytest.raises(InvalidPlaces, match=r"contains control characters \(U\+"):
        parse_places(text, "places.yaml", ("en", "zh"))


def test_clean_text_keeps_what_people_write():
    assert clean_text("春天\n\tSpring — “quotes” 🌸") == "春天\n\tSpring — “quotes” 🌸"
    assert clean_text("a\r\nb\rc\x00d\x0be") == "a\nb\ncde"


# Photos.


def _exif(*entries) -> bytes:
    """Little-endian TIFF EXIF, entries (tag, type, count, 4 value bytes), as a phone might write it."""
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHI", tag, kind, count) + value
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0)


ORIENTATION_6 = (0x0112, 3, 1, struct.pack("<HH", 6, 0))
MALFORMED_EXIF = {
    "signed where unsigned": _exif(ORIENTATION_6, (0x0103, 8, 1, struct.pack("<hh", -1, 0))),
    "count past the end": _exif(ORIENTATION_6, (0x010F, 2, 0x7FFFFFFF, struct.pack("<I", 1000))),
    "unknown type": _exif(ORIENTATION_6, (0x9286, 99, 4, b"abcd")),
    "IFD pointer out of range": _exif(ORIENTATION_6, (0x8769, 4, 1, struct.pack("<I", 0xFFFFFF))),
    "IFD pointing at itself": _exif(ORIENTATION_6, (0x8825, 4, 1, struct.pack("<I", 8))),
    "orientation twice": _exif((0x0112, 3, 2, struct.pack("<HH", 6, 6))),
    "orientation as text": _exif((0x0112, 2, 4, b"six\x00")),
    "orientation 9": _exif((0x0112, 3, 1, struct.pack("<HH", 9, 0))),
    "cut short": _exif(ORIENTATION_6)[:-7],
}


def _jpeg_with_exif(exif: bytes, size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 60, 160)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize("name", MALFORMED_EXIF)
def test_a_photo_with_malformed_exif_is_taken_upright_or_as_it_is(name):
    clean = clean_photo(_jpeg_with_exif(MALFORMED_EXIF[name]))
    assert clean.size in ((200, 300), (300, 200))
    if name in ("signed where unsigned", "unknown type", "orientation twice"):
        assert clean.size == (200, 300)  # orientation 6 read despite the rest: turned upright


@pytest.mark.parametrize("name", MALFORMED_EXIF)
def test_a_photo_with_malformed_exif_is_answered_through_the_form(login_as, app_with_photos, name):  # noqa: F811
    client = login_as("wang", "guyi-garden")
    assert post_with_photo(client, app_with_photos, _jpeg_with_exif(MALFORMED_EXIF[name])).status_code == 302


def _png_bomb(width: int, height: int) -> bytes:
    """A PNG that declares width × height pixels in a few hundred bytes (its data cut short)."""
    out = io.BytesIO()
    Image.new("1", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    import zlib

    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize("size", [(8000, 7000), (10000, 10000), (30000, 30000), (1, 2**31 - 1)])
def test_a_decompression_bomb_is_refused_as_too_large(size):
    with pytest.raises(PhotoError) as refused:
        clean_photo(_png_bomb(*size))
    assert refused.value.code == "too-many-pixels"


def test_a_png_whose_text_would_inflate_past_limits_is_refused_as_too_large():
    import zlib

    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "x" * (PngImagePlugin.MAX_TEXT_CHUNK + 10), zip=True)
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG", pnginfo=info)
    assert len(out.getvalue()) < 100_000 and zlib  # small on the wire
    with pytest.raises(PhotoError) as refused:
        clean_photo(out.getvalue())
    assert refused.value.code == "too-many-pixels"


@pytest.mark.parametrize("lang, message", [("zh", "照片像素过多"), ("en", "too many pixels")])
def test_a_bomb_sent_through_the_form_gets_the_too_large_message(login_as, app_with_photos, lang, message):  # noqa: F811
    client = login_as("wang", "guyi-garden")
    response = post_with_photo(client, app_with_photos, _png_bomb(10000, 10000), lang=lang)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert report_count(app_with_photos) == 0


def test_a_phone_jpeg_with_a_multi_picture_index_is_taken():
    first, second = Image.new("RGB", (400, 300), "red"), Image.new("RGB", (400, 300), "blue")
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second], exif=_exif(ORIENTATION_6))
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    clean = clean_photo(out.getvalue())
    assert clean.size == (300, 400)
    assert Image.open(io.BytesIO(clean.full)).getpixel((10, 10))[0] > 200  # the first picture


def test_jpeg_photos_in_any_mode_are_taken():
    for mode in ("L", "CMYK", "RGB"):
        out = io.BytesIO()
        Image.new(mode, (64, 48)).save(out, "JPEG")
        assert clean_photo(out.getvalue()).size == (64, 48)
    assert jpeg  # the shared helper is importable


# Nothing of the phone in a served photo: every segment read back.

SECRETS = (b"SecretCam", b"Exif", b"ns.adobe.com", b"31.3716", b"my-private-comment", b"GPS")


def _icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "SecretCam", "SecretCam X1", 6
    exif[0x8825] = {1: "N", 2: (31.0, 22.0, 31.3716), 3: "E", 4: (121.0, 15.0, 9.0)}
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://ns.adobe.com/xap/1.0/">'
    b"GPS 31.3716</rdf:RDF></x:xmpmeta>"
)


def _with_metadata(kind: str) -> bytes:
    image, out = Image.new("RGB", (600, 400), (10, 120, 30)), io.BytesIO()
    if kind == "jpeg":
        image.save(out, "JPEG", exif=_camera_exif(), comment=b"my-private-comment", xmp=XMP, icc_profile=_icc())
    elif kind == "mpo":
        image.save(out, "MPO", save_all=True, append_images=[image], exif=_camera_exif(), comment=b"my-private-comment")
    elif kind == "png":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "my-private-comment")
        info.add_text("Software", "SecretCam", zip=True)
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        image.save(out, "PNG", pnginfo=info, exif=_camera_exif(), icc_profile=_icc())
    elif kind == "webp":
        image.save(out, "WEBP", exif=_camera_exif(), xmp=XMP, icc_profile=_icc())
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, start of payload) of every segment of a JPEG up to its image data, and after it."""
    assert data[:2] == b"\xff\xd8"
    found, i = [], 2
    while i < len(data):
        assert data[i] == 0xFF, f"not a marker at {i}"
        marker = data[i + 1]
        if marker == 0xD9:  # end of image
            found.append((marker, b""))
            assert i + 2 == len(data), "bytes after the end of the image"
            break
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        found.append((marker, data[i + 4 : i + 4 + 16]))
        i += 2 + length
        if marker == 0xDA:  # scan data runs to the next marker that is not a restart or a stuffed 0xFF
            while not (data[i] == 0xFF and data[i + 1] not in (0x00, *range(0xD0, 0xD8))):
                i += 1
    return found


ALLOWED = {0xE0: b"JFIF\x00"}  # APP0 JFIF; no APP2 colour profile: the colours are sRGB by then
JPEG_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression"}
IMAGE_DATA = {0xDB, 0xC0, 0xC2, 0xC4, 0xDA, 0xDD, 0xD9}  # tables, frame, scans, end


@pytest.mark.parametrize("kind", ["jpeg", "mpo", "png", "webp"])
def test_cleaned_photos_keep_no_metadata_not_even_a_colour_profile(kind):
    clean = clean_photo(_with_metadata(kind))
    for data in (clean.full, clean.thumb):
        for marker, payload in jpeg_segments(data):
            assert marker in IMAGE_DATA or (marker in ALLOWED and payload.startswith(ALLOWED[marker])), hex(marker)
        assert not any(secret in data for secret in SECRETS)
        reopened = Image.open(io.BytesIO(data))
        assert not reopened.getexif() and set(reopened.info) <= JPEG_INFO
    assert clean.size == (400, 600)  # turned upright by the EXIF orientation, then dropped


def test_a_served_photo_and_thumbnail_carry_nothing_of_the_phone(login_as, app_with_photos):  # noqa: F811
    client = login_as("wang", "guyi-garden")
    assert post_with_photo(client, app_with_photos, _with_metadata("jpeg")).status_code == 302
    html = app_with_photos.test_client().get("/en/places/guyi-garden").get_data(as_text=True)
    src = re.search(r'<img class="photo"[^>]*src="([^"]+)"', html).group(1)
    for name in (src, src.replace("-thumb.jpg", ".jpg")):
        served = app_with_photos.test_client().get(name)
        assert served.status_code == 200
        assert not any(secret in served.data for secret in SECRETS)
        assert {marker for marker, _ in jpeg_segments(served.data)} <= IMAGE_DATA | set(ALLOWED)
        served.close()


@pytest.mark.parametrize("lang, said", [("zh", "出错"), ("en", "Something went wrong")])
def test_when_even_the_error_page_fails_the_answer_is_a_plain_500(guide_app, monkeypatch, lang, said):
    import guide.site.errors

    def broken(*args, **kwargs):
        raise RuntimeError("the template fails too")

    guide_app.add_url_rule("/<lang>/boom", "boom", lambda lang: 1 / 0)
    monkeypatch.setattr(guide.site.errors, "render_template", broken)
    response = guide_app.test_client().get(f"/{lang}/boom")
    assert response.status_code == 500 and said in response.get_data(as_text=True)


def _heic(orientation: int = 6, size=(300, 200)) -> bytes:
    exif = _camera_exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", size, (200, 60, 160)).save(out, "HEIF", exif=exif.tobytes(), quality=80)
    return out.getvalue()


def test_an_iphone_heic_photo_is_taken_upright_with_nothing_of_the_phone():
    data = _heic()
    assert data[4:12] == b"ftypheic"
    clean = clean_photo(data)
    assert clean.size == (200, 300)  # turned upright once, not twice
    for jpeg_bytes in (clean.full, clean.thumb):
        assert {marker for marker, _ in jpeg_segments(jpeg_bytes)} <= IMAGE_DATA | set(ALLOWED)
        assert not any(secret in jpeg_bytes for secret in SECRETS)


@pytest.mark.parametrize("cut", [12, 100, 400])
def test_a_damaged_heic_is_not_readable_not_an_error(cut):
    with pytest.raises(PhotoError) as refused:
        clean_photo(_heic()[:cut])
    assert refused.value.code == "not-an-image"


def test_a_heic_photo_is_taken_through_the_form(login_as, app_with_photos):  # noqa: F811
    client = login_as("wang", "guyi-garden")
    response = post_with_photo(client, app_with_photos, _heic(), filename="IMG_0042.HEIC")
    assert response.status_code == 302 and report_count(app_with_photos) == 1


def test_a_house_number_is_never_split_and_the_rest_is_escaped():
    assert numbers_kept_whole("沪宜公路218号（近<b>）") == ('沪宜公路<span class="nowrap">218号</span>（近&lt;b&gt;）')
    assert numbers_kept_whole("墨玉北路2700弄３号楼") == (
        '墨玉北路<span class="nowrap">2700弄</span><span class="nowrap">３号楼</span>'
    )
    assert numbers_kept_whole("州桥老街") == "州桥老街"
