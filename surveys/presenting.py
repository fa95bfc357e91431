"""Turn questions and answers into what the answering page renders, one object per question.

Templates cannot index dictionaries by variable, so the page gets a flat `QuestionField` per
question holding its current value in display form: either the stored answer, or, after a
rejected post, exactly what the executive typed (nothing they entered is lost).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .answering import AnswerError, draft_as_post, field_name, parse_answer
from .kinds import BaseKind, Option, kind_for
from .kinds.scale import scale_text  # noqa: F401 - the dashboard reads it from here
from .models import Answer, Question

__all__ = ["Option", "QuestionField", "build_field", "display_answer", "render_field"]


@dataclass
class QuestionField:
    question: Question
    number: int
    revision: int | None = None
    is_unknown: bool = False
    text: str = ""
    options: list[Option] = field(default_factory=list)
    error: str = ""
    status: str = ""
    answered: bool = False
    #: Shown from a stored draft: what was entered is kept but is not an answer yet.
    drafted: bool = False
    #: A word about the saved answer (the whole percents a split was rounded to).
    note: str = ""
    #: The characters a draft kept when what was entered did not all fit (else None).
    draft_cut_to: int | None = None
    #: Where the page posts this question's answer as it changes (set by the caller; relative
    #: to the page, so that it is the same for every executive and the HTML can be shared).
    autosave_url: str = ""
    #: For a prediction question, what it asks the executive ("What do you think the
    #: marketing side answered?", set by the caller, who knows their side); else "".
    prediction_prompt: str = ""
    #: The rendered question (set by `render_field`).
    html: str = ""

    def state_key(self) -> tuple:
        """Everything the rendered question shows besides the question itself: two fields with
        the same question and state key render the same HTML."""
        return (
            self.question.pk,
            self.autosave_url,
            self.number,
            self.revision,
            self.answered,
            self.is_unknown,
            self.text,
            tuple((o.checked, o.rank, o.share) for o in self.options),
            self.error,
            self.status,
            self.drafted,
            self.note,
            self.draft_cut_to,
            self.prediction_prompt,
        )

    @property
    def name(self) -> str:
        return field_name(self.question)

    @property
    def unknown_name(self) -> str:
        return field_name(self.question, "unknown")

    @property
    def revision_name(self) -> str:
        return field_name(self.question, "rev")

    @property
    def dom_id(self) -> str:
        return f"question-{self.question.pk}"

    @property
    def kind(self) -> BaseKind:
        """The question's kind: its template (`kind.template_name`) shows the inputs."""
        return kind_for(self.question)

    @property
    def extra(self) -> dict[str, Any]:
        """What the kind's template reads beyond the field and the question (the ranks an item
        can take, the total of a split...), computed from both (`BaseKind.extra`)."""
        return self.kind.extra(self)


def build_field(
    question: Question,
    number: int,
    answer: Answer | None,
    *,
    posted: QueryDict | None = None,
    error: str = "",
    status: str = "",
    note: str = "",
    draft_cut_to: int | None = None,
) -> QuestionField:
    """The display state of one question, from the stored answer or from a rejected post."""
    view = QuestionField(
        question=question,
        number=number,
        error=error,
        status=status,
        drafted=status == "draft",
        note=note,
        draft_cut_to=draft_cut_to,
    )
    if answer is not None:
        view.revision = answer.revision
        view.answered = answer.is_answered
    if posted is None and answer is not None and answer.draft is not None:
        # A draft shows as it was entered, with what still keeps it from being an answer.
        posted = draft_as_post(answer.draft)
        view.drafted = True
        if not view.error:
            try:
                parse_answer(question, posted)
            except AnswerError as problem:
                view.error = str(problem)
    kind = view.kind
    view.options = kind.options(question)
    if posted is not None:
        view.is_unknown = bool(posted.get(view.unknown_name))
        kind.show_entry(view, posted)
    elif answer is not None:
        view.is_unknown = answer.is_unknown
        if answer.value is not None:
            kind.show_value(view, answer.value)
    return view


def display_answer(question: Question, value: Any, is_unknown: bool) -> str:
    """One answer in its own terms, for the review page and the facilitator's views."""
    if is_unknown:
        return "Don't know / not applicable"
    if value is None:
        return "—"
    return kind_for(question).display(question, value)


#: The cache (an alias of `CACHES`) that keeps rendered questions: "local", one per process.
#: A rendered question is a pure function of its key (the frozen questionnaire's version, the
#: template, locked or not, the field's state, the language), so a key never names two
#: different values and each process may keep its own copy: no query to read it, nothing to
#: invalidate. Most states recur (every unanswered question is the same for every executive;
#: a scale question has a handful of states).
RENDERED_CACHE = "local"


def _rendered_key(structure_key: tuple, template_name: str, locked: bool, state: tuple) -> str:
    named = repr((structure_key, template_name, locked, state, get_language()))
    return "question:" + hashlib.sha256(named.encode()).hexdigest()


def render_field(
    view: QuestionField, *, template_name: str, locked: bool, structure_key: tuple
) -> SafeString:
    """The question rendered by `template_name` (its context: `field` and `locked`), kept in
    the `RENDERED_CACHE` under everything it depends on; also kept as `view.html`.

    Only for a frozen questionnaire (one with responses: `structure_key` names its version),
    whose questions never change in place; the template must read nothing but the question,
    the field's state (`QuestionField.state_key`) and `locked`.
    """
    rendered = caches[RENDERED_CACHE]
    key = _rendered_key(structure_key, template_name, locked, view.state_key())
    html = rendered.get(key)
    if html is None:
        html = render_to_string(template_name, {"field": view, "locked": locked})
        rendered.set(key, str(html), None)
    view.html = SafeString(html)
    return view.html
