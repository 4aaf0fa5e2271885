"""The read-only API: shape, caching, CORS, and a property-based run against its OpenAPI document."""

import schemathesis
from hypothesis import given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance


def test_places_carry_status_windows_festivals_and_both_languages(client, freeze, report):
    freeze("2026-04-15 09:00")
    report("guyi-garden", "peony", "peak", hours_ago=1, percent_open=80, note={"en": "By the pond"})
    data = client.get("/api/v1/places").get_json()
    assert [p["slug"] for p in data["places"]][:2] == ["jiading-wisteria-park", "nanshuiguan-park"]
    guyi = client.get("/api/v1/places/guyi-garden").get_json()
    assert guyi["name"] == {"en": "Guyi Garden", "zh": "古猗园"}
    assert guyi["urls"] == {
        "en": "http://guide.test/en/places/guyi-garden",
        "zh": "http://guide.test/zh/places/guyi-garden",
    }
    assert guyi["share_url"] == "http://guide.test/places/guyi-garden"
    peony = next(p for p in guyi["plants"] if p["key"] == "peony")
    assert peony["status"] == {
        "stage": "peak",
        "stage_name": {"en": "Peak", "zh": "盛花"},
        "percent": 80,
        "percent_range": [70, 100],
        "estimated": False,
        "checked_at": "2026-04-15T00:00:00+00:00",
        "note": {"en": "By the pond"},
    }
    assert peony["bloom_window"] == {
        "bud": "03-28",
        "first": "04-08",
        "peak_start": "04-12",
        "peak_end": "04-22",
        "over": "05-01",
    }
    [lotus] = guyi["festivals"]
    # Openings from 22 June (2023) to 7 July (2025), about a month (the December review).
    assert lotus["usual"] == {"start": "06-22", "start_latest": "07-07", "end": "08-07"}
    assert lotus["next"] == [
        {
            "year": 2026,
            "start": "2026-06-22",
            "end": "2026-08-07",
            "standing": "expected",
            "end_approximate": False,
            "on_now": False,
        }
    ]
    assert lotus["calendar_url"] == "http://guide.test/en/events/guyi-garden/lotus-exhibition.ics"


def test_etag_gives_304_and_responses_may_be_cached(client):
    first = client.get("/api/v1/places/guyi-garden")
    assert "public" in first.headers["Cache-Control"] and "max-age=300" in first.headers["Cache-Control"]
    again = client.get("/api/v1/places/guyi-garden", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_new_report_changes_the_etag(client, report):
    etag = client.get("/api/v1/places/guyi-garden").headers["ETag"]
    report("guyi-garden", "lotus", "budding")
    assert client.get("/api/v1/places/guyi-garden", headers={"If-None-Match": etag}).status_code == 200


def test_any_site_may_read_it(client):
    response = client.get("/api/v1/places", headers={"Origin": "https://hotel.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/places",
        headers={
            "Origin": "https://hotel.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200 and "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


def test_errors_are_json(client):
    response = client.get("/api/v1/places/nowhere")
    assert response.status_code == 404 and response.get_json() == {"error": 404, "message": "Not Found"}
    refused = client.post("/api/v1/places")
    assert refused.status_code == 405 and refused.get_json()["error"] == 405 and "GET" in refused.headers["Allow"]


def test_only_the_widget_may_be_framed_by_other_sites(client):
    widget = client.get("/embed/en/places/guyi-garden")
    assert widget.status_code == 200 and "frame-ancestors *" in widget.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget.headers
    html = widget.get_data(as_text=True)
    # Small enough for a hotel page: Guyi Garden has seven plants since its autumn leaves came.
    assert "leaflet" not in html.lower() and 'target="_blank"' in html and len(html) < 9000
    assert 'href="http://guide.test/en/places/guyi-garden"' in html
    for url in ("/en/", "/en/places/guyi-garden", "/en/staff/login", "/api/v1/places"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# A property-based run over every operation of the OpenAPI document (schemathesis): no 5xx,
# every response valid against the document.
def test_api_matches_its_openapi_document(guide_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", guide_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {o.label for o in operations} == {"GET /places", "GET /places/{slug}", "GET /plan"}
    for operation in operations:

        @settings(deadline=None, max_examples=60)
        @given(case=operation.as_strategy())
        def check(case):
            # The WSGI transport does not decode compressed bodies; real HTTP clients do. A trip's
            # dates must be from today to a year ahead, which a date's schema cannot say: a
            # well-formed date may be refused (400, documented), never a 5xx.
            refusable = [positive_data_acceptance] if case.operation.path == "/plan" else []
            case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=refusable)

        check()


def test_a_place_carries_each_plants_forecast_and_past_seasons(client, freeze, report):
    freeze("2026-03-18 09:00")
    report("jiading-wisteria-park", "wisteria", "budding")
    freeze("2026-03-27 09:00")
    report("jiading-wisteria-park", "wisteria", "first_bloom")
    freeze("2026-03-28 09:00")
    plants = {p["key"]: p for p in client.get("/api/v1/places/jiading-wisteria-park").get_json()["plants"]}
    made = plants["wisteria"]["forecast"]
    assert made["basis"] == "reports" and made["reports"] == 2 and made["shift_days"] < 0
    assert made["seen"] == {"bud": "2026-03-18", "first": "2026-03-27"}
    peak_start = made["expected"]["peak_start"]
    assert peak_start["start"] < "2026-04-07"  # usually the 12th
    assert "days early this year (from 2 reports)" in made["reason"]["en"]
    assert "今年约提前" in made["reason"]["zh"]
    assert plants["wisteria"]["past_seasons"] == [
        {
            "season": "2024",
            "year": 2024,
            "points": {"peak_start": "2024-04-29"},
            "source": "https://www.shine.cn/feature/district/2404293713/",
        },
        {
            "season": "2021",
            "year": 2021,
            "points": {"peak_start": "2021-04-19"},
            "source": "http://www.zgyllh.net/news/show.php?itemid=12749",
        },
    ]
    assert plants["crabapple"]["forecast"]["basis"] == "usual"


def test_the_plan_of_a_trip_in_json(client, freeze):
    freeze("2026-04-10 09:00")
    answer = client.get("/api/v1/plan?from=2026-04-20&to=2026-04-22").get_json()
    assert [d["date"] for d in answer["days"]] == ["2026-04-20", "2026-04-21", "2026-04-22"]
    first = answer["days"][0]["expected"]
    assert any(e["place"] == "jiading-wisteria-park" and e["plant"] == "wisteria" for e in first)
    assert {e["certainty"] for e in first} <= {"usual", "forecast"}  # no report filed
    wisteria_park = next(e for e in first if e["place"] == "jiading-wisteria-park")
    assert wisteria_park["busiest"]["text"]["zh"] == "盛花期每天游客2万至2.5万人次，园内同时最多容纳2000人。"
    assert wisteria_park["busiest"]["source"] == "http://www.zgyllh.net/news/show.php?itemid=12749"
    assert all(e["busiest"] is None for e in first if e["place"] != "jiading-wisteria-park")
    assert answer["share_url"] == "http://guide.test/plan?from=2026-04-20&to=2026-04-22"
    refused = client.get("/api/v1/plan?from=2026-04-14&to=2026-04-12")
    assert refused.status_code == 400
    assert refused.get_json() == {
        "error": 400,
        "message": "The last day comes before the first: swap them, or choose again.",
    }


def test_every_location_names_its_datum(client):
    """Pins on Chinese maps (GCJ-02) need the datum said: the file and the API are WGS84."""
    places = client.get("/api/v1/places").get_json()["places"]
    assert places and {p["location"]["datum"] for p in places} == {"WGS84"}
    anting = next(p for p in places if p["slug"] == "anting-ancient-ginkgo")["location"]
    # Pinned on the data: the Amap point of the park (content review S44), not Anting station.
    assert (anting["lat"], anting["lon"], anting["estimated"]) == (31.3175, 121.2406, False)
