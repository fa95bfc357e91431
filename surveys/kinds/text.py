"""Free text: the executive's own words, read by the room rather than scored.

Stored as a str of at most max_length characters. Two answers are compared only when the
facilitator codes the pair (agree, partly, differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from ..entry import AnswerError, clean_text, field_name
from ..models import Question
from ..scoring import Kind
from .base import BaseKind, KindSettingsForm, SettingsReader, holds_nul, typed_entry

if TYPE_CHECKING:
    from ..presenting import QuestionField


@dataclass(frozen=True, slots=True)
class FreeTextSettings:
    max_length: int


class FreeTextSettingsForm(KindSettingsForm):
    max_length = forms.IntegerField(
        label=gettext_lazy("Longest answer (characters)"), min_value=1, initial=1000
    )


class FreeText(BaseKind):
    file_keeps = frozenset({"max_length"})
    kind = Kind.TEXT
    settings_form = FreeTextSettingsForm
    agreed_terms = "wording"
    fields = frozenset({"max_length"})
    typed = True
    coded = True

    def read_settings(self, reader: SettingsReader) -> FreeTextSettings:
        return FreeTextSettings(max_length=reader.whole("max_length", minimum=1) or 1000)

    def parse(self, question: Question, posted: QueryDict) -> str | None:
        text = clean_text(posted.get(field_name(question), ""))
        if not text:
            return None
        if len(text) > question.max_length:
            raise AnswerError(
                gettext("Keep this to %(limit)s characters (it has %(length)s).")
                % {"limit": question.max_length, "length": len(text)}
            )
        return text

    def stored_problem(self, question: Question, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            return gettext("must be some text.")
        if holds_nul(value):
            return gettext("must not hold a NUL character.")
        if len(value) > question.max_length:
            return gettext("is longer than the question's %(limit)s characters.") % {
                "limit": question.max_length
            }
        return ""

    def show_value(self, view: QuestionField, value: Any) -> None:
        view.text = str(value)

    def show_entry(self, view: QuestionField, posted: QueryDict) -> None:
        typed_entry(view, posted)
