"""A form sent twice (a double tap, or sent again after the answer was lost on a weak network)
files one report, not two: each form carries a key the server remembers."""

import re

import pytest
from sqlalchemy import func, select

from guide.extensions import db
from guide.places.models import BloomReport
from guide.staff.models import Submission
from tests.test_races import together
from tests.test_staff_reports import form_fields, plant_ids


def filed(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BloomReport))


def report_form(client, ids, lang="en", **plants):
    page = client.get(f"/{lang}/staff/places/guyi-garden").get_data(as_text=True)
    data = {**form_fields(page), "submission": re.search(r'name="submission"[^>]*value="([^"]+)"', page).group(1)}
    for key, values in plants.items():
        data.update({f"p{ids[key]}-{name}": value for name, value in values.items()})
    return data, page


@pytest.mark.parametrize("lang, said", [("en", "filed once, not twice"), ("zh", "只记录了一次")])
def test_the_same_form_sent_again_files_once_and_says_so(login_as, guide_app, lang, said):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    data, _page = report_form(client, ids, lang, peony={"stage": "peak"}, plum={"stage": "over"})
    first = client.post(f"/{lang}/staff/places/guyi-garden/report", data=data)
    again = client.post(f"/{lang}/staff/places/guyi-garden/report", data=data)  # the answer was lost
    assert first.status_code == again.status_code == 302 and first.headers["Location"] == again.headers["Location"]
    assert filed(guide_app) == 2
    assert said in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_double_tap_arriving_together_files_once(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    for trial in range(10):
        data, _page = report_form(client, ids, peony={"stage": "peak" if trial % 2 else "fading"})
        answers = together([client, client], [("/en/staff/places/guyi-garden/report", data)] * 2)
        assert answers == [302, 302], answers  # both told it was filed: neither a conflict
        assert filed(guide_app) == trial + 1


def test_still_the_same_sent_twice_confirms_once(login_as, guide_app, report):
    report("guyi-garden", "peony", "peak")
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    page = client.get("/en/staff/places/guyi-garden").get_data(as_text=True)
    form = re.search(rf'<form id="confirm-{ids["peony"]}".*?</form>', page, re.S).group(0)
    data = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert set(data) == {"csrf_token", "version", "submission"}
    answers = [client.post(f"/en/staff/plants/{ids['peony']}/confirm", data=data).status_code for _ in range(3)]
    assert answers == [302, 302, 302] and filed(guide_app) == 2


def test_after_a_mistake_the_form_keeps_its_key_and_files_once_corrected(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    data, _page = report_form(client, ids, peony={"stage": "peak", "percent_open": "5"})
    wrong = client.post("/en/staff/places/guyi-garden/report", data=data)
    assert wrong.status_code == 400 and f'value="{data["submission"]}"' in wrong.get_data(as_text=True)
    data[f"p{ids['peony']}-percent_open"] = "90"
    assert client.post("/en/staff/places/guyi-garden/report", data=data).status_code == 302
    assert client.post("/en/staff/places/guyi-garden/report", data=data).status_code == 302
    assert filed(guide_app) == 1


def test_two_forms_opened_separately_still_meet_as_a_conflict(login_as, guide_app):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    one, _ = report_form(client, ids, peony={"stage": "peak"})
    other, _ = report_form(client, ids, peony={"stage": "fading"})
    assert one["submission"] != other["submission"]
    assert client.post("/en/staff/places/guyi-garden/report", data=one).status_code == 302
    assert client.post("/en/staff/places/guyi-garden/report", data=other).status_code == 409
    assert filed(guide_app) == 1


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "bad key with spaces but long enough", "\x00" * 30])
def test_a_form_without_a_usable_key_is_filed_as_before(login_as, guide_app, key):
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    data, _ = report_form(client, ids, peony={"stage": "peak"})
    data["submission"] = key
    assert client.post("/en/staff/places/guyi-garden/report", data=data).status_code == 302
    assert client.post("/en/staff/places/guyi-garden/report", data=data).status_code == 409  # the versions hold
    assert filed(guide_app) == 1


def test_keys_are_forgotten_after_30_days(login_as, guide_app, freeze):
    freeze("2026-04-01 09:00")
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    data, _ = report_form(client, ids, peony={"stage": "peak"})
    assert client.post("/en/staff/places/guyi-garden/report", data=data).status_code == 302
    freeze("2026-05-15 09:00")
    data, _ = report_form(client, ids, plum={"stage": "over"})
    assert client.post("/en/staff/places/guyi-garden/report", data=data).status_code == 302
    with guide_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_a_form_edited_after_it_was_sent_is_not_taken_for_a_resend(login_as, guide_app):
    """The page did not reload after sending; the person changed the stage and sent again."""
    client = login_as("wang", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    data, _ = report_form(client, ids, peony={"stage": "peak"})
    assert client.post("/en/staff/places/guyi-garden/report", data=data).status_code == 302
    data[f"p{ids['peony']}-stage"] = "fading"
    edited = client.post("/en/staff/places/guyi-garden/report", data=data)
    assert edited.status_code == 409  # not "already sent": the newer report is shown, as for any form
    assert filed(guide_app) == 1
