"""The whole room: roles and sides split among themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.template.defaultfilters import floatformat

from surveys import scoring

from .loading import Group, Item, Person, WorkshopAnswers


@dataclass(frozen=True, slots=True)
class SplitGroup:
    """A role or side whose members disagree among themselves on some questions."""

    group: Group
    rows: tuple[tuple[Item, float], ...]
    checked: int
    #: The rows with each cohesion as the page writes it (`floatformat:2`): formatted once per
    #: report, not on every refresh.
    shown: tuple[tuple[Item, str], ...] = ()


def split_groups(
    answers: WorkshopAnswers, everyone: Sequence[Person], cache: scoring.PreparedAnswers
) -> list[SplitGroup]:
    """Every role and side with two or more of `everyone` (the counted people with answers),
    and the questions on which it is split (cohesion below 0.5: its position is not
    representative)."""
    keys = [f"role:{p.role}" for p in everyone] + [f"side:{p.side}" for p in everyone]
    result = []
    for key in dict.fromkeys(keys):
        group = answers.group(key)
        if group is None:
            continue
        members = [p for p in group.people if p in everyone]
        if len(members) < 2:
            continue
        split_rows = []
        checked = 0
        for item in answers.items:
            values = answers.values(item, members)
            try:
                cohesion = scoring.cohesion(item.spec, values, prepared=cache)
            except (TypeError, ValueError):
                continue
            if cohesion is None:
                continue
            checked += 1
            if scoring.is_split(cohesion):
                split_rows.append((item, cohesion))
        if checked:
            named = Group(group.key, group.label, tuple(members))
            shown = tuple((item, floatformat(c, 2)) for item, c in split_rows)
            result.append(SplitGroup(named, tuple(split_rows), checked, shown))
    return result
