"""A multiple choice: any of the question's options, or an explicit "none of these".

Stored as a list[str] of Choice.value in the question's order; "none of these" is stored as
[that option's value] and excludes the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from ..entry import AnswerError, clean_text, field_name
from ..models import Question
from ..scoring import Kind, QuestionSpec
from .base import ChoiceKind, ChoiceSetting, SettingsReader

if TYPE_CHECKING:
    from ..presenting import QuestionField


@dataclass(frozen=True, slots=True)
class MultipleChoiceSettings:
    choices: tuple[ChoiceSetting, ...]

    @property
    def none_value(self) -> str | None:
        """The option that excludes the others ("None of these"), if any."""
        return next((choice.value for choice in self.choices if choice.is_none), None)


class MultipleChoice(ChoiceKind):
    file_keeps = frozenset({"choices"})
    kind = Kind.MULTI
    options_label = gettext_lazy("Options")
    none_allowed = True
    agreed_terms = "selection"
    answer_form = "choices"
    chart = "options"

    def read_settings(self, reader: SettingsReader) -> MultipleChoiceSettings:
        return MultipleChoiceSettings(reader.choices(none_allowed=True))

    def parse(self, question: Question, posted: QueryDict) -> list[str] | None:
        picked = [clean_text(v) for v in posted.getlist(field_name(question)) if v.strip()]
        if not picked:
            return None
        choices = {choice.value: choice for choice in question.choices.all()}
        if any(value not in choices for value in picked):
            raise AnswerError(gettext("Pick only from the options listed."))
        picked = list(dict.fromkeys(picked))
        nones = [value for value in picked if choices[value].is_none]
        if nones and len(picked) > 1:
            raise AnswerError(
                gettext("“%(option)s” cannot be combined with other options.")
                % {"option": choices[nones[0]].text("label")}
            )
        order = list(choices)
        return sorted(picked, key=order.index)

    def inputs(self, question: Question) -> dict[str, int]:
        """One tick per option, all under the question's name."""
        return {
            field_name(question): len(self.choice_values(question)),
            field_name(question, "unknown"): 1,
        }

    def show_value(self, view: QuestionField, value: Any) -> None:
        for option in view.options:
            option.checked = option.value in value

    def show_entry(self, view: QuestionField, posted: QueryDict) -> None:
        picked = set(posted.getlist(view.name))
        for option in view.options:
            option.checked = option.value in picked

    def extra(self, view: QuestionField) -> dict[str, Any]:
        """`none_label`: the label of the option that excludes the others, if any."""
        return {"none_label": next((o.label for o in view.options if o.is_none), "")}

    def answer_parts(self, spec: QuestionSpec, value: Any) -> list[str]:
        """The options chosen, in the question's order; none when only "none of these" (or
        nothing) was chosen."""
        order = {v: i for i, v in enumerate(spec.items)}
        chosen = [v for v in value if v != spec.none_value]
        return sorted(chosen, key=lambda v: order.get(v, 99))

    def display(self, question: Question, value: Any) -> str:
        labels = self.labels(question)
        # Semicolons: option labels may contain commas ("Faster, more agile collaboration").
        return "; ".join(labels.get(item, item) for item in value)

    def plain(self, question: Question, value: Any) -> str:
        return "; ".join(str(item) for item in value)

    def stored_problem(self, question: Question, value: Any) -> str:
        values = self.choice_values(question)
        if (
            not isinstance(value, list)
            or not value
            or any(not isinstance(item, str) or item not in values for item in value)
            or len(set(value)) != len(value)
        ):
            return gettext("must be a list of different values of the question's options.")
        return ""
