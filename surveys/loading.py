"""Load a questionnaire from its versioned data file (surveys/questionnaires/*.json)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from .kinds import KINDS
from .kinds.base import COMMON_FIELDS
from .models import Choice, Question, Questionnaire, Section

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
DEFAULT_QUESTIONNAIRE = QUESTIONNAIRE_DIR / "joint-mobile-strategy.v2.json"

#: What a question's definition may set on the question: the settings of every kind.
_QUESTION_FIELDS = (COMMON_FIELDS | frozenset().union(*(k.fields for k in KINDS.values()))) - {
    "code",
    "choices",
}


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


def check_definition(definition: dict[str, Any]) -> list[str]:
    """Every problem of a questionnaire file, each naming where it is (the section, the
    question and the field): what the file must name, an unknown kind, a setting that is not
    the kind's, and each of the kind's settings that is wrong (`BaseKind.check`). Empty when
    the file can load."""
    problems = []
    missing = gettext("is missing.")
    for name in ("slug", "title"):
        if not _is_text(definition.get(name)):
            problems.append(
                gettext("Field “%(field)s”: %(problem)s") % {"field": name, "problem": missing}
            )
    if not isinstance(definition.get("version"), int) or definition["version"] < 1:
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
    for section_position, section in enumerate(sections, start=1):
        section_code = f"#{section_position}"
        if isinstance(section, dict) and _is_text(section.get("code")):
            section_code = section["code"]
        questions = section.get("questions") if isinstance(section, dict) else None
        for name in ("code", "title"):
            if not (isinstance(section, dict) and _is_text(section.get(name))):
                problems.append(
                    gettext("Section “%(section)s”, field “%(field)s”: %(problem)s")
                    % {"section": section_code, "field": name, "problem": missing}
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
            problems.extend(
                _where(section_code, code, problem.field, problem.message)
                for problem in KINDS[kind].check(question)
            )
    return problems


def read_definition(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_questionnaire(path: Path = DEFAULT_QUESTIONNAIRE) -> tuple[Questionnaire, bool]:
    """Create the questionnaire version the file describes; returns (questionnaire, created).

    Loading the same file twice changes nothing. A version with no responses yet is rebuilt
    from the file; one with responses is frozen, and a changed file must bump its version.
    A file with problems (`check_definition`) is refused whole: QuestionnaireInvalid.
    """
    definition = read_definition(path)
    if problems := check_definition(definition):
        raise QuestionnaireInvalid(problems)
    digest = definition_digest(definition)
    existing = Questionnaire.objects.filter(
        slug=definition["slug"], version=definition["version"]
    ).first()
    if existing is not None:
        if existing.source_digest == digest:
            return existing, False
        if existing.is_frozen:
            raise QuestionnaireFrozen(
                f"{existing} already has responses: give the changed file a new version."
            )
        existing.sections.all().delete()
        questionnaire = existing
        questionnaire.title = definition["title"]
        questionnaire.description = definition.get("description", "")
        questionnaire.source_digest = digest
        questionnaire.save()
    else:
        questionnaire = Questionnaire.objects.create(
            slug=definition["slug"],
            version=definition["version"],
            title=definition["title"],
            description=definition.get("description", ""),
            source_digest=digest,
        )
    for section_position, section_def in enumerate(definition["sections"], start=1):
        section = Section.objects.create(
            questionnaire=questionnaire,
            position=section_position,
            code=section_def["code"],
            title=section_def["title"],
            intro=section_def.get("intro", ""),
        )
        for question_position, question_def in enumerate(section_def["questions"], start=1):
            attributes = {k: v for k, v in question_def.items() if k in _QUESTION_FIELDS}
            for key in ("help_text", "unit", "scale_min_label", "scale_max_label"):
                if attributes.get(key) is None:
                    attributes.pop(key, None)
            question = Question(
                section=section, position=question_position, code=question_def["code"], **attributes
            )
            try:
                question.full_clean(exclude=["section"])
            except ValidationError as error:
                raise QuestionnaireInvalid(
                    [
                        _where(section.code, question.code, field, " ".join(messages))
                        for field, messages in error.message_dict.items()
                    ]
                ) from error
            question.save()
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    position=choice_position,
                    value=choice_def["value"],
                    label=choice_def["label"],
                    is_none=choice_def.get("is_none", False),
                )
                for choice_position, choice_def in enumerate(
                    question_def.get("choices", []), start=1
                )
            )
    return questionnaire, existing is None


def definition_digest(definition: dict[str, Any]) -> str:
    """A stable digest of a definition, to tell whether a file changed since it was loaded."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
