"""A single choice: one of the question's options.

Stored as a str, a Choice.value. Two different options may earn partial credit in scoring
(`partial_credit`: [[value, value, weight], ...]), e.g. "the CIO" and "jointly" for an owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from ..entry import AnswerError, clean_text, field_name
from ..models import Question
from ..scoring import Kind
from .base import ChoiceKind, ChoiceSetting, KindSettingsForm, OnePick, SettingsReader, is_number

if TYPE_CHECKING:
    pass

#: When an ownership question asks about: who owns an area today, or who should.
TENSES = ("today", "should")


@dataclass(frozen=True, slots=True)
class Ownership:
    """An ownership question's place in the dashboard's ownership matrix (`meta`): the area
    (a slug, shared by the area's "today" and "should" questions), its name, and the tense."""

    area: str
    area_label: str
    tense: Literal["today", "should"]


@dataclass(frozen=True, slots=True)
class SingleChoiceSettings:
    choices: tuple[ChoiceSetting, ...]
    #: Unordered pairs of different options and the similarity they count as (0 to 1).
    partial_credit: tuple[tuple[str, str, float], ...]
    #: Set for the ownership questions (`meta`: area, area_label, tense), else None.
    ownership: Ownership | None


class SingleChoiceSettingsForm(KindSettingsForm):
    """An ownership question's place in the dashboard's ownership matrix (all optional)."""

    area = forms.SlugField(
        label=gettext_lazy("Ownership area (key)"),
        max_length=60,
        required=False,
        help_text=gettext_lazy(
            "Only for ownership questions: the same key for an area's “today” and “should” "
            "questions, e.g. mobile-web."
        ),
    )
    area_label = forms.CharField(
        label=gettext_lazy("Ownership area (name)"), max_length=120, required=False
    )
    tense = forms.ChoiceField(
        label=gettext_lazy("Ownership asked about"),
        required=False,
        choices=[
            ("", gettext_lazy("Not an ownership question")),
            ("today", gettext_lazy("Who owns it today")),
            ("should", gettext_lazy("Who should own it")),
        ],
    )
    meta_fields = {"area": "area", "area_label": "area_label", "tense": "tense"}


class SingleChoice(OnePick, ChoiceKind):
    file_keeps = frozenset({"choices", "partial_credit"})
    kind = Kind.SINGLE
    settings_form = SingleChoiceSettingsForm
    options_label = gettext_lazy("Options")
    agreed_terms = "choice"
    fields = ChoiceKind.fields | {"partial_credit"}
    meta_keys = frozenset({"area", "area_label", "tense"})
    counts_as_yes_rules = frozenset({"choice_in"})
    answer_form = "choice"

    def read_settings(self, reader: SettingsReader) -> SingleChoiceSettings:
        choices = reader.choices()
        values = {choice.value for choice in choices}
        credit = []
        raw_credit = reader.get("partial_credit")
        if not isinstance(raw_credit, list):
            reader.problem("partial_credit", gettext("must be a list."))
            raw_credit = []
        for position, entry in enumerate(raw_credit, start=1):
            if not (
                isinstance(entry, list | tuple)
                and len(entry) == 3
                and entry[0] in values
                and entry[1] in values
                and entry[0] != entry[1]
                and is_number(entry[2])
                and 0 <= entry[2] <= 1
            ):
                reader.problem(
                    f"partial_credit[{position}]",
                    gettext("must name two different options and a weight from 0 to 1."),
                )
                continue
            credit.append((entry[0], entry[1], float(entry[2])))
        return SingleChoiceSettings(choices, tuple(credit), self._ownership(reader))

    @staticmethod
    def _ownership(reader: SettingsReader) -> Ownership | None:
        meta = reader.meta()
        if not ({"area", "tense", "area_label"} & set(meta)):
            return None
        area = reader.meta_text("area", required=True)
        tense = reader.meta_text("tense", required=True)
        if tense and tense not in TENSES:
            reader.problem("meta.tense", gettext("must be “today” or “should”."))
        if not (area and tense in TENSES):
            return None
        return Ownership(area, reader.meta_text("area_label") or area, tense)  # type: ignore[arg-type]

    def check_counts_as_yes(self, settings: SingleChoiceSettings, rule: str, value: Any) -> str:
        values = {choice.value for choice in settings.choices}
        if not (isinstance(value, list) and value and all(v in values for v in value)):
            return gettext("must list some of the question's options.")
        return ""

    def parse(self, question: Question, posted: QueryDict) -> str | None:
        raw = clean_text(posted.get(field_name(question), ""))
        if not raw:
            return None
        if raw not in self.choice_values(question):
            raise AnswerError(gettext("Pick one of the options listed."))
        return raw

    def display(self, question: Question, value: Any) -> str:
        return self.labels(question).get(value, str(value))

    def stored_problem(self, question: Question, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choice_values(question):
            return gettext("must be the value of one of the question's options.")
        return ""

    def counts_as_yes(self, rule: Mapping[str, Any], value: Any) -> bool | None:
        try:
            return str(value) in {str(v) for v in rule["choice_in"]}
        except (KeyError, TypeError, ValueError):
            return None
