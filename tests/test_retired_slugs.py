"""A retired slug becoming a place again: its links lead to its own page, not to the place it had
been merged into (the Huancheng River wisteria corridor, merged into the Ziyun Corridor in
November 2026 and split off again in December)."""

import re

from tests.conftest import load_file

SOURCE = '{source: "https://example.org/corridor", year: 2024, checked: 2026-12-04}'


def place(slug: str, name: str, extra: str = "") -> str:
    """One place in the format of data/places.yaml, every fact sourced."""
    facts = "\n".join(
        f"      {fact}: {SOURCE}" for fact in ("about", "address", "hours", "ticket", "transit", "tips", "position")
    )
    return f"""\
  - slug: {slug}
    name: {{en: {name}, zh: {name}}}
{extra}    summary: {{en: Wisteria by the moat., zh: 环城河边的紫藤。}}
    description: {{en: A trellis of wisteria., zh: 一条紫藤花廊。}}
    address: {{en: Huancheng Road, zh: 环城路}}
    hours: {{en: Open corridor, zh: 开放式长廊}}
    ticket: {{en: No ticket mentioned, zh: 未见收费信息}}
    transit: {{en: Bus Jiading 10, zh: 嘉定10路}}
    tips: {{en: Come in April., zh: 四月来。}}
    lat: 31.3905
    lon: 121.2585
    coords_estimated: true
    sources:
{facts}
    plants:
      - key: wisteria
        name: {{en: Wisteria, zh: 紫藤}}
        window: {{bud: "03-25", first: "04-05", peak_start: "04-13", peak_end: "04-26", over: "05-05"}}
        source: "https://example.org/corridor"
        checked: 2026-12-04
"""


MERGED = "places:\n" + place("park-corridor", "Park Corridor", "    retired_slugs: [moat-corridor]\n")
SPLIT = "places:\n" + place("park-corridor", "Park Corridor") + place("moat-corridor", "Moat Corridor")


def test_a_retired_slug_that_is_a_place_again_leads_to_its_own_page(app, tmp_path):
    merged, split = tmp_path / "merged.yaml", tmp_path / "split.yaml"
    merged.write_text(MERGED, encoding="utf-8")
    split.write_text(SPLIT, encoding="utf-8")
    load_file(app, merged)
    client = app.test_client()
    before = client.get("/en/places/moat-corridor")
    assert before.status_code == 301 and before.headers["Location"] == "/en/places/park-corridor"

    load_file(app, split)  # the database still holds the redirect the first file made
    page = client.get("/en/places/moat-corridor")
    assert page.status_code == 200 and "Location" not in page.headers
    html = page.get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "<title>Moat Corridor · " in html and "Moat Corridor" in heading and "Park" not in heading
    neutral = client.get("/places/moat-corridor")  # the link printed on cards, in no language
    assert neutral.status_code == 302 and neutral.headers["Location"].endswith("/places/moat-corridor")
    card = client.get("/en/places/moat-corridor/card")
    assert card.status_code == 200 and "Moat Corridor" in card.get_data(as_text=True)
    assert client.get("/en/places/park-corridor").status_code == 200
