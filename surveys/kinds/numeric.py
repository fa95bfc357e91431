"""A numeric target: a number in the question's unit, within its bounds.

Stored as a float within [min_value, max_value]. Scoring compares two targets within a relative
`tolerance`, or an `absolute_tolerance` in the unit for quantities that can be 0 or negative;
`higher_is_ambitious` says which side aims higher.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import QueryDict
from django.utils.translation import gettext, ngettext

from ..entry import AnswerError, clean_text, field_name, format_number, parse_number
from ..models import Question
from ..scoring import Kind, QuestionSpec
from .base import BaseKind, SettingsReader, is_number, typed_entry

if TYPE_CHECKING:
    from ..presenting import QuestionField


@dataclass(frozen=True, slots=True)
class NumericSettings:
    unit: str
    min_value: float | None
    max_value: float | None
    #: The relative tolerance T: two targets within it agree.
    tolerance: float
    #: A tolerance in the unit, replacing T for quantities that can be 0 or negative.
    absolute_tolerance: float | None
    higher_is_ambitious: bool
    #: The KPI the target is for, in the dashboard's KPI table (`meta.kpi`), or "".
    kpi: str


def with_unit(
    number: float, unit: str, source_unit: str = "", number_text: str | None = None
) -> str:
    """A quantity: "1 second", "2.5 seconds", "40 %", "3" (no unit). `unit` is the unit in the
    reader's language; `source_unit` the question's own (English) unit, which names the units
    whose singular and plural the interface knows ("seconds", "weeks"), so "1 seconds" and
    "1 Sekunden" never show."""
    number_text = format_number(number) if number_text is None else number_text
    count = 1 if number == 1 else 2  # 1.5 and 0 take the plural in English and German
    match source_unit or unit:
        case "seconds":
            return ngettext("%(number)s second", "%(number)s seconds", count) % {
                "number": number_text
            }
        case "weeks":
            return ngettext("%(number)s week", "%(number)s weeks", count) % {"number": number_text}
    return f"{number_text} {unit}" if unit else number_text


def points_text(number: float, number_text: str | None = None) -> str:
    """A difference between two percentages: "2.5 percentage points", "1 percentage point"."""
    return ngettext(
        "%(number)s percentage point", "%(number)s percentage points", 1 if number == 1 else 2
    ) % {"number": format_number(number) if number_text is None else number_text}


class NumericTarget(BaseKind):
    kind = Kind.NUMERIC
    agreed_terms = "target"
    fields = frozenset(
        {
            "unit",
            "min_value",
            "max_value",
            "tolerance",
            "absolute_tolerance",
            "higher_is_ambitious",
        }
    )
    #: "kpi": the KPI a target is for (the KPI table); "estimate": true for a forecast or a
    #: value today, not a target, so no side is called more ambitious.
    meta_keys = frozenset({"kpi", "estimate"})
    #: A published figure counts an answer equal to a value, or at most a value (a load time
    #: of "3 seconds or less": 2 seconds is more ambitious than 3, not out of the bucket).
    counts_as_yes_rules = frozenset({"value_equals", "value_at_most"})
    typed = True
    has_position = True
    on_a_line = True
    answer_form = "amount"
    position_form = "median"

    def read_settings(self, reader: SettingsReader) -> NumericSettings:
        low = reader.number("min_value", optional=True)
        high = reader.number("max_value", optional=True)
        if low is not None and high is not None and high <= low:
            reader.problem(
                "max_value", gettext("must be greater than min_value (%(low)g).") % {"low": low}
            )
        tolerance = reader.number("tolerance")
        if tolerance is not None and tolerance <= 0:
            reader.problem("tolerance", gettext("must be greater than 0."))
        absolute = reader.number("absolute_tolerance", optional=True)
        if absolute is not None and absolute <= 0:
            reader.problem("absolute_tolerance", gettext("must be greater than 0 when given."))
        return NumericSettings(
            unit=reader.text("unit"),
            min_value=low,
            max_value=high,
            tolerance=tolerance or 0.10,
            absolute_tolerance=absolute,
            higher_is_ambitious=reader.flag("higher_is_ambitious"),
            kpi=reader.meta_text("kpi"),
        )

    def check_counts_as_yes(self, settings: NumericSettings, rule: str, value: Any) -> str:
        return "" if is_number(value) else gettext("must be a number.")

    def parse(self, question: Question, posted: QueryDict) -> float | None:
        raw = posted.get(field_name(question), "")
        if not clean_text(raw):
            return None
        number = parse_number(raw)
        if question.min_value is not None and number < question.min_value:
            raise AnswerError(
                gettext("Enter a value of at least %(limit)s.")
                % {"limit": with_unit(question.min_value, question.text("unit"), question.unit)}
            )
        if question.max_value is not None and number > question.max_value:
            raise AnswerError(
                gettext("Enter a value of at most %(limit)s.")
                % {"limit": with_unit(question.max_value, question.text("unit"), question.unit)}
            )
        return number

    def show_value(self, view: QuestionField, value: Any) -> None:
        view.text = format_number(value)

    def show_entry(self, view: QuestionField, posted: QueryDict) -> None:
        typed_entry(view, posted)

    def extra(self, view: QuestionField) -> dict[str, Any]:
        """`min` and `max`: the bounds as the hint writes them ("" when unbounded)."""
        question = view.question
        return {
            "min": "" if question.min_value is None else format_number(question.min_value),
            "max": "" if question.max_value is None else format_number(question.max_value),
        }

    def display(self, question: Question, value: Any) -> str:
        return with_unit(value, question.text("unit"), question.unit)

    def answer_parts(self, spec: QuestionSpec, value: Any) -> float:
        return float(value)

    def stored_problem(self, question: Question, value: Any) -> str:
        if not is_number(value):
            return gettext("must be a number.")
        if (question.min_value is not None and value < question.min_value) or (
            question.max_value is not None and value > question.max_value
        ):
            return gettext("is out of the question's range.")
        return ""

    def counts_as_yes(self, rule: Mapping[str, Any], value: Any) -> bool | None:
        try:
            if "value_at_most" in rule:
                return float(value) <= float(rule["value_at_most"])
            return float(value) == float(rule["value_equals"])
        except (KeyError, TypeError, ValueError):
            return None
