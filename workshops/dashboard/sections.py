"""Alignment rolled up: overall and by section, with the chance-corrected figure and what is
not scored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from surveys import scoring
from surveys.entry import format_number
from surveys.scoring import Aggregate, Comparison

from .labels import LABEL_TEXT, percent
from .rows import Row
from .wording import chance_words, unscored_text


@dataclass(frozen=True, slots=True)
class Summary:
    """An `Aggregate` ready to render: score on 0-100, label as words, bar geometry."""

    title: str
    aggregate: Aggregate
    beyond_chance: float | None = None
    beyond_chance_of: int = 0
    code: str = ""

    @property
    def score(self) -> int | None:
        return percent(self.aggregate.alignment)

    @property
    def label(self) -> str:
        return str(self.aggregate.label)

    @property
    def label_text(self) -> str:
        return LABEL_TEXT[self.label]

    @property
    def coverage(self) -> int | None:
        return percent(self.aggregate.coverage)

    @property
    def width(self) -> float:
        """Bar length on the 0-100 chart (0 when nothing is scored)."""
        return round((self.aggregate.alignment or 0.0) * 100, 1)

    @property
    def beyond_chance_text(self) -> str:
        if self.beyond_chance is None:
            return ""
        return format_number(self.beyond_chance, "+.2f")

    @property
    def beyond_chance_words(self) -> str:
        return "" if self.beyond_chance is None else chance_words(self.beyond_chance)

    @property
    def counts(self) -> tuple[tuple[str, int, float], ...]:
        """(label, count, share of scored) for the stacked agree/partly/differ bar."""
        scored = self.aggregate.scored or 1
        return tuple(
            (name, count, round(100 * count / scored, 2))
            for name, count in (
                ("agree", self.aggregate.agree),
                ("partly", self.aggregate.partly),
                ("differ", self.aggregate.differ),
            )
        )

    @property
    def count_offsets(self) -> tuple[tuple[str, int, float, float], ...]:
        """(label, count, x, width) for drawing the stacked bar as SVG rectangles."""
        x = 0.0
        result = []
        for name, count, share in self.counts:
            result.append((name, count, round(x, 2), share))
            x += share
        return tuple(result)


def _beyond_chance(comparisons: Iterable[Comparison]) -> tuple[float | None, int]:
    """A = (S - S0) / (1 - S0) over the questions whose chance baseline is known (scale and
    full-ranking questions): is the agreement there better than random answers would give?"""
    known = [c for c in comparisons if c.scored and c.baseline is not None]
    if len(known) < 2:
        return None, len(known)
    return scoring.aggregate(known).chance_corrected, len(known)


def summarise(title: str, rows: Sequence[Row], code: str = "") -> Summary:
    comparisons = [row.comparison for row in rows]
    beyond, of = _beyond_chance(comparisons)
    return Summary(title, scoring.aggregate(comparisons), beyond, of, code)


@dataclass(frozen=True, slots=True)
class Unscored:
    """The questionnaire's questions against those scored: free text is read, not scored
    (unless the facilitator codes it), and a question is scored only when both groups answered.
    """

    questions: int
    free_text: int
    unanswered: int
    a: str
    b: str

    @property
    def text(self) -> str:
        """E.g. "The questionnaire has 44 questions: 1 free-text question is read, not scored;
        1 is missing an answer from CIO or CMO (skipped or “don't know”), so it is not scored."
        ("" when every question is scored.)"""
        return unscored_text(self.questions, self.free_text, self.unanswered, self.a, self.b)
