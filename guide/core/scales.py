"""What a plant is visited for, flowers or autumn leaves, and the words each scale uses.

A stage (guide.core.bloom.BloomStage) is a position in a season; a scale names it. Japan's
autumn-leaf maps and the US fall-foliage map grade leaves by colour, not by flowers open, so
a ginkgo at its best is "Peak colour", never "Peak bloom", and its share is of the canopy
coloured, not of flowers open. After the peak a share falls again, so "Fading · 5–69% open"
would read backwards: that stage is said in words ("past peak"), not as a range.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import LazyString, gettext, pgettext
from flask_babel import lazy_gettext as _l

from guide.core.bloom import BloomStage


class Scale(enum.Enum):
    FLOWERS = "flowers"
    LEAVES = "leaves"

    def of(self, stage: BloomStage) -> Shown:
        """A stage as this scale names it."""
        return Shown(stage, self)

    @property
    def stages(self) -> list[Shown]:
        return [Shown(stage, self) for stage in BloomStage]

    @property
    def share_label(self) -> LazyString:
        """The staff form's label for the share."""
        return _WORDS[self]["share"]

    @property
    def band_labels(self) -> dict[str, LazyString]:
        """The year strip's bands: before, during and at the best of the season."""
        return {kind: _WORDS[self][kind] for kind in ("bud", "bloom", "peak")}

    @property
    def estimated(self) -> str:
        """'estimated from usual dates', in this scale's words."""
        return estimated([self])


def estimated(scales: Iterable[Scale]) -> str:
    """'estimated from usual dates', in the words of what the plants shown are visited for: in
    Chinese a flower's usual dates are its 花期, a ginkgo's its 观赏期 (it has no 花期)."""
    found = set(scales)
    if found == {Scale.LEAVES}:
        return str(pgettext("autumn leaves", "estimated from usual dates"))
    if found == {Scale.FLOWERS, Scale.LEAVES}:
        return str(pgettext("flowers and autumn leaves", "estimated from usual dates"))
    return str(gettext("estimated from usual dates"))


@dataclass(frozen=True)
class Shown:
    """A stage with its scale's words: what every page shows."""

    stage: BloomStage
    scale: Scale

    @property
    def value(self) -> str:
        return self.stage.value

    @property
    def symbol(self) -> str:
        return self.stage.symbol

    @property
    def title(self) -> LazyString:
        return _TITLES[self.scale][self.stage][0]

    @property
    def definition(self) -> LazyString:
        return _TITLES[self.scale][self.stage][1]

    @property
    def in_season(self) -> bool:
        return self.stage.in_season

    def amount(self, percent: int) -> str:
        """80% open / 80% coloured."""
        return str(_WORDS[self.scale]["amount"] % {"pct": percent})

    def span(self) -> str:
        """5–29% open: the share this stage stands for; "past peak" once the share falls again;
        nothing where the title says it all (not yet, over)."""
        if self.stage is BloomStage.FADING:
            return str(_WORDS[self.scale]["past"])
        if self.stage in (BloomStage.NOT_YET, BloomStage.OVER):
            return ""
        low, high = self.stage.percent_range
        return str(_WORDS[self.scale]["span"] % {"low": low, "high": high})

    def about(self) -> str:
        """about 5–29% open: for an estimate, which gives no figure of its own; "past peak"
        once the share falls again."""
        if self.stage is BloomStage.FADING:
            return str(_WORDS[self.scale]["past"])
        low, high = self.stage.percent_range
        return str(_WORDS[self.scale]["about"] % {"low": low, "high": high})


_TITLES: dict[Scale, dict[BloomStage, tuple[LazyString, LazyString]]] = {
    Scale.FLOWERS: {
        BloomStage.NOT_YET: (_l("Not yet"), _l("Out of season: no buds to see yet.")),
        BloomStage.BUDDING: (_l("Budding"), _l("Buds are swelling; hardly a flower is open.")),
        BloomStage.FIRST_BLOOM: (_l("First bloom"), _l("The first flowers have opened here and there.")),
        BloomStage.BLOOMING: (_l("Opening"), _l("Well under way: many flowers are open, more to come.")),
        BloomStage.PEAK: (_l("Peak"), _l("Full bloom: most flowers are open. The best time to go.")),
        BloomStage.FADING: (_l("Fading"), _l("Past its best: petals are falling, fewer flowers open.")),
        BloomStage.OVER: (_l("Over"), _l("Flowering has finished for this year.")),
    },
    Scale.LEAVES: {
        BloomStage.NOT_YET: (_l("Still green"), _l("The leaves are still green: no autumn colour yet.")),
        BloomStage.BUDDING: (
            _l("Starting to colour"),
            _l("A few leaves are turning; the tree is still mostly green."),
        ),
        BloomStage.FIRST_BLOOM: (_l("Colouring"), _l("Colour is spreading: part of the canopy has turned.")),
        BloomStage.BLOOMING: (_l("Near peak"), _l("Much of the canopy has turned; the best colour is days away.")),
        BloomStage.PEAK: (_l("Peak colour"), _l("Most leaves are in full colour. The best time to go.")),
        BloomStage.FADING: (_l("Leaves falling"), _l("Past its best: leaves are falling, some colour remains.")),
        BloomStage.OVER: (_l("Bare"), _l("The leaves have fallen for this year.")),
    },
}
_WORDS: dict[Scale, dict[str, LazyString]] = {
    Scale.FLOWERS: {
        "amount": _l("%(pct)s%% open"),
        "span": _l("%(low)s–%(high)s%% open"),
        "about": _l("about %(low)s–%(high)s%% open"),
        "past": _l("past peak"),
        "share": _l("Flowers open, in %"),
        "bud": _l("buds"),
        "bloom": _l("in flower"),
        "peak": _l("peak"),
    },
    Scale.LEAVES: {
        "amount": _l("%(pct)s%% coloured"),
        "span": _l("%(low)s–%(high)s%% coloured"),
        "about": _l("about %(low)s–%(high)s%% coloured"),
        "past": _l("some colour left"),
        "share": _l("Leaves coloured, in %"),
        "bud": _l("starting to colour"),
        "bloom": _l("colouring"),
        "peak": _l("peak colour"),
    },
}
