"""One home per question kind: `KINDS[QuestionKind.SCALE]`, or `kind_for(question)`.

Each kind's class (a module here) holds everything that differs between kinds: its settings
and their checks, reading a post, its form inputs (`templates/surveys/kinds/<kind>.html`),
showing an answer back and in words, and what scoring needs. See `base.BaseKind` for what a
kind provides, and the README ("Adding a question kind") for what a new kind touches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..scoring import Kind
from .allocation import Allocation
from .base import BaseKind, ChoiceKind, ChoiceSetting, Option, Problem, SettingsReader
from .multi import MultipleChoice
from .numeric import NumericTarget
from .ranking import Ranking
from .scale import Scale
from .single import SingleChoice
from .text import FreeText

if TYPE_CHECKING:
    from ..models import Choice, Question
    from ..scoring import QuestionSpec

__all__ = [
    "CODED_KINDS",
    "KINDS",
    "Allocation",
    "BaseKind",
    "ChoiceKind",
    "ChoiceSetting",
    "FreeText",
    "MultipleChoice",
    "NumericTarget",
    "Option",
    "Problem",
    "Ranking",
    "Scale",
    "SettingsReader",
    "SingleChoice",
    "kind_for",
    "spec_for",
]

#: Every question kind, by its value (a `QuestionKind`, equal to the `scoring.Kind`).
KINDS: Mapping[str, BaseKind] = MappingProxyType(
    {
        kind.kind: kind
        for kind in (
            Scale(),
            SingleChoice(),
            MultipleChoice(),
            Ranking(),
            NumericTarget(),
            Allocation(),
            FreeText(),
        )
    }
)

#: The kinds compared by the facilitator's coding of a pair of answers (`BaseKind.coded`).
CODED_KINDS: tuple[str, ...] = tuple(key for key, kind in KINDS.items() if kind.coded)

if set(KINDS) != set(Kind):  # pragma: no cover - a kind added to scoring.Kind without a class
    raise ImportError(f"surveys.kinds: no class for {sorted(set(Kind) - set(KINDS))}")


def kind_for(question: Question) -> BaseKind:
    """The kind of a question: what to ask instead of branching on `question.kind`."""
    return KINDS[question.kind]


def spec_for(question: Question, choices: Sequence[Choice] | None = None) -> QuestionSpec:
    """The scoring view of a question (the adapter between the ORM and `surveys.scoring`);
    `choices` are the question's in order (default: `question.choices.all()`)."""
    return kind_for(question).spec(question, choices)
