"""One answer, or a group's position, in its own terms: what the pages print for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from surveys.kinds.numeric import points_text, with_unit

from .labels import _number
from .loading import Item
from .safe import safe_is_missing
from .wording import POSITION_TEXT, _scale_text, and_more


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    share: float

    @property
    def text(self) -> str:
        return gettext("%(percent)s %%") % {"percent": f"{self.share:.0f}"}


@dataclass(frozen=True, slots=True)
class Shown:
    """An answer (or a group's position) ready to render: `text` always, plus the ranked or
    chosen items, the allocation bars, or the full free text."""

    text: str
    items: tuple[str, ...] = ()
    bars: tuple[Bar, ...] = ()
    long: bool = False
    missing: bool = False
    ordered: bool = False

    @property
    def brief(self) -> str:
        """A short form for the dashboard's agenda preview: the top three of a ranking, the two
        largest shares of an allocation, the first options of a selection."""
        if self.bars:
            top = sorted(self.bars, key=lambda bar: -bar.share)[:2]
            more = " …" if len([b for b in self.bars if b.share]) > 2 else ""
            return ", ".join(f"{bar.label} {bar.text}" for bar in top) + more
        if self.ordered and self.items:
            more = " …" if len(self.items) > 3 else ""
            return " › ".join(self.items[:3]) + more
        if self.items and len(self.items) > 3:
            return and_more("; ".join(self.items[:3]), len(self.items) - 3)
        return self.text if len(self.text) <= 120 else self.text[:117].rstrip() + "…"


NOT_ANSWERED = Shown(gettext_lazy("Not answered"), missing=True)
UNKNOWN = Shown(gettext_lazy("Don't know / not applicable"), missing=True)


def _unit(item: Item, value: float) -> str:
    """A quantity in the question's unit: "1 second", "2.5 seconds", "40 %"."""
    return with_unit(value, item.unit, item.unit_key, _number(value))


def _difference(item: Item, value: float) -> str:
    """A difference between two answers: in percentage points where the unit is percent."""
    if item.unit_key == "%":
        return points_text(value, _number(value))
    return _unit(item, value)


def _bucket_label(item: Item, bucket: Any) -> str:
    if isinstance(bucket, str):
        return item.label_of(bucket)
    return " = ".join(item.label_of(value) for value in bucket)


def show(item: Item, value: Any, is_unknown: bool = False) -> Shown:
    """One stored answer in its own terms: scale labels, the option picked, the ranked list,
    the target with its unit, the allocation as bars, the free text in full."""
    if is_unknown:
        return UNKNOWN
    if safe_is_missing(item.spec, value):
        return NOT_ANSWERED
    try:
        return _show(item, value)
    except (TypeError, ValueError, AttributeError):
        return Shown(str(value))


def _show(item: Item, value: Any) -> Shown:
    kind = item.question_kind
    return ANSWER_FORMS[kind.answer_form](item, kind.answer_parts(item.spec, value))


# Each form of answer a kind may have (`BaseKind.answer_form`), from its parts, in words.


def _point(item: Item, point: float) -> Shown:
    return Shown(_scale_text(item, point))


def _choice(item: Item, value: str) -> Shown:
    return Shown(item.label_of(value))


def _choices(item: Item, chosen: list[str]) -> Shown:
    if not chosen:
        label = item.label_of(item.spec.none_value or "") or gettext("None of these")
        return Shown(label, items=(label,))
    labels = tuple(item.label_of(value) for value in chosen)
    return Shown("; ".join(labels), items=labels)


def _order(item: Item, buckets: list[Any]) -> Shown:
    labels = tuple(_bucket_label(item, bucket) for bucket in buckets)
    return Shown(
        " › ".join(f"{n}. {label}" for n, label in enumerate(labels, 1)),
        items=labels,
        ordered=True,
    )


def _amount(item: Item, number: float) -> Shown:
    return Shown(_unit(item, number))


def _shares(item: Item, shares: list[tuple[str, float]]) -> Shown:
    bars = tuple(Bar(item.label_of(key), share) for key, share in shares)
    text = ", ".join(f"{bar.label} {bar.text}" for bar in bars if bar.share)
    return Shown(text, bars=bars)


def _text(item: Item, text: str) -> Shown:
    return Shown(text, long=True)


ANSWER_FORMS: dict[str, Callable[[Item, Any], Shown]] = {
    "point": _point,
    "choice": _choice,
    "choices": _choices,
    "order": _order,
    "amount": _amount,
    "shares": _shares,
    "text": _text,
}


def show_position(item: Item, position: Any) -> Shown | None:
    """A group's position (median, mean composition, mean-rank order) in its own terms."""
    if position is None:
        return None
    shown = show(item, position)
    form = item.question_kind.position_form
    if not form:
        return shown
    text = POSITION_TEXT[form] % {"answer": shown.text}
    return Shown(text, items=shown.items, bars=shown.bars, ordered=shown.ordered)
