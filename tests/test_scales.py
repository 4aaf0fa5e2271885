"""Flowers and autumn leaves: each plant's stages in the words of what people come to see."""

import re

import pytest
from flask_babel import force_locale

from guide.core.bloom import BloomStage
from guide.core.scales import Scale

# Words that describe flowers, which must never be said of a tree in autumn colour.
FLOWER_WORDS = {
    "en": re.compile(r"\b(bloom\w*|flower\w*|buds?|open|petals?)\b", re.I),
    "zh": re.compile(r"[花苞]|已开|初开|盛开|渐开|开放|开花"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_scale_names_every_stage_differently_and_defines_it(guide_app, lang):
    with guide_app.test_request_context(), force_locale(lang):
        for scale in Scale:
            titles = [str(shown.title) for shown in scale.stages]
            assert len(set(titles)) == len(BloomStage), titles
            assert all(str(shown.definition) for shown in scale.stages)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_leaf_words_say_nothing_of_flowers(guide_app, lang):
    with guide_app.test_request_context(), force_locale(lang):
        for shown in Scale.LEAVES.stages:
            said = " ".join([str(shown.title), str(shown.definition), shown.amount(50), shown.about(), shown.span()])
            assert not FLOWER_WORDS[lang].search(said), said
        said = " ".join(str(label) for label in Scale.LEAVES.band_labels.values()) + str(Scale.LEAVES.share_label)
        assert not FLOWER_WORDS[lang].search(said), said
        assert not FLOWER_WORDS[lang].search(Scale.LEAVES.estimated), Scale.LEAVES.estimated


@pytest.mark.parametrize(
    "lang, flowers, leaves",
    [("en", "80% open", "80% coloured"), ("zh", "已开80%", "已变色80%")],
)
def test_the_share_is_of_flowers_open_or_of_leaves_coloured(guide_app, lang, flowers, leaves):
    with guide_app.test_request_context(), force_locale(lang):
        assert Scale.FLOWERS.of(BloomStage.PEAK).amount(80) == flowers
        assert Scale.LEAVES.of(BloomStage.PEAK).amount(80) == leaves


@pytest.mark.parametrize(
    "lang, opening, leaves",
    [
        ("en", "Opening", ["Starting to colour", "Colouring", "Peak colour"]),
        ("zh", "渐开", ["叶色始变", "渐次变色", "最佳观赏期"]),
    ],
)
def test_the_stages_read_forwards_in_one_sequence_of_words(guide_app, lang, opening, leaves):
    with guide_app.test_request_context(), force_locale(lang):
        assert str(Scale.FLOWERS.of(BloomStage.BLOOMING).title) == opening
        rising = (BloomStage.BUDDING, BloomStage.FIRST_BLOOM, BloomStage.PEAK)
        assert [str(Scale.LEAVES.of(stage).title) for stage in rising] == leaves


@pytest.mark.parametrize(
    "lang, flowers, leaves", [("en", "past peak", "some colour left"), ("zh", "已过盛花期", "尚有余色")]
)
def test_fading_says_past_peak_in_words_not_a_share_that_reads_backwards(client, guide_app, lang, flowers, leaves):
    with guide_app.test_request_context(), force_locale(lang):
        assert Scale.FLOWERS.of(BloomStage.FADING).about() == flowers  # an estimate's status line
        assert Scale.LEAVES.of(BloomStage.FADING).about() == leaves
    key = client.get(f"/{lang}/calendar").get_data(as_text=True).split('id="scale"')[1]
    fading = re.findall(r'stage--fading"><span[^>]*>[^<]*</span> [^<]+</span> <span class="pct">([^<]+)</span>', key)
    assert fading == [flowers, leaves]
    assert not re.search(r"5%?–69", key)


GINKGO_PAGES = [
    "/{lang}/places/anting-ancient-ginkgo",
    "/{lang}/places/anting-ancient-ginkgo/card",
    "/{lang}/places/anting-ancient-ginkgo/history",
    "/embed/{lang}/places/anting-ancient-ginkgo",
]


def badges(html: str, stage: str) -> list[str]:
    return re.findall(rf'<span class="stage stage--{stage}"><span[^>]*>[^<]*</span> ([^<]+)</span>', html)


@pytest.mark.parametrize(
    "lang, leaf_title, flower_title", [("en", "Colouring", "First bloom"), ("zh", "渐次变色", "初开")]
)
@pytest.mark.parametrize("page", GINKGO_PAGES)
def test_on_25_november_the_ginkgo_is_described_by_its_leaves(
    client, freeze, report, page, lang, leaf_title, flower_title
):
    freeze("2026-11-25 10:00")
    report("anting-ancient-ginkgo", "ginkgo", "first_bloom", hours_ago=1, percent_open=20)
    html = client.get(page.format(lang=lang)).get_data(as_text=True)
    assert leaf_title in badges(html, "first_bloom")
    assert flower_title not in html


@pytest.mark.parametrize("page", GINKGO_PAGES)
def test_an_estimate_for_the_ginkgo_is_of_its_viewing_season_not_of_flowers(client, freeze, page):
    freeze("2026-11-25 10:00")  # no report: every page estimates from the usual dates
    html = client.get(page.format(lang="zh")).get_data(as_text=True)
    assert "按往年观赏期估计" in html and "按往年花期估计" not in html


@pytest.mark.parametrize("lang, leaf_title", [("en", "Colouring"), ("zh", "渐次变色")])
@pytest.mark.parametrize("page", ["/{lang}/", "/{lang}/calendar"])
def test_pages_about_every_place_show_leaf_plants_in_leaf_words(client, freeze, report, page, lang, leaf_title):
    freeze("2026-11-25 10:00")
    report("anting-ancient-ginkgo", "ginkgo", "first_bloom", hours_ago=1, percent_open=20)
    report("qiuxia-garden", "maple", "first_bloom", hours_ago=1)
    html = client.get(page.format(lang=lang)).get_data(as_text=True).split('id="scale"')[0]  # not the key to the stages
    # Home: each on its card, and the ginkgo on its garden's tile (Qiuxia Garden's tile shows its
    # ginkgo leaves, further on by the usual dates); calendar: each on its row.
    assert badges(html, "first_bloom").count(leaf_title) == (3 if page == "/{lang}/" else 2)
    assert len(badges(html, "first_bloom")) == badges(html, "first_bloom").count(leaf_title)


@pytest.mark.parametrize("lang, words", [("en", "20% coloured"), ("zh", "已变色20%")])
def test_a_leaf_report_reads_in_leaf_words_in_the_feed_the_api_and_the_staff_form(
    guide_app, client, freeze, report, login_as, lang, words
):
    freeze("2026-11-25 10:00")
    report("anting-ancient-ginkgo", "ginkgo", "first_bloom", hours_ago=1, percent_open=20)
    feed = client.get(f"/{lang}/places/anting-ancient-ginkgo/feed.atom").get_data(as_text=True)
    assert words in feed
    plant = client.get("/api/v1/places/anting-ancient-ginkgo").get_json()["plants"][0]
    assert plant["scale"] == "leaves" and plant["status"]["stage_name"] == {"en": "Colouring", "zh": "渐次变色"}
    staff = login_as("wang", "anting-ancient-ginkgo", "guyi-garden")
    form = staff.get(f"/{lang}/staff/places/anting-ancient-ginkgo").get_data(as_text=True)
    assert ("Peak colour" if lang == "en" else "最佳观赏期") in form and ("Full bloom" not in form)
    assert ("Leaves coloured, in %" if lang == "en" else "已变色的叶子（%）") in form
    # Guyi Garden has leaf plants too (its old ginkgo, its maples): its peony's card is in flower words.
    guyi_form = staff.get(f"/{lang}/staff/places/guyi-garden").get_data(as_text=True)
    peony_form = plant_card(guyi_form, "Tree peony" if lang == "en" else "牡丹")
    ginkgo_form = plant_card(guyi_form, "Old ginkgo" if lang == "en" else "古银杏")
    assert ("Peak colour" if lang == "en" else "最佳观赏期") not in peony_form
    assert ("Flowers open, in %" if lang == "en" else "已开的花（%）") in peony_form
    assert ("Peak colour" if lang == "en" else "最佳观赏期") in ginkgo_form


def plant_card(form: str, name: str) -> str:
    """One plant's card on a staff form, by its name."""
    (card,) = re.findall(
        rf'<section class="plant-report card"[^>]*>\s*<h2 [^>]*>{re.escape(name)}</h2>(.*?)</section>', form, re.S
    )
    return card
