"""Two sends for the same plant arriving together: one is filed, the other is told (409), on
SQLite as on PostgreSQL, however the requests interleave."""

import threading

import pytest
from sqlalchemy import func, select

from guide.extensions import db
from guide.places.models import BloomReport
from tests.conftest import login
from tests.test_staff_reports import form_fields, plant_ids

TRIALS = 25


@pytest.mark.parametrize("second", ["report", "confirm"])
def test_two_sends_on_the_same_view_arriving_together_file_one(guide_app, make_staff, second):
    make_staff("wang", "guyi-garden")
    make_staff("li", "guyi-garden")
    ids = plant_ids(guide_app, "guyi-garden")
    phones = [guide_app.test_client(), guide_app.test_client()]
    for phone, name in zip(phones, ("wang", "li"), strict=True):
        assert login(phone, name).status_code == 302
    outcomes = []
    for trial in range(TRIALS):
        pages = [phone.get("/en/staff/places/guyi-garden").get_data(as_text=True) for phone in phones]
        sends = [
            ("/en/staff/places/guyi-garden/report", {**form_fields(pages[0]), f"p{ids['peony']}-stage": "peak"}),
            (
                (
                    f"/en/staff/plants/{ids['peony']}/confirm",
                    {**form_fields(pages[1]), "version": _version(pages[1], ids["peony"])},
                )
                if second == "confirm"
                else (
                    "/en/staff/places/guyi-garden/report",
                    {**form_fields(pages[1]), f"p{ids['peony']}-stage": "fading"},
                )
            ),
        ]
        answers = together(phones, sends)
        outcomes.append(tuple(sorted(answers)))
        with guide_app.app_context():
            filed = db.session.scalar(select(func.count()).select_from(BloomReport))
        assert filed == trial + 1, (trial, answers)
    assert set(outcomes) == {(302, 409)}


def together(phones, sends) -> list[int]:
    """Post each send from its phone, released at the same instant; their status codes."""
    answers, start = [0] * len(sends), threading.Barrier(len(sends))

    def send(i):
        start.wait()
        path, data = sends[i]
        answers[i] = phones[i].post(path, data=data).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _version(html, plant_id):
    """The version in the plant's "Still the same" form."""
    import re

    form = re.search(rf'<form id="confirm-{plant_id}".*?</form>', html, re.S).group(0)
    return re.search(r'name="version" value="(\d+)"', form).group(1)
