"""An allocation: 100 % split across the question's segments (a budget, a share of effort).

Stored as a dict[str, int], Choice.value -> whole percent, summing to 100: shares entered within
1 % of 100 (33.3 three times) are rounded to whole percents that total 100, and the executive
is told.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import QueryDict
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy, ngettext

from ..entry import AnswerError, clean_text, field_name, format_number, parse_number
from ..models import Question
from ..scoring import Kind, QuestionSpec
from .base import ChoiceKind, ChoiceSetting, KindSettingsForm, SettingsReader, decimal_field

if TYPE_CHECKING:
    from ..presenting import QuestionField

#: What keeps one box of a split from being read, by problem code (shown next to the box by
#: `surveys/kinds/allocation_problem.html`).
SHARE_UNREADABLE = "unreadable"
SHARE_OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, slots=True)
class AllocationSettings:
    segments: tuple[ChoiceSetting, ...]
    #: The relative tolerance T scoring compares two splits within.
    tolerance: float


def _entered_share(raw: str) -> float:
    return parse_number(raw, what="percentage") if clean_text(raw) else 0.0


def _round_to_hundred(shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder rounding: whole percents that total exactly 100 (for ±1 rounding)."""
    total = sum(shares.values())
    scaled = {key: share * 100 / total for key, share in shares.items()}
    floors = {key: math.floor(value) for key, value in scaled.items()}
    missing = 100 - sum(floors.values())
    for key in sorted(scaled, key=lambda k: scaled[k] - floors[k], reverse=True)[:missing]:
        floors[key] += 1
    return floors


def _quoted(labels: list[str]) -> str:
    """“A”, “B” and “C”: segments named in a message."""
    return str(get_text_list([f"“{label}”" for label in labels], gettext("and")))


class AllocationSettingsForm(KindSettingsForm):
    tolerance = decimal_field(
        gettext_lazy("Tolerance (relative)"),
        initial=0.1,
        help_text=gettext_lazy("Two splits within this share of each other agree: 0.1 is 10 %."),
    )


class Allocation(ChoiceKind):
    file_keeps = frozenset({"choices"})
    kind = Kind.ALLOCATION
    settings_form = AllocationSettingsForm
    options_label = gettext_lazy("Segments")
    agreed_terms = "split"
    fields = ChoiceKind.fields | {"tolerance"}
    typed = True
    has_position = True
    autosave_template_name = "surveys/kinds/allocation_autosave.html"
    answer_form = "shares"
    position_form = "mean_split"
    chart = "paired_bars"

    def read_settings(self, reader: SettingsReader) -> AllocationSettings:
        segments = reader.choices()
        tolerance = reader.number("tolerance")
        if tolerance is not None and tolerance <= 0:
            reader.problem("tolerance", gettext("must be greater than 0."))
        return AllocationSettings(segments, tolerance or 0.10)

    def share_problems(self, question: Question, posted: QueryDict) -> dict[str, str]:
        """Each box of a split that cannot count, by choice value: `SHARE_UNREADABLE` (not a
        number) or `SHARE_OUT_OF_RANGE` (outside 0-100 %). Empty boxes count as 0."""
        problems: dict[str, str] = {}
        for choice in question.choices.all():
            raw = posted.get(field_name(question, choice.value), "")
            try:
                if not clean_text(raw):
                    continue
                share = parse_number(raw, what="percentage")
            except AnswerError:
                problems[choice.value] = SHARE_UNREADABLE
                continue
            if share < 0 or share > 100:
                problems[choice.value] = SHARE_OUT_OF_RANGE
        return problems

    def parse(self, question: Question, posted: QueryDict) -> dict[str, int] | None:
        problems = self.share_problems(question, posted)
        if problems:
            labels = self.labels(question)
            unreadable = [labels[v] for v, code in problems.items() if code == SHARE_UNREADABLE]
            out_of_range = [labels[v] for v, code in problems.items() if code == SHARE_OUT_OF_RANGE]
            messages = []
            if unreadable:
                messages.append(
                    gettext("%(segments)s: enter a percentage, for example 25.")
                    % {"segments": _quoted(unreadable)}
                )
            if out_of_range:
                messages.append(
                    ngettext(
                        "%(segments)s must be between 0 and 100 %%.",
                        "%(segments)s must each be between 0 and 100 %%.",
                        len(out_of_range),
                    )
                    % {"segments": _quoted(out_of_range)}
                )
            raise AnswerError(" ".join(messages))
        shares = {
            choice.value: _entered_share(posted.get(field_name(question, choice.value), ""))
            for choice in question.choices.all()
        }
        total = sum(shares.values())
        if total == 0:
            return None
        if abs(total - 100) > 1:
            raise AnswerError(
                gettext("The shares add up to %(total)s %%: they must total 100 %%.")
                % {"total": format_number(total)}
            )
        return _round_to_hundred(shares)

    def rounded(self, question: Question, posted: QueryDict, value: Any) -> bool:
        """Whether the shares as entered were rounded to whole percents totalling 100 (say
        33.3 three times), which the respondent should be told."""
        if not value:
            return False
        for choice in question.choices.all():
            entered = _entered_share(posted.get(field_name(question, choice.value), ""))
            if entered != value.get(choice.value, 0):
                return True
        return False

    def inputs(self, question: Question) -> dict[str, int]:
        """One share per segment."""
        inputs = super().inputs(question)
        inputs.update({field_name(question, value): 1 for value in self.choice_values(question)})
        return inputs

    def show_value(self, view: QuestionField, value: Any) -> None:
        for option in view.options:
            option.share = format_number(value.get(option.value, 0))

    def show_entry(self, view: QuestionField, posted: QueryDict) -> None:
        problems = self.share_problems(view.question, posted)
        for option in view.options:
            option.share = posted.get(field_name(view.question, option.value), "")[:12]
            option.share_problem = problems.get(option.value, "")

    def extra(self, view: QuestionField) -> dict[str, Any]:
        """`total`: the shares entered so far, added up ("?" while one cannot be read)."""
        total = 0.0
        for option in view.options:
            if not option.share.strip():
                continue
            try:
                total += parse_number(option.share, what="percentage")
            except AnswerError:
                return {"total": "?"}
        return {"total": format_number(total)}

    def answer_parts(self, spec: QuestionSpec, value: Any) -> list[tuple[str, float]]:
        """(segment, share) for every segment in the question's order, then any share of a
        segment the question no longer has."""
        parts = [(key, float(value.get(key, 0))) for key in spec.items]
        gone = [(key, float(share)) for key, share in value.items() if key not in spec.items]
        return parts + gone

    def display(self, question: Question, value: Any) -> str:
        labels = self.labels(question)
        return "; ".join(f"{labels.get(k, k)} {v} %" for k, v in value.items())

    def plain(self, question: Question, value: Any) -> str:
        """Each segment's share in the question's order (a stored object has no order of its
        own: PostgreSQL's jsonb sorts its keys): ``app=60; web=40``."""
        order = {key: n for n, key in enumerate(self.choice_values(question))}
        keys = sorted(value, key=lambda key: (order.get(key, len(order)), key))
        return "; ".join(f"{key}={value[key]}" for key in keys)

    def stored_problem(self, question: Question, value: Any) -> str:
        values = self.choice_values(question)
        if (
            not isinstance(value, dict)
            or any(key not in values for key in value)
            or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in value.values())
            or sum(value.values()) != 100
        ):
            return gettext("must give whole percentages of the question's options, totalling 100.")
        return ""
