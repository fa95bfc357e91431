"""Building questionnaires in the app: copies, drafts, versions, and the audit trail.

Every change goes through here, in a transaction that first claims the questionnaire's
`edit_revision` (`claim`): a change made on the page of an older revision is refused
(`StaleRevision`), so two facilitators editing at once never overwrite each other silently.
Only drafts change; a published version is copied into a draft of the next version.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models, transaction
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
from .topics import topics_of


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
    if title and not new_version and source.translations:
        # The title typed names the copy in every language: the source's translations of its
        # own title would otherwise go on naming it on every page in those languages.
        copy.translations = {
            code: {**texts, "title": title}
            if isinstance(texts, dict) and "title" in texts
            else texts
            for code, texts in source.translations.items()
        }
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
    topics = topics_of(source.slug)  # the built-in topics follow the questions into the copy
    pairs: list[tuple[Question, Question]] = []
    for section, new_section in zip(sections, new_sections, strict=True):
        for question in section.questions.all():
            copy = Question(section=new_section)
            for name in question_fields:
                setattr(copy, name, getattr(question, name))
            topic = (question.meta or {}).get("topic") or topics.get(question.code)
            if topic:
                copy.meta = {**(copy.meta or {}), "topic": topic}
            pairs.append((question, copy))
    for _, copy in pairs:
        copy.predicts_id = None
    Question.objects.bulk_create([copy for _, copy in pairs])
    # A prediction question predicts the copy of the question its original predicts.
    copies = {question.pk: copy for question, copy in pairs}
    companions = []
    for question, copy in pairs:
        if question.predicts_id is not None and question.predicts_id in copies:
            copy.predicts = copies[question.predicts_id]
            companions.append(copy)
    if companions:
        Question.objects.bulk_update(companions, ["predicts"])
    Choice.objects.bulk_create(
        [choice.copy_for(copy) for question, copy in pairs for choice in question.choices.all()]
    )


# Questions ------------------------------------------------------------------------------------

#: What a question measures: changing any of these changes what its answers mean, so the
#: question gets a new code (follow-ups then compare it as a new question). Its texts, help,
#: importance, tolerance, topic (in `meta`) and the like may change under the same code.
MEASURES = ("kind", "scale_min", "scale_max", "unit")


def measures(question: Question, choices: list[Any]) -> tuple:
    """What a stored or built question measures (`MEASURES` and its options' values)."""
    return (
        tuple(getattr(question, name) for name in MEASURES),
        tuple(sorted((choice.value, bool(choice.is_none)) for choice in choices)),
    )


def _definition_measures(definition: dict[str, Any]) -> tuple:
    defaults = {name: Question._meta.get_field(name).get_default() for name in MEASURES}
    values = {name: definition.get(name, defaults[name]) for name in MEASURES}
    if values["unit"] is None:
        values["unit"] = ""
    return (
        tuple(values[name] for name in MEASURES),
        tuple(
            sorted(
                (choice["value"], bool(choice.get("is_none", False)))
                for choice in definition.get("choices", [])
            )
        ),
    )


def changes_meaning(question: Question, choices: list[Any], definition: dict[str, Any]) -> bool:
    """Whether saving `definition` over `question` changes what it measures."""
    return measures(question, choices) != _definition_measures(definition)


def code_is_compared(questionnaire: Questionnaire, code: str) -> bool:
    """Whether answers under this code exist elsewhere to compare with: the code is in a
    published version of this questionnaire or in the one it was copied from."""
    lineage = Questionnaire.objects.filter(
        slug=questionnaire.slug, status=QuestionnaireStatus.PUBLISHED
    ).values("pk")
    return (
        Question.objects.filter(code=code)
        .filter(
            models.Q(section__questionnaire__in=lineage)
            | models.Q(section__questionnaire_id=questionnaire.based_on_id)
        )
        .exists()
    )


def fresh_code(questionnaire: Questionnaire, start: str) -> str:
    """A question code not yet used in the questionnaire, from `start` (a prompt or an old
    code): "kpi-load-time-2"."""
    base = slugify(start)[:50].strip("-") or "question"
    taken = set(
        Question.objects.filter(section__questionnaire=questionnaire).values_list("code", flat=True)
    )
    if base not in taken:
        return base
    stem = base.rsplit("-", 1)[0] if base.rsplit("-", 1)[-1].isdigit() else base
    number = 2
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


#: Every question column a definition may set (the loader's list), and their defaults.
def _question_columns() -> dict[str, Any]:
    from .loading import _QUESTION_FIELDS

    return {
        name: Question._meta.get_field(name).get_default()
        for name in _QUESTION_FIELDS
        if name not in ("kind",)
    }


def apply_definition(
    question: Question, definition: dict[str, Any], languages: list[str]
) -> list[Choice]:
    """Set a question's columns from a checked definition (the file's format): every setting
    the definition does not give goes back to its default (a kind changed leaves nothing of
    the old kind behind). Returns its choices, unsaved."""
    from .loading import _translations

    for name, default in _question_columns().items():
        value = definition.get(name, default)
        if value is None and name in ("help_text", "unit", "scale_min_label", "scale_max_label"):
            value = ""
        setattr(question, name, value)
    question.kind = definition["kind"]
    question.translations = _translations(definition, languages)
    return [
        Choice(
            position=position,
            value=choice["value"],
            label=choice["label"],
            is_none=choice.get("is_none", False),
            translations={
                language: {"label": definition[language]["choices"][choice["value"]]}
                for language in languages[1:]
                if choice["value"] in (definition.get(language) or {}).get("choices", {})
            },
        )
        for position, choice in enumerate(definition.get("choices", []), start=1)
    ]


@transaction.atomic
def save_question(
    *,
    questionnaire: Questionnaire,
    section: Section,
    question: Question | None,
    definition: dict[str, Any],
    revision: int | None,
    actor: Any,
    new_code: bool = False,
) -> Question:
    """Add a question at the end of `section`, or change `question`; `new_code` gives it a new
    identity (what it measures changed). Refused on a stale revision (`StaleRevision`)."""
    claim(questionnaire, revision)
    added = question is None
    if question is None:
        position = (section.questions.aggregate(top=Max("position"))["top"] or 0) + 1
        question = Question(section=section, position=position)
        question.code = fresh_code(questionnaire, definition["prompt"])
    old_code = question.code
    if new_code and not added:
        question.code = fresh_code(questionnaire, question.code)
    choices = apply_definition(question, definition, questionnaire.languages)
    question.full_clean(exclude=["section"])
    question.save()
    question.choices.all().delete()
    for choice in choices:
        choice.question = question
    Choice.objects.bulk_create(choices)
    _sync_prediction(question, choices, wanted=definition.get("prediction") is True)
    _arrange(section.pk)
    if added:
        record(questionnaire, actor, ChangeAction.QUESTION_ADDED, question=question.prompt[:80])
    elif new_code:
        record(
            questionnaire,
            actor,
            ChangeAction.QUESTION_RECODED,
            question=question.prompt[:80],
            old_code=old_code,
            code=question.code,
        )
    else:
        record(questionnaire, actor, ChangeAction.QUESTION_CHANGED, question=question.prompt[:80])
    return question


def _sync_prediction(question: Question, choices: list[Choice], *, wanted: bool) -> None:
    """Prediction on: the companion question asking what the other side answered, made afresh
    from the question as the file loader makes it (`loading._prediction_of`); off: none. A
    draft's questions have no answers, so the companion is simply rebuilt."""
    from .loading import _prediction_of

    Question.objects.filter(predicts=question).delete()
    if not wanted:
        return
    companion, companion_choices = _prediction_of(question, choices, 200000)
    companion.section = question.section
    companion.save()
    for choice in companion_choices:
        choice.question = companion
    Choice.objects.bulk_create(companion_choices)


def _arrange(section_pk: int) -> None:
    """Number a section's questions 1..n, each prediction question right after the question
    it predicts."""
    rows = list(Question.objects.filter(section_id=section_pk).order_by("position", "pk"))
    _renumber(_with_companions([row for row in rows if row.predicts_id is None], rows), Question)


def _with_companions(mains: list[Question], rows: list[Question]) -> list[Question]:
    companions: dict[int, list[Question]] = {}
    for row in rows:
        if row.predicts_id is not None:
            companions.setdefault(row.predicts_id, []).append(row)
    ordered = [item for main in mains for item in (main, *companions.pop(main.pk, []))]
    return ordered + [row for group in companions.values() for row in group]


def _renumber(rows: list[Any], model: type[models.Model]) -> None:
    """Give rows the positions 1..n in their order, in two steps: no two rows ever share a
    position (the unique constraint holds at every statement, on PostgreSQL too)."""
    for offset, row in enumerate(rows, start=1):
        row.position = 100000 + offset
    model.objects.bulk_update(rows, ["position"])
    for offset, row in enumerate(rows, start=1):
        row.position = offset
    model.objects.bulk_update(rows, ["position"])


def move_to(rows: list[Any], row: Any, to: int) -> list[Any]:
    """The rows in their new order, with `row` at place `to` (1-based, kept within bounds)."""
    others = [other for other in rows if other.pk != row.pk]
    to = max(1, min(to, len(rows)))
    others.insert(to - 1, row)
    return others


@transaction.atomic
def move_question(
    questionnaire: Questionnaire, question: Question, to: int, *, revision: int | None, actor: Any
) -> None:
    claim(questionnaire, revision)
    rows = list(Question.objects.filter(section_id=question.section_id).order_by("position"))
    mains = [row for row in rows if row.predicts_id is None]
    _renumber(_with_companions(move_to(mains, question, to), rows), Question)
    rows = mains
    record(
        questionnaire,
        actor,
        ChangeAction.QUESTION_MOVED,
        question=question.prompt[:80],
        to=max(1, min(to, len(rows))),
    )


@transaction.atomic
def remove_question(
    questionnaire: Questionnaire, question: Question, *, revision: int | None, actor: Any
) -> None:
    claim(questionnaire, revision)
    question.delete()  # its prediction question goes with it
    _arrange(question.section_id)
    record(questionnaire, actor, ChangeAction.QUESTION_REMOVED, question=question.prompt[:80])


@transaction.atomic
def save_section(
    *,
    questionnaire: Questionnaire,
    section: Section | None,
    title: str,
    intro: str,
    translations: dict[str, Any],
    revision: int | None,
    actor: Any,
) -> Section:
    claim(questionnaire, revision)
    added = section is None
    if section is None:
        top = questionnaire.sections.aggregate(top=Max("position"))["top"] or 0
        taken = set(questionnaire.sections.values_list("code", flat=True))
        code = slugify(title)[:50].strip("-") or "section"
        stem, number = code, 2
        while code in taken:
            code, number = f"{stem}-{number}", number + 1
        section = Section(questionnaire=questionnaire, position=top + 1, code=code)
    section.title, section.intro = title, intro
    section.translations = {language: block for language, block in translations.items() if block}
    section.save()
    action = ChangeAction.SECTION_ADDED if added else ChangeAction.SECTION_CHANGED
    record(questionnaire, actor, action, section=title[:80])
    return section


@transaction.atomic
def move_section(
    questionnaire: Questionnaire, section: Section, to: int, *, revision: int | None, actor: Any
) -> None:
    claim(questionnaire, revision)
    rows = list(questionnaire.sections.order_by("position"))
    _renumber(move_to(rows, section, to), Section)
    record(
        questionnaire,
        actor,
        ChangeAction.SECTION_MOVED,
        section=section.title[:80],
        to=max(1, min(to, len(rows))),
    )


@transaction.atomic
def remove_section(
    questionnaire: Questionnaire, section: Section, *, revision: int | None, actor: Any
) -> None:
    claim(questionnaire, revision)
    section.delete()
    _renumber(list(questionnaire.sections.order_by("position")), Section)
    record(questionnaire, actor, ChangeAction.SECTION_REMOVED, section=section.title[:80])


@transaction.atomic
def save_details(
    questionnaire: Questionnaire,
    *,
    title: str,
    description: str,
    languages: list[str],
    translations: dict[str, Any],
    revision: int | None,
    actor: Any,
) -> None:
    """A draft's title, description and languages: a language dropped loses its texts."""
    claim(questionnaire, revision)
    questionnaire.title, questionnaire.description = title, description
    questionnaire.translations = {
        language: translations.get(language, {}) for language in languages
    }
    questionnaire.save(update_fields=["title", "description", "translations"])
    record(questionnaire, actor, ChangeAction.DETAILS)


def publish_problems(questionnaire: Questionnaire, sections: list[Section]) -> list[str]:
    """What keeps a draft from being published, each naming where it is: the same checks as a
    questionnaire file gets when it loads (`surveys.loading.check_definition`)."""
    from .loading import check_definition

    return check_definition(questionnaire_definition(questionnaire, sections))


def questionnaire_definition(
    questionnaire: Questionnaire, sections: list[Section]
) -> dict[str, Any]:
    """A stored questionnaire in the data file's format (sections read with their questions
    and choices: `ordered_sections()`)."""
    languages = questionnaire.languages
    definition: dict[str, Any] = {
        "slug": questionnaire.slug,
        "version": questionnaire.version,
        "languages": languages,
        "title": questionnaire.title,
        "description": questionnaire.description,
        **_blocks(questionnaire.translations, languages),
        "sections": [],
    }
    for section in sections:
        section_def: dict[str, Any] = {
            "code": section.code,
            "title": section.title,
            "intro": section.intro,
            **_blocks(section.translations, languages),
            "questions": [],
        }
        questions = list(section.questions.all())
        predicted = {q.predicts_id for q in questions if q.predicts_id is not None}
        for question in questions:
            if question.predicts_id is not None:
                continue  # a companion: the question it predicts says "prediction": true
            choices = list(question.choices.all())
            kind = question.kind
            from .kinds import KINDS

            wanted = {"kind", "prompt", "help_text", "required", "allow_unknown", "importance"}
            wanted |= {"discussion_prompt", "benchmark", "meta"} | set(KINDS[kind].fields)
            question_def: dict[str, Any] = {"code": question.code}
            if question.pk in predicted:
                question_def["prediction"] = True
            for name in sorted(wanted - {"choices"}):
                value = getattr(question, name)
                if name in ("benchmark", "meta") and not value:
                    continue
                question_def[name] = value
            if "choices" in KINDS[kind].fields:
                question_def["choices"] = [
                    {"value": c.value, "label": c.label, **({"is_none": True} if c.is_none else {})}
                    for c in choices
                ]
            blocks = _blocks(question.translations, languages)
            for language in languages[1:]:
                labels = {
                    c.value: (c.translations or {}).get(language, {}).get("label")
                    for c in choices
                    if (c.translations or {}).get(language, {}).get("label")
                }
                if labels:
                    blocks.setdefault(language, {})["choices"] = labels
            question_def.update(blocks)
            section_def["questions"].append(question_def)
        definition["sections"].append(section_def)
    return definition


def _blocks(translations: dict[str, Any] | None, languages: list[str]) -> dict[str, Any]:
    return {language: dict((translations or {}).get(language) or {}) for language in languages[1:]}


@transaction.atomic
def publish(questionnaire: Questionnaire, *, revision: int | None, actor: Any) -> None:
    """Make the draft a published version (check it first: `publish_problems`)."""
    claim(questionnaire, revision)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(status=QuestionnaireStatus.PUBLISHED)
    questionnaire.status = QuestionnaireStatus.PUBLISHED
    record(questionnaire, actor, ChangeAction.PUBLISHED, version=questionnaire.version)


@transaction.atomic
def share(questionnaire: Questionnaire, user: Any, *, actor: Any, stop: bool = False) -> None:
    if stop:
        questionnaire.shared_with.remove(user)
    else:
        questionnaire.shared_with.add(user)
    action = ChangeAction.UNSHARED if stop else ChangeAction.SHARED
    record(questionnaire, actor, action, user=user.get_username())
