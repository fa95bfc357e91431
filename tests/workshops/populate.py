"""A workshop with answers to every question, for the tests of what leaves the app (exports,
the transfer file, the report, follow-ups): the demo's designed answers, in bulk."""

from __future__ import annotations

from django.utils import timezone

from surveys.models import Answer, Response, ResponseStatus
from workshops.demo import CIO_ANSWERS, CMO_ANSWERS, HEAD_MARKETING_ANSWERS
from workshops.models import Role, Workshop

from ..factories import invite, question


def populate(workshop: Workshop, participants: int = 3) -> None:
    """A CIO, a CMO and then heads of IT and marketing, all having answered everything; every
    third one (the first included) still in draft."""
    roles = [Role.CIO, Role.CMO] + [
        Role.HEAD_IT if i % 2 else Role.HEAD_MARKETING for i in range(participants - 2)
    ]
    answer_sets = [CIO_ANSWERS, CMO_ANSWERS, HEAD_MARKETING_ANSWERS]
    questions = {
        code: question(code, workshop.questionnaire) for code in {*CIO_ANSWERS, *CMO_ANSWERS}
    }
    answers = []
    for index, role in enumerate(roles):
        invitation = invite(workshop, f"Executive {index}", role)
        response = Response.objects.create(
            questionnaire=workshop.questionnaire,
            status=ResponseStatus.SUBMITTED if index % 3 else ResponseStatus.DRAFT,
            submitted_at=timezone.now() if index % 3 else None,
        )
        invitation.participant.response = response
        invitation.participant.save(update_fields=["response"])
        chosen = answer_sets[index % len(answer_sets)]
        answers += [
            Answer(response=response, question=questions[code], value=value)
            for code, value in chosen.items()
        ]
    Answer.objects.bulk_create(answers)
    Response.objects.filter(participant__workshop=workshop).recount_answers()
