"""`flask --app guide export FILE` / `import FILE`: a round trip into an empty database loses nothing."""

import json
import re
import stat

import pytest
from sqlalchemy import func, select, update

from guide.extensions import db
from guide.places.models import BloomReport, Place
from tests.conftest import ROOT, login, make_app
from tests.test_photos import jpeg, post_with_photo
from tests.test_places_load import places_in_the_file
from tests.test_staff_reports import plant_ids, send


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def export(app, path):
    result = run(app, "export", str(path))
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text(encoding="utf-8"))


def empty_app(tmp_path, name="restored"):
    return make_app(tmp_path / f"{name}.sqlite", start="migrated")


@pytest.fixture
def app_with_photos(guide_app, tmp_path):
    guide_app.instance_path = str(tmp_path / "instance")
    return guide_app


def test_export_then_import_into_an_empty_database_loses_nothing(
    app_with_photos, login_as, make_staff, tmp_path, freeze
):
    freeze("2026-04-15 09:00")
    source = app_with_photos
    staff = login_as("wang", "guyi-garden")
    make_staff("boss", admin=True)
    assert post_with_photo(staff, source, jpeg(), note_en="Peonies by the pond", note_zh="池边牡丹").status_code == 302
    assert post_with_photo(staff, source, jpeg(color=(10, 200, 10))).status_code == 302
    with source.app_context():  # the second was a slip: retracted, kept in the record
        db.session.execute(
            update(BloomReport)
            .where(BloomReport.id == 2)
            .values(retracted_at=db.func.current_timestamp(), retracted_by_id=2)
        )
        db.session.commit()

    path = tmp_path / "backup.json"
    result = run(source, "export", str(path))
    assert result.exit_code == 0, result.output
    assert "keep it secret" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # readable by its owner only
    written = json.loads(path.read_text(encoding="utf-8"))
    assert "password hashes" in written["warning"]
    assert len(written["tables"]["place"]) == places_in_the_file() and len(written["tables"]["bloom_report"]) == 2
    assert written["tables"]["staff"][0]["password_hash"].startswith("pbkdf2:")  # the tests' cheap hash

    restored = empty_app(tmp_path)
    restored.instance_path = str(tmp_path / "another-machine")  # nothing copied but the file
    result = run(restored, "import", str(path))
    assert result.exit_code == 0, result.output
    assert f"place: {places_in_the_file()}" in result.output and "photo: 2" in result.output

    again = export(restored, tmp_path / "again.json")
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in written.items() if k != "exported_at"
    }

    # What people see and do is the same: the page, the photo, the retraction, the password …
    for app in (source, restored):
        html = app.test_client().get("/en/places/guyi-garden").get_data(as_text=True)
        peony = html.split("<h3>Tree peony")[1].split('class="window"')[0]
        assert "stage--peak" in peony and "Peonies by the pond" in html and 'class="photo"' in html
    photo = re.search(r'<img class="photo"[^>]*src="([^"]+)"', html).group(1)
    for name in (photo, photo.replace("-thumb.jpg", ".jpg")):
        original, copy = source.test_client().get(name), restored.test_client().get(name)
        assert original.status_code == copy.status_code == 200 and original.data == copy.data
        original.close()
        copy.close()
    client = restored.test_client()
    assert login(client, "wang", lang="en").status_code == 302
    # … and new reports get new ids (on PostgreSQL the sequences moved past the restored rows).
    response = send(client, "guyi-garden", plant_ids(restored, "guyi-garden"), lang="en", peony={"stage": "fading"})
    assert response.status_code == 302
    with restored.app_context():
        assert db.session.scalar(select(func.max(BloomReport.id))) == 3


@pytest.mark.parametrize("damage", ["not base64!", 12, ["x"], "QUJD=X"])
def test_a_photo_that_is_not_base64_is_refused_and_nothing_imported(app_with_photos, login_as, tmp_path, damage):
    assert post_with_photo(login_as("wang", "guyi-garden"), app_with_photos, jpeg()).status_code == 302
    path = tmp_path / "backup.json"
    written = export(app_with_photos, path)
    written["tables"]["photo"][0]["thumb"] = damage
    path.write_text(json.dumps(written), encoding="utf-8")
    restored = empty_app(tmp_path)
    result = run(restored, "import", str(path))
    assert result.exit_code == 1 and "tables.photo[0].thumb: not base64" in result.output
    assert "Nothing was imported" in result.output


def test_import_refuses_a_database_that_is_not_empty_and_changes_nothing(guide_app, tmp_path):
    path = tmp_path / "backup.json"
    export(guide_app, path)
    result = run(guide_app, "import", str(path))
    assert result.exit_code == 1
    assert (
        "the database is not empty (" in result.output
        and f"place: {places_in_the_file()}" in result.output
        and "Nothing was imported." in result.output
    )
    with guide_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Place)) == places_in_the_file()


def _edit(document, change):
    change(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda text, doc: text[:200], r"backup\.json:\d+:\d+: not valid JSON"),
        (lambda text, doc: _edit(doc, lambda d: d.update(format="something-else")), "not a backup of this guide"),
        (lambda text, doc: _edit(doc, lambda d: d.update(schema="0000")), "written at migration '0000'"),
        (
            lambda text, doc: _edit(doc, lambda d: d["tables"]["place"][3].update(colour="red")),
            r"tables\.place\[3\]: unknown column 'colour'",
        ),
        (
            lambda text, doc: _edit(doc, lambda d: d["tables"]["festival_edition"][0].update(starts_on="next spring")),
            r"tables\.festival_edition\[0\]\.starts_on: 'next spring' is not a date",
        ),
        (
            lambda text, doc: _edit(doc, lambda d: d["tables"]["plant"][1].update(place_id=999)),
            "the database refused the rows",
        ),
    ],
)
def test_a_bad_file_is_refused_with_where_and_why_and_nothing_is_imported(guide_app, tmp_path, spoil, message):
    good = tmp_path / "good.json"
    document = export(guide_app, good)
    path = tmp_path / "backup.json"
    path.write_text(spoil(good.read_text(encoding="utf-8"), document), encoding="utf-8")
    restored = empty_app(tmp_path)
    result = run(restored, "import", str(path))
    assert result.exit_code == 1 and re.search(message, result.output), result.output
    assert result.output.endswith("Nothing was imported.\n")
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(Place)) == 0


def test_the_documented_format_names_every_table_and_column(app):
    documented = (ROOT / "docs" / "backup.md").read_text(encoding="utf-8")
    with app.app_context():
        for table in db.metadata.sorted_tables:
            section = documented.split(f"### `{table.name}`")[1].split("###")[0]
            for column in table.columns:
                assert f"`{column.name}`" in section, f"{table.name}.{column.name} is not in docs/backup.md"
