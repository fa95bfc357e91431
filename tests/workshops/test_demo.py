"""`make run`'s demo: one workshop however often it runs, with working links each time."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from workshops.models import AuditEvent, Workshop

pytestmark = pytest.mark.django_db


def run_seed(*args: str) -> str:
    out = StringIO()
    with override_settings(DEBUG=True):  # as `make run` runs it
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_refuses_with_debug_off_unless_told(questionnaire):
    """The demo login's password is published: not on a production server by accident."""
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert not Workshop.objects.exists()
    call_command("seed_demo", "--with-published-password", stdout=StringIO())
    assert Workshop.objects.count() == 1


def test_seed_demo_is_idempotent_and_prints_working_links(questionnaire):
    first = run_seed()
    events = AuditEvent.objects.count()
    second = run_seed()
    assert Workshop.objects.count() == 1
    assert "facilitator / common-ground-demo" in second
    assert AuditEvent.objects.count() == events  # refreshing links is not audited
    old_links = re.findall(r"/p/[\w-]+/", first)
    new_links = re.findall(r"/p/[\w-]+/", second)
    assert len(new_links) == 6
    assert Client().get(old_links[0]).status_code == 404
    assert Client().get(new_links[0]).status_code == 302
    login = Client().post(
        "/accounts/login/", {"username": "facilitator", "password": "common-ground-demo"}
    )
    assert login.status_code == 302


def test_the_demo_answers_are_counted_where_the_board_reads_them(questionnaire):
    from surveys.models import Response

    run_seed()
    responses = Response.objects.all()
    assert responses and all(r.answered_count == r.count_answered() > 0 for r in responses)


def test_make_runs_demo_is_on_v3_with_predictions_and_a_dispute_about_today(db):
    """`make run` loads the default questionnaire, version 3, and the demo answers it: the new
    questions, the predictions of what the other side answered, and a "today" row where each
    side names itself (a disagreement about the facts)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from surveys.loading import DEFAULT_QUESTIONNAIRE, load_questionnaire
    from surveys.models import Answer

    from ..conftest import client_for

    questionnaire, _ = load_questionnaire(DEFAULT_QUESTIONNAIRE)
    run_seed()
    workshop = Workshop.objects.get()
    assert workshop.questionnaire == questionnaire
    answers = Answer.objects.filter(response__participant__workshop=workshop)
    assert answers.filter(question__code="owner-budget-today").count() >= 2
    assert answers.filter(question__predicts__isnull=False).count() >= 14
    assert not answers.filter(question__code="own-strategy-should").exists()  # a v2 code
    ceo = workshop.participants.get(role="ceo").response
    assert ceo.answered_count == 13
    client = client_for(get_user_model().objects.get(username="facilitator"))
    html = client.get(reverse("workshops:dashboard", args=[workshop.pk])).content.decode()
    assert "Each says their own side owns it today: a disagreement about the facts" in html
    assert "Netbiscuits 2013, as reported" in html
