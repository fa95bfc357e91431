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

from .answering import (
    AnswerError,
    draft_as_post,
    field_name,
    parse_answer,
    parse_number,
    share_problems,
)
from .models import Answer, Question, QuestionKind


@dataclass
class Option:
    value: str
    label: str
    is_none: bool = False
    checked: bool = False
    rank: str = ""
    share: str = ""
    #: What keeps this box of a split from counting (`answering.SHARE_*`), shown beside it.
    share_problem: str = ""
    input_id: str = ""


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
    def scale_points(self) -> list[Option]:
        return self.options

    @property
    def min_display(self) -> str:
        return f"{self.question.min_value:g}"

    @property
    def max_display(self) -> str:
        return f"{self.question.max_value:g}"

    @property
    def none_label(self) -> str:
        """The label of the option that excludes the others ("None of these"), if any."""
        return next((option.label for option in self.options if option.is_none), "")

    @property
    def rank_choices(self) -> list[int]:
        limit = self.question.rank_limit or len(self.options)
        return list(range(1, limit + 1))

    @property
    def allocation_total(self) -> str:
        total = 0.0
        for option in self.options:
            if not option.share.strip():
                continue
            try:
                total += parse_number(option.share, what="a percentage")
            except AnswerError:
                return "?"
        return f"{total:g}"


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
    if posted is not None:
        _fill_from_post(view, posted)
    elif answer is not None:
        _fill_from_answer(view, answer.value, answer.is_unknown)
    else:
        _fill_from_answer(view, None, False)
    return view


def _options(question: Question) -> list[Option]:
    if question.kind == QuestionKind.SCALE:
        return [
            Option(value=str(point), label=str(point), input_id=f"q{question.pk}-p{point}")
            for point in range(question.scale_min, question.scale_max + 1)
        ]
    return [
        Option(
            value=choice.value,
            label=choice.label,
            is_none=choice.is_none,
            input_id=f"q{question.pk}-{choice.value}",
        )
        for choice in question.choices.all()
    ]


def _fill_from_answer(view: QuestionField, value: Any, is_unknown: bool) -> None:
    question = view.question
    view.options = _options(question)
    view.is_unknown = is_unknown
    if value is None:
        return
    kind = question.kind
    if kind in (QuestionKind.SCALE, QuestionKind.SINGLE):
        for option in view.options:
            option.checked = option.value == str(value)
    elif kind == QuestionKind.MULTI:
        for option in view.options:
            option.checked = option.value in value
    elif kind == QuestionKind.RANKING:
        ranks = {item: position for position, item in enumerate(value, start=1)}
        for option in view.options:
            option.rank = str(ranks.get(option.value, ""))
    elif kind == QuestionKind.ALLOCATION:
        for option in view.options:
            option.share = f"{value.get(option.value, 0):g}"
    elif kind == QuestionKind.NUMERIC:
        view.text = f"{value:g}"
    else:
        view.text = str(value)


def _fill_from_post(view: QuestionField, posted: QueryDict) -> None:
    question = view.question
    view.options = _options(question)
    view.is_unknown = bool(posted.get(view.unknown_name))
    kind = question.kind
    name = view.name
    if kind in (QuestionKind.SCALE, QuestionKind.SINGLE):
        raw = posted.get(name, "")
        for option in view.options:
            option.checked = option.value == raw
    elif kind == QuestionKind.MULTI:
        picked = set(posted.getlist(name))
        for option in view.options:
            option.checked = option.value in picked
    elif kind == QuestionKind.RANKING:
        for option in view.options:
            option.rank = posted.get(field_name(question, option.value), "")[:4]
    elif kind == QuestionKind.ALLOCATION:
        problems = share_problems(question, posted)
        for option in view.options:
            option.share = posted.get(field_name(question, option.value), "")[:12]
            option.share_problem = problems.get(option.value, "")
    else:
        view.text = posted.get(name, "").replace("\x00", "")[: question.max_length * 2 + 100]


def scale_text(
    value: float, *, scale_min: int, scale_max: int, low_label: str, high_label: str
) -> str:
    """A point on a scale with the end it leans to: "5 of 5 (Critically important)",
    "2 of 7, towards “Security first”", "3 of 5" (the midpoint, or a scale without labels)."""
    number = f"{value:g}" if isinstance(value, float) else str(value)
    text = f"{number} of {scale_max}"
    midpoint = (scale_min + scale_max) / 2
    if value == scale_max and high_label:
        return f"{text} ({high_label})"
    if value == scale_min and low_label:
        return f"{text} ({low_label})"
    if value > midpoint and high_label:
        return f"{text}, towards “{high_label}”"
    if value < midpoint and low_label:
        return f"{text}, towards “{low_label}”"
    return text


def display_answer(question: Question, value: Any, is_unknown: bool) -> str:
    """One answer in its own terms, for the review page and the facilitator's views."""
    if is_unknown:
        return "Don't know / not applicable"
    if value is None:
        return "—"
    labels = {choice.value: choice.label for choice in question.choices.all()}
    kind = question.kind
    if kind == QuestionKind.SCALE:
        return scale_text(
            value,
            scale_min=question.scale_min,
            scale_max=question.scale_max,
            low_label=question.scale_min_label,
            high_label=question.scale_max_label,
        )
    if kind == QuestionKind.SINGLE:
        return labels.get(value, str(value))
    if kind == QuestionKind.MULTI:
        # Semicolons: option labels may contain commas ("Faster, more agile collaboration").
        return "; ".join(labels.get(item, item) for item in value)
    if kind == QuestionKind.RANKING:
        return " › ".join(f"{n}. {labels.get(item, item)}" for n, item in enumerate(value, 1))
    if kind == QuestionKind.ALLOCATION:
        return "; ".join(f"{labels.get(k, k)} {v} %" for k, v in value.items())
    if kind == QuestionKind.NUMERIC:
        unit = f" {question.unit}" if question.unit else ""
        return f"{value:g}{unit}"
    return str(value)


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
