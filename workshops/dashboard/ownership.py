"""The ownership matrix: who each group names as owner of each area, today and should, and the
conflicts between them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from ..models import Side
from .labels import LIST_UP_TO
from .loading import Group, Item, Person, WorkshopAnswers
from .meta import OwnershipArea
from .rows import Row
from .wording import CONFLICT_TEXT

#: The side whose function a role speaks for, in the ownership questions' terms.
OWNER_FOR_SIDE = {Side.TECHNOLOGY: "cio", Side.MARKETING: "cmo"}

#: The answers that name the CIO, the CMO or both (v3 adds joint ownership led by one side).
CIO_CMO_OR_JOINT = frozenset({"cio", "cmo", "joint", "joint-cio", "joint-cmo"})


@dataclass(frozen=True, slots=True)
class OwnerCount:
    label: str
    names: str
    count: int


@dataclass(frozen=True, slots=True)
class OwnershipRow:
    """One area at one time (today, should): who each group names as owner, and any conflict."""

    area: OwnershipArea
    row: Row
    a: tuple[OwnerCount, ...]
    b: tuple[OwnerCount, ...]
    others: tuple[OwnerCount, ...]
    #: "rival", "nobody" or "" (no conflict), and why (a key of `wording.CONFLICT_TEXT`).
    conflict: str = ""
    conflict_reason: str = ""
    first_of_area: bool = True
    area_rows: int = 1

    @property
    def area_label(self) -> str:
        return self.area.label

    @property
    def tense(self) -> str:
        return self.area.tense

    @property
    def tense_label(self) -> str:
        return gettext("Today") if self.tense == "today" else gettext("Should")

    @property
    def conflict_text(self) -> str:
        return str(CONFLICT_TEXT[self.conflict_reason]) if self.conflict else ""


def _owners(
    answers: WorkshopAnswers, item: Item, people: Sequence[Person]
) -> tuple[OwnerCount, ...]:
    named: dict[str, list[str]] = {}
    for person in people:
        cell = answers.cell(person, item)
        if cell is None:
            continue
        value, unknown = cell
        label = gettext("Don't know") if unknown or value is None else item.label_of(str(value))
        named.setdefault(label, []).append(person.name)
    listed = len(people) <= LIST_UP_TO
    ranked = sorted(named.items(), key=lambda entry: -len(entry[1]))
    return tuple(
        OwnerCount(label, ", ".join(names) if listed else "", len(names)) for label, names in ranked
    )


def _owner_view(answers: WorkshopAnswers, item: Item, group: Group) -> set[str]:
    """A group's answer to an ownership question: its most frequent choice(s)."""
    counts = Counter(
        str(value) for person in group.people if (value := answers.value(person, item)) is not None
    )
    if not counts:
        return set()
    top = max(counts.values())
    return {value for value, count in counts.items() if count == top}


def _own_function(group: Group) -> str | None:
    """The sole owner a group would name for itself: "cio" for technology, "cmo" for marketing."""
    functions = {OWNER_FOR_SIDE.get(person.side) for person in group.people}
    return functions.pop() if len(functions) == 1 else None


def ownership_conflict(answers: WorkshopAnswers, item: Item, a: Group, b: Group) -> tuple[str, str]:
    """("rival" | "nobody" | "", why), from each group's view (its most frequent answer); `why`
    is a key of `wording.CONFLICT_TEXT`.

    Rival: one group names the CIO and the other the CMO as sole owner; "both claim sole
    ownership" when each names its own function (the CIO claims it for IT, the CMO for
    marketing). Nobody: neither names the CIO, the CMO or joint ownership, or each hands it to
    the other. A group that has not answered makes no conflict. For who owns an area today the
    same cases are a disagreement about the facts, not a claim, and are worded so.
    """
    view_a, view_b = _owner_view(answers, item, a), _owner_view(answers, item, b)
    if not view_a or not view_b:
        return "", ""
    today = item.ownership is not None and item.ownership.tense == "today"
    if len(view_a) == 1 and len(view_b) == 1 and view_a | view_b == {"cio", "cmo"}:
        (named_a,), (named_b,) = view_a, view_b
        own_a, own_b = _own_function(a), _own_function(b)
        if (named_a, named_b) == (own_a, own_b):
            return "rival", "both_own_today" if today else "both_claim"
        if (named_a, named_b) == (own_b, own_a):
            return "nobody", "each_names_other_today" if today else "each_hands_over"
        return "rival", "rival_owners_today" if today else "rival_owners"
    if not (view_a | view_b) & CIO_CMO_OR_JOINT:
        return "nobody", "nobody_today" if today else "nobody_claims"
    return "", ""


def ownership_rows(
    answers: WorkshopAnswers, rows: Sequence[Row], a: Group, b: Group
) -> list[OwnershipRow]:
    """The ownership matrix: every area (from question meta) today and should."""
    others = answers.others(a, b)
    areas: dict[str, list[Row]] = {}
    for row in rows:
        area = row.item.ownership
        if area is not None:
            areas.setdefault(area.code, []).append(row)
    result = []
    for area_rows in areas.values():
        area_rows.sort(key=lambda r: r.item.ownership.order)  # type: ignore[union-attr]
        for index, row in enumerate(area_rows):
            item = row.item
            conflict, reason = ownership_conflict(answers, item, a, b)
            result.append(
                OwnershipRow(
                    area=item.ownership,  # type: ignore[arg-type]
                    row=row,
                    a=_owners(answers, item, a.people),
                    b=_owners(answers, item, b.people),
                    others=_owners(answers, item, others),
                    conflict=conflict,
                    conflict_reason=reason,
                    first_of_area=index == 0,
                    area_rows=len(area_rows),
                )
            )
    return result
