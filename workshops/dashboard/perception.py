"""What each side thinks the other answered (CONSENSUS.md, "Perception"), beside the real gap.

For a question marked for prediction, the technology side answered "what do you think the
marketing side answered?" and the marketing side the reverse (the business side is not asked).
`perception_rows` puts each such question into words for a pair of groups, one from each of
those two sides: each group's prediction of the other beside what the other in fact answered,
its accuracy, how far apart it believes the two are, and the findings (a misperception, a
hidden agreement, a hidden disagreement). For any other pair there is no accuracy to show.
Scoring is `surveys.scoring.perceive`; the sentences are translatable templates here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from surveys import scoring
from surveys.scoring import Comparison, PerceptionFinding

from ..models import DEFAULT_SIDE_FOR_ROLE, PREDICTING_SIDES
from .answers import Shown, show, show_position
from .labels import LABEL_TEXT, label_key, percent
from .loading import Group, Item, WorkshopAnswers
from .rows import Row
from .safe import safe_is_missing

#: A finding in the facilitator's words; `group` is the side whose prediction it is about,
#: `other` the side predicted.
FINDING_TEXT = {
    PerceptionFinding.MISPERCEPTION: gettext_lazy(
        "Misperception: %(group)s expects a clearly different answer from %(other)s."
    ),
    PerceptionFinding.HIDDEN_AGREEMENT: gettext_lazy(
        "Hidden agreement: %(group)s believes they are apart, but they agree."
    ),
    PerceptionFinding.HIDDEN_DISAGREEMENT: gettext_lazy(
        "Hidden disagreement: %(group)s believes they agree, but they do not."
    ),
}
#: A finding's short name, for chips and the run-sheet.
FINDING_NAME = {
    PerceptionFinding.MISPERCEPTION: gettext_lazy("Misperception"),
    PerceptionFinding.HIDDEN_AGREEMENT: gettext_lazy("Hidden agreement"),
    PerceptionFinding.HIDDEN_DISAGREEMENT: gettext_lazy("Hidden disagreement"),
}


def predicting_side(group: Group) -> str | None:
    """The side a group's people are on, when they are all on one (a role with nobody counted
    yet: the role's usual side); None for a group that mixes sides."""
    sides = {person.side for person in group.people}
    if len(sides) == 1:
        return sides.pop()
    if sides:
        return None
    kind, _, value = group.key.partition(":")
    if kind == "side":
        return value
    return DEFAULT_SIDE_FOR_ROLE.get(value)


def predicts_each_other(a: Group, b: Group) -> bool:
    """Whether the two groups are asked to predict each other: one is on the technology side,
    the other on the marketing side."""
    side_a = predicting_side(a)
    return side_a in PREDICTING_SIDES and PREDICTING_SIDES[side_a] == predicting_side(b)


@dataclass(frozen=True, slots=True)
class SidePerception:
    """One group's view of the other on one question."""

    group: Group
    other: Group
    #: What the group expects the other to have answered (its position of the predictions),
    #: or None when it made no prediction.
    expects: Shown | None
    #: What the other group in fact answered (its position, or its one answer).
    actual: Shown
    accuracy: Comparison
    perceived: Comparison
    findings: tuple[PerceptionFinding, ...]

    @property
    def accuracy_score(self) -> int | None:
        return percent(self.accuracy.similarity)

    @property
    def accuracy_label(self) -> str:
        return label_key(self.accuracy.label)

    @property
    def perceived_score(self) -> int | None:
        return percent(self.perceived.similarity)

    @property
    def perceived_label(self) -> str:
        return label_key(self.perceived.label)

    @property
    def perceived_label_text(self) -> str:
        return LABEL_TEXT[self.perceived_label]

    @property
    def sentence(self) -> str:
        """ "The CIO expects the CMO to answer “CMO / marketing”; the CMO in fact answered
        “Joint”." (or that it made no prediction)."""
        names = {"group": self.group.label, "other": self.other.label}
        if self.expects is None:
            return gettext("%(group)s made no prediction of %(other)s.") % names
        if self.actual.missing:
            return gettext(
                "%(group)s expects %(other)s to answer “%(expected)s”; %(other)s has not "
                "answered yet."
            ) % {**names, "expected": self.expects.brief}
        if self.accuracy.label is scoring.Label.AGREE:
            return gettext(
                "%(group)s expects %(other)s to answer “%(expected)s”, and %(other)s answered "
                "“%(actual)s”."
            ) % {**names, "expected": self.expects.brief, "actual": self.actual.brief}
        return gettext(
            "%(group)s expects %(other)s to answer “%(expected)s”; %(other)s in fact answered "
            "“%(actual)s”."
        ) % {**names, "expected": self.expects.brief, "actual": self.actual.brief}

    @property
    def finding_texts(self) -> list[str]:
        names = {"group": self.group.label, "other": self.other.label}
        return [str(FINDING_TEXT[finding]) % names for finding in self.findings]

    @property
    def misperceives(self) -> bool:
        return PerceptionFinding.MISPERCEPTION in self.findings


@dataclass(frozen=True, slots=True)
class PerceptionRow:
    """One prediction-marked question: the real gap and both groups' perception of it."""

    row: Row
    a: SidePerception
    b: SidePerception

    @property
    def item(self) -> Item:
        return self.row.item

    @property
    def sides(self) -> tuple[SidePerception, SidePerception]:
        return self.a, self.b

    @property
    def findings(self) -> list[tuple[SidePerception, PerceptionFinding]]:
        return [(side, finding) for side in self.sides for finding in side.findings]

    @property
    def finding_names(self) -> list[str]:
        return [str(FINDING_NAME[finding]) for _, finding in self.findings]

    @property
    def has_misperception(self) -> bool:
        return self.a.misperceives or self.b.misperceives

    @property
    def predicted(self) -> bool:
        """Whether either group made a prediction."""
        return self.a.expects is not None or self.b.expects is not None


def _expects(item: Item, predictions: Sequence[Any]) -> Shown | None:
    """A group's predictions in words: the one, the position of several, or the most given."""
    given = [value for value in predictions if not safe_is_missing(item.spec, value)]
    if not given:
        return None
    try:
        if len(given) == 1:
            return show(item, given[0])
        if item.question_kind.has_position:
            return show_position(item, scoring.role_position(item.spec, given))
    except (TypeError, ValueError):
        return None
    shown = [show(item, value) for value in given]
    text, _ = Counter(s.text for s in shown).most_common(1)[0]
    return next(s for s in shown if s.text == text)


def _side(
    row: Row,
    group: Group,
    other: Group,
    predictions: list[Any],
    accuracy: Comparison,
    perceived: Comparison,
    findings: tuple[PerceptionFinding, ...],
) -> SidePerception:
    actual = row.b.summary if group.key == row.a.group.key else row.a.summary
    return SidePerception(
        group=group,
        other=other,
        expects=_expects(row.item, predictions),
        actual=actual,
        accuracy=accuracy,
        perceived=perceived,
        findings=findings,
    )


def perception_rows(
    answers: WorkshopAnswers,
    rows: Sequence[Row],
    a: Group,
    b: Group,
    cache: scoring.PreparedAnswers | None = None,
) -> list[PerceptionRow]:
    """The prediction-marked questions for the pair, in questionnaire order; none unless the
    two groups predict each other (`predicts_each_other`)."""
    if not predicts_each_other(a, b):
        return []
    found = []
    for row in rows:
        item = row.item
        if item.prediction_pk is None:
            continue
        predictions_a = answers.predictions(item, a.people)
        predictions_b = answers.predictions(item, b.people)
        try:
            result = scoring.perceive(
                item.spec,
                answers.values(item, a.people),
                answers.values(item, b.people),
                predictions_a,
                predictions_b,
                real=row.comparison,
                prepared=cache,
            )
        except (TypeError, ValueError):
            continue  # an answer that no longer fits the question: shown as stored elsewhere
        found.append(
            PerceptionRow(
                row=row,
                a=_side(
                    row,
                    a,
                    b,
                    predictions_a,
                    result.accuracy_a,
                    result.perceived_a,
                    result.findings_a,
                ),
                b=_side(
                    row,
                    b,
                    a,
                    predictions_b,
                    result.accuracy_b,
                    result.perceived_b,
                    result.findings_b,
                ),
            )
        )
    return found
