"""Building questionnaires in the app: copies, drafts, versions, and the audit trail.

Every change goes through here, in a transaction that first claims the questionnaire's
`edit_revision` (`claim`): a change made on the page of an older revision is refused
(`StaleRevision`), so two facilitators editing at once never overwrite each other silently.
Only drafts change; a published version is copied into a draft of the next version.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils.text import slugify

from .models import (
    ChangeAction,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireChange,
    QuestionnaireStatus,
    Section,
)


class StaleRevision(Exception):
    """The questionnaire changed since the page was opened (another tab, another facilitator)."""


class NotADraft(Exception):
    """Only a draft can change; a published version is copied into a new draft first."""


def record(
    questionnaire: Questionnaire, actor: Any, action: ChangeAction, **params: Any
) -> QuestionnaireChange:
    """Add a change to the questionnaire's audit trail (a code and its params, no sentence)."""
    return QuestionnaireChange.objects.create(
        questionnaire=questionnaire,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        params={key: value for key, value in params.items() if value is not None},
    )


def claim(questionnaire: Questionnaire, revision: int | None) -> int:
    """Take the next edit revision of a draft, if `revision` is still the current one (None:
    whatever it is). Returns the new revision, also set on `questionnaire`. Call it inside the
    transaction that makes the change: a refused claim changes nothing."""
    if not questionnaire.is_draft:
        raise NotADraft(questionnaire.pk)
    rows = Questionnaire.objects.filter(pk=questionnaire.pk, status=QuestionnaireStatus.DRAFT)
    if revision is not None:
        rows = rows.filter(edit_revision=revision)
    if not rows.update(edit_revision=F("edit_revision") + 1):
        raise StaleRevision(questionnaire.pk)
    questionnaire.edit_revision = (
        revision + 1
        if revision is not None
        else Questionnaire.objects.values_list("edit_revision", flat=True).get(pk=questionnaire.pk)
    )
    return questionnaire.edit_revision


def new_slug(title: str) -> str:
    """A slug for a new questionnaire (its versions share it): from its title, made unique."""
    base = slugify(title)[:60].strip("-") or "questionnaire"
    return f"{base}-{secrets.token_hex(3)}"


@transaction.atomic
def create_questionnaire(*, owner: Any, title: str, language: str = "en") -> Questionnaire:
    """A new, empty draft owned by `owner` (started from scratch)."""
    questionnaire = Questionnaire.objects.create(
        slug=new_slug(title),
        version=1,
        title=title,
        language=language,
        owner=owner,
        status=QuestionnaireStatus.DRAFT,
    )
    record(questionnaire, owner, ChangeAction.CREATED, title=title)
    return questionnaire


@transaction.atomic
def copy_questionnaire(
    source: Questionnaire, *, actor: Any, new_version: bool = False, title: str = ""
) -> Questionnaire:
    """A draft copy of `source`, with all its sections, questions and choices (questions keep
    their codes: their identity, so that answers to both compare question by question).

    `new_version=False`: a new questionnaire owned by `actor` (from the default, or one of
    theirs). `new_version=True`: the draft of the next version of a published one, in the same
    lineage (same slug and owner, shared alike); an existing draft of it is returned instead.
    A constant number of queries whatever the questionnaire's size.
    """
    if new_version:
        existing = (
            Questionnaire.objects.filter(slug=source.slug, status=QuestionnaireStatus.DRAFT)
            .order_by("-version")
            .first()
        )
        if existing is not None:
            return existing
        latest = Questionnaire.objects.filter(slug=source.slug).aggregate(v=Max("version"))["v"]
        copy = Questionnaire(
            slug=source.slug,
            version=(latest or source.version) + 1,
            owner=source.owner,
            title=source.title,
        )
    else:
        copy = Questionnaire(
            slug=new_slug(title or source.title),
            version=1,
            owner=actor,
            title=title or source.title,
        )
    copy.language = source.language
    copy.description = source.description
    copy.translations = source.translations
    copy.status = QuestionnaireStatus.DRAFT
    copy.based_on = source
    copy.save()
    if new_version:
        copy.shared_with.set(source.shared_with.all())
    copy_structure(source, copy)
    if new_version:
        record(copy, actor, ChangeAction.NEW_VERSION, version=copy.version, previous=source.version)
    else:
        record(copy, actor, ChangeAction.COPIED, source=source.title, version=source.version)
    return copy


def copy_structure(source: Questionnaire, target: Questionnaire) -> None:
    """Copy `source`'s sections, questions and choices into the empty `target`: seven queries."""
    sections = source.ordered_sections()
    new_sections = [
        Section(
            questionnaire=target,
            position=section.position,
            code=section.code,
            title=section.title,
            intro=section.intro,
            translations=section.translations,
        )
        for section in sections
    ]
    Section.objects.bulk_create(new_sections)
    question_fields = [
        f.attname for f in Question._meta.concrete_fields if f.name not in ("id", "section")
    ]
    pairs: list[tuple[Question, Question]] = []
    for section, new_section in zip(sections, new_sections, strict=True):
        for question in section.questions.all():
            copy = Question(section=new_section)
            for name in question_fields:
                setattr(copy, name, getattr(question, name))
            pairs.append((question, copy))
    Question.objects.bulk_create([copy for _, copy in pairs])
    Choice.objects.bulk_create(
        [
            Choice(
                question=copy,
                position=choice.position,
                value=choice.value,
                label=choice.label,
                is_none=choice.is_none,
                translations=choice.translations,
            )
            for question, copy in pairs
            for choice in question.choices.all()
        ]
    )
