"""Scoring that never fails on a stored answer: the adapter between the dashboard and
`surveys.scoring`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from surveys import scoring
from surveys.kinds import KINDS
from surveys.scoring import Comparison, Detail, DetailCode, QuestionSpec

# A dashboard must not fail because one stored answer no longer fits its question (e.g. a value
# outside the scale after a data fix). Such an answer is treated as missing and says so.


def unreadable(spec: QuestionSpec) -> Comparison:
    return Comparison(
        kind=spec.kind,
        similarity=None,
        label=None,
        weight=spec.importance,
        detail=(Detail.of(DetailCode.UNREADABLE),),
    )


def safe_is_missing(spec: QuestionSpec, value: Any) -> bool:
    try:
        return scoring.is_missing(spec, value)
    except (TypeError, ValueError):
        return True


def safe_compare_groups(
    spec: QuestionSpec,
    a: Sequence[Any],
    b: Sequence[Any],
    coding: str | None = None,
    cache: scoring.PreparedAnswers | None = None,
) -> Comparison:
    try:
        coding = coding if KINDS[spec.kind].coded else None
        return scoring.compare_groups(spec, a, b, coding, prepared=cache)
    except (TypeError, ValueError):
        return unreadable(spec)
