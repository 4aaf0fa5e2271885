"""Report photos: verified by decoding, cleaned of metadata, resized, stored by content hash."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from guide.extensions import db
from guide.places.models import BloomReport, Photo
from guide.staff.photos import PhotoError, clean_photo
from tests.test_staff_reports import form_fields, plant_ids

GPS_TAG, ORIENTATION_TAG = 0x8825, 0x0112


def jpeg(size=(3000, 2000), orientation=None, gps=True, color=(200, 60, 160)) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if gps:
        exif[GPS_TAG] = {1: "N", 2: (31.0, 22.0, 40.0), 3: "E", 4: (121.0, 15.0, 9.0)}
    if orientation:
        exif[ORIENTATION_TAG] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_with_alpha() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (800, 600), (10, 200, 10, 128)).save(out, "PNG")
    return out.getvalue()


def test_cleaning_applies_orientation_drops_exif_and_resizes():
    clean = clean_photo(jpeg(orientation=6))  # "rotate 90°": a portrait photo taken sideways
    full = Image.open(io.BytesIO(clean.full))
    assert full.size == (1067, 1600) and clean.size == full.size
    assert not full.getexif() and "exif" not in full.info
    thumb = Image.open(io.BytesIO(clean.thumb))
    assert max(thumb.size) == 480 and not thumb.getexif()
    assert len(clean.sha256) == 64


def test_png_and_webp_are_taken_and_flattened():
    assert clean_photo(png_with_alpha()).size == (800, 600)
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "yellow").save(out, "WEBP")
    assert clean_photo(out.getvalue()).size == (640, 480)


@pytest.mark.parametrize(
    "data, code",
    [
        (b"%PDF-1.4 not a photo at all", "not-an-image"),
        (jpeg()[:5000], "not-an-image"),  # truncated
        (b"GIF89a" + b"\x00" * 100, "not-an-image"),
        (b"\xff" * (10 * 1024 * 1024 + 1), "too-large"),
    ],
)
def test_what_is_not_a_photo_is_refused(data, code):
    with pytest.raises(PhotoError) as raised:
        clean_photo(data)
    assert raised.value.code == code


def test_a_gif_is_refused_by_format():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(PhotoError, match="format"):
        clean_photo(out.getvalue())


def post_with_photo(client, app, photo: bytes, filename="IMG_0001.jpg", lang="en", **fields):
    ids = plant_ids(app, "guyi-garden")
    page = client.get(f"/{lang}/staff/places/guyi-garden").get_data(as_text=True)
    data = {
        **form_fields(page),
        f"p{ids['peony']}-stage": "peak",
        **{f"p{ids['peony']}-{k}": v for k, v in fields.items()},
        f"p{ids['peony']}-photo": FileStorage(io.BytesIO(photo), filename, content_type="image/jpeg"),
    }
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(data)
    return client.post(
        f"/{lang}/staff/places/guyi-garden/report", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def stored(app):
    """How many photos the database holds, and the sizes of their JPEGs (full, thumbnail)."""
    with app.app_context():
        photos = db.session.scalar(select(func.count()).select_from(Photo))
        sizes = [(len(p.full), len(p.thumb)) for p in db.session.scalars(select(Photo))]
    return photos, sizes


@pytest.fixture
def app_with_photos(guide_app, tmp_path):
    guide_app.instance_path = str(tmp_path / "instance")
    return guide_app


def test_a_report_photo_is_stored_clean_and_shown_lazily_with_its_size(login_as, app_with_photos):
    client = login_as("wang", "guyi-garden")
    assert post_with_photo(client, app_with_photos, jpeg(orientation=6)).status_code == 302
    count, sizes = stored(app_with_photos)
    assert count == 1 and sizes[0][0] > sizes[0][1] > 0  # in the database, with its thumbnail
    assert not (app_with_photos.instance_path and any(Path(app_with_photos.instance_path).glob("**/*.jpg")))
    public = app_with_photos.test_client()
    html = public.get("/en/places/guyi-garden").get_data(as_text=True)
    img = re.search(r'<img class="photo"[^>]*>', html).group(0)
    assert 'loading="lazy"' in img and 'width="320"' in img and 'height="480"' in img
    assert 'alt="Photo of Tree peony by park staff"' in img
    src = re.search(r'src="([^"]+)"', img).group(1)
    served = public.get(src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "max-age=31536000" in served.headers["Cache-Control"] and "immutable" in served.headers["Cache-Control"]
    again = public.get(src, headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    assert not Image.open(io.BytesIO(served.data)).getexif()
    served.close()


@pytest.mark.parametrize(
    "photo, message",
    [
        (b"MZ\x90\x00 an executable named like a photo", "not a readable image"),
        (jpeg()[:4000], "not a readable image"),
    ],
)
def test_a_bad_photo_is_a_form_error_and_nothing_is_stored(login_as, app_with_photos, photo, message):
    client = login_as("wang", "guyi-garden")
    response = post_with_photo(client, app_with_photos, photo, note_en="Keep this text")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html and "Keep this text" in html
    assert stored(app_with_photos) == (0, [])
    with app_with_photos.app_context():
        assert db.session.scalar(select(func.count()).select_from(BloomReport)) == 0


def test_an_oversized_photo_is_a_form_error(login_as, app_with_photos):
    client = login_as("wang", "guyi-garden")
    response = post_with_photo(client, app_with_photos, b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024 + 10))
    assert response.status_code == 400 and "larger than 10 MB" in response.get_data(as_text=True)
    assert stored(app_with_photos) == (0, [])


def test_a_good_photo_is_kept_while_the_rest_of_the_form_is_corrected(login_as, app_with_photos):
    client = login_as("wang", "guyi-garden")
    response = post_with_photo(client, app_with_photos, jpeg(), percent_open="5")  # 5% is not peak
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Photo received" in html
    ids = plant_ids(app_with_photos, "guyi-garden")
    ref = re.search(rf'name="p{ids["peony"]}-photo_ref"[^>]*value="([0-9a-f]{{64}})"', html).group(1)
    data = {
        **form_fields(html),
        f"p{ids['peony']}-stage": "peak",
        f"p{ids['peony']}-percent_open": "90",
        f"p{ids['peony']}-photo_ref": ref,
    }
    assert client.post("/en/staff/places/guyi-garden/report", data=data).status_code == 302
    with app_with_photos.app_context():
        assert db.session.scalar(select(BloomReport)).photo.sha256 == ref


def test_only_photo_names_of_our_own_form_are_served(client):
    for name in ("../guide.sqlite", "x.jpg", "a" * 64 + ".png", "%2e%2e%2fguide.sqlite"):
        assert client.get(f"/photos/{name}").status_code == 404


def test_photos_kept_as_files_move_into_the_database_on_upgrade(tmp_path):
    from datetime import UTC, datetime

    from flask_migrate import upgrade
    from sqlalchemy import text

    from tests.conftest import make_app

    app = make_app(tmp_path / "old.sqlite")
    app.instance_path = str(tmp_path / "instance")
    folder = tmp_path / "instance" / "photos"
    folder.mkdir(parents=True)
    kept, lost = "a" * 64, "b" * 64
    (folder / f"{kept}.jpg").write_bytes(b"full bytes")
    (folder / f"{kept}-thumb.jpg").write_bytes(b"thumb bytes")
    with app.app_context():
        upgrade(revision="220cf5dc713e")
        for sha in (kept, lost):
            db.session.execute(
                text(
                    "INSERT INTO photo (sha256, width, height, thumb_width, thumb_height, created_at) "
                    "VALUES (:sha, 10, 10, 5, 5, :now)"
                ),
                {"sha": sha, "now": datetime.now(UTC)},
            )
        db.session.commit()
        upgrade()
    client = app.test_client()
    assert client.get(f"/photos/{kept}.jpg").data == b"full bytes"
    assert client.get(f"/photos/{kept}-thumb.jpg").data == b"thumb bytes"
    assert client.get(f"/photos/{lost}.jpg").status_code == 404  # its file was gone: no 500
