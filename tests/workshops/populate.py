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
        # Each their own address, as the participant form requires.
        invitation.participant.email = f"executive{index}@example.com"
        invitation.participant.save(update_fields=["response", "email"])
        chosen = answer_sets[index % len(answer_sets)]
        answers += [
            Answer(response=response, question=questions[code], value=value)
            for code, value in chosen.items()
        ]
    Answer.objects.bulk_create(answers)
    Response.objects.filter(participant__workshop=workshop).recount_answers()


def record_outcome(workshop: Workshop, actor, *, signed: bool = True) -> None:
    """A recorded outcome: a decision with its position in the question's terms (2.5 seconds),
    an agreed RACI, a shared KPI, two actions (one done, one whose text would be a formula in a
    spreadsheet), the notes and, unless `signed` is False, the sign-off."""
    from datetime import date

    from workshops.outcome import (
        save_action,
        save_decision,
        save_kpi,
        save_notes,
        save_ownership,
        sign_off,
    )

    save_decision(
        workshop=workshop,
        question=question("kpi-load-time", workshop.questionnaire),
        state="agreed",
        position=2.5,
        note="Agreed on load time",
        base_revision=None,
        actor=actor,
    )
    save_ownership(
        workshop=workshop,
        area="apps",
        area_label="Mobile apps",
        letters={"cio": "R", "cmo": "A", "joint": "", "other": ""},
        other_label="",
        base_revision=None,
        actor=actor,
    )
    save_kpi(
        workshop=workshop,
        kpi=None,
        values={
            "name": "Checkout conversion",
            "unit": "%",
            "current_value": 2.0,
            "target": 3.5,
            "owner": "Dana CMO",
            "deadline": date(2026, 6, 30),
            "review_on": date(2026, 3, 31),
        },
        base_revision=None,
        actor=actor,
    )
    save_action(
        workshop=workshop,
        action=None,
        what="Draft the app brief",
        owner_participant=None,
        owner_name="Sam Lee",
        due_on=date(2026, 2, 1),
        status="done",
        base_revision=None,
        actor=actor,
    )
    save_action(
        workshop=workshop,
        action=None,
        what='=HYPERLINK("http://evil")',
        owner_participant=None,
        owner_name="Kim Poe",
        due_on=None,
        base_revision=None,
        actor=actor,
    )
    save_notes(
        workshop=workshop,
        biases="Budget frozen until Q3",
        parking_lot="Wearables",
        base_revision=None,
        actor=actor,
    )
    if signed:
        sign_off(workshop=workshop, signed_by="Ruth Board, CEO", actor=actor)
