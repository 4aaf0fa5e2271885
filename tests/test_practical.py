"""How to get in: booking, entrance, busiest times, parking, food, toilets, access and phone,
each sourced and dated, on the place page, the card and the API in both languages."""

from __future__ import annotations

from datetime import date

import pytest

from guide.places.practical import facts
from tests.conftest import PLACES_YAML
from tests.test_places_load import load


@pytest.mark.parametrize(
    "lang, title, said",
    [
        ("en", "Booking", "the 上海嘉定 app or Suishenban (随申办); over-65s by phone"),
        ("zh", "预约", "“上海嘉定”App或随申办"),
        ("en", "Entrance", "Entry only at Lane 55, Bole Road"),
        ("zh", "入口", "只能从博乐路55弄入园"),
    ],
)
def test_the_place_page_says_how_to_get_in_with_each_source(client, freeze, lang, title, said):
    freeze("2026-12-03 10:00")
    html = client.get(f"/{lang}/places/jiading-wisteria-park").get_data(as_text=True)
    visiting = html.split('id="visit-heading"')[1]
    assert f"<dt>{title}</dt>" in visiting and said in visiting
    booking = visiting.split('class="practical practical--booking"')[1].split("</dd>")[0]
    assert 'href="https://www.shine.cn/feature/district/2304246546/"' in booking


def test_an_old_source_is_flagged_on_the_page_and_never_on_the_card(client, freeze):
    freeze("2026-12-03 10:00")
    page = client.get("/en/places/jiading-wisteria-park").get_data(as_text=True)
    busiest = page.split('class="practical practical--busiest"')[1].split("</dd>")[0]
    assert "20,000–25,000 visitors a day" in busiest and "(from a 2021 source: it may have changed)" in busiest
    booking = page.split('class="practical practical--booking"')[1].split("</dd>")[0]
    assert "(from a 2023 source: it may have changed)" in booking  # more than 2 years old
    entrance = page.split('class="practical practical--entrance"')[1].split("</dd>")[0]
    assert "may have changed" not in entrance  # an undated source: no year to flag
    card = client.get("/en/places/jiading-wisteria-park/card").get_data(as_text=True)
    assert "Lane 55, Bole Road" in card and "博乐路55弄" in card  # the guest's language and the Chinese
    assert "2021" not in card and "may have changed" not in card and "20,000" not in card


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_card_carries_the_phone_a_guest_would_call(client, lang):
    card = client.get(f"/{lang}/places/guyi-garden/card").get_data(as_text=True)
    assert "021-59122225" in card and ("Phone" in card or "电话" in card)


def test_the_api_gives_each_fact_with_its_source_and_checked_day(client):
    place = client.get("/api/v1/places/guyi-garden").get_json()
    assert place["practical"]["phone"] == {
        "text": {"en": "021-59122225", "zh": "021-59122225"},
        "source": "https://www.jiading.gov.cn/mspd/shgj/content_166587",
        "year": None,
        "checked": "2026-12-03",
        "old": False,
    }
    assert set(place["practical"]) == {"parking", "phone"}
    assert client.get("/api/v1/places/jiazhu-osmanthus-park").get_json()["practical"] == {}


def test_every_practical_fact_in_the_file_has_its_source_and_day():
    import yaml

    for place in yaml.safe_load(PLACES_YAML.read_text(encoding="utf-8"))["places"]:
        for kind, fact in place.get("practical", {}).items():
            assert fact["source"] and isinstance(fact["checked"], date), (place["slug"], kind)
            assert fact["text"]["en"] and fact["text"]["zh"], (place["slug"], kind)


@pytest.mark.parametrize(
    "spoil, message",
    [
        ("        source: https://shadafang.com/c/hn93769.html\n", "practical.parking.source: missing field"),
        ("        checked: 2026-12-03\n", "practical.parking.checked: missing field"),
    ],
)
def test_the_loader_refuses_a_practical_fact_without_its_source_or_day(guide_app, tmp_path, spoil, message):
    text = PLACES_YAML.read_text(encoding="utf-8")
    at = text.index("      parking:\n        text:\n          en: About 30 spaces")
    end = text.index("      phone:", at)
    block = text[at:end]
    path = tmp_path / "bad.yaml"
    path.write_text(text[:at] + block.replace(spoil, "", 1) + text[end:], encoding="utf-8")
    result = load(guide_app.test_cli_runner(), path)
    assert result.exit_code == 1 and message in result.output, result.output
    assert "bad.yaml:" in result.output  # file:line


def test_the_loader_refuses_a_kind_it_does_not_know(guide_app, tmp_path):
    text = PLACES_YAML.read_text(encoding="utf-8").replace(
        "      parking:\n        text:\n          en: About 30",
        "      valet:\n        text:\n          en: About 30",
        1,
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = load(guide_app.test_cli_runner(), path)
    assert result.exit_code == 1 and "practical.valet" in result.output, result.output


def test_a_stored_fact_no_writer_can_read_is_left_out_not_the_page():
    stored = {"phone": {"text": {"en": "1"}, "source": "s", "checked": "not a day"}, "food": "x", "valet": {}}
    found = facts(stored, date(2026, 12, 3))
    assert [f.kind for f in found] == ["phone"] and found[0].provenance.checked is None
    assert facts(None, date(2026, 12, 3)) == []
