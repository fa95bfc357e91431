"""The run-sheet and the outcome pages through the client: recording, bad input, conflicts,
sign-off, sharing, and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, Response, ResponseStatus
from workshops.demo import CEO_ANSWERS, CIO_ANSWERS, CMO_ANSWERS, HEAD_MARKETING_ANSWERS
from workshops.models import (
    Action,
    AgreedOwnership,
    AuditEvent,
    Decision,
    DecisionState,
    Role,
    SharedKpi,
    SignOff,
    Workshop,
)

from ..factories import give_answers, invite, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    return workshop


def _url(workshop: Workshop, name: str, *args) -> str:
    return reverse(f"workshops:{name}", args=[workshop.pk, *args])


def test_run_sheet_lists_blocks_that_add_up_to_the_session(alice_client, answered):
    response = alice_client.get(_url(answered, "run_sheet"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Opening and reveal" in page
    assert "Agreements to confirm" in page
    assert "Customer growth or internal efficiency" in page
    assert "Owners and next steps" in page
    assert "90 minutes planned" in page
    assert "Decision wanted" in page
