"""Load a questionnaire from its versioned data file (surveys/questionnaires/*.json)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from .kinds import KINDS
from .kinds.base import COMMON_FIELDS, FILE_ONLY_FIELDS, Problem, SettingsReader, holds_nul
from .models import Choice, Question, Questionnaire, Section

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
#: What new workshops use (`make run` loads it): version 3. Versions 1 and 2 stay loadable for
#: the workshops that use them, with their scores unchanged.
DEFAULT_QUESTIONNAIRE = QUESTIONNAIRE_DIR / "joint-mobile-strategy.v3.json"
V2_QUESTIONNAIRE = QUESTIONNAIRE_DIR / "joint-mobile-strategy.v2.json"

#: The version of the file format this code reads and writes: a file's `"format"` (a file
#: without one is in format 1). docs/QUESTIONNAIRE_FORMAT.md describes every key; a change that
#: an older reader would misread gets a new number, and the reader says which it can read.
FORMAT_VERSION = 1

#: The keys of a file's questionnaire object and of each of its sections, besides their
#: translation blocks ("de": {...}).
_FILE_KEYS = frozenset(
    {"format", "slug", "version", "languages", "title", "description", "sections"}
)
_SECTION_KEYS = frozenset({"code", "title", "intro", "questions"})

#: What a question's definition may set on the question: the settings of every kind.
_QUESTION_FIELDS = (
    (COMMON_FIELDS | frozenset().union(*(k.fields for k in KINDS.values())))
    - {"code", "choices"}
    - FILE_ONLY_FIELDS
)

#: The code of the companion question that asks what the other side answered to `code`.
PREDICTION_SUFFIX = "-predicted"
#: `Question.code`'s length.
_CODE_LENGTH = Question._meta.get_field("code").max_length


def prediction_code(code: str) -> str:
    """The code of the prediction question companion to the question `code`."""
    return f"{code}{PREDICTION_SUFFIX}"


class QuestionnaireFrozen(Exception):
    """The file changes a questionnaire version that already has responses."""


class QuestionnaireInvalid(ValueError):
    """The file describes questions that cannot be loaded; `problems` lists each one, naming
    the section, the question and the field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _where(section: str, question: str, field: str, message: str) -> str:
    return gettext(
        "Section “%(section)s”, question “%(question)s”, field “%(field)s”: %(problem)s"
    ) % {"section": section, "question": question, "field": field, "problem": message}


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


#: How a language is named in a file ("de", "pt-br"): the keys of its translation blocks.
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def file_languages(definition: dict[str, Any]) -> list[str]:
    """The languages a file declares ("languages": ["en", "de"]), its own texts' first; a file
    that declares none is in English only."""
    declared = definition.get("languages")
    if not isinstance(declared, list):
        return ["en"]
    return list(dict.fromkeys(code for code in declared if isinstance(code, str))) or ["en"]


def _check_languages(definition: dict[str, Any]) -> list[str]:
    languages = definition.get("languages", ["en"])
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(code, str) and _LANGUAGE_CODE.match(code) for code in languages)
        or len(set(languages)) != len(languages)
    ):
        return [
            gettext("Field “%(field)s”: %(problem)s")
            % {
                "field": "languages",
                "problem": gettext(
                    "must list distinct language codes, the texts' own language first "
                    "(e.g. [“en”, “de”])."
                ),
            }
        ]
    return []


def _check_translations(
    holder: dict[str, Any],
    texts: tuple[str, ...],
    languages: list[str],
    *,
    required: str,
    choices: list[Any] | None = None,
) -> list[tuple[str, str]]:
    """The problems of an object's translation blocks ("de": {...}), as (field, message): each
    of its texts missing in a language it is translated into, a text it does not have, a block
    for a language the file does not declare. `texts` name its texts ("meta.kpi" for a text in
    `meta`); `required` is the text the object must have (its absence is a problem of its
    own, not repeated for its translations); `choices` are a choice question's options, whose
    labels a block translates as "choices": {value: label}."""
    source, translated = languages[0], languages[1:]
    problems: list[tuple[str, str]] = []
    for key, value in holder.items():
        if key not in translated and _is_block(key, value):
            message = (
                gettext(
                    "the texts themselves are in “%(language)s”: only other languages take a block."
                )
                if key == source
                else gettext("“%(language)s” is not one of the file's “languages”.")
            )
            problems.append((key, message % {"language": key}))
    has = {name: _source_text(holder, name) for name in texts}
    for language in translated:
        block = holder.get(language)
        wanted = [name for name, text in has.items() if text]
        labels = {
            c["value"]: c.get("label")
            for c in choices or []
            if isinstance(c, dict) and isinstance(c.get("value"), str)
        }
        if block is None:
            if wanted or labels:
                problems.append((language, gettext("the translation is missing.")))
            continue
        if not isinstance(block, dict):
            problems.append((language, gettext("must be an object of translated texts.")))
            continue
        missing = gettext("the translation is missing.")
        for name in wanted:
            if not _is_text(_source_text(block, name)):
                problems.append((f"{language}.{name}", missing))
        for name in _flatten(block):
            field = f"{language}.{name}"
            if name.startswith("choices.") and choices is not None:
                continue
            if name not in has:
                problems.append((field, gettext("is not a text that can be translated.")))
            elif not has[name] and name != required:
                problems.append((field, gettext("translates a text that is not there.")))
        translated_labels = block.get("choices", {})
        if choices is None:
            continue
        if not isinstance(translated_labels, dict):
            problems.append(
                (f"{language}.choices", gettext("must be an object of labels by option value."))
            )
            continue
        for value in labels:
            if not _is_text(translated_labels.get(value)):
                problems.append((f"{language}.choices.{value}", missing))
        for value in translated_labels:
            if value not in labels:
                problems.append(
                    (f"{language}.choices.{value}", gettext("is not an option of the question."))
                )
    return problems


def _is_block(key: object, value: object) -> bool:
    """Whether an entry of a file's object is a translation block ("de": {...})."""
    return isinstance(key, str) and bool(_LANGUAGE_CODE.match(key)) and isinstance(value, dict)


def _source_text(holder: dict[str, Any], name: str) -> Any:
    """The text `name` ("prompt", "meta.kpi") of a file's object or translation block."""
    head, _, key = name.partition(".")
    value = holder.get(head)
    if key:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else None


def _flatten(block: dict[str, Any]) -> list[str]:
    """The names a translation block gives texts for, those in its objects ("meta",
    "choices") as "meta.kpi"."""
    found = []
    for key, value in block.items():
        if isinstance(value, dict) and key in ("meta", "choices"):
            found.extend(f"{key}.{inner}" for inner in value)
        else:
            found.append(key)
    return found


def check_definition(definition: dict[str, Any]) -> list[str]:
    """Every problem of a questionnaire file, each naming where it is (the section, the
    question and the field): what the file must name, an unknown kind, a setting that is not
    the kind's, and each of the kind's settings that is wrong (`BaseKind.check`). Empty when
    the file can load."""
    if not isinstance(definition, dict):
        return [
            gettext(
                "The file must hold one questionnaire: an object with “slug”, “title”, "
                "“version” and “sections”."
            )
        ]
    if problems := _check_format(definition):
        return problems  # another format: its other keys may mean something else
    problems = _check_languages(definition)
    problems.extend(
        gettext("Field “%(field)s”: %(problem)s")
        % {"field": key, "problem": gettext("is not a field of a questionnaire file.")}
        for key, value in definition.items()
        if key not in _FILE_KEYS and not _is_block(key, value)
    )
    languages = file_languages(definition)
    missing = gettext("is missing.")
    for name in ("slug", "title"):
        if not _is_text(definition.get(name)):
            problems.append(
                gettext("Field “%(field)s”: %(problem)s") % {"field": name, "problem": missing}
            )
    problems.extend(
        gettext("Field “%(field)s”: %(problem)s") % {"field": field, "problem": message}
        for field, message in _check_translations(
            definition, Questionnaire.TEXTS, languages, required="title"
        )
    )
    version = definition.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(
            gettext("Field “%(field)s”: %(problem)s")
            % {"field": "version", "problem": gettext("must be a whole number from 1.")}
        )
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.append(
            gettext("Field “%(field)s”: %(problem)s") % {"field": "sections", "problem": missing}
        )
        return problems
    seen: set[str] = set()
    seen_sections: set[str] = set()
    predicted: list[tuple[str, str]] = []  # (section, question) marked "prediction": true
    for section_position, section in enumerate(sections, start=1):
        section_code = f"#{section_position}"
        if isinstance(section, dict) and _is_text(section.get("code")):
            section_code = section["code"]
            if section_code in seen_sections:
                problems.append(
                    gettext("Section “%(section)s”, field “%(field)s”: %(problem)s")
                    % {
                        "section": section_code,
                        "field": "code",
                        "problem": gettext("another section has this code."),
                    }
                )
            seen_sections.add(section_code)
        questions = section.get("questions") if isinstance(section, dict) else None
        if isinstance(section, dict):
            problems.extend(
                gettext("Section “%(section)s”, field “%(field)s”: %(problem)s")
                % {
                    "section": section_code,
                    "field": key,
                    "problem": gettext("is not a field of a section."),
                }
                for key, value in section.items()
                if key not in _SECTION_KEYS and not _is_block(key, value)
            )
        for name in ("code", "title"):
            if not (isinstance(section, dict) and _is_text(section.get(name))):
                problems.append(
                    gettext("Section “%(section)s”, field “%(field)s”: %(problem)s")
                    % {"section": section_code, "field": name, "problem": missing}
                )
        if isinstance(section, dict):
            problems.extend(
                gettext("Section “%(section)s”, field “%(field)s”: %(problem)s")
                % {"section": section_code, "field": field, "problem": message}
                for field, message in _check_translations(
                    section, Section.TEXTS, languages, required="title"
                )
            )
        if not isinstance(questions, list) or not questions:
            problems.append(
                gettext("Section “%(section)s”, field “%(field)s”: %(problem)s")
                % {"section": section_code, "field": "questions", "problem": missing}
            )
            continue
        for question_position, question in enumerate(questions, start=1):
            if not isinstance(question, dict):
                problems.append(
                    _where(section_code, f"#{question_position}", "", gettext("must be an object."))
                )
                continue
            code = question.get("code")
            if not _is_text(code):
                code = f"#{question_position}"
                problems.append(_where(section_code, code, "code", missing))
            elif code in seen:
                problems.append(
                    _where(section_code, code, "code", gettext("another question has this code."))
                )
            seen.add(code)
            if not _is_text(question.get("prompt")):
                problems.append(_where(section_code, code, "prompt", missing))
            kind = question.get("kind")
            if not isinstance(kind, str) or kind not in KINDS:
                message = gettext("“%(kind)s” is not a question kind (%(kinds)s).") % {
                    "kind": kind,
                    "kinds": ", ".join(KINDS),
                }
                problems.append(_where(section_code, code, "kind", message))
                continue
            settings = {k: v for k, v in question.items() if not _is_block(k, v)}
            problems.extend(
                _where(section_code, code, problem.field, problem.message)
                for problem in (*_check_common(settings), *KINDS[kind].check(settings))
            )
            if question.get("prediction") is True:
                predicted.append((section_code, code))
            choices = question.get("choices")
            problems.extend(
                _where(section_code, code, field, message)
                for field, message in _check_translations(
                    question,
                    Question.TEXTS,
                    languages,
                    required="prompt",
                    choices=choices if isinstance(choices, list) else None,
                )
            )
    for section_code, code in predicted:
        companion = prediction_code(code)
        if len(companion) > _CODE_LENGTH:
            problems.append(
                _where(
                    section_code,
                    code,
                    "prediction",
                    gettext(
                        "the prediction's code “%(code)s” would be longer than %(length)s "
                        "characters: shorten the question's code."
                    )
                    % {"code": companion, "length": _CODE_LENGTH},
                )
            )
        elif companion in seen:
            problems.append(
                _where(
                    section_code,
                    code,
                    "prediction",
                    gettext("the prediction's code “%(code)s” is already another question's code.")
                    % {"code": companion},
                )
            )
    return problems


def _check_format(definition: dict[str, Any]) -> list[str]:
    """A file in a format this code does not read: named with the one it reads."""
    found = definition.get("format", 1)
    if isinstance(found, int) and not isinstance(found, bool) and found == FORMAT_VERSION:
        return []
    return [
        gettext("Field “%(field)s”: %(problem)s")
        % {
            "field": "format",
            "problem": gettext(
                "the file is in format %(found)s; this version of Common Ground reads "
                "format %(supported)s."
            )
            % {"found": json.dumps(found, ensure_ascii=False)[:40], "supported": FORMAT_VERSION},
        }
    ]


def _check_common(settings: dict[str, Any]) -> list[Problem]:
    """The problems of the settings every question has, whatever its kind (its kind checks
    its own: `BaseKind.check`)."""
    reader = SettingsReader.of_definition(settings)
    reader.flag("required")
    reader.flag("allow_unknown")
    importance = reader.number("importance")
    if importance is not None and importance <= 0:
        reader.problem("importance", gettext("must be greater than 0."))
    for name in ("help_text", "discussion_prompt"):
        reader.text(name)
    return reader.problems


def read_definition(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


class Outcome(StrEnum):
    """What loading a file did."""

    CREATED = "created"
    REBUILT = "rebuilt"
    TEXTS_UPDATED = "texts updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Built:
    """A questionnaire file as unsaved rows: the questionnaire's own fields, and its sections,
    each with its questions, each with its choices (in order)."""

    questionnaire: dict[str, Any]
    sections: list[tuple[Section, list[tuple[Question, list[Choice]]]]]


def _translations(holder: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """An object's translation blocks as stored (`Translatable.translations`), without the
    choices' labels (each choice keeps its own)."""
    return {
        language: {k: v for k, v in holder[language].items() if k != "choices"}
        for language in languages[1:]
        if isinstance(holder.get(language), dict)
    }


def _refused(error: ValidationError, section: str, question: str, prefix: str = "") -> list[str]:
    """What the model refuses in a row, each named by its place (`prefix`: "choices[2]." for an
    option's fields)."""
    return [
        _where(section, question, prefix + field, " ".join(messages))
        for field, messages in error.message_dict.items()
    ]


def _full_clean(row: Any, **options: Any) -> None:
    """`row.full_clean(**options)`, and no text of the row (its JSON fields' too) holding a NUL
    character, which PostgreSQL stores in no text: one `ValidationError` for all of it."""
    errors: dict[str, list[str]] = {}
    try:
        row.full_clean(**options)
    except ValidationError as error:
        errors = error.message_dict
    for field in row._meta.concrete_fields:
        if holds_nul(getattr(row, field.attname, None)):
            errors.setdefault(field.name, []).append(gettext("must not hold a NUL character."))
    if errors:
        raise ValidationError(errors)


def build(definition: dict[str, Any]) -> Built:
    """The rows a checked definition describes, unsaved, each validated by the model
    (`QuestionnaireInvalid` names everything it refuses, in every section, at once)."""
    languages = file_languages(definition)
    sections = []
    problems: list[str] = []
    own = {
        "language": languages[0],
        "title": definition["title"],
        "description": definition.get("description", ""),
        "translations": _translations(definition, languages),
    }
    try:
        _full_clean(
            Questionnaire(slug=definition["slug"], version=definition["version"], **own),
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        problems.extend(
            gettext("Field “%(field)s”: %(problem)s")
            % {"field": field, "problem": " ".join(messages)}
            for field, messages in error.message_dict.items()
        )
    for section_position, section_def in enumerate(definition["sections"], start=1):
        section = Section(
            position=section_position,
            code=section_def["code"],
            title=section_def["title"],
            intro=section_def.get("intro", ""),
            translations=_translations(section_def, languages),
        )
        try:
            _full_clean(section, exclude=["questionnaire"])
        except ValidationError as error:
            problems.extend(
                gettext("Section “%(section)s”, field “%(field)s”: %(problem)s")
                % {"section": section.code, "field": field, "problem": " ".join(messages)}
                for field, messages in error.message_dict.items()
            )
        questions: list[tuple[Question, list[Choice]]] = []
        for question_def in section_def["questions"]:
            question_position = len(questions) + 1
            attributes = {k: v for k, v in question_def.items() if k in _QUESTION_FIELDS}
            for key in ("help_text", "unit", "scale_min_label", "scale_max_label"):
                if attributes.get(key) is None:
                    attributes.pop(key, None)
            question = Question(
                position=question_position,
                code=question_def["code"],
                translations=_translations(question_def, languages),
                **attributes,
            )
            try:
                _full_clean(question, exclude=["section"])
            except ValidationError as error:
                problems.extend(_refused(error, section.code, question.code))
            choices = [
                Choice(
                    position=choice_position,
                    value=choice_def["value"],
                    label=choice_def["label"],
                    is_none=choice_def.get("is_none", False),
                    translations={
                        language: {"label": question_def[language]["choices"][choice_def["value"]]}
                        for language in languages[1:]
                        if choice_def["value"] in question_def.get(language, {}).get("choices", {})
                    },
                )
                for choice_position, choice_def in enumerate(
                    question_def.get("choices", []), start=1
                )
            ]
            for choice_position, choice in enumerate(choices, start=1):
                try:
                    _full_clean(choice, exclude=["question"])
                except ValidationError as error:
                    problems.extend(
                        _refused(error, section.code, question.code, f"choices[{choice_position}].")
                    )
            questions.append((question, choices))
            if question_def.get("prediction") is True:
                questions.append(_prediction_of(question, choices, len(questions) + 1))
        sections.append((section, questions))
    if problems:
        raise QuestionnaireInvalid(problems)
    return Built(questionnaire=own, sections=sections)


def _prediction_of(
    question: Question, choices: list[Choice], position: int
) -> tuple[Question, list[Choice]]:
    """The companion question asking what the other side answered to `question` (unsaved, in
    the same section at `position`): the same kind, settings, options and texts (translations
    too), never required, with "don't know" offered. Its `predicts` is the question itself,
    saved first (`load` saves in order)."""
    companion = Question(
        **{
            f.attname: getattr(question, f.attname)
            for f in Question._meta.concrete_fields
            if f.name not in ("id", "section", "predicts")
        }
    )
    companion.position = position
    companion.code = prediction_code(question.code)
    companion.required = False
    companion.allow_unknown = True
    companion.translations = json.loads(json.dumps(question.translations))
    companion.predicts = question
    return companion, [
        Choice(
            position=choice.position,
            value=choice.value,
            label=choice.label,
            is_none=choice.is_none,
            translations=json.loads(json.dumps(choice.translations)),
        )
        for choice in choices
    ]


#: A question's columns that are not what it means: its place and identity in the database,
#: and the texts people read (`Question.TEXTS`, in `meta` too). Everything else (its code,
#: kind, settings, options, published figure, position) is its meaning. A target's `unit` is
#: both a text and part of what its numbers mean: it may be translated, but a change of the
#: unit itself needs a new version.
_NOT_MEANING = {"id", "section", "translations", "meta", "predicts"} | (
    {name for name in Question.TEXTS if "." not in name} - {"unit"}
)
_META_TEXTS = {name.split(".", 1)[1] for name in Question.TEXTS if "." in name}
#: Keys of `meta` that are not part of what a question means: its texts and its topic.
_META_NOT_MEANING = _META_TEXTS | {"topic"}


def _meaning(sections: list[tuple[Section, list[tuple[Question, list[Choice]]]]]) -> list:
    """What the answers to a questionnaire mean, without its texts: two versions with the same
    meaning score the same answers the same way. A prediction question is named by the code of
    the question it predicts (its stored `predicts_id` means nothing to a file)."""
    codes = {
        question.pk: question.code
        for _, questions in sections
        for question, _ in questions
        if question.pk is not None
    }
    return [
        (
            section.position,
            section.code,
            [
                (
                    [
                        (f.name, getattr(question, f.attname))
                        for f in Question._meta.concrete_fields
                        if f.name not in _NOT_MEANING
                    ],
                    {k: v for k, v in (question.meta or {}).items() if k not in _META_NOT_MEANING},
                    [(c.position, c.value, c.is_none) for c in choices],
                    _predicted_code(question, codes),
                )
                for question, choices in questions
            ],
        )
        for section, questions in sections
    ]


def _predicted_code(question: Question, codes: dict[int, str]) -> str | None:
    """The code of the question `question` predicts (None for an ordinary question), without a
    query: a stored one through its questionnaire's codes, a built one through its companion."""
    if question.predicts_id is not None:
        return codes.get(question.predicts_id, "?")
    if Question._meta.get_field("predicts").is_cached(question) and question.predicts:
        return question.predicts.code
    return None


def _stored(
    questionnaire: Questionnaire,
) -> list[tuple[Section, list[tuple[Question, list[Choice]]]]]:
    return [
        (
            section,
            [(question, list(question.choices.all())) for question in section.questions.all()],
        )
        for section in questionnaire.ordered_sections()
    ]


def _update_texts(stored: list, built: Built) -> None:
    """Write the built rows' texts into the stored ones (same meaning, same order)."""
    question_texts = [name for name in Question.TEXTS if "." not in name]
    sections, questions, choices = [], [], []
    for (section, stored_questions), (new_section, new_questions) in zip(
        stored, built.sections, strict=True
    ):
        for name in (*Section.TEXTS, "translations"):
            setattr(section, name, getattr(new_section, name))
        sections.append(section)
        for (question, stored_choices), (new_question, new_choices) in zip(
            stored_questions, new_questions, strict=True
        ):
            for name in (*question_texts, "meta", "translations"):
                setattr(question, name, getattr(new_question, name))
            questions.append(question)
            for choice, new_choice in zip(stored_choices, new_choices, strict=True):
                choice.label, choice.translations = new_choice.label, new_choice.translations
                choices.append(choice)
    Section.objects.bulk_update(sections, [*Section.TEXTS, "translations"])
    Question.objects.bulk_update(questions, [*question_texts, "meta", "translations"])
    Choice.objects.bulk_update(choices, ["label", "translations"])


@transaction.atomic
def load(path: Path = DEFAULT_QUESTIONNAIRE) -> tuple[Questionnaire, Outcome]:
    """Load the questionnaire version the file describes; returns it and what was done.

    Loading the same file twice changes nothing. A version with no responses yet is rebuilt
    from a changed file. One with responses is frozen: a file that changes only its texts
    (wording, translations: `Translatable.TEXTS`) updates them in place, since every answer
    keeps its meaning (choice values and numbers hold no text); any other change must bump
    the file's version (`QuestionnaireFrozen`). A file with problems (`check_definition`) is
    refused whole: `QuestionnaireInvalid`.
    """
    definition = read_definition(path)
    if problems := check_definition(definition):
        raise QuestionnaireInvalid(problems)
    digest = definition_digest(definition)
    existing = (
        Questionnaire.objects.select_for_update()
        .filter(slug=definition["slug"], version=definition["version"])
        .first()
    )
    if existing is not None and existing.source_digest == digest:
        # The same file as the version stored: nothing to build (building validates every
        # row against the database's constraints, a query each: most of a load's time).
        return existing, Outcome.UNCHANGED
    built = build(definition)
    if existing is not None and existing.is_frozen:
        stored = _stored(existing)
        if _meaning(stored) != _meaning(built.sections):
            raise QuestionnaireFrozen(
                f"{existing} already has responses and the file changes more than its texts: "
                "give the changed file a new version."
            )
        _update_texts(stored, built)
        _save_questionnaire(existing, built, digest)
        return existing, Outcome.TEXTS_UPDATED
    if existing is not None:
        existing.sections.all().delete()
        questionnaire = existing
        _save_questionnaire(questionnaire, built, digest)
    else:
        questionnaire = Questionnaire.objects.create(
            slug=definition["slug"],
            version=definition["version"],
            source_digest=digest,
            **built.questionnaire,
        )
    save_rows(questionnaire, built)
    return questionnaire, Outcome.REBUILT if existing is not None else Outcome.CREATED


def save_rows(questionnaire: Questionnaire, built: Built) -> None:
    """Save a built questionnaire's sections, questions and choices under `questionnaire` (in
    the caller's transaction): four inserts, whatever its size (the prediction questions after
    the questions they predict, which they refer to)."""
    sections = [section for section, _ in built.sections]
    for section in sections:
        section.questionnaire = questionnaire
    Section.objects.bulk_create(sections)
    questions, predictions = [], []
    for section, section_questions in built.sections:
        for question, _ in section_questions:
            question.section = section
            # No query: an unsaved question's `predicts` is the instance it was given, or None.
            (questions if question.predicts is None else predictions).append(question)
    Question.objects.bulk_create(questions)
    if predictions:
        Question.objects.bulk_create(predictions)
    choices = []
    for _, section_questions in built.sections:
        for question, question_choices in section_questions:
            for choice in question_choices:
                choice.question = question
                choices.append(choice)
    Choice.objects.bulk_create(choices)


def _save_questionnaire(questionnaire: Questionnaire, built: Built, digest: str) -> None:
    for name, value in built.questionnaire.items():
        setattr(questionnaire, name, value)
    questionnaire.source_digest = digest
    questionnaire.save()


def load_questionnaire(path: Path = DEFAULT_QUESTIONNAIRE) -> tuple[Questionnaire, bool]:
    """`load`, answering whether the version was created."""
    questionnaire, outcome = load(path)
    return questionnaire, outcome == Outcome.CREATED


def definition_digest(definition: dict[str, Any]) -> str:
    """A stable digest of a definition, to tell whether a file changed since it was loaded."""
    # The format is how the file is written, not what it says: a file that names format 1
    # is the same questionnaire as one written before files named their format.
    definition = {k: v for k, v in definition.items() if k != "format"}
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
