"""`flask --app guide places load`: validation before any write, idempotent upserts."""

import re
from datetime import date

import pytest
from sqlalchemy import select, text

from guide.core import clock
from guide.core.bloom import BloomStage
from guide.extensions import db
from guide.places.models import BloomReport, Place, Plant
from guide.staff.models import Staff
from guide.staff.operations import Observation, report_bloom
from tests.conftest import PLACES_YAML

VALID = """\
places:
  - slug: guyi-garden
    name: {en: Guyi Garden, zh: 古猗园}
    summary: {en: A garden., zh: 一座园林。}
    description: {en: A Ming garden., zh: 明代园林。}
    address: {en: 218 Huyi Highway, zh: 沪宜公路218号}
    hours: {en: 7:00–18:00, zh: 7:00–18:00}
    ticket: {en: ¥12, zh: 12元}
    transit: {en: Metro 11 Nanxiang, zh: 地铁11号线南翔站}
    tips: {en: Come at dawn., zh: 清晨去。}
    lat: 31.2916
    lon: 121.3170
    plants:
      - key: lotus
        name: {en: Lotus, zh: 荷花}
        count: 100
        window: {bud: "06-10", first: "06-20", peak_start: "07-01", peak_end: "08-10", over: "10-05"}
        source: https://example.org/lotus-plants
        checked: 2026-11-25
    festivals:
      - key: lotus
        name: {en: Lotus Exhibition, zh: 荷花展}
        usual: {start: "07-06", end: "08-08"}
        source: https://example.org/lotus-show
        checked: 2026-11-25
        editions:
          - {year: 2025, start: 2025-07-07, end: 2025-08-07, source: "https://example.org/lotus", checked: 2026-11-25}
    sources:
      about: {source: https://example.org/guyi, year: 2024, checked: 2026-11-25}
      address: {source: https://example.org/guyi, year: 2024, checked: 2026-11-25}
      hours: {source: https://example.org/hours, year: 2025, checked: 2026-12-03}
      ticket: {source: https://example.org/guyi, year: 2024, checked: 2026-11-25}
      transit: {source: "Shanghai Daily, 3 July 2024", year: 2024, checked: 2026-11-25}
      tips: {source: https://example.org/guyi, checked: 2026-11-25}
      position: {source: https://example.org/map, checked: 2026-11-25}
"""
# The lotus with a past season from a source (lines 18–21).
WITH_SEASON = VALID.replace(
    'over: "10-05"}\n',
    'over: "10-05"}\n'
    "        seasons:\n"
    "          - year: 2024\n"
    "            seen: [{day: 2024-06-22, stage: first_bloom}, {day: 2024-07-03, stage: peak}]\n"
    '            source: "https://example.org/lotus-2024"\n'
    "            checked: 2026-11-25\n",
)


def write(tmp_path, content, name="places.yaml"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def dump(app):
    """Every row of every table, to prove a failed load changed nothing."""
    with app.app_context():
        return {
            table.name: db.session.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")).all()
            for table in db.metadata.sorted_tables
        }


def load(runner, path):
    return runner.invoke(args=["places", "load", str(path)])


def places_in_the_file() -> int:
    return len(re.findall(r"^  - slug: ", PLACES_YAML.read_text(encoding="utf-8"), re.M))


def test_real_places_file_loads(runner, app):
    result = load(runner, PLACES_YAML)
    assert result.exit_code == 0, result.output
    assert f"{places_in_the_file()} created" in result.output
    with app.app_context():
        slugs = db.session.scalars(select(Place.slug).order_by(Place.position)).all()
    assert slugs[:4] == ["jiading-wisteria-park", "nanshuiguan-park", "ziyun-corridor", "guyi-garden"]


def test_loading_twice_changes_nothing_not_even_a_timestamp(runner, app, tmp_path):
    path = write(tmp_path, VALID + VALID.split("places:\n", 1)[1].replace("guyi-garden", "qiuxia-garden"))
    load(runner, path)
    before = dump(app)
    result = load(runner, path)
    assert result.exit_code == 0 and "0 created, 0 updated, 2 unchanged" in result.output
    assert dump(app) == before


def test_a_changed_field_updates_only_that_place(runner, app, tmp_path):
    load(runner, write(tmp_path, VALID))
    second = VALID.replace("ticket: {en: ¥12, zh: 12元}", "ticket: {en: ¥15, zh: 15元}")
    second = second.replace("    lon: 121.3170\n", "    lon: 121.3170\n    coords_estimated: true\n")
    result = load(runner, write(tmp_path, second))
    assert "0 created, 1 updated" in result.output
    with app.app_context():
        place = db.session.scalar(select(Place))
        assert place.ticket == {"en": "¥15", "zh": "15元"} and place.coords_estimated


def test_a_place_removed_from_the_file_is_reported_and_keeps_its_history(runner, app, tmp_path):
    load(runner, write(tmp_path, VALID))
    with app.app_context():
        plant = db.session.scalar(select(Plant).join(Place).where(Place.slug == "guyi-garden"))
        staff = Staff(username="a", created_at=clock.now(), is_admin=True)
        report_bloom(staff, [Observation(plant, BloomStage.PEAK)], clock.now())
        db.session.commit()
    result = load(runner, write(tmp_path, VALID.replace("guyi-garden", "another-garden")))
    assert result.exit_code == 0
    assert "guyi-garden: no longer in places.yaml; hidden from the guide, its history kept" in result.output
    with app.app_context():
        place = db.session.scalar(select(Place).where(Place.slug == "guyi-garden"))
        assert place is not None and not place.listed
        assert db.session.scalar(select(BloomReport)).plant.place is place
    assert app.test_client().get("/en/places/guyi-garden").status_code == 404


BAD = {
    "broken YAML syntax": (
        VALID.replace("    lat: 31.2916", "    lat: [31.2916"),
        r":\d+: \(syntax\): YAML syntax error",
    ),
    "missing language": (
        VALID.replace("tips: {en: Come at dawn., zh: 清晨去。}", "tips: {en: Come at dawn.}"),
        r":10: places\[0\]\.tips: missing language 'zh'",
    ),
    "unknown field": (
        VALID.replace("    lat: 31.2916", "    latitude: 31.2916\n    lat: 31.2916"),
        r":11: places\[0\]\.latitude: unknown field",
    ),
    "unknown language": (
        VALID.replace("{en: A garden., zh: 一座园林。}", "{en: A garden., zh: 一座园林。, de: Ein Garten.}"),
        r":4: places\[0\]\.summary\.de: unknown language 'de'",
    ),
    "impossible month-day": (
        VALID.replace('peak_end: "08-10"', 'peak_end: "02-30"'),
        r":17: places\[0\]\.plants\[0\]\.window\.peak_end: .*02-30",
    ),
    "impossible edition date": (
        VALID.replace("end: 2025-08-07", "end: 2025-02-30"),
        r":27: places\[0\]\.festivals\[0\]\.editions\[0\]\.end: .*date",
    ),
    "peak outside the bloom": (
        VALID.replace('peak_end: "08-10"', 'peak_end: "10-20"'),
        r":17: places\[0\]\.plants\[0\]\.window\.peak_end: .*outside the bloom",
    ),
    "coordinates outside Jiading": (
        VALID.replace("lat: 31.2916", "lat: 39.9"),
        r":11: places\[0\]\.lat: latitude 39\.9 is outside Jiading",
    ),
    "swapped coordinates": (
        VALID.replace("lat: 31.2916", "lat: 121.317").replace("lon: 121.3170", "lon: 31.2916"),
        r":12: places\[0\]\.lon: longitude 31\.2916 is outside Jiading",
    ),
    "duplicate slug": (VALID + VALID.split("places:\n", 1)[1], r":36: places\[1\]\.slug: duplicate slug 'guyi-garden'"),
    "wrong type": (VALID.replace("count: 100", "count: many"), r":16: places\[0\]\.plants\[0\]\.count: .*integer"),
    "missing field": (
        VALID.replace("    ticket: {en: ¥12, zh: 12元}\n", ""),
        r":2: places\[0\]\.ticket: missing field",
    ),
    "duplicate key": (
        VALID.replace("    lat: 31.2916", "    lat: 31.2916\n    lat: 31.3"),
        r":12: places\[0\]\.lat: this key appears twice",
    ),
    "edition ends before it starts": (
        VALID.replace("end: 2025-08-07", "end: 2025-07-01"),
        r":27: places\[0\]\.festivals\[0\]\.editions\[0\]\.end: the edition ends",
    ),
    "a picture the guide does not have": (
        VALID.replace("      - key: lotus\n", "      - key: lotus\n        picture: tulip\n", 1),
        r":15: places\[0\]\.plants\[0\]\.picture: no picture 'tulip': choose one of .*lotus",
    ),
    "past season without a source": (
        WITH_SEASON.replace('            source: "https://example.org/lotus-2024"\n', ""),
        r":19: places\[0\]\.plants\[0\]\.seasons\[0\]\.source: missing field",
    ),
    "past season on a 13th month": (
        WITH_SEASON.replace("2024-07-03", "2024-13-03"),
        r":20: places\[0\]\.plants\[0\]\.seasons\[0\]\.seen\[1\]\.day: .*date",
    ),
    "past season out of order": (
        WITH_SEASON.replace("2024-07-03", "2024-06-01"),
        r":20: places\[0\]\.plants\[0\]\.seasons\[0\]\.seen\[1\]: peak on 2024-06-01 goes back",
    ),
    "past season in another year": (
        WITH_SEASON.replace("year: 2024", "year: 2023"),
        r":20: places\[0\]\.plants\[0\]\.seasons\[0\]\.seen\[0\]\.day: 2024-06-22 is not in the 2023 season",
    ),
    # Every fact names its source and the day it was checked (issue 20): the loader refuses one without.
    "a group of facts without its source": (
        VALID.replace("      hours: {source: https://example.org/hours, year: 2025, checked: 2026-12-03}\n", ""),
        r":\d+: places\[0\]\.sources\.hours: missing field",
    ),
    "a fact without the day it was checked": (
        VALID.replace(
            "hours: {source: https://example.org/hours, year: 2025, checked: 2026-12-03}",
            "hours: {source: https://example.org/hours, year: 2025}",
        ),
        r":\d+: places\[0\]\.sources\.hours\.checked: missing field",
    ),
    "a fact with an empty source": (
        VALID.replace("hours: {source: https://example.org/hours,", 'hours: {source: "",'),
        r":\d+: places\[0\]\.sources\.hours\.source: must not be empty",
    ),
    "a source newer than its check": (
        VALID.replace(
            "hours: {source: https://example.org/hours, year: 2025,",
            "hours: {source: https://example.org/hours, year: 2027,",
        ),
        r":\d+: places\[0\]\.sources\.hours\.year: a 2027 source cannot have been checked on 2026-12-03",
    ),
    "a plant without its source": (
        VALID.replace("        source: https://example.org/lotus-plants\n", ""),
        r":14: places\[0\]\.plants\[0\]\.source: missing field",
    ),
    "a festival without the day it was checked": (
        VALID.replace(
            "        source: https://example.org/lotus-show\n        checked: 2026-11-25\n",
            "        source: https://example.org/lotus-show\n",
        ),
        r":\d+: places\[0\]\.festivals\[0\]\.checked: missing field",
    ),
    "an edition without the day it was checked": (
        VALID.replace(
            ', source: "https://example.org/lotus", checked: 2026-11-25}', ', source: "https://example.org/lotus"}'
        ),
        r":27: places\[0\]\.festivals\[0\]\.editions\[0\]\.checked: missing field",
    ),
    "a past season without the day it was checked": (
        WITH_SEASON.replace("            checked: 2026-11-25\n", "", 1),
        r":\d+: places\[0\]\.plants\[0\]\.seasons\[0\]\.checked: missing field",
    ),
    "the old list of sources for the whole place": (
        VALID.replace(
            "    sources:\n      about:", "    sources: [https://example.org/guyi]\n    old_sources:\n      about:"
        ),
        r":\d+: places\[0\]\.sources: input should be a valid dictionary",
    ),
    "a latest opening after the festival ends": (
        VALID.replace(
            'usual: {start: "07-06", end: "08-08"}', 'usual: {start: "07-06", start_latest: "08-20", end: "08-08"}'
        ),
        r":\d+: places\[0\]\.festivals\[0\]\.usual\.start_latest: the latest opening 08-20 is not between",
    ),
    "empty file": ("", r":1: \(file\): the file is empty"),
    "not a list of places": ("places: {slug: x}\n", r":1: places: input should be a valid list"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_malformed_file_names_file_line_and_field_and_changes_nothing(case, runner, app, tmp_path):
    load(runner, PLACES_YAML)
    before = dump(app)
    content, expected = BAD[case]
    path = write(tmp_path, content)
    result = load(runner, path)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert re.search(re.escape(str(path)) + expected, result.output), result.output
    assert "the database was not changed" in result.output
    assert dump(app) == before


def test_a_past_season_from_the_file_is_loaded_with_its_source(runner, app, tmp_path):
    assert load(runner, write(tmp_path, WITH_SEASON)).exit_code == 0
    with app.app_context():
        (plant,) = db.session.scalars(select(Plant))
        (season,) = plant.recorded_seasons()
    assert season.label == "2024"
    assert season.points == {"first": date(2024, 6, 22), "peak_start": date(2024, 7, 3)}
    assert season.source == "https://example.org/lotus-2024"


def test_every_problem_is_listed_not_only_the_first(runner, tmp_path):
    content = VALID.replace("count: 100", "count: many").replace("lat: 31.2916", "lat: 3.1")
    content = content.replace("tips: {en: Come at dawn., zh: 清晨去。}", "tips: {en: Come at dawn.}")
    result = load(runner, write(tmp_path, content))
    problems = [line for line in result.output.splitlines() if line.startswith(str(tmp_path))]
    assert len(problems) == 4  # three problems and the closing summary line


def _laughs(levels: int, width: int = 9) -> str:
    """A "billion laughs": each level an anchored list of `width` aliases of the level before."""
    names = [f"l{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [lol]"]
    lines += [f"{names[i]}: &{names[i]} [{', '.join([f'*{names[i - 1]}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


TOO_MUCH = {
    "billion laughs": (_laughs(9), r":\d+: \(size\): refused: stands for more than 100,000 values"),
    "laughs inside a place": (
        VALID.replace("places:\n", _laughs(6, width=12) + "places:\n"),
        r":\d+: \(size\): refused: stands for more than 100,000 values",
    ),
    "an alias in its own anchor": (
        "places: &loop [*loop]\n",
        r":1: \(size\): refused: an alias refers to the value it is in",
    ),
    "nested flow lists": ("places: " + "[" * 5000 + "]" * 5000 + "\n", r":1: \(size\): refused: nested more than 40"),
    "nested block maps": (
        "".join(f"{'  ' * i}k{i}:\n" for i in range(60)) + "  " * 60 + "end\n",
        r":\d+: \(size\): refused: nested more than 40",
    ),
    "oversize file": (VALID + "# " + "x" * (512 * 1024) + "\n", r":1: \(file\): the file is larger than 512 KB"),
}


@pytest.mark.parametrize("case", TOO_MUCH, ids=list(TOO_MUCH))
def test_a_file_too_big_to_check_is_refused_at_once_and_changes_nothing(case, runner, app, tmp_path):
    load(runner, PLACES_YAML)
    before = dump(app)
    content, expected = TOO_MUCH[case]
    path = write(tmp_path, content)
    result = load(runner, path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(re.escape(str(path)) + expected, result.output), result.output
    assert "the database was not changed" in result.output
    assert dump(app) == before


def test_a_file_just_under_the_bounds_still_loads(runner, tmp_path):
    # A few aliases that repeat a little are fine: only their blow-up is refused.
    content = VALID.replace("name: {en: Lotus, zh: 荷花}", "name: &lotus {en: Lotus, zh: 荷花}")
    content = content.replace("name: {en: Lotus Exhibition, zh: 荷花展}", "name: *lotus")
    content += "# " + "x" * (400 * 1024) + "\n"
    assert load(runner, write(tmp_path, content)).exit_code == 0
