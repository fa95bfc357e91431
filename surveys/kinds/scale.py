"""A scale: one point between `scale_min` and `scale_max`, each end with its meaning.

Stored as an int within [scale_min, scale_max].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import QueryDict
from django.utils.translation import gettext

from ..entry import AnswerError, clean_text, field_name, format_number, parse_whole_number
from ..models import Question, ScalePolarity
from ..scoring import Kind, QuestionSpec
from .base import BaseKind, OnePick, Option, SettingsReader, is_number

if TYPE_CHECKING:
    pass


@dataclass(frozen=True, slots=True)
class ScaleSettings:
    scale_min: int
    scale_max: int
    #: What the lowest and the highest point mean ("Not important", "Critically important"):
    #: the scale's polarity, shown at its ends and in every answer's words. Either may be "".
    low_label: str
    high_label: str
    #: Whether the ends are opposites (bipolar: the direction rule applies) or one quantity
    #: from none to most (unipolar).
    polarity: str = ScalePolarity.BIPOLAR


def scale_text(
    value: float, *, scale_min: int, scale_max: int, low_label: str, high_label: str
) -> str:
    """A point on a scale with the end it leans to: "5 of 5 (Critically important)",
    "2 of 7, towards “Security first”", "3 of 5" (the midpoint, or a scale without labels)."""
    number = format_number(value) if isinstance(value, float) else str(value)
    point = gettext("%(point)s of %(top)s") % {"point": number, "top": scale_max}
    midpoint = (scale_min + scale_max) / 2
    if value == scale_max and high_label:
        return gettext("%(point)s (%(end)s)") % {"point": point, "end": high_label}
    if value == scale_min and low_label:
        return gettext("%(point)s (%(end)s)") % {"point": point, "end": low_label}
    if value > midpoint and high_label:
        return gettext("%(point)s, towards “%(end)s”") % {"point": point, "end": high_label}
    if value < midpoint and low_label:
        return gettext("%(point)s, towards “%(end)s”") % {"point": point, "end": low_label}
    return point


class Scale(OnePick, BaseKind):
    kind = Kind.SCALE
    agreed_terms = "position"
    fields = frozenset({"scale_min", "scale_max", "scale_min_label", "scale_max_label", "polarity"})
    counts_as_yes_rules = frozenset({"scale_at_least"})
    has_position = True
    on_a_line = True
    answer_form = "point"
    position_form = "median"
    chart = "strip"

    def read_settings(self, reader: SettingsReader) -> ScaleSettings:
        low = reader.whole("scale_min")
        high = reader.whole("scale_max")
        if low is not None and high is not None and high <= low:
            reader.problem(
                "scale_max", gettext("must be greater than scale_min (%(low)s).") % {"low": low}
            )
        polarity = reader.get("polarity")
        if polarity not in ScalePolarity.values:
            reader.problem(
                "polarity",
                gettext(
                    "must be “bipolar” (the ends are opposites) or “unipolar” (from none to most)."
                ),
            )
            polarity = ScalePolarity.BIPOLAR
        return ScaleSettings(
            scale_min=low if low is not None else 1,
            scale_max=high if high is not None else 5,
            low_label=reader.text("scale_min_label"),
            high_label=reader.text("scale_max_label"),
            polarity=polarity,
        )

    def check_counts_as_yes(self, settings: ScaleSettings, rule: str, value: Any) -> str:
        if not (is_number(value) and settings.scale_min <= value <= settings.scale_max):
            return gettext("must be a point of the scale (%(low)s to %(high)s).") % {
                "low": settings.scale_min,
                "high": settings.scale_max,
            }
        return ""

    def parse(self, question: Question, posted: QueryDict) -> int | None:
        raw = clean_text(posted.get(field_name(question), ""))
        if not raw:
            return None
        point = parse_whole_number(raw)
        if point is None or not question.scale_min <= point <= question.scale_max:
            raise AnswerError(
                gettext("Pick a point between %(low)s and %(high)s.")
                % {"low": question.scale_min, "high": question.scale_max}
            )
        return point

    def options(self, question: Question) -> list[Option]:
        return [
            Option(value=str(point), label=str(point), input_id=f"q{question.pk}-p{point}")
            for point in range(question.scale_min, question.scale_max + 1)
        ]

    def display(self, question: Question, value: Any) -> str:
        return scale_text(
            value,
            scale_min=question.scale_min,
            scale_max=question.scale_max,
            low_label=question.text("scale_min_label"),
            high_label=question.text("scale_max_label"),
        )

    def stored_problem(self, question: Question, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            return gettext("must be a whole number.")
        if not question.scale_min <= value <= question.scale_max:
            return gettext("must be between %(low)s and %(high)s.") % {
                "low": question.scale_min,
                "high": question.scale_max,
            }
        return ""

    def answer_parts(self, spec: QuestionSpec, value: Any) -> float:
        return float(value)

    def counts_as_yes(self, rule: Mapping[str, Any], value: Any) -> bool | None:
        try:
            return float(value) >= float(rule["scale_at_least"])
        except (KeyError, TypeError, ValueError):
            return None
