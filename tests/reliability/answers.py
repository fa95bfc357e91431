"""Valid answers for any question, as the form posts them and as the database then stores them.

Shared by the reliability tests and the benchmark's seeding, so both exercise every kind.
"""

from __future__ import annotations

import random
from typing import Any

from surveys.models import Question, QuestionKind


def valid_answer(question: Question, rng: random.Random) -> tuple[dict[str, Any], Any]:
    """(posted fields, stored value) for a random valid answer to `question`.

    Uses `question.choices.all()`, so prefetch choices when calling this for many questions.
    """
    name = f"q{question.pk}"
    choices = list(question.choices.all())
    kind = question.kind
    if kind == QuestionKind.SCALE:
        point = rng.randint(question.scale_min, question.scale_max)
        return {name: str(point)}, point
    if kind == QuestionKind.SINGLE:
        value = rng.choice(choices).value
        return {name: value}, value
    if kind == QuestionKind.MULTI:
        options = [choice.value for choice in choices if not choice.is_none]
        picked = rng.sample(options, rng.randint(1, len(options)))
        return {name: picked}, [value for value in options if value in picked]
    if kind == QuestionKind.RANKING:
        limit = question.rank_limit or len(choices)
        ranked = rng.sample([choice.value for choice in choices], limit)
        return {f"{name}-{value}": str(rank) for rank, value in enumerate(ranked, 1)}, ranked
    if kind == QuestionKind.NUMERIC:
        low = question.min_value if question.min_value is not None else 0.0
        high = question.max_value if question.max_value is not None else low + 100
        number = round(rng.uniform(low, high), 1)
        return {name: f"{number:g}"}, float(f"{number:g}")
    if kind == QuestionKind.ALLOCATION:
        cuts = sorted(rng.randint(0, 100) for _ in range(len(choices) - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        posted = {f"{name}-{c.value}": str(s) for c, s in zip(choices, shares, strict=True)}
        return posted, {c.value: s for c, s in zip(choices, shares, strict=True)}
    if kind == QuestionKind.TEXT:
        text = f"Answer {rng.randint(0, 10**9)}: we agree on the app — “mostly” <b>&</b>"
        return {name: text}, text
    raise AssertionError(f"no valid answer known for kind {kind!r}")
