"""Reporting from the staff pages: quick, safe, and nothing lost."""

import io
import logging
import re

import pytest
from sqlalchemy import select

from guide.extensions import db
from guide.places.models import BloomReport, Place, Plant
from tests.conftest import csrf_token, login

EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}"


def plant_ids(app, slug):
    with app.app_context():
        return {p.key: p.id for p in db.session.scalars(select(Plant).join(Place).where(Place.slug == slug))}


def form_fields(html):
    """The hidden fields of the place form as the page rendered them (token and versions)."""
    fields = dict(re.findall(r'<input[^>]*name="(p\d+-version)"[^>]*value="(\d*)"', html))
    fields.update(dict(re.findall(r'<input[^>]*id="(p\d+-version)"[^>]*value="(\d*)"', html)))
    return {"csrf_token": csrf_token(html), **fields}


def send(client, slug, ids, lang="zh", page=None, **plants):
    """Post the place form: plants={key: {"stage": …, "percent_open": …, …}}."""
    page = page or client.get(f"/{lang}/staff/places/{slug}").get_data(as_text=True)
    data = form_fields(page)
    for key, values in plants.items():
        data.update({f"p{ids[key]}-{name}": value for name, value in values.items()})
    return client.post(f"/{lang}/staff/places/{slug}/report", data=data)


def reports(app):
    with app.app_context():
        return [
            (r.plant.key, r.kind, r.stage, r.percent_open, r.note, r.staff.username, r.retracted_at)
            for r in db.session.scalars(select(BloomReport).order_by(BloomReport.id))
        ]


def test_one_form_reports_several_plants_and_the_public_sees_them_at_once(login_as, guide_app, freeze):
    freeze("2026-04-15 08:00")
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    response = send(
        client,
        "guyi-garden",
        ids,
        peony={"stage": "peak", "percent_open": "85", "note_zh": "东侧最好", "note_en": "Best on the east side"},
        plum={"stage": "over"},
    )
    assert response.status_code == 302
    assert "已提交2条报告" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert [r[:6] for r in reports(guide_app)] == [
        ("plum", "report", "over", None, None, "wang"),
        ("peony", "report", "peak", 85, {"zh": "东侧最好", "en": "Best on the east side"}, "wang"),
    ]
    public = guide_app.test_client()
    en = public.get("/en/places/guyi-garden").get_data(as_text=True)
    assert "85% open" in en and "checked just now" in en and "Best on the east side" in en
    zh = public.get("/zh/places/guyi-garden").get_data(as_text=True)
    assert "已开85%" in zh and "刚刚更新" in zh and "东侧最好" in zh
    assert "Best on the east side" in public.get("/en/").get_data(as_text=True)  # map popup too


def test_untouched_plants_report_nothing(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    response = send(client, "guyi-garden", plant_ids(guide_app, "guyi-garden"))
    assert response.status_code == 400 and "没有可提交的内容" in response.get_data(as_text=True)
    assert reports(guide_app) == []


@pytest.mark.parametrize(
    "values, message",
    [
        ({"stage": "peak", "percent_open": "20"}, "已开20%与“盛花”不符（应为70%–100%）。"),
        ({"stage": "budding", "percent_open": "101"}, "请输入0到100之间的数字"),
        ({"stage": "peak", "percent_open": "lots"}, "请输入0到100之间的数字"),
        ({"percent_open": "80", "note_en": "forgot the stage"}, "请为这条报告选择花况等级"),
        ({"stage": "peak", "note_en": "x" * 501}, "最多500个字符"),
    ],
)
def test_a_bad_value_comes_back_with_everything_typed_and_a_message(login_as, guide_app, values, message):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    typed = {"note_zh": "花很多", **values}
    response = send(client, "guyi-garden", ids, peony=typed, plum={"stage": "over", "note_en": "all gone"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert "花很多" in html and "all gone" in html  # nothing typed is lost
    assert re.search(r'value="over" checked|checked[^>]*value="over"', html)
    assert reports(guide_app) == []


def test_still_the_same_is_one_tap_and_refreshes_freshness(login_as, guide_app, freeze):
    freeze("2026-04-15 07:00")
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    send(client, "guyi-garden", ids, peony={"stage": "blooming", "percent_open": "50"})
    freeze("2026-04-16 07:30")
    page = client.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    version = re.search(rf'id="confirm-{ids["peony"]}".*?name="version" value="(\d+)"', page, re.S).group(1)
    response = client.post(
        f"/en/staff/plants/{ids['peony']}/confirm", data={"csrf_token": csrf_token(page), "version": version}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#plant-{ids['peony']}")
    assert [r[:4] for r in reports(guide_app)] == [
        ("peony", "report", "blooming", 50),
        ("peony", "confirm", "blooming", 50),
    ]
    assert "checked just now" in guide_app.test_client().get("/en/places/guyi-garden").get_data(as_text=True)


def test_still_the_same_on_an_estimate_confirms_the_estimated_stage(login_as, guide_app, freeze):
    freeze("2026-04-15 07:00")
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    page = client.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    client.post(f"/en/staff/plants/{ids['peony']}/confirm", data={"csrf_token": csrf_token(page), "version": "0"})
    assert [r[:4] for r in reports(guide_app)] == [("peony", "confirm", "peak", None)]


def test_a_report_overtaken_by_another_gets_a_conflict_page_and_keeps_the_typing(guide_app, make_staff, freeze):
    freeze("2026-04-15 07:00")
    make_staff("wang", "guyi-garden")
    make_staff("li", "guyi-garden")
    phone_a, phone_b = guide_app.test_client(), guide_app.test_client()
    login(phone_a, "wang")
    login(phone_b, "li")
    ids = plant_ids(guide_app, "guyi-garden")
    page_a = phone_a.get("/zh/staff/places/guyi-garden").get_data(as_text=True)
    page_b = phone_b.get("/zh/staff/places/guyi-garden").get_data(as_text=True)
    assert (
        send(
            phone_a,
            "guyi-garden",
            ids,
            page=page_a,
            peony={"stage": "peak", "percent_open": "90", "note_en": "A saw it"},
        ).status_code
        == 302
    )
    conflict = send(
        phone_b, "guyi-garden", ids, page=page_b, peony={"stage": "fading", "percent_open": "40", "note_zh": "B的记录"}
    )
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and "刚刚有人提交了新报告" in html
    assert "A saw it" in html and "wang" in html  # the newer report, with who filed it
    assert "B的记录" in html and 'value="40"' in html  # what B typed is still there
    assert len(reports(guide_app)) == 1
    resent = send(
        phone_b, "guyi-garden", ids, page=html, peony={"stage": "fading", "percent_open": "40", "note_zh": "B的记录"}
    )
    assert resent.status_code == 302
    assert [(r[0], r[2], r[5]) for r in reports(guide_app)] == [("peony", "peak", "wang"), ("peony", "fading", "li")]


def test_still_the_same_on_an_overtaken_view_is_a_conflict_too(guide_app, make_staff):
    make_staff("wang", "guyi-garden")
    make_staff("li", "guyi-garden")
    phone_a, phone_b = guide_app.test_client(), guide_app.test_client()
    login(phone_a, "wang")
    login(phone_b, "li")
    ids = plant_ids(guide_app, "guyi-garden")
    page_b = phone_b.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    send(phone_a, "guyi-garden", ids, lang="en", peony={"stage": "over"})
    response = phone_b.post(
        f"/en/staff/plants/{ids['peony']}/confirm", data={"csrf_token": csrf_token(page_b), "version": "0"}
    )
    assert response.status_code == 409 and "Someone reported in the meantime" in response.get_data(as_text=True)
    assert len(reports(guide_app)) == 1


def test_an_expired_form_comes_back_filled_in(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    page = client.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    data = {
        **form_fields(page),
        "csrf_token": "expired-or-forged",
        f"p{ids['peony']}-stage": "peak",
        f"p{ids['peony']}-note_en": "Typed on a long walk",
    }
    response = client.post("/en/staff/places/guyi-garden/report", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "The form had expired" in html
    assert "Typed on a long walk" in html
    assert csrf_token(html) != "expired-or-forged"
    assert reports(guide_app) == []
    resent = client.post("/en/staff/places/guyi-garden/report", data={**data, "csrf_token": csrf_token(html)})
    assert resent.status_code == 302 and len(reports(guide_app)) == 1


def staff_posts(app) -> set[str]:
    return {
        rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods and rule.endpoint.startswith("staff.")
    }


def test_every_staff_post_is_known_to_the_csrf_test(guide_app):
    """A new POST route must be added to the test below."""
    assert staff_posts(guide_app) == {
        "/<lang>/staff/login",
        "/<lang>/staff/logout",
        "/<lang>/staff/places/<slug>/report",
        "/<lang>/staff/places/<slug>/crowd",
        "/<lang>/staff/plants/<id:plant_id>/confirm",
        "/<lang>/staff/reports/<id:report_id>/retract",
    }


@pytest.mark.parametrize("token", [None, "", "forged.token.value"])
def test_a_post_without_a_good_csrf_token_changes_nothing(guide_app, make_staff, token, tmp_path):
    from tests.test_photos import jpeg
    from tests.test_places_load import dump

    guide_app.instance_path = str(tmp_path / "instance")
    make_staff("boss", admin=True)
    client = guide_app.test_client()
    assert login(client, "boss").status_code == 302
    ids = plant_ids(guide_app, "guyi-garden")
    assert send(client, "guyi-garden", ids, peony={"stage": "peak"}).status_code == 302
    with guide_app.app_context():
        report_id = db.session.scalar(select(BloomReport.id))
    before = dump(guide_app)
    extra = {} if token is None else {"csrf_token": token}
    posts = {
        "/en/staff/places/guyi-garden/report": {
            f"p{ids['peony']}-stage": "fading",
            f"p{ids['peony']}-photo": (io.BytesIO(jpeg()), "p.jpg"),
        },
        f"/en/staff/plants/{ids['peony']}/confirm": {f"p{ids['peony']}-version": str(report_id)},
        "/en/staff/places/guyi-garden/crowd": {"level": "very_busy"},
        f"/en/staff/reports/{report_id}/retract": {},
        "/en/staff/logout": {},
        "/en/staff/login": {"username": "boss", "password": "plum-blossom-2026"},
    }
    for url, data in posts.items():
        response = client.post(url, data={**data, **extra}, content_type="multipart/form-data")
        assert response.status_code in (302, 400), url
        page = client.get(response.headers["Location"]) if response.status_code == 302 else response
        assert "expired" in page.get_data(as_text=True), url
        assert dump(guide_app) == before, url
        assert not (tmp_path / "instance" / "photos").exists() or not any((tmp_path / "instance" / "photos").iterdir())
    assert client.get("/en/staff/places/guyi-garden").status_code == 200  # still logged in


@pytest.mark.parametrize("slug, status", [("nowhere", 404), ("qiuxia-garden", 403)])
def test_an_expired_form_for_a_place_one_may_not_report_on_is_refused_not_an_error(login_as, slug, status):
    client = login_as("wang", "guyi-garden")
    response = client.post(f"/en/staff/places/{slug}/report", data={"csrf_token": "old"})
    assert response.status_code == status


def test_public_history_hides_names_and_staff_history_shows_them(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    send(
        client,
        "guyi-garden",
        plant_ids(guide_app, "guyi-garden"),
        lang="en",
        peony={"stage": "peak", "note_en": "Gorgeous today"},
    )
    public = guide_app.test_client().get("/en/places/guyi-garden/history").get_data(as_text=True)
    assert "Gorgeous today" in public and "wang" not in public
    staff_view = client.get("/en/staff/places/guyi-garden/history").get_data(as_text=True)
    assert "Gorgeous today" in staff_view and "by wang" in staff_view
    assert "Retract this report" not in staff_view  # only admins may
    zh = guide_app.test_client().get("/zh/places/guyi-garden/history")
    assert zh.status_code == 200 and "花况报告" in zh.get_data(as_text=True)


def test_admin_retracts_a_wrong_report_and_the_previous_status_returns(guide_app, make_staff, freeze, caplog):
    freeze("2026-04-15 07:00")
    make_staff("wang", "guyi-garden")
    make_staff("boss", admin=True)
    staff, admin = guide_app.test_client(), guide_app.test_client()
    login(staff, "wang")
    login(admin, "boss")
    ids = plant_ids(guide_app, "guyi-garden")
    send(staff, "guyi-garden", ids, lang="en", peony={"stage": "blooming", "percent_open": "50"})
    send(staff, "guyi-garden", ids, lang="en", peony={"stage": "over"})  # a slip of the thumb
    with guide_app.app_context():
        wrong = db.session.scalars(select(BloomReport).order_by(BloomReport.id.desc())).first().id
    page = staff.get("/en/staff/places/guyi-garden/history").get_data(as_text=True)
    assert staff.post(f"/en/staff/reports/{wrong}/retract", data={"csrf_token": csrf_token(page)}).status_code == 403
    page = admin.get("/en/staff/places/guyi-garden/history").get_data(as_text=True)
    with caplog.at_level(logging.WARNING, logger="guide.staff.operations"):
        assert (
            admin.post(f"/en/staff/reports/{wrong}/retract", data={"csrf_token": csrf_token(page)}).status_code == 302
        )
    assert f"report {wrong} (over" in caplog.text and "retracted by boss" in caplog.text
    rows = reports(guide_app)
    assert len(rows) == 2 and rows[1][2] == "over" and rows[1][6] is not None  # kept, marked
    public = guide_app.test_client().get("/en/places/guyi-garden").get_data(as_text=True)
    peony = public.split("Tree peony")[1].split('class="window"')[0]
    assert "stage--blooming" in peony and "50% open" in peony
    history = guide_app.test_client().get("/en/places/guyi-garden/history").get_data(as_text=True)
    assert "Retracted: this report was a mistake" in history


def test_everything_staff_type_is_escaped_on_every_page_and_map(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    send(
        client,
        "guyi-garden",
        plant_ids(guide_app, "guyi-garden"),
        lang="en",
        peony={"stage": "peak", "note_en": EVIL, "note_zh": EVIL},
    )
    public = guide_app.test_client()
    for url in (
        "/en/",
        "/zh/",
        "/en/places/guyi-garden",
        "/zh/places/guyi-garden/history",
        "/en/staff/places/guyi-garden/history",
    ):
        html = (client if "staff" in url else public).get(url).get_data(as_text=True)
        assert "<img src=x" not in html, url
        assert html.count("</script>") == html.count("<script"), url
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;${alert(2)}" in public.get(
        "/en/places/guyi-garden"
    ).get_data(as_text=True)


def test_a_body_past_the_upload_limit_gets_a_localized_page(guide_app, make_staff):
    make_staff("wang", "guyi-garden")
    guide_app.config["MAX_CONTENT_LENGTH"] = 2000
    client = guide_app.test_client()
    login(client, "wang")
    response = client.post("/zh/staff/places/guyi-garden/report", data={"x": "y" * 5000})
    assert response.status_code == 413 and "上传内容过大" in response.get_data(as_text=True)
