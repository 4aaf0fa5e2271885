"""What a visitor needs to get in, beyond hours and tickets: each fact with its own source, the
source's year when it has one, and the day it was last checked (data/places.yaml, `practical`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from guide.places import provenance
from guide.places.provenance import Provenance

# In the order a visitor needs them; the card shows the first three it has.
TITLES: dict[str, LazyString] = {
    "booking": _l("Booking"),
    "entrance": _l("Entrance"),
    "busiest": _l("Busiest"),
    "parking": _l("Parking"),
    "food": _l("Food and drink"),
    "toilets": _l("Toilets"),
    "access": _l("Step-free access"),
    "phone": _l("Phone"),
}
ON_THE_CARD = ("booking", "entrance", "phone")


@dataclass(frozen=True)
class Fact:
    kind: str
    title: LazyString
    text: dict[str, str]
    provenance: Provenance


def facts(stored: dict[str, Any] | None, today: date) -> list[Fact]:
    """The place's practical facts, in the order of TITLES; a row no writer can read is left out."""
    found = []
    for kind, title in TITLES.items():
        item = (stored or {}).get(kind)
        if not isinstance(item, dict) or not isinstance(item.get("text"), dict):
            continue
        if (source := provenance.read(item, today)) is not None:
            found.append(Fact(kind, title, item["text"], source))
    return found


def fact(stored: dict[str, Any] | None, kind: str, today: date) -> Fact | None:
    """One of the place's practical facts (`busiest`…), if it has it."""
    return next((f for f in facts(stored, today) if f.kind == kind), None)
