"""The discussion agenda: questions to discuss, furthest apart first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveys import scoring
from surveys.scoring import Label

from .rows import Row


@dataclass(frozen=True, slots=True)
class AgendaItem:
    number: int
    row: Row
    footnote: int | None = None


def agenda_items(rows: Sequence[Row]) -> list[AgendaItem]:
    """Questions to discuss: every partly or differ, biggest importance-weighted gap first.
    Reference figures get footnote numbers in agenda order."""
    gaps = scoring.biggest_gaps((row, row.comparison) for row in rows)
    items = []
    footnote = 0
    for row, comparison in gaps:
        if comparison.label not in (Label.PARTLY, Label.DIFFER):
            continue
        number = None
        if row.reference is not None:
            footnote += 1
            number = footnote
        items.append(AgendaItem(len(items) + 1, row, number))
    return items
