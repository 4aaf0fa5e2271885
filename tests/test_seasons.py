"""Seasons read from the reports staff filed, and the forecast the guide makes from them."""

from datetime import date

from sqlalchemy import select

from guide.core import clock
from guide.core.forecast import Basis
from guide.extensions import db
from guide.places.models import BloomReport, Place, Plant
from guide.places.seasons import outlooks
from guide.staff.models import Staff
from guide.staff.operations import retract_report


def file_on(freeze, report, day: str, slug: str, key: str, stage: str):
    freeze(f"{day} 09:00")
    report(slug, key, stage)


def plant(slug: str, key: str) -> Plant:
    return db.session.scalar(select(Plant).join(Place).where(Place.slug == slug, Plant.key == key))


def test_a_season_is_read_from_reports_without_the_retracted_ones(guide_app, freeze, report):
    for day, stage in (
        ("2025-03-20", "budding"),
        ("2025-03-30", "first_bloom"),
        ("2025-04-01", "peak"),  # a mistake, retracted below
        ("2025-04-10", "peak"),
        ("2025-04-24", "fading"),
    ):
        file_on(freeze, report, day, "nanshuiguan-park", "wisteria", stage)
    with guide_app.app_context():
        wrong = db.session.scalar(select(BloomReport).where(BloomReport.stage == "peak").order_by(BloomReport.id))
        retract_report(db.session.scalar(select(Staff)), wrong, clock.now())
        db.session.commit()
        freeze("2025-12-01 09:00")
        wisteria = plant("nanshuiguan-park", "wisteria")
        (season,) = outlooks([wisteria], clock.today())[wisteria.id].past
    assert season.label == "2025"
    assert season.points["peak_start"] == date(2025, 4, 10)
    assert season.points["peak_end"] == date(2025, 4, 10)
    assert season.points["first"] == date(2025, 3, 30)


def test_reports_at_one_wisteria_move_the_forecast_of_the_others(guide_app, freeze, report):
    freeze("2026-03-17 09:00")
    with guide_app.app_context():
        here = plant("jiading-wisteria-park", "wisteria")
        before = outlooks([here], clock.today())[here.id].forecast
    # Its past seasons (2021, 2024) ran late: without a report this season, a late forecast.
    assert before.basis is Basis.USUAL and before.shift > 0
    file_on(freeze, report, "2026-03-18", "jiading-wisteria-park", "wisteria", "budding")
    file_on(freeze, report, "2026-03-27", "jiading-wisteria-park", "wisteria", "first_bloom")
    with guide_app.app_context():
        here, there = plant("jiading-wisteria-park", "wisteria"), plant("nanshuiguan-park", "wisteria")
        found = outlooks([here, there], clock.today())
    assert found[here.id].forecast.basis is Basis.REPORTS
    # A week early against the window, both reports: they outweigh the late past seasons.
    assert found[here.id].forecast.shift < 0 < before.shift
    assert found[there.id].forecast.basis is Basis.ELSEWHERE
    assert found[there.id].forecast.expected["peak_start"].middle < date(2026, 4, 12)


def test_the_past_season_from_the_data_file_is_kept_with_its_source(guide_app, freeze):
    freeze("2026-11-29 09:00")
    with guide_app.app_context():
        wisteria = plant("jiading-wisteria-park", "wisteria")
        past = outlooks([wisteria], clock.today())[wisteria.id].past
    # The fact-check added 2021 (full bloom on 19 April, zgyllh.net) to 2024's (29 April, shine.cn).
    assert [s.label for s in past] == ["2024", "2021"]
    assert past[0].points == {"peak_start": date(2024, 4, 29)}
    assert "shine.cn" in past[0].source
    assert past[1].points == {"peak_start": date(2021, 4, 19)}
    assert "zgyllh.net" in past[1].source


def page(client, lang: str, slug: str) -> str:
    response = client.get(f"/{lang}/places/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_place_page_says_how_early_this_year_and_why(client, freeze, report):
    file_on(freeze, report, "2026-03-18", "jiading-wisteria-park", "wisteria", "budding")
    file_on(freeze, report, "2026-03-27", "jiading-wisteria-park", "wisteria", "first_bloom")
    freeze("2026-03-28 09:00")
    assert "days early this year (from 2 reports)" in page(client, "en", "jiading-wisteria-park")
    assert "今年约提前" in page(client, "zh", "jiading-wisteria-park")
    assert "（依据2次报告）" in page(client, "zh", "jiading-wisteria-park")
    # The same species elsewhere, labelled as such; a plant with no report anywhere says so.
    nanshuiguan = page(client, "en", "nanshuiguan-park")
    assert "days early, from reports at other gardens" in nanshuiguan
    # Its plum, reported nowhere, shows its usual window as an estimate, and no forecast line.
    plum = nanshuiguan.split("<h3>Plum blossom")[1].split("</li>")[0]
    assert "estimated from usual dates" in plum and 'class="forecast"' not in plum
    assert "依据其他景点的报告" in page(client, "zh", "nanshuiguan-park")


def test_the_place_page_lists_past_seasons_with_the_usual_window(client, freeze):
    freeze("2026-11-29 09:00")
    en = page(client, "en", "jiading-wisteria-park")
    assert "Past seasons" in en
    assert "Usually: peak Apr 12\u2009–\u200928" in en
    assert "2024: Peak by Apr 29" in en
    assert 'href="https://www.shine.cn/feature/district/2404293713/"' in en
    zh = page(client, "zh", "jiading-wisteria-park")
    assert "往年观赏期" in zh and "2024年：4月29日已达盛花" in zh


def test_a_season_from_reports_is_listed_next_year(client, freeze, report):
    for day, stage in (("2025-04-08", "peak"), ("2025-04-21", "peak"), ("2025-04-24", "fading")):
        file_on(freeze, report, day, "nanshuiguan-park", "wisteria", stage)
    freeze("2026-02-01 09:00")
    assert "2025: Peak Apr 8\u2009–\u200921" in page(client, "en", "nanshuiguan-park")


def test_the_place_page_says_when_to_come(client, freeze):
    freeze("2026-11-12 09:00")
    assert "Now: Chrysanthemum at its peak, usually until about Nov 25<" in page(client, "en", "huilongtan-park")
    freeze("2026-11-23 09:00")
    assert "usually until about Nov 25 — last days" in page(client, "en", "huilongtan-park")
    assert "现在：菊花正值盛花期，通常持续到11月25日前后——最后几天" in page(client, "zh", "huilongtan-park")
    freeze("2026-11-29 09:00")
    # Guyi Garden's old ginkgo is in autumn colour now, said in leaf words; Xincheng Park, with
    # nothing in season, says what comes next.
    assert "Now: Old ginkgo in peak colour, usually until about Dec 10<" in page(client, "en", "guyi-garden")
    assert "现在：古银杏正值最佳观赏期，通常持续到12月10日前后" in page(client, "zh", "guyi-garden")
    xincheng = page(client, "en", "xincheng-park")
    assert "Next: Wintersweet, usually Dec 12\u2009–\u2009Feb 10, best in January" in xincheng
    assert "接下来：蜡梅，通常12月12日至2月10日，一月最佳" in page(client, "zh", "xincheng-park")


def test_a_forecast_from_reports_changes_the_line_when_to_come(client, freeze, report):
    file_on(freeze, report, "2026-11-01", "huilongtan-park", "chrysanthemum", "peak")
    freeze("2026-11-10 09:00")
    assert "Now: Chrysanthemum at its peak, expected until about" in page(client, "en", "huilongtan-park")


def test_the_widget_out_of_season_shows_the_next_season_not_a_row_of_not_yet(client, freeze):
    freeze("2026-11-29 09:00")
    for lang, expected, not_yet in (
        ("en", "Next: Flowering crabapple, usually Mar 15\u2009–\u2009Apr 10, best in March", "Not yet"),
        ("zh", "接下来：海棠，通常3月15日至4月10日，三月最佳", "未到花期"),
    ):
        html = client.get(f"/embed/{lang}/places/jiading-wisteria-park").get_data(as_text=True)
        assert expected in html
        assert not_yet not in html
    freeze("2026-04-15 09:00")  # in season: the plants and their stages, as before
    html = client.get("/embed/en/places/jiading-wisteria-park").get_data(as_text=True)
    assert "widget__plants" in html and "Next:" not in html


def test_several_late_past_seasons_move_the_usual_window_and_say_so(client, freeze, report):
    for year in (2024, 2025):  # both about a week late at Nanshuiguan
        for day, stage in (
            (f"{year}-04-10", "first_bloom"),
            (f"{year}-04-19", "peak"),
            (f"{year}-04-30", "peak"),
            (f"{year}-05-02", "fading"),
        ):
            file_on(freeze, report, day, "nanshuiguan-park", "wisteria", stage)
    freeze("2026-02-01 09:00")
    html = page(client, "en", "nanshuiguan-park")
    card = html.split("<h3>Japanese wisteria")[1].split("</li>")[0]
    assert "The usual dates, as the past 2 seasons ran" in card
    # The window says Apr 12–25; the seasons ran from Apr 19 to 30 at peak, first flowers on the 10th.
    assert "Usually at its peak Apr 18\u2009–\u2009May 1" in card
    assert "往年日期，按过去2季的实际情况修正" in page(client, "zh", "nanshuiguan-park")
