"""Chart geometry: the scale strip, paired allocation bars and multiple-choice marks of one
question, in SVG coordinates on a 0-100 wide box (templates cannot do arithmetic)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from .loading import Item


@dataclass(frozen=True, slots=True)
class ScaleMark:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class ScaleStrip:
    """Both groups' scale positions on one line (SVG coordinates on a 0-100 wide box)."""

    ticks: tuple[ScaleMark, ...]
    a: float | None
    b: float | None
    a_people: tuple[float, ...]
    b_people: tuple[float, ...]
    min_label: str
    max_label: str

    @property
    def b_corner(self) -> float | None:
        """Left edge of B's square marker (6 wide), centred on B's position."""
        return None if self.b is None else round(self.b - 3, 2)

    @property
    def b_people_corners(self) -> tuple[float, ...]:
        return tuple(round(x - 1.2, 2) for x in self.b_people)


@dataclass(frozen=True, slots=True)
class PairedBar:
    label: str
    a: float
    b: float

    @property
    def a_text(self) -> str:
        return gettext("%(percent)s %%") % {"percent": f"{self.a:.0f}"}

    @property
    def b_text(self) -> str:
        return gettext("%(percent)s %%") % {"percent": f"{self.b:.0f}"}


@dataclass(frozen=True, slots=True)
class OptionMarks:
    """A multiple-choice option: how many in each group chose it."""

    label: str
    a: int
    a_of: int
    b: int
    b_of: int

    @property
    def shared(self) -> bool:
        return self.a > 0 and self.b > 0


def _strip(item: Item, a: Any, b: Any, a_values: list[Any], b_values: list[Any]) -> ScaleStrip:
    spec = item.spec
    width = spec.scale_max - spec.scale_min

    def x(value: float) -> float:
        return round(6 + 88 * (float(value) - spec.scale_min) / width, 2)

    def xs(values: list[Any]) -> tuple[float, ...]:
        return tuple(x(v) for v in values if v is not None and not isinstance(v, bool))

    return ScaleStrip(
        ticks=tuple(
            ScaleMark(x(point), str(point)) for point in range(spec.scale_min, spec.scale_max + 1)
        ),
        a=None if a is None else x(a),
        b=None if b is None else x(b),
        a_people=xs(a_values) if len(xs(a_values)) > 1 else (),
        b_people=xs(b_values) if len(xs(b_values)) > 1 else (),
        min_label=item.scale_min_label,
        max_label=item.scale_max_label,
    )


def _paired_bars(item: Item, a: Any, b: Any) -> tuple[PairedBar, ...]:
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return ()
    keys = list(item.spec.items) + [k for k in {**a, **b} if k not in item.spec.items]
    return tuple(
        PairedBar(item.label_of(key), float(a.get(key, 0)), float(b.get(key, 0))) for key in keys
    )


def _options(item: Item, a_values: list[Any], b_values: list[Any]) -> tuple[OptionMarks, ...]:
    a_answered = [set(v) for v in a_values if isinstance(v, list | tuple)]
    b_answered = [set(v) for v in b_values if isinstance(v, list | tuple)]
    options = []
    for value in item.spec.items:
        a_count = sum(value in chosen for chosen in a_answered)
        b_count = sum(value in chosen for chosen in b_answered)
        if a_count or b_count:
            options.append(
                OptionMarks(
                    item.label_of(value), a_count, len(a_answered), b_count, len(b_answered)
                )
            )
    return tuple(options)
