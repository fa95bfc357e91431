"""Plain factory functions for tests: a facilitator, a workshop, an invited executive."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from surveys.loading import V2_QUESTIONNAIRE, load_questionnaire
from surveys.models import Answer, Question, Questionnaire, Response, ResponseStatus
from workshops.models import Organisation, Role, Workshop, WorkshopStatus
from workshops.services import Invitation, add_participant, create_workshop

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


def default_questionnaire() -> Questionnaire:
    """Version 2, which the tests of the engine and the dashboard are written against (its
    codes and figures); version 3, the default for new workshops, has its own tests."""
    return load_questionnaire(V2_QUESTIONNAIRE)[0]


#: The questionnaire file the perception test questionnaire is made from.
V2 = V2_QUESTIONNAIRE
#: The questions the perception test questionnaire asks predictions for: one of each scored kind.
PREDICTED = {
    "wow-security-flex": "scale",
    "own-apps-should": "single",
    "val-tangible": "multi",
    "obj-ranking": "ranking",
    "kpi-conversion": "numeric",
    "aud-budget-split": "allocation",
}


def perception_definition() -> dict[str, Any]:
    """A test questionnaire for the perception engine (not the v3 content): version 2 of the
    default questionnaire with a prediction on one question of each scored kind (`PREDICTED`)
    and its importance scales ("Not important" ... "Critically important") declared unipolar."""
    definition = json.loads(V2.read_text(encoding="utf-8"))
    definition["slug"] = "perception-test"
    for section in definition["sections"]:
        for q in section["questions"]:
            if q["code"] in PREDICTED:
                q["prediction"] = True
            if q.get("scale_max_label") == "Critically important":
                q["polarity"] = "unipolar"
    return definition


def perception_questionnaire() -> Questionnaire:
    """`perception_definition()` loaded (again: loading it twice changes nothing)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "perception-test.json"
        path.write_text(json.dumps(perception_definition()), encoding="utf-8")
        return load_questionnaire(path)[0]


def make_facilitator(username: str, **fields: Any) -> AbstractBaseUser:
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", **fields
    )


def make_workshop(
    owner: AbstractBaseUser,
    *,
    title: str = "Mobile strategy 2027",
    organisation: str = "Acme Retail",
    co_facilitators: tuple[AbstractBaseUser, ...] = (),
    status: str = WorkshopStatus.COLLECTING,
    questionnaire: Questionnaire | None = None,
) -> Workshop:
    workshop = create_workshop(
        title=title,
        organisation=Organisation.objects.create(name=organisation),
        owner=owner,
        questionnaire=questionnaire or default_questionnaire(),
        status=status,
    )
    workshop.co_facilitators.add(*co_facilitators)
    return workshop


def invite(workshop: Workshop, name: str = "Dana Whitfield", role: str = Role.CIO) -> Invitation:
    return add_participant(
        workshop=workshop, name=name, role=role, email=f"{name.split()[0].lower()}@example.com"
    )


def worker(*, max_tasks: int | None = None) -> Worker:
    """The worker `manage.py db_worker --batch` runs, without its signal handlers (it may run
    in a thread): it takes every task that is due, then stops."""
    return Worker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="tests",
    )


def run_queued_tasks() -> int:
    """Run the queued tasks that are due through the real worker; returns how many ran.

    Inside a test's transaction (the `db` fixture) the worker's `close_old_connections()`
    would close the connection the test's uncommitted rows live on: it is left out there, as
    Django's test client leaves it out of each request. Transactional tests keep it.
    """
    batch = worker()
    if connection.in_atomic_block:
        with mock.patch.object(db_worker, "close_old_connections"):
            batch.run()
    else:
        batch.run()
    return batch._run_tasks


def sent_mail() -> list[EmailMessage]:
    """The emails sent so far, once the worker has sent what was queued."""
    run_queued_tasks()
    return mail.outbox


def question(code: str, questionnaire: Questionnaire | None = None) -> Question:
    questionnaire = questionnaire or default_questionnaire()
    return Question.objects.get(section__questionnaire=questionnaire, code=code)


def give_answers(
    invitation: Invitation, answers: dict[str, Any], *, submitted: bool = False
) -> Response:
    """Store answers by question code directly (for tests of what is shown, not of answering)."""
    participant = invitation.participant
    if participant.response is None:
        participant.response = Response.objects.create(
            questionnaire=participant.workshop.questionnaire
        )
        participant.save(update_fields=["response"])
    response = participant.response
    questionnaire = response.questionnaire
    from django.db.models import F
    from django.utils import timezone

    for code, value in answers.items():
        stored = {"value": value, "is_unknown": value is None, "updated_at": timezone.now()}
        Answer.objects.update_or_create(  # a change is a new revision, as in save_answer
            response=response,
            question=question(code, questionnaire),
            defaults={**stored, "revision": F("revision") + 1},
            create_defaults=stored,
        )
    # What answering stores beside the answers (the count, the change time), as it would.
    Response.objects.filter(pk=response.pk).recount_answers()
    response.refresh_from_db(fields=["answered_count", "updated_at"])
    if submitted:
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = timezone.now()
        response.save(update_fields=["status", "submitted_at"])
    return response


def emailed(*invitations: Invitation) -> None:
    """Mark each one's current link as emailed (as an invitation sent earlier would have)."""
    from django.db.models import F

    from workshops.models import Participant

    Participant.objects.filter(pk__in=[i.participant.pk for i in invitations]).update(
        invited_at=F("token_created_at")
    )
