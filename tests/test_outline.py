"""data/map.yaml: our own outline of Jiading for the maps, checked like the places file."""

import pytest

from guide.core.outline import nearest_station
from guide.places.outline import OUTLINE_FILE, InvalidOutline, parse_outline

LANGUAGES = ("en", "zh")


def test_the_real_outline_loads_with_line_11_in_jiading_and_the_moat():
    outline = parse_outline(OUTLINE_FILE.read_text(encoding="utf-8"), "data/map.yaml", LANGUAGES)
    names = {s.name["en"]: s.name["zh"] for s in outline.stations}
    assert names["Jiading West"] == "嘉定西" and names["Nanxiang"] == "南翔" and names["Anting"] == "安亭"
    assert len(outline.stations) == 12 and all(s.name["en"] and s.name["zh"] for s in outline.stations)
    kinds = [w.kind for w in outline.ways]
    assert kinds.count("metro") == 2 and "river" in kinds and "road" in kinds
    (moat,) = [w for w in outline.ways if w.kind == "river"]
    assert moat.closed and moat.estimated and moat.name["zh"] == "环城河"


def test_guyi_garden_is_800_metres_from_nanxiang_station():
    outline = parse_outline(OUTLINE_FILE.read_text(encoding="utf-8"), "data/map.yaml", LANGUAGES)
    station, metres = nearest_station(outline, (31.2916, 121.3170))
    assert station.key == "nanxiang" and 700 < metres < 900  # "Metro Line 11 Nanxiang, ~0.8 km"


BROKEN = """\
stations:
  - key: jiading-west
    name: {en: Jiading West}
    at: [121.2235, 31.3792]
    sources: [somewhere]
  - key: jiading-west
    name: {en: Again, zh: 又}
    at: [31.37, 121.22]
    sources: []
lines:
  - key: line-11
    name: {en: Line 11, zh: 11号线}
    branches: [[jiading-west, nowhere]]
    sources: [somewhere]
rivers:
  - key: moat
    name: {en: Moat, zh: 环城河, fr: Douves}
    closed: true
    points: [[31.39, 121.24], [31.38, 121.25]]
    sources: [somewhere]
"""


def test_every_problem_is_named_with_its_line_and_field():
    with pytest.raises(InvalidOutline) as raised:
        parse_outline(BROKEN, "map.yaml", LANGUAGES)
    problems = [str(p) for p in raised.value.problems]
    expected = [
        "map.yaml:3: stations[0].name: missing language 'zh'",
        "map.yaml:4: stations[0].at: [121.2235, 31.3792] is outside Jiading",
        "map.yaml:6: stations[1].key: duplicate key 'jiading-west' in stations",
        "map.yaml:9: stations[1].sources: must not be empty",  # the loaders' wording for an empty list
        "map.yaml:13: lines[0].branches[0][1]: no station 'nowhere' in stations",
        "map.yaml:17: rivers[0].name.fr: unknown language 'fr'",
        "map.yaml:19: rivers[0].points: a closed loop needs at least 3 points",
    ]
    for line in expected:
        assert any(p.startswith(line) for p in problems), (line, problems)


def test_a_broken_outline_stops_the_app_saying_why(tmp_path, monkeypatch):
    from guide.places import outline
    from tests.conftest import make_app

    bad = tmp_path / "map.yaml"
    bad.write_text(BROKEN, encoding="utf-8")
    monkeypatch.setattr(outline, "OUTLINE_FILE", bad)
    with pytest.raises(InvalidOutline, match="no station 'nowhere'"):
        make_app(tmp_path / "x.sqlite")
