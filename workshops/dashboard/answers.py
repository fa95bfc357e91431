"""One answer, or a group's position, in its own terms: what the pages print for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from surveys.scoring import Kind

from .labels import _number
from .loading import Item
from .safe import safe_is_missing
from .wording import _scale_text, and_more, position_text


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
    return f"{_number(value)} {item.unit}" if item.unit else _number(value)


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
    match item.spec.kind:
        case Kind.SCALE:
            return Shown(_scale_text(item, float(value)))
        case Kind.SINGLE:
            return Shown(item.label_of(str(value)))
        case Kind.MULTI:
            chosen = [v for v in value if v != item.spec.none_value]
            if not chosen:
                label = item.label_of(item.spec.none_value or "") or gettext("None of these")
                return Shown(label, items=(label,))
            order = {v: i for i, v in enumerate(item.spec.items)}
            labels = tuple(item.label_of(v) for v in sorted(chosen, key=lambda v: order.get(v, 99)))
            return Shown("; ".join(labels), items=labels)
        case Kind.RANKING:
            labels = tuple(_bucket_label(item, bucket) for bucket in value)
            return Shown(
                " › ".join(f"{n}. {label}" for n, label in enumerate(labels, 1)),
                items=labels,
                ordered=True,
            )
        case Kind.NUMERIC:
            return Shown(_unit(item, float(value)))
        case Kind.ALLOCATION:
            bars = tuple(
                Bar(item.label_of(key), float(value.get(key, 0))) for key in item.spec.items
            )
            bars += tuple(
                Bar(item.label_of(key), float(share))
                for key, share in value.items()
                if key not in item.spec.items
            )
            text = ", ".join(f"{bar.label} {bar.text}" for bar in bars if bar.share)
            return Shown(text, bars=bars)
        case _:
            return Shown(str(value), long=True)


def show_position(item: Item, position: Any) -> Shown | None:
    """A group's position (median, mean composition, mean-rank order) in its own terms."""
    if position is None:
        return None
    shown = show(item, position)
    kind = item.spec.kind
    text = position_text(kind, shown.text)
    if kind in (Kind.SCALE, Kind.NUMERIC):
        return Shown(text)
    if kind is Kind.RANKING:
        return Shown(text, items=shown.items, ordered=True)
    if kind is Kind.ALLOCATION:
        return Shown(text, bars=shown.bars)
    return shown
