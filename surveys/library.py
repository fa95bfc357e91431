"""The question library: the questions of a facilitator's questionnaires and of the built-in
ones, searchable, each with where it is used, and copied into a draft by its code.

A question's code is its identity across questionnaires and versions (what follow-up workshops
compare by), so the library lists a code once, showing its newest wording, with every
questionnaire that asks it; a copy keeps the code, and a draft that already asks a question
with that code refuses a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch, Q, QuerySet

from .builder import claim, record
from .models import (
    ChangeAction,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    Section,
)

#: How many questions (codes) a search shows, and how many rows it reads to find them: the
#: same code is asked by every version of a questionnaire and by its copies.
HIT_LIMIT = 30
ROW_LIMIT = 600

#: The columns a copy takes from the question it copies: everything but its place.
_COPIED = tuple(
    f.attname
    for f in Question._meta.concrete_fields
    if f.name not in ("id", "section", "position", "predicts")
)


@dataclass
class LibraryHit:
    """One question of the library: its newest wording (the one a copy takes) and every
    questionnaire that asks it (newest first)."""

    question: Question
    used_in: list[Questionnaire] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.question.code


@dataclass(frozen=True)
class Search:
    """What the library found: the hits, and whether there were more than it shows."""

    hits: list[LibraryHit]
    more: bool


def library_questions(user: Any) -> QuerySet[Question]:
    """The questions a facilitator may reuse: those of the questionnaires they may see (their
    own, those shared with them, the built-in ones: `QuestionnaireQuerySet.visible_to`)."""
    return Question.objects.without_predictions().filter(
        section__questionnaire__in=Questionnaire.objects.visible_to(user)
    )


def search(user: Any, words: str = "", kind: str = "") -> Search:
    """The library's questions whose prompt or code holds every word of `words` (any case),
    of kind `kind` if given: two queries (the questions with their questionnaires, and their
    options), whatever the number of questionnaires."""
    questions = library_questions(user)
    for word in words.split()[:10]:
        questions = questions.filter(Q(prompt__icontains=word) | Q(code__icontains=word))
    if kind:
        questions = questions.filter(kind=kind)
    rows = list(
        questions.select_related("section__questionnaire")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position")))
        .order_by("code", "-section__questionnaire__created_at", "-section__questionnaire_id")[
            : ROW_LIMIT + 1
        ]
    )
    hits: dict[str, LibraryHit] = {}
    for question in rows[:ROW_LIMIT]:
        hit = hits.get(question.code)
        if hit is None:
            if len(hits) == HIT_LIMIT:
                return Search(list(hits.values()), more=True)
            hit = hits[question.code] = LibraryHit(question)
        questionnaire = question.section.questionnaire
        if all(used.pk != questionnaire.pk for used in hit.used_in):
            hit.used_in.append(questionnaire)
    return Search(list(hits.values()), more=len(rows) > ROW_LIMIT)


@dataclass(frozen=True)
class Target:
    """A section of a draft the facilitator may edit, where a copied question can go."""

    questionnaire: Questionnaire
    section: Section

    @property
    def value(self) -> str:
        """How a form names it: "<questionnaire>:<section>"."""
        return f"{self.questionnaire.pk}:{self.section.pk}"


def draft_targets(user: Any) -> list[Target]:
    """The sections of the drafts a facilitator may edit, draft by draft: one query."""
    sections = (
        Section.objects.filter(
            questionnaire__in=Questionnaire.objects.editable_by(user).filter(
                status=QuestionnaireStatus.DRAFT
            )
        )
        .select_related("questionnaire")
        .order_by("questionnaire__title", "questionnaire_id", "position")
    )
    return [Target(section.questionnaire, section) for section in sections]


class CodeClash(Exception):
    """The draft already asks a question with this code (a code is a question's identity)."""


class OtherLanguage(Exception):
    """The question is written in another language than the draft's own."""


@transaction.atomic
def copy_question(
    question: Question, section: Section, *, actor: Any
) -> tuple[Question, list[str]]:
    """Copy `question` (with its options and their translations) to the end of `section`, a
    section of a draft, keeping its code; returns the copy and the draft's languages it has no
    translation for (to add in the builder). Its translations into languages the draft does not
    offer are left out. Refuses a code the draft already asks (`CodeClash`) and a question
    written in another language than the draft's (`OtherLanguage`). Recorded in the draft's
    changes, as `actor`'s; the draft's edit revision moves on (an editor open on it reloads)."""
    draft = Questionnaire.objects.select_for_update().get(pk=section.questionnaire_id)
    source_language = question.section.questionnaire.language
    if source_language != draft.language:
        raise OtherLanguage(source_language)
    # Its prediction questions come along (`Question.predicts`), right after it.
    companions = list(question.predictions.prefetch_related("choices").order_by("position"))
    codes = [question.code, *(companion.code for companion in companions)]
    if Question.objects.filter(section__questionnaire=draft, code__in=codes).exists():
        raise CodeClash(question.code)
    languages = set(draft.languages[1:])
    last = section.questions.aggregate(last=Max("position"))["last"] or 0
    copy = _copy(question, section, last + 1, languages, predicts=None)
    for offset, companion in enumerate(companions, start=2):
        _copy(companion, section, last + offset, languages, predicts=copy)
    claim(draft, None)  # an editor open on the draft's older revision must reload
    record(
        draft,
        actor,
        ChangeAction.QUESTION_ADDED,
        question=copy.prompt,
        code=copy.code,
        section=section.code,
        source=question.section.questionnaire_id,
    )
    missing = sorted(language for language in languages if not copy.translations.get(language))
    return copy, missing


def _copy(
    question: Question,
    section: Section,
    position: int,
    languages: set[str],
    *,
    predicts: Question | None,
) -> Question:
    """A copy of `question` (and its options) saved at `position` of `section`."""
    copy = Question(
        section=section,
        position=position,
        **{name: getattr(question, name) for name in _COPIED},
    )
    copy.predicts = predicts
    copy.translations = _kept(question.translations, languages)
    copy.save()
    Choice.objects.bulk_create(
        choice.copy_for(copy, _kept(choice.translations, languages))
        for choice in question.choices.all()
    )
    return copy


def _kept(translations: dict[str, Any] | None, languages: Iterable[str]) -> dict[str, Any]:
    wanted = set(languages)
    return {k: v for k, v in (translations or {}).items() if k in wanted}
