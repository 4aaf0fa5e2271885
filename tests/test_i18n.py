"""Which language a visitor gets, and that every language is complete."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import PLACES_YAML, ROOT, load_file, make_app

PYBABEL = str(Path(sys.executable).with_name("pybabel"))


@pytest.mark.parametrize(
    "header, expected",
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "/zh/"),
        ("zh-Hans-CN", "/zh/"),
        ("zh-TW", "/zh/"),
        ("zh-HK,en;q=0.5", "/zh/"),
        ("zh-CN,en;q=0.5", "/zh/"),  # Werkzeug's best_match alone would say en here
        ("en-US,en;q=0.9,zh-CN;q=0.8", "/en/"),
        ("*", "/zh/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("en-US", "/en/"),
        ("fr-FR,fr;q=0.9,de;q=0.7", "/en/"),  # only languages we do not serve: English
        ("ja,en;q=0.3,zh;q=0.2", "/en/"),
        (None, "/zh/"),  # no stated preference: Chinese
    ],
)
def test_root_redirects_by_accept_language(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header} if header else {})
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_an_explicit_choice_wins_over_the_browser(client):
    response = client.get("/language/en?next=/en/calendar", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 303 and response.headers["Location"] == "/en/calendar"
    assert client.get("/", headers={"Accept-Language": "zh-CN"}).headers["Location"] == "/en/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/en/",
        "/\\evil.example",
        "/zh/calendar",
        "javascript:alert(1)",
        "/en/staff/logout",  # answers POST only
        "/en/staff/places/guyi-garden/report",
        "/en/no/such/page",
        "/en/\x7f",
    ],
)
def test_language_switch_only_goes_to_our_own_pages_in_that_language(client, target):
    response = client.get("/language/en", query_string={"next": target})
    location = response.headers["Location"]
    assert location == "/en/" and "evil" not in location
    assert client.get(location).status_code == 200


def test_language_switch_keeps_a_page_that_exists(client):
    assert client.get("/language/en?next=/en/calendar?month=4").headers["Location"] == "/en/calendar?month=4"


def test_switch_to_an_unknown_language_is_a_404(client):
    assert client.get("/language/xx?next=/xx/").status_code == 404


def test_the_switch_keeps_the_visitor_on_the_same_page(client):
    html = client.get("/zh/places/guyi-garden").get_data(as_text=True)
    assert 'href="/language/en?next=/en/places/guyi-garden"' in html


def catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_zh_catalog_has_no_untranslated_or_fuzzy_entry():
    zh = catalog("zh")
    assert not zh.fuzzy
    untranslated = [m.id for m in zh if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in zh if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_zh_catalog_covers_every_string_in_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [PYBABEL, "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog("zh") if m.id}
    assert wanted - have == set(), "run `make messages` and translate the new strings"


def test_a_third_language_needs_only_a_catalog_and_yaml_keys(tmp_path):
    """Esperanto stands in for any new language: no code changes, only files."""
    translations = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", translations)
    po = translations / "eo" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Bloom status now"\nmsgstr "Kiel ĝi aspektas nun"\n',
        encoding="utf-8",
    )
    subprocess.run([PYBABEL, "compile", "-d", str(translations)], check=True, capture_output=True)
    places = tmp_path / "places.yaml"
    places.write_text(
        PLACES_YAML.read_text(encoding="utf-8").replace(
            "name: {en: Guyi Garden, zh: 古猗园}", "name: {en: Guyi Garden, zh: 古猗园, eo: Ĝardeno Guyi}"
        ),
        encoding="utf-8",
    )
    app = make_app(tmp_path / "eo.sqlite", BABEL_TRANSLATION_DIRECTORIES=str(translations))
    assert app.config["LANGUAGES"] == ["en", "zh", "eo"]
    load_file(app, places)
    client = app.test_client()
    html = client.get("/eo/places/guyi-garden").get_data(as_text=True)
    assert '<html lang="eo">' in html
    assert "Ĝardeno Guyi" in html and "Kiel ĝi aspektas nun" in html
    # A field missing in Esperanto falls back to English, marked with its language.
    assert '<span lang="en">A Ming-dynasty garden in Nanxiang' in html
    assert 'hreflang="eo"' in client.get("/en/").get_data(as_text=True)
    assert client.get("/", headers={"Accept-Language": "eo"}).headers["Location"] == "/eo/"
