"""Two app servers (two gunicorns on two ports) against one PostgreSQL and one Redis: what one
is told, the other knows at once. Runs when the suite runs on PostgreSQL and Redis."""

import os

import pytest
import requests

from bench.cluster import Cluster, Staff, csrf_token

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL")),
    reason="needs TEST_DATABASE_URL and TEST_REDIS_URL: `make test` runs it in its PostgreSQL + Redis pass",
)


@pytest.fixture(scope="module")
def servers():
    # Every request here comes from 127.0.0.1: only the per-username limit is under test.
    settings = {"FLASK_LOGIN_LIMIT_PER_ADDRESS": "1000 per minute"}
    with Cluster(
        os.environ["TEST_DATABASE_URL"], os.environ["TEST_REDIS_URL"], workers=2, settings=settings
    ) as cluster:
        cluster.add_staff("wang", "jiading-wisteria-park")
        cluster.add_staff("li", "guyi-garden")
        yield cluster, cluster.start_server(), cluster.start_server()


def wisteria(html: str) -> str:
    return html.split("Wisteria (about 90 vines, 20+ varieties)")[1].split('class="window"')[0]


def test_a_report_posted_through_one_server_shows_at_once_through_the_other(servers):
    _cluster, one, other = servers
    page = f"{other.base}/en/places/jiading-wisteria-park"
    before = requests.get(page, timeout=10)
    assert before.status_code == 200 and "stage--over" not in wisteria(before.text)
    assert requests.get(page, timeout=10).text == before.text  # served from the shared page cache

    staff = Staff(one.base, "wang", "jiading-wisteria-park")
    assert staff.log_in().status_code == 302
    assert staff.report("over", "Blown down by the storm overnight").status_code == 302

    after = requests.get(page, timeout=10).text
    assert "stage--over" in wisteria(after) and "Blown down by the storm overnight" in after
    assert "Blown down by the storm overnight" in requests.get(f"{other.base}/en/feed.atom", timeout=10).text


def test_login_throttling_counts_attempts_made_through_both_servers(servers):
    _cluster, one, other = servers
    answers = [
        Staff(server.base, "li", "guyi-garden").log_in("not-the-password").status_code
        for server in (one, other, one, other, one, other)
    ]
    # Five tries a minute per username (LOGIN_LIMIT_PER_USERNAME), whichever server is asked:
    # each server saw only three, so with counters of their own neither would have refused.
    assert answers == [400, 400, 400, 400, 400, 429]  # 400: the form again, with its message
    refused = Staff(one.base, "li", "guyi-garden").log_in()  # even with the right password now
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert int(refused.headers["Retry-After"]) > 0


def test_a_staff_session_from_one_server_is_good_on_the_other(servers):
    cluster, one, other = servers
    staff = Staff(one.base, "wang", "jiading-wisteria-park")
    assert staff.log_in().status_code == 302
    assert staff.report("fading", "Checked from the other gate", base=other.base).status_code == 302
    assert cluster.sql("SELECT count(*) FROM bloom_report WHERE note->>'en' = %s", "Checked from the other gate") == [
        (1,)
    ]


def test_logging_out_through_one_server_ends_the_session_on_the_other(servers):
    _cluster, one, other = servers
    phone = Staff(one.base, "wang", "jiading-wisteria-park")
    assert phone.log_in().status_code == 302
    copy = requests.Session()  # a copy of the cookie, used through the other server
    copy.cookies.update(phone.session.cookies)
    place = "/en/staff/places/jiading-wisteria-park"
    assert copy.get(other.base + place, allow_redirects=False, timeout=10).status_code == 200
    page = phone.session.get(one.base + place, timeout=10).text
    phone.session.post(one.base + "/en/staff/logout", data={"csrf_token": csrf_token(page)}, timeout=10)
    assert copy.get(other.base + place, allow_redirects=False, timeout=10).status_code == 302


def test_a_known_phone_logs_in_through_either_server_while_its_name_is_attacked(servers):
    cluster, one, other = servers
    cluster.add_staff("zhao", "guyi-garden")
    phone = Staff(one.base, "zhao", "guyi-garden")
    assert phone.log_in().status_code == 302
    attacks = [Staff(s.base, "zhao", "guyi-garden").log_in("wrong-password").status_code for s in (one, other) * 6]
    assert attacks.count(429) >= 7
    assert phone.log_in(base=other.base).status_code == 302  # the device cookie, signed with the shared key
