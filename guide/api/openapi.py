"""The OpenAPI 3 description of /api/v1/. tests/test_api.py checks every response against it."""

from __future__ import annotations

from guide.core.bloom import BloomStage
from guide.core.festivals import Standing
from guide.core.forecast import POINTS, Basis
from guide.core.plan import Certainty
from guide.core.scales import Scale
from guide.places.notices import KIND_TITLES

DATE = {"type": "string", "format": "date"}
MONTH_DAY = {"type": "string", "pattern": r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "example": "04-12"}
TEXT = {
    "type": "object",
    "description": "The same text in each language, keyed by language code; en and zh always.",
    "required": ["en", "zh"],
    "additionalProperties": {"type": "string"},
    "example": {"en": "Guyi Garden", "zh": "古猗园"},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


SOURCE_FIELDS = {
    "source": {"type": "string", "description": "A URL, or a publication and its date."},
    "year": _nullable({"type": "integer", "description": "The source's year, when it has one."}),
    "checked": _nullable({"type": "string", "format": "date"}),
    "old": {"type": "boolean", "description": "The source is more than two years old: it may have changed."},
}

PRACTICAL_FACT = {
    "type": "object",
    "required": ["text", "source", "year", "checked", "old"],
    "properties": {"text": _ref("Text"), **SOURCE_FIELDS},
    "additionalProperties": False,
}


SCHEMAS = {
    "Text": TEXT,
    "Status": {
        "type": "object",
        "required": ["stage", "stage_name", "percent", "percent_range", "estimated", "checked_at", "note"],
        "properties": {
            "stage": {"type": "string", "enum": [s.value for s in BloomStage]},
            "stage_name": {**_ref("Text"), "description": "The stage in the words of the plant's scale."},
            "percent": _nullable(
                {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 100,
                    "description": "As reported: the share of flowers open, or for a plant visited for its "
                    "leaves the share of the canopy coloured; null for an estimate.",
                }
            ),
            "percent_range": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 100},
                "minItems": 2,
                "maxItems": 2,
                "description": "The share (flowers open, or leaves coloured) that the stage stands for.",
            },
            "estimated": {
                "type": "boolean",
                "description": "True when no fresh staff report exists and the stage comes from the usual dates.",
            },
            "checked_at": _nullable({"type": "string", "format": "date-time"}),
            "note": _nullable(
                {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Staff's note, in the languages they wrote it in.",
                }
            ),
        },
        "additionalProperties": False,
    },
    "Forecast": {
        "type": "object",
        "description": "This season (the one under way, or the next): the points seen, and a range of "
        "days for each point still to come, moved from the usual window by how early or late the season "
        "runs here, at the same species' other places, or in past seasons.",
        "required": ["season", "basis", "shift_days", "reports", "seen", "expected", "reason"],
        "properties": {
            "season": {"type": "integer", "description": "The year the season's buds come."},
            "basis": {
                "type": "string",
                "enum": [b.value for b in Basis],
                "description": "reports: this plant's reports this season; elsewhere: reports of the same "
                "species at other places; usual: the usual window (moved by past seasons, if several).",
            },
            "shift_days": {"type": "integer", "description": "Days late against the usual window; negative: early."},
            "reports": {"type": "integer", "minimum": 0, "description": "The reports the forecast rests on."},
            "seen": {
                "type": "object",
                "description": "The first day each point was seen this season.",
                "properties": dict.fromkeys(POINTS, DATE),
                "additionalProperties": False,
            },
            "expected": {
                "type": "object",
                "description": "Each point not yet seen: a range of days, wider the further ahead.",
                "properties": dict.fromkeys(POINTS, _ref("Span")),
                "additionalProperties": False,
            },
            "reason": {**_ref("Text"), "description": "Why: about 6 days early this year (from 3 reports) …"},
        },
        "additionalProperties": False,
    },
    "Span": {
        "type": "object",
        "required": ["start", "end"],
        "properties": {"start": DATE, "end": DATE},
        "additionalProperties": False,
    },
    "Season": {
        "type": "object",
        "description": "A past season: the first day each point was seen, from reports or a source.",
        "required": ["season", "year", "points", "source"],
        "properties": {
            "season": {
                "type": "string",
                "example": "2025–26",
                "description": "Its name: a season across New Year is named by both years.",
            },
            "year": {"type": "integer", "description": "The year its buds came."},
            "points": {
                "type": "object",
                "properties": dict.fromkeys(POINTS, DATE),
                "additionalProperties": False,
            },
            "source": _nullable({"type": "string", "description": "Where a season from the data file is told."}),
        },
        "additionalProperties": False,
    },
    "PlanEntry": {
        "type": "object",
        "required": ["place", "place_name", "plant", "plant_name", "stage", "stage_name", "certainty", "busiest"],
        "properties": {
            "place": {"type": "string"},
            "place_name": _ref("Text"),
            "plant": {"type": "string"},
            "plant_name": _ref("Text"),
            "stage": {"type": "string", "enum": [BloomStage.PEAK.value, BloomStage.BLOOMING.value]},
            "stage_name": _ref("Text"),
            "certainty": {
                "type": "string",
                "enum": [c.value for c in Certainty],
                "description": "report: a fresh staff report (today only); forecast: this season's reports; "
                "usual: only the usual window.",
            },
            "busiest": _nullable(
                {
                    **PRACTICAL_FACT,
                    "description": "When the place is busiest, with its source (as the place's practical "
                    "facts give it); null where no source says.",
                }
            ),
        },
        "additionalProperties": False,
    },
    "Plan": {
        "type": "object",
        "required": ["from", "to", "share_url", "days"],
        "properties": {
            "from": DATE,
            "to": DATE,
            "share_url": {"type": "string", "format": "uri"},
            "days": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "expected"],
                    "properties": {
                        "date": DATE,
                        "expected": {
                            "type": "array",
                            "items": _ref("PlanEntry"),
                            "description": "At its peak first, then well in flower; the surest first.",
                        },
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
    "Source": {
        "type": "object",
        "description": "Where a fact is from and when it was last checked against that source; empty when "
        "the database holds none yet (a database upgraded but not yet loaded from the data file).",
        "properties": SOURCE_FIELDS,
        "additionalProperties": False,
    },
    "Plant": {
        "type": "object",
        "required": [
            "key",
            "name",
            "latin",
            "count",
            "scale",
            "status",
            "bloom_window",
            "forecast",
            "past_seasons",
            "source",
            "reminder_url",
        ],
        "properties": {
            "key": {"type": "string"},
            "reminder_url": {
                "type": "string",
                "format": "uri",
                "description": "An iCalendar file (to subscribe to) whose one event is the plant's coming peak, "
                "with alarms three days before and on the day; it moves as the forecast moves (same UID, "
                "SEQUENCE raised). Replace /en/ with /zh/ for Chinese.",
            },
            "scale": {
                "type": "string",
                "enum": [s.value for s in Scale],
                "description": "What the plant is visited for: its flowers, or its autumn leaves; "
                "it sets the words of its stages.",
            },
            "name": _ref("Text"),
            "latin": _nullable({"type": "string"}),
            "count": _nullable({"type": "integer", "minimum": 1}),
            "status": _ref("Status"),
            "bloom_window": {
                "type": "object",
                "description": "Typical month-days; the window may cross New Year.",
                "required": ["bud", "first", "peak_start", "peak_end", "over"],
                "properties": dict.fromkeys(("bud", "first", "peak_start", "peak_end", "over"), MONTH_DAY),
                "additionalProperties": False,
            },
            "forecast": _ref("Forecast"),
            "past_seasons": {"type": "array", "items": _ref("Season"), "description": "Newest first."},
            "source": _ref("Source"),  # of its name, count and usual window
        },
        "additionalProperties": False,
    },
    "Edition": {
        "type": "object",
        "required": ["year", "start", "end", "standing", "end_approximate", "on_now"],
        "properties": {
            "year": {"type": "integer"},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date", "description": "The last day (inclusive)."},
            "standing": {
                "type": "string",
                "enum": [s.value for s in Standing],
                "description": "confirmed: announced; expected: from the usual dates, not yet announced; cancelled.",
            },
            "end_approximate": {"type": "boolean"},
            "on_now": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "Notice": {
        "type": "object",
        "description": "A notice from the park, showing now: closed, timed reservations, a route change …",
        "required": ["kind", "kind_name", "text", "first_day", "last_day"],
        "properties": {
            "kind": {"type": "string", "enum": list(KIND_TITLES)},
            "kind_name": _ref("Text"),
            "text": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "In the languages the staff wrote it in.",
            },
            "first_day": {"type": "string", "format": "date"},
            "last_day": _nullable({"type": "string", "format": "date", "description": "null: until withdrawn."}),
        },
        "additionalProperties": False,
    },
    "Festival": {
        "type": "object",
        "required": ["key", "name", "description", "usual", "source", "next", "calendar_url"],
        "properties": {
            "key": {"type": "string"},
            "name": _ref("Text"),
            "description": _nullable(TEXT),
            "usual": _nullable(
                {
                    "type": "object",
                    "description": "The usual time of year (month-days, inclusive); null for a one-off. "
                    "start_latest: the latest of its openings over the years, when they spread out.",
                    "required": ["start", "start_latest", "end"],
                    "properties": {"start": MONTH_DAY, "start_latest": _nullable(MONTH_DAY), "end": MONTH_DAY},
                    "additionalProperties": False,
                }
            ),
            "source": _ref("Source"),  # of its name, description and usual dates
            "next": {
                "type": "array",
                "items": _ref("Edition"),
                "description": "The edition on now or next, preceded by a cancelled one of that time.",
            },
            "calendar_url": {"type": "string", "format": "uri"},
        },
        "additionalProperties": False,
    },
    "Place": {
        "type": "object",
        "required": [
            "slug",
            "name",
            "summary",
            "description",
            "address",
            "hours",
            "ticket",
            "transit",
            "tips",
            "location",
            "urls",
            "share_url",
            "plants",
            "festivals",
            "notices",
            "practical",
            "sources",
            "crowd",
        ],
        "properties": {
            "slug": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"},
            **{
                k: _ref("Text")
                for k in ("name", "summary", "description", "address", "hours", "ticket", "transit", "tips")
            },
            "location": {
                "type": "object",
                "required": ["lat", "lon", "datum", "estimated"],
                "properties": {
                    "lat": {"type": "number"},
                    "lon": {"type": "number"},
                    "datum": {
                        "type": "string",
                        "enum": ["WGS84"],
                        "description": "Always WGS84 (GPS). Maps of mainland China (AutoNavi, Tencent) use "
                        "GCJ-02: convert before placing a pin on them, or the pin sits a few hundred metres off.",
                    },
                    "estimated": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
            "urls": {
                "type": "object",
                "additionalProperties": {"type": "string", "format": "uri"},
                "description": "The place's page in each language.",
            },
            "share_url": {
                "type": "string",
                "format": "uri",
                "description": "A link that opens the page in each visitor's language.",
            },
            "plants": {"type": "array", "items": _ref("Plant")},
            "festivals": {"type": "array", "items": _ref("Festival")},
            "notices": {"type": "array", "items": _ref("Notice")},
            "practical": {
                "type": "object",
                "description": "How to get in, each fact with its own source: booking, entrance, busiest, "
                "parking, food, toilets, access, phone (only those known).",
                "additionalProperties": PRACTICAL_FACT,
            },
            "sources": {
                "type": "object",
                "description": "Where the place's own facts are from, by group: about (name, summary, "
                "description), address, hours, ticket, transit, tips, position (location).",
                "additionalProperties": _ref("Source"),
            },
            "crowd": _nullable(
                {
                    "type": "object",
                    "description": "How busy the place is, as its staff said, while that is fresh (a few "
                    "hours); null when nothing fresh was said.",
                    "required": ["level", "level_name", "reported_at", "until"],
                    "properties": {
                        "level": {"type": "string", "enum": ["quiet", "busy", "very_busy", "limited"]},
                        "level_name": _ref("Text"),
                        "reported_at": {"type": "string", "format": "date-time"},
                        "until": {"type": "string", "format": "date-time"},
                    },
                    "additionalProperties": False,
                }
            ),
        },
        "additionalProperties": False,
    },
    "PlaceList": {
        "type": "object",
        "required": ["places"],
        "properties": {"places": {"type": "array", "items": _ref("Place")}},
        "additionalProperties": False,
    },
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "integer"}, "message": {"type": "string"}},
        "additionalProperties": False,
    },
}


def _ok(schema: str, description: str) -> dict:
    return {
        "200": {
            "description": description,
            "headers": {"ETag": {"schema": {"type": "string"}}, "Cache-Control": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": _ref(schema)}},
        },
        "304": {"description": "Not modified since the ETag given in If-None-Match."},
    }


IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}
NOT_FOUND = {"description": "No such place.", "content": {"application/json": {"schema": _ref("Error")}}}


def document(server: str) -> dict:
    """The OpenAPI document, with the server it is served from."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Jiading Bloom Guide API",
            "version": "1.0.0",
            "description": (
                "What is blooming at Jiading's gardens: each place with its plants' current "
                "status (a fresh staff report, or an estimate from the usual dates), bloom "
                "windows and festivals, in every language at once. Read-only, open to any origin."
            ),
        },
        "servers": [{"url": server}],
        "paths": {
            "/places": {
                "get": {
                    "operationId": "listPlaces",
                    "summary": "Every place, in the guide's order.",
                    "parameters": [IF_NONE_MATCH],
                    "responses": _ok("PlaceList", "The places."),
                }
            },
            "/plan": {
                "get": {
                    "operationId": "planTrip",
                    "summary": "What is expected at its best on each day of a trip.",
                    "parameters": [
                        {
                            "name": "from",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "date"},
                            "description": "The first day, from today to a year ahead.",
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "format": "date"},
                            "description": "The last day (at most 14 days in all); none: one day.",
                        },
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        **_ok("Plan", "Each day of the trip."),
                        "400": {
                            "description": "Dates that cannot be planned (not a date, backwards, past, too far "
                            "ahead, too long a trip), with the reason.",
                            "content": {"application/json": {"schema": _ref("Error")}},
                        },
                    },
                }
            },
            "/places/{slug}": {
                "get": {
                    "operationId": "getPlace",
                    "summary": "One place.",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "example": "guyi-garden",
                        },
                        IF_NONE_MATCH,
                    ],
                    "responses": {**_ok("Place", "The place."), "404": NOT_FOUND},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
