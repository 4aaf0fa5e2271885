"""`flask --app guide import`: every restored row passes what the loader, the staff forms and
the photo upload would let in; a file with one bad row is refused whole, saying where."""

import base64
import copy
import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from guide.core import clock
from guide.core.crowds import Crowd
from guide.extensions import db
from guide.places.models import Festival, Notice, Place
from guide.staff import operations
from guide.staff.models import Staff
from guide.staff.photos import clean_photo
from tests.test_backup import empty_app, export, run
from tests.test_photos import jpeg, post_with_photo


@pytest.fixture
def backup(guide_app, login_as, make_staff, tmp_path, freeze):
    """A backup of a guide in use: a report with a photo, a notice, a crowd level, a changed
    festival edition."""
    freeze("2026-04-15 09:00")
    guide_app.instance_path = str(tmp_path / "instance")
    staff = login_as("wang", "guyi-garden")
    make_staff("boss", admin=True)
    assert post_with_photo(staff, guide_app, jpeg(), note_en="Peonies by the pond").status_code == 302
    now = clock.now()
    with guide_app.app_context():
        boss = db.session.scalar(select(Staff).where(Staff.username == "boss"))
        place = db.session.scalar(select(Place).where(Place.slug == "guyi-garden"))
        operations.post_notice(
            boss, place, "route", {"en": "North gate closed", "zh": "北门关闭"}, (now, now + timedelta(days=3)), now
        )
        wang = db.session.scalar(select(Staff).where(Staff.username == "wang"))
        operations.report_crowd(wang, place, Crowd.BUSY, now)
        lotus = db.session.scalar(select(Festival).where(Festival.key == "lotus-exhibition"))
        operations.set_edition(boss, lotus, 2026, (date(2026, 7, 4), date(2026, 8, 9)), False, None, 0, now)
        db.session.commit()
    return export(guide_app, tmp_path / "good.json")


def restore(tmp_path, document, name="backup.json"):
    """Import `document` into a new, empty guide: (the command's result, that guide)."""
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    restored = empty_app(tmp_path, name=name.removesuffix(".json"))
    return run(restored, "import", str(path)), restored


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _row(document, table, index=0):
    return document["tables"][table][index]


def _set(table, column, value, index=0):
    return lambda doc: _row(doc, table, index).update({column: value})


def _clean_jpeg_and(extra: bytes):
    def spoil(doc):
        _row(doc, "photo")["thumb"] = b64(base64.b64decode(_row(doc, "photo")["thumb"]) + extra)

    return spoil


def _a_photo_with_gps(doc):
    """The upload's bytes before cleaning, with the sizes and hash made to match them."""
    import hashlib

    raw = jpeg(size=(1200, 800))
    _row(doc, "photo").update(full=b64(raw), width=1200, height=800, sha256=hashlib.sha256(raw).hexdigest())


def _many_good_reports_then_a_bad_one(doc):
    first = _row(doc, "bloom_report")
    doc["tables"]["bloom_report"] = [
        {**first, "id": n, "photo_id": None, "note": None, "stage": "blooming", "percent_open": 40}
        for n in range(1, 601)
    ]
    doc["tables"]["bloom_report"][-1]["stage"] = "exploded"


BAD = {
    "stage exploded": (
        _set("bloom_report", "stage", "exploded"),
        r"tables\.bloom_report\[0\] \(id 1\)\.stage: 'exploded' is not a stage \(not_yet, budding",
    ),
    "stage not text": (
        _set("bloom_report", "stage", ["peak"]),
        r"bloom_report\[0\] \(id 1\)\.stage: \['peak'\] is not",
    ),
    "percent 500": (
        _set("bloom_report", "percent_open", 500),
        r"tables\.bloom_report\[0\] \(id 1\)\.percent_open: 500 is not a % from 0 to 100",
    ),
    "percent below 0": (
        _set("bloom_report", "percent_open", -3),
        r"bloom_report\[0\] \(id 1\)\.percent_open: -3 is not",
    ),
    "percent that is not a number": (
        _set("bloom_report", "percent_open", "90"),
        r"bloom_report\[0\] \(id 1\)\.percent_open: '90' is not a whole number",
    ),
    "percent that does not fit the stage": (
        _set("bloom_report", "percent_open", 5),
        r"bloom_report\[0\] \(id 1\)\.percent_open: 5% does not fit peak \(70–100%\)",
    ),
    "note too long": (
        _set("bloom_report", "note", {"en": "x" * 501}),
        r"bloom_report\[0\] \(id 1\)\.note\.en: 501 characters, more than 500",
    ),
    "note in a language we do not serve": (
        _set("bloom_report", "note", {"fr": "Pivoines"}),
        r"bloom_report\[0\] \(id 1\)\.note\.fr: unknown language 'fr'",
    ),
    "slug ../evil": (_set("place", "slug", "../evil"), r"tables\.place\[0\] \(id 1\)\.slug: '\.\./evil' is not a slug"),
    "slug with a NUL": (_set("place", "slug", "guyi\x00"), r"tables\.place\[0\] \(id 1\)\.slug: contains control"),
    "slug in capitals": (_set("place", "slug", "Guyi-Garden", index=2), r"tables\.place\[2\] \(id 3\)\.slug: 'Guyi"),
    "plant key with a slash": (_set("plant", "key", "peony/../x"), r"tables\.plant\[0\] \(id 1\)\.key: 'peony/"),
    "retired slug": (
        lambda doc: doc["tables"]["retired_slug"].append({"slug": "../../etc", "place_id": 1}),
        r"tables\.retired_slug\[\d+\]\.slug: '\.\./\.\./etc' is not a slug",
    ),
    "place outside Jiading": (_set("place", "lat", 3.1), r"tables\.place\[0\] \(id 1\)\.lat: 3\.1 is outside Jiading"),
    "place name missing a language": (
        _set("place", "name", {"en": "Guyi"}),
        r"tables\.place\[0\] \(id 1\)\.name\.zh: missing or blank",
    ),
    "bloom window out of order": (
        _set("plant", "peak_start", "13-45"),
        r"plant\[0\] \(id 1\)\.peak_start: '13-45' is not",
    ),
    "past season out of order": (
        lambda doc: next(p for p in doc["tables"]["plant"] if p["seasons"])["seasons"][0]["seen"].append(
            ["2024-05-10", "budding"]  # after the peak of 29 April
        ),
        r"tables\.plant\[\d+\] \(id \d+\)\.seasons\[0\]\.seen\[1\]: \w+ on \S+ goes back from what is listed above",
    ),
    "past season with a stage never seen": (
        lambda doc: next(p for p in doc["tables"]["plant"] if p["seasons"])["seasons"][0]["seen"][0].__setitem__(
            1, "boom"
        ),
        r"tables\.plant\[\d+\] \(id \d+\)\.seasons\[0\]\.seen\[0\]: 'boom' is not a stage seen",
    ),
    "HTML photo": (
        _set("photo", "full", b64(b"<!doctype html><script>alert(document.cookie)</script>")),
        r"tables\.photo\[0\] \(id 1\)\.full: not a photo as the upload cleans them: not a JPEG",
    ),
    "photo with GPS EXIF": (
        _a_photo_with_gps,
        r"tables\.photo\[0\] \(id 1\)\.full: not a photo as the upload cleans them: it holds an APP1 segment "
        r"\(EXIF or XMP: camera, GPS\)",
    ),
    "HTML glued after a clean thumbnail": (
        _clean_jpeg_and(b"<html><script>alert(1)</script></html>"),
        r"tables\.photo\[0\] \(id 1\)\.thumb: not a photo as the upload cleans them: \d+ bytes follow the end",
    ),
    "thumbnail as large as a full photo": (
        lambda doc: _row(doc, "photo").update(thumb=_row(doc, "photo")["full"]),
        r"tables\.photo\[0\] \(id 1\)\.thumb: not a photo as the upload cleans them: 1600 × 1067 px: larger than 480",
    ),
    "photo that is not what its size says": (
        _set("photo", "width", 4000),
        r"tables\.photo\[0\] \(id 1\)\.width: the full picture is 1600 × 1067, not 4000 × 1067",
    ),
    "photo under another's hash": (
        _set("photo", "sha256", "0" * 64),
        r"photo\[0\] \(id 1\)\.sha256: is not the SHA-256",
    ),
    "notice ending 9999-12-31": (
        _set("notice", "ends_at", "9999-12-31T15:59:59+00:00"),
        r"tables\.notice\[0\] \(id 1\)\.ends_at: 9999-12-31T15:59:59\+00:00 is outside",
    ),
    "notice starting 0001-01-01": (
        _set("notice", "starts_at", "0001-01-01T00:00:00+00:00"),
        r"tables\.notice\[0\] \(id 1\)\.starts_at: 0001-01-01T00:00:00\+00:00 is outside",
    ),
    "notice ending three years after it was posted": (
        _set("notice", "ends_at", "2029-06-01T00:00:00+00:00"),
        r"notice\[0\] \(id 1\)\.ends_at: 2029-06-01T00:00:00\+00:00 is outside 2025-01-01–2028-12-31, as the form "
        r"allows on 2026-04-15",
    ),
    "notice of an unknown kind": (
        _set("notice", "kind", "<b>party</b>"),
        r"notice\[0\] \(id 1\)\.kind: '<b>party</b>'",
    ),
    "notice with no text": (_set("notice", "text", {"en": " ", "zh": ""}), r"notice\[0\] \(id 1\)\.text: no text"),
    "festival edition ending 9999-12-31": (
        _set("festival_edition", "ends_on", "9999-12-31"),
        r"tables\.festival_edition\[\d+\] \(id \d+\)\.ends_on: 9999-12-31 is outside 2000–2028",
    ),
    "festival edition in another year": (
        _set("festival_edition", "year", 2019),
        r"tables\.festival_edition\[0\] \(id \d+\)\.starts_on: \S+ is not in the 2019 edition's year",
    ),
    "edition change starting in 2999": (
        _set("edition_change", "starts_on", "2999-07-04"),
        r"tables\.edition_change\[0\] \(id 1\)\.starts_on: 2999-07-04 is outside 2000–2028",
    ),
    "report filed in the far future": (
        _set("bloom_report", "reported_at", "9999-01-01T00:00:00+00:00"),
        r"bloom_report\[0\] \(id 1\)\.reported_at: 9999-01-01T00:00:00\+00:00 is outside 2000–2028",
    ),
    "practical fact of an unknown kind": (
        lambda doc: _row(doc, "place")["practical"].update(valet={"text": {"en": "x", "zh": "x"}}),
        r"tables\.place\[0\] \(id \d+\)\.practical: 'valet' is not a kind of practical fact",
    ),
    "practical fact without its source": (
        lambda doc: _row(doc, "place")["practical"].update(
            phone={"text": {"en": "1", "zh": "1"}, "checked": "2026-12-03"}
        ),
        r"tables\.place\[0\] \(id \d+\)\.practical\.phone: not a fact as the loader stores one",
    ),
    "place sources as the old list of URLs": (
        _set("place", "sources", ["https://example.org"]),
        r"tables\.place\[0\] \(id \d+\)\.sources: not an object of fact \(about, address",
    ),
    "place fact of an unknown group": (
        lambda doc: _row(doc, "place")["sources"].update(mood={"source": "x", "checked": "2026-12-03"}),
        r"tables\.place\[0\] \(id \d+\)\.sources: 'mood' is not a group of facts",
    ),
    "place hours without the day they were checked": (
        lambda doc: _row(doc, "place")["sources"].update(hours={"source": "https://example.org"}),
        r"tables\.place\[0\] \(id \d+\)\.sources\.hours: not a source as the loader stores one",
    ),
    "plant source checked on no real day": (
        lambda doc: _row(doc, "plant")["provenance"].update(checked="2026-02-30"),
        r"tables\.plant\[0\] \(id \d+\)\.provenance: not a source as the loader stores one",
    ),
    "festival latest opening not a month-day": (
        _set("festival", "usual_start_latest", "13-45"),
        r"tables\.festival\[0\] \(id \d+\)\.usual_start_latest: '13-45' is not a month-day",
    ),
    "crowd level exploded": (
        _set("crowd_report", "level", "exploded"),
        r"tables\.crowd_report\[0\] \(id 1\)\.level: 'exploded' is not a crowd level \(quiet, busy",
    ),
    "crowd level not text": (
        _set("crowd_report", "level", {"busy": True}),
        r"tables\.crowd_report\[0\] \(id 1\)\.level: ",
    ),
    "a bad row after 599 good ones": (
        _many_good_reports_then_a_bad_one,
        r"tables\.bloom_report\[599\] \(id 600\)\.stage: 'exploded' is not a stage",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_backup_with_an_impossible_row_is_refused_whole_saying_where(backup, tmp_path, case):
    spoil, expected = BAD[case]
    document = copy.deepcopy(backup)
    spoil(document)
    result, restored = restore(tmp_path, document)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(expected, result.output), result.output
    assert result.output.endswith("Nothing was imported.\n")
    assert set(row_counts(restored).values()) == {0}  # not one row of any table


def test_every_bad_row_is_named_not_only_the_first(backup, tmp_path):
    document = copy.deepcopy(backup)
    _row(document, "bloom_report").update(stage="exploded", percent_open=500)
    _row(document, "place", 4).update(slug="../evil")
    result, restored = restore(tmp_path, document)
    assert result.exit_code == 1
    named = [line for line in result.output.splitlines() if "tables." in line]
    assert len(named) == 3, result.output
    assert set(row_counts(restored).values()) == {0}


def test_a_good_backup_of_a_guide_in_use_round_trips(backup, tmp_path):
    result, restored = restore(tmp_path, backup)
    assert result.exit_code == 0, result.output
    assert "notice: 1" in result.output and "photo: 1" in result.output and "edition_change: 1" in result.output
    again = export(restored, tmp_path / "again.json")
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in backup.items() if k != "exported_at"
    }
    html = restored.test_client().get("/en/places/guyi-garden").get_data(as_text=True)
    assert "North gate closed" in html and "Peonies by the pond" in html and 'class="photo"' in html


@pytest.mark.parametrize(
    "typed, kept",
    [("North\x0b gate\x00 closed", "North gate closed"), ("North gate\r\nclosed\x7f", "North gate\nclosed")],
)
def test_control_characters_in_restored_text_are_cleaned_as_the_forms_clean_them(backup, tmp_path, typed, kept):
    document = copy.deepcopy(backup)
    _row(document, "notice")["text"]["en"] = typed
    _row(document, "bloom_report")["note"]["en"] = typed
    result, restored = restore(tmp_path, document)
    assert result.exit_code == 0, result.output
    with restored.app_context():
        assert db.session.scalar(select(Notice)).text["en"] == kept
    assert restored.test_client().get("/en/places/guyi-garden").status_code == 200
    assert restored.test_client().get("/en/places/guyi-garden/feed.atom").status_code in (200, 404)


def test_a_photo_cleaned_before_profiles_were_dropped_is_still_taken(backup, tmp_path):
    """Photos stored before this kept the phone's colour profile (one small APP2 segment)."""
    import hashlib

    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    full, thumb = (
        Image.open(io.BytesIO(data)).convert("RGB")
        for data in (base64.b64decode(_row(backup, "photo")[k]) for k in ("full", "thumb"))
    )
    old = []
    for image in (full, thumb):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, icc_profile=profile)
        old.append(out.getvalue())
    document = copy.deepcopy(backup)
    _row(document, "photo").update(full=b64(old[0]), thumb=b64(old[1]), sha256=hashlib.sha256(old[0]).hexdigest())
    result, _ = restore(tmp_path, document)
    assert result.exit_code == 0, result.output


def test_what_the_upload_writes_passes_the_restore_check():
    from guide.staff.photos import FULL_SIZE, THUMB_SIZE, check_clean

    for photo in (jpeg(orientation=6), jpeg(size=(300, 200)), jpeg(size=(5000, 900))):
        clean = clean_photo(photo)
        assert check_clean(clean.full, FULL_SIZE) == clean.size
        assert check_clean(clean.thumb, THUMB_SIZE) == clean.thumb_size


def test_the_checks_use_the_guides_clock(backup, tmp_path, freeze):
    """Restored on a later day, a notice posted back then still passes: its dates are judged from
    the day it was posted, and only an impossible future is refused."""
    freeze("2027-09-01 10:00")
    result, _ = restore(tmp_path, backup)
    assert result.exit_code == 0, result.output
    assert datetime.fromisoformat(_row(backup, "notice")["created_at"]).year == 2026


@pytest.mark.parametrize(
    "content, expected",
    [
        ("[" * 200_000 + "]" * 200_000, r"backup\.json: nested too deep to be a backup of this guide"),
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, r"backup\.json: nested too deep"),
        ("[" * 50, r"backup\.json:1:51: not valid JSON"),
    ],
    ids=["deep lists", "deep objects", "cut short"],
)
def test_a_file_nested_too_deep_is_refused_at_once(tmp_path, content, expected):
    path = tmp_path / "backup.json"
    path.write_text(content, encoding="utf-8")
    restored = empty_app(tmp_path)
    result = run(restored, "import", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(expected, result.output), result.output
    assert set(row_counts(restored).values()) == {0}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(backup, tmp_path):
    document = copy.deepcopy(backup)
    document["padding"] = "x" * (2 * 1024 * 1024)  # a good backup still, only too large
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    restored = empty_app(tmp_path)
    result = run(restored, "import", "--max-mb", "1", str(path))
    assert result.exit_code == 1
    assert re.search(
        r"backup\.json: 2 MB, larger than 1 MB \(if it is a backup of this guide, import it with a "
        r"larger --max-mb\)\. Nothing was imported\.",
        result.output,
    ), result.output
    assert set(row_counts(restored).values()) == {0}
    assert run(restored, "import", "--max-mb", "3", str(path)).exit_code == 0  # extra keys are ignored


def test_a_huge_bad_value_is_named_in_a_short_message(backup, tmp_path):
    document = copy.deepcopy(backup)
    _row(document, "bloom_report")["stage"] = "exploded" * 100_000
    result, _ = restore(tmp_path, document)
    assert result.exit_code == 1 and "stage: 'explodedexploded" in result.output
    assert len(result.output) < 1000
