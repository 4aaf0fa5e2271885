"""Where the markers go at each zoom, so that every tap target is its own and nothing in flower
is hidden: pure arithmetic in Leaflet's pixels (Web Mercator, 256 px tiles).

- A place in flower always has a marker of its own.
- Places out of flower that would overlap share one marker, which lists them.
- Markers that would still overlap are pushed apart (those out of flower give way to those in
  flower); the map draws a line from a moved marker to where the place is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MARKER_PX = 44  # a marker's size: a tap target
SPACING_PX = 48  # between two markers' centres once laid out
ROUNDS = 400  # enough for the old town's eight gardens at the widest zoom


@dataclass(frozen=True)
class Spot:
    """A place to mark: where it is (already in the basemap's datum), and how it blooms."""

    lat: float
    lon: float
    in_flower: bool
    rank: int  # higher blooms more; the best of a group shows on its marker


@dataclass(frozen=True)
class Placed:
    spots: tuple[int, ...]  # indices into the spots, best bloom first
    dx: int  # how far the marker is moved from where its places are, in pixels
    dy: int


def pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Leaflet's pixel coordinates of a point at a zoom (EPSG:3857)."""
    scale = 256 * 2**zoom
    sin = math.sin(math.radians(max(min(lat, 85.0511), -85.0511)))
    return (lon + 180) / 360 * scale, (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale


def layout(spots: list[Spot], zoom: int) -> list[Placed]:
    """The markers at this zoom: which spots each holds and how far it is moved."""
    at = [pixel(s.lat, s.lon, zoom) for s in spots]
    groups = _groups(spots, at)
    centres = [_mean([at[i] for i in g]) for g in groups]
    moved = _spread(centres, [spots[g[0]].in_flower for g in groups])
    return [
        Placed(tuple(g), round(m[0] - c[0]), round(m[1] - c[1])) for g, c, m in zip(groups, centres, moved, strict=True)
    ]


def _groups(spots: list[Spot], at: list[tuple[float, float]]) -> list[list[int]]:
    """Each spot in flower alone; the others joined while any two would overlap."""
    order = sorted(range(len(spots)), key=lambda i: (not spots[i].in_flower, -spots[i].rank, i))
    groups: list[list[int]] = []
    for i in order:
        if spots[i].in_flower:
            groups.append([i])
            continue
        near = [g for g in groups if not spots[g[0]].in_flower and any(_dist(at[i], at[j]) < MARKER_PX for j in g)]
        merged = sorted([i, *(j for g in near for j in g)], key=lambda j: (-spots[j].rank, j))
        groups = [g for g in groups if not any(g is n for n in near)] + [merged]
    return sorted(groups, key=lambda g: (not spots[g[0]].in_flower, -spots[g[0]].rank, g[0]))


def _spread(centres: list[tuple[float, float]], fixed_first: list[bool]) -> list[tuple[float, float]]:
    """Push overlapping markers apart until SPACING_PX lies between any two; where one in flower
    meets one out of flower, only the latter moves — until half the rounds are spent: a marker
    hemmed in by gardens in flower may then nudge them too, so that none overlap."""
    pos = [list(c) for c in centres]
    for round_ in range(ROUNDS):
        firm = round_ < ROUNDS // 2
        clear = True
        for a in range(len(pos)):
            for b in range(a + 1, len(pos)):
                dx, dy = pos[b][0] - pos[a][0], pos[b][1] - pos[a][1]
                d = math.hypot(dx, dy)
                if d >= SPACING_PX - 0.5:
                    continue
                clear = False
                if d < 1e-6:  # on the same spot: part them in a fixed direction
                    angle = b * 2.399963  # the golden angle, so that several fan out
                    dx, dy, d = math.cos(angle), math.sin(angle), 1.0
                push = SPACING_PX - d
                share_a = (
                    0.0
                    if firm and fixed_first[a] and not fixed_first[b]
                    else 1.0
                    if firm and fixed_first[b] and not fixed_first[a]
                    else 0.5
                )
                pos[a][0] -= dx / d * push * share_a
                pos[a][1] -= dy / d * push * share_a
                pos[b][0] += dx / d * push * (1 - share_a)
                pos[b][1] += dy / d * push * (1 - share_a)
        if clear:
            break
    return [(p[0], p[1]) for p in pos]


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
