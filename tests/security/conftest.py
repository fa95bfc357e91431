"""The cast as the security suite sees it: one Client per kind of user, and the ids for URLs."""

from __future__ import annotations

import pytest
from django.test import Client

from surveys.builder import copy_questionnaire

from ..conftest import client_for
from ..factories import question
from .routes import Cast


@pytest.fixture
def cast(workshop, cio, cmo, outsider, alice, bob) -> Cast:
    draft = copy_questionnaire(workshop.questionnaire, actor=alice)
    draft.shared_with.add(bob)
    return Cast(
        workshop_pk=workshop.pk,
        participant_pk=cio.participant.pk,
        question_pk=question("obj-channels", workshop.questionnaire).pk,
        token=cio.token,
        questionnaire_pk=draft.pk,
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
