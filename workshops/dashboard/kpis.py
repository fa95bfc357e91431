"""The KPI table: each group's target, the gap between them and the more ambitious side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from .answers import _difference
from .loading import Group, Item, WorkshopAnswers
from .rows import Row


@dataclass(frozen=True, slots=True)
class KpiRow:
    kpi: str
    row: Row
    gap: str

    @property
    def item(self) -> Item:
        return self.row.item


def _gap_text(item: Item, a: Any, b: Any) -> str:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return ""
    difference = abs(a - b)
    larger = max(abs(a), abs(b))
    text = _difference(item, difference)
    if item.spec.absolute_tolerance is None and larger:
        text = gettext("%(gap)s (%(percent)d %% apart)") % {
            "gap": text,
            "percent": round(100 * difference / larger),
        }
    return text


def kpi_rows(answers: WorkshopAnswers, rows: Sequence[Row], a: Group, b: Group) -> list[KpiRow]:
    """The KPI table: each group's target (median for several people), gap, more ambitious."""
    result = []
    for row in rows:
        kpi = row.item.kpi
        if not kpi:
            continue
        result.append(KpiRow(kpi, row, _gap_text(row.item, *row.positions)))
    return result
