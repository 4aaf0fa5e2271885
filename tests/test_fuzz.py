"""Generated inputs (Hypothesis) at the staff forms, the login and the photo decoder: whatever is
sent, the answer is a page in the guide's language (never a 5xx), and a refusal writes nothing.

Each test keeps one app for all its examples (a fresh database per example would cost seconds),
so the examples share its state: a report filed by one is the newest the next one sees.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from guide.core.bloom import BloomStage
from guide.extensions import db
from guide.places.models import BloomReport, Photo
from guide.staff.photos import PhotoError, clean_photo
from tests.conftest import csrf_token
from tests.test_staff_reports import form_fields, plant_ids

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every run: a failure here is a failure every time
)

# Text as people, keyboards and attackers send it: any Unicode but surrogates (which a browser
# cannot send), control characters included, and the awkward values for each field.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=600)
STAGES = st.one_of(st.sampled_from(["", *[s.value for s in BloomStage]]), ANY_TEXT)
PERCENTS = st.one_of(
    st.integers(-1000, 1000).map(str), st.sampled_from(["", "85%", "８５", "1e2", "9" * 5000]), ANY_TEXT
)
VERSIONS = st.one_of(st.just(None), st.integers(-(2**70), 2**70).map(str), ANY_TEXT)

PLANT_FIELDS = st.fixed_dictionaries(
    {
        "stage": STAGES,
        "percent_open": PERCENTS,
        "note_zh": ANY_TEXT,
        "note_en": ANY_TEXT,
    },
    optional={"photo_ref": ANY_TEXT, "version": VERSIONS, "extra": ANY_TEXT},
)


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(BloomReport)),
            db.session.scalar(select(func.count()).select_from(Photo)),
        )


@pytest.fixture
def staff_client(login_as):
    return login_as("wang", "guyi-garden")


@FUZZ
@given(plants=st.lists(PLANT_FIELDS, min_size=1, max_size=3), lang=st.sampled_from(["zh", "en"]))
@example(plants=[{"stage": "bogus", "percent_open": "50", "note_zh": "", "note_en": ""}], lang="zh")
@example(plants=[{"stage": "peak", "percent_open": "٣", "note_zh": "\x00", "note_en": "\x0b"}], lang="en")
def test_the_report_form_answers_every_input(staff_client, guide_app, plants, lang):
    ids = list(plant_ids(guide_app, "guyi-garden").values())
    page = staff_client.get(f"/{lang}/staff/places/guyi-garden").get_data(as_text=True)
    data = form_fields(page)
    for plant_id, fields in zip(ids, plants, strict=False):
        for name, value in fields.items():
            if value is not None:
                data[f"p{plant_id}-{name}"] = value
    before = counts(guide_app)
    response = staff_client.post(f"/{lang}/staff/places/guyi-garden/report", data=data)
    assert response.status_code in (302, 400, 409), response.status_code
    html = response.get_data(as_text=True)
    after = counts(guide_app)
    if response.status_code == 302:
        assert after[0] > before[0]
    else:
        assert after == before  # refused: nothing written
        assert 'lang="' + ("zh-Hans" if lang == "zh" else "en") in html
        assert "Not a valid" not in html or lang == "en"


@FUZZ
@given(
    username=st.one_of(ANY_TEXT, st.sampled_from(["wang", "WANG", "ｗａｎｇ", "wang\x00", " wang "])),
    password=st.one_of(ANY_TEXT, st.just("plum-blossom-2026")),
    next_page=st.one_of(st.just(None), ANY_TEXT, st.sampled_from(["/zh/staff/logout", "//evil.example", "/zh/\x00"])),
    lang=st.sampled_from(["zh", "en"]),
)
def test_the_login_answers_every_input(tmp_path_factory, username, password, next_page, lang):
    app = _login_app(tmp_path_factory)
    client = app.test_client()
    page = client.get(f"/{lang}/staff/login").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "username": username, "password": password}
    if next_page is not None:
        data["next"] = next_page
    response = client.post(f"/{lang}/staff/login", data=data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//")
        assert client.get(location, follow_redirects=True).status_code == 200  # a page that exists


_LOGIN_APPS: dict[str, object] = {}


def _login_app(tmp_path_factory):
    """One app for every example: the login writes nothing but a session token."""
    if "app" not in _LOGIN_APPS or _LOGIN_APPS["app"] is None:
        from tests.conftest import PASSWORD, make_app

        app = make_app(
            tmp_path_factory.mktemp("fuzz") / "login.sqlite",
            start="loaded",
            LOGIN_LIMIT_PER_ADDRESS="100000 per minute",
            LOGIN_LIMIT_PER_USERNAME="100000 per minute",
        )
        result = app.test_cli_runner().invoke(args=["staff", "add", "wang", "--admin"], input=PASSWORD + "\n")
        assert result.exit_code == 0
        _LOGIN_APPS["app"] = app
    return _LOGIN_APPS["app"]


@pytest.fixture(autouse=True, scope="module")
def _forget_login_app():
    yield
    _LOGIN_APPS.clear()


# Photos: random bytes, and real photos cut short or with bytes changed.


def _photo(fmt: str) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (64, 48), (200, 60, 160))
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
        image.save(out, "HEIF", quality=60)
    elif fmt == "MPO":
        image.save(out, "MPO", save_all=True, append_images=[image])
    else:
        image.save(out, fmt)
    return out.getvalue()


GOOD = {fmt: _photo(fmt) for fmt in ("JPEG", "PNG", "WEBP", "MPO", "HEIF", "GIF")}


@st.composite
def damaged_photos(draw) -> bytes:
    data = bytearray(GOOD[draw(st.sampled_from(sorted(GOOD)))])
    damage = draw(st.sampled_from(["cut", "flip", "insert", "none"]))
    if damage == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "flip":
        for _ in range(draw(st.integers(1, 20))):
            position = draw(st.integers(0, len(data) - 1))
            data[position] = draw(st.integers(0, 255))
    elif damage == "insert":
        position = draw(st.integers(0, len(data)))
        data[position:position] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


PHOTOS = st.one_of(st.binary(max_size=4096), damaged_photos())


@settings(FUZZ, max_examples=400)
@given(data=PHOTOS)
def test_the_photo_decoder_answers_every_file_with_a_photo_or_a_reason(data):
    try:
        clean = clean_photo(data)
    except PhotoError as refused:
        code = refused.code
    else:
        code = Image.open(io.BytesIO(clean.full)).format
    assert code in ("JPEG", "format", "not-an-image", "too-many-pixels", "too-large")


@FUZZ
@given(data=PHOTOS, filename=ANY_TEXT, content_type=st.sampled_from(["image/jpeg", "application/pdf", "", "x/y"]))
def test_the_form_answers_every_photo(staff_client, guide_app, tmp_path_factory, data, filename, content_type):
    if not guide_app.instance_path.startswith(str(tmp_path_factory.getbasetemp())):
        guide_app.instance_path = str(tmp_path_factory.mktemp("instance"))
    ids = plant_ids(guide_app, "guyi-garden")
    page = staff_client.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    fields = {
        **form_fields(page),
        f"p{ids['peony']}-stage": "peak",
        f"p{ids['peony']}-photo": FileStorage(io.BytesIO(data), filename or "x", content_type=content_type),
    }
    boundary, body = encode_multipart(fields)
    before = counts(guide_app)
    response = staff_client.post(
        "/en/staff/places/guyi-garden/report", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert counts(guide_app) == before  # a refused photo is not kept, nor the report
        assert re.search(r'<span class="error">[^<]+</span>', response.get_data(as_text=True))


# Public pages: any query string, and odd path segments.

QUERY_NAMES = st.one_of(
    st.sampled_from(["endpoint", "_scheme", "_external", "_anchor", "_method", "lang", "slug", "month", "place"]),
    ANY_TEXT,
)
PUBLIC = [
    "/en/",
    "/zh/calendar",
    "/en/events",
    "/en/places/guyi-garden",
    "/zh/concierge",
    "/en/places/guyi-garden/card",
]


@FUZZ
@given(path=st.sampled_from(PUBLIC), query=st.lists(st.tuples(QUERY_NAMES, ANY_TEXT), max_size=4))
@example(path="/en/calendar", query=[("endpoint", "x")])
@example(path="/en/places/guyi-garden", query=[("_scheme", "javascript"), ("_external", "1")])
def test_public_pages_answer_every_query(client, path, query):
    response = client.get(path, query_string=query)
    assert response.status_code in (200, 404), response.status_code
    html = response.get_data(as_text=True)
    assert "javascript:" not in html


@FUZZ
@given(segment=ANY_TEXT.filter(lambda s: "/" not in s and s not in (".", "..")))
def test_public_paths_answer_every_segment(client, segment):
    from urllib.parse import quote

    for template in ("/en/places/{}", "/zh/places/{}/card", "/places/{}", "/api/v1/places/{}", "/embed/en/places/{}"):
        response = client.get(template.format(quote(segment, safe="")))
        assert response.status_code in (200, 302, 308, 404), (template, response.status_code)


@FUZZ
@given(number=st.one_of(st.integers(0, 2**80), st.sampled_from([2**31 - 1, 2**31, 2**63, 10**30])))
def test_staff_addresses_answer_any_row_number(staff_client, number):
    """PostgreSQL refuses a number past INTEGER outright: such an address is a 404, not a 500."""
    page = staff_client.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    token = csrf_token(page)
    for path in (f"/en/staff/plants/{number}/confirm", f"/en/staff/reports/{number}/retract"):
        response = staff_client.post(path, data={"csrf_token": token, "version": "0"})
        assert response.status_code in (302, 403, 404, 409), (path, response.status_code)
