"""Where a fact is from: its source (a URL, or a publication and its date), the source's year
when it has one, and the day the fact was last checked against it (data/places.yaml: a place's
`sources`, each plant's, festival's and edition's, and each practical fact's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

OLD_AFTER_YEARS = 2  # a source older than this is flagged on the page ("it may have changed")


@dataclass(frozen=True)
class Provenance:
    source: str
    year: int | None
    checked: date | None
    old: bool  # flagged on the page, never on a guest's card

    @property
    def link(self) -> str | None:
        """The source as a link, when it is one."""
        return self.source if self.source.startswith(("https://", "http://")) else None


def stored(source: str, year: int | None, checked: date) -> dict[str, Any]:
    """As the loader stores it (plain JSON)."""
    return {"source": source, **({"year": year} if year is not None else {}), "checked": checked.isoformat()}


def read(item: Any, today: date) -> Provenance | None:
    """A stored provenance, or None for a row no page can read (shown then without a source)."""
    if not isinstance(item, dict) or not isinstance(item.get("source"), str) or not item["source"]:
        return None
    year = item.get("year") if isinstance(item.get("year"), int) and not isinstance(item.get("year"), bool) else None
    try:
        checked = date.fromisoformat(item["checked"]) if isinstance(item.get("checked"), str) else None
    except ValueError:
        checked = None
    return Provenance(item["source"], year, checked, year is not None and today.year - year > OLD_AFTER_YEARS)


def of_place(sources: Any, today: date) -> dict[str, Provenance]:
    """A place's own facts' sources by group ("hours", "address", …); unreadable rows left out."""
    found = {}
    for group, item in (sources if isinstance(sources, dict) else {}).items():
        if isinstance(group, str) and (read_item := read(item, today)) is not None:
            found[group] = read_item
    return found
