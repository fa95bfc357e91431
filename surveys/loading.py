"""Load a questionnaire from its versioned data file (surveys/questionnaires/*.json)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from .models import Choice, Question, Questionnaire, Section

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
DEFAULT_QUESTIONNAIRE = QUESTIONNAIRE_DIR / "joint-mobile-strategy.v2.json"

_QUESTION_FIELDS = {
    "kind",
    "prompt",
    "help_text",
    "required",
    "allow_unknown",
    "importance",
    "scale_min",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
    "unit",
    "min_value",
    "max_value",
    "tolerance",
    "absolute_tolerance",
    "higher_is_ambitious",
    "rank_limit",
    "max_length",
    "partial_credit",
    "benchmark",
    "meta",
    "discussion_prompt",
}


class QuestionnaireFrozen(Exception):
    """The file changes a questionnaire version that already has responses."""


def read_definition(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_questionnaire(path: Path = DEFAULT_QUESTIONNAIRE) -> tuple[Questionnaire, bool]:
    """Create the questionnaire version the file describes; returns (questionnaire, created).

    Loading the same file twice changes nothing. A version with no responses yet is rebuilt
    from the file; one with responses is frozen, and a changed file must bump its version.
    """
    definition = read_definition(path)
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
            question.full_clean(exclude=["section"])
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
