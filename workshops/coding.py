"""The facilitator's coding of free-text pairs (CONSENSUS.md): read, record, and clear.

Free text is never scored by formula. Reading two executives' answers side by side, the
facilitator may code the pair agree, partly or differ; from then on it counts (1, 0.5, 0) in
the section and overall alignment, always flagged as facilitator-coded. Each coding is recorded
in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.kinds import kind_for
from surveys.models import Question

from .audit import prompts_of
from .models import AuditEvent, CodingVerdict, TextCoding, Workshop


@dataclass(frozen=True, slots=True)
class Coding:
    """A coding as the report shows it."""

    verdict: str
    coded_by: str
    coded_at: datetime


class SameGroupTwice(ValueError):
    """A pair of one group with itself: its text would be coded as agreeing with itself."""

    message = _(
        "A group cannot be coded against itself: compare two different roles or sides, then "
        "code their pair."
    )

    def __init__(self) -> None:
        super().__init__(str(self.message))


def pair_key(a: str, b: str) -> str:
    """The two groups' keys in a fixed order: CIO vs CMO and CMO vs CIO share one coding."""
    return "|".join(sorted((a, b)))


def codings_for(workshop: Workshop, a: str, b: str) -> dict[int, Coding]:
    """The pair's codings by question id, in one query."""
    rows = TextCoding.objects.filter(workshop=workshop, pair=pair_key(a, b)).values_list(
        "question_id", "verdict", "coded_by__first_name", "coded_by__username", "coded_at"
    )
    return {
        question_id: Coding(verdict, first_name or username or "a facilitator", coded_at)
        for question_id, verdict, first_name, username, coded_at in rows
    }


@transaction.atomic
def code_text_pair(
    *,
    workshop: Workshop,
    question: Question,
    a: str,
    b: str,
    verdict: str,
    actor: AbstractBaseUser,
) -> TextCoding | None:
    """Record (or, with an empty verdict, clear) the facilitator's coding of a free-text pair.

    Raises SameGroupTwice for a group paired with itself (the database refuses it too).
    """
    if not kind_for(question).coded:
        raise ValueError("only free-text answers are coded by the facilitator")
    if a == b:
        raise SameGroupTwice
    pair = pair_key(a, b)
    existing = TextCoding.objects.select_for_update().filter(
        workshop=workshop, question=question, pair=pair
    )
    if not verdict:
        existing.delete()
        coding = None
    else:
        coding = existing.first() or TextCoding(workshop=workshop, question=question, pair=pair)
        coding.verdict = CodingVerdict(verdict)
        coding.coded_by = actor
        coding.coded_at = timezone.now()
        coding.full_clean()
        coding.save()
    AuditEvent.objects.create(
        workshop=workshop,
        actor=actor,
        action="code_text",
        params={
            "code": question.code,
            "prompts": prompts_of(question),
            "pair": [a, b],
            "verdict": verdict if coding is not None else "",
        },
    )
    return coding
