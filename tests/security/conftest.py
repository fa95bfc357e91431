"""The cast as the security suite sees it: one Client per kind of user, and the ids for URLs."""

from __future__ import annotations

import pytest
from django.test import Client

from surveys import builder
from surveys.models import Question

from ..conftest import client_for
from ..factories import question
from .routes import Cast


@pytest.fixture
def cast(workshop, cio, cmo, outsider, alice, bob) -> Cast:
    draft = builder.create_questionnaire(owner=alice, title="Alice's questionnaire")
    draft.shared_with.add(bob)
    section = builder.save_section(
        questionnaire=draft,
        section=None,
        title="Goals",
        intro="",
        translations={},
        revision=None,
        actor=alice,
    )
    own_question = Question.objects.create(
        section=section, position=1, code="goal", kind="scale", prompt="How important?"
    )
    return Cast(
        workshop_pk=workshop.pk,
        participant_pk=cio.participant.pk,
        question_pk=question("obj-channels", workshop.questionnaire).pk,
        token=cio.token,
        extra={
            "questionnaire_pk": draft.pk,
            "section_pk": section.pk,
            "builder_question_pk": own_question.pk,
        },
    )


def _participant_client(invitation) -> Client:
    client = Client()
    opened = client.get(invitation.path)
    assert opened.status_code == 302, "the personal link should open a session"
    return client


@pytest.fixture
def clients(alice, bob, charlie, cio, cmo, outsider) -> dict[str, Client]:
    """Who knocks: facilitators logged in, executives through their own link, and no one."""
    return {
        "anonymous": Client(),
        "alice": client_for(alice),
        "bob": client_for(bob),
        "charlie": client_for(charlie),
        "cio": _participant_client(cio),
        "cmo": _participant_client(cmo),
        "outsider": _participant_client(outsider),
    }
