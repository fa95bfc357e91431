"""Reports reused per process while nothing they read changed (`dashboard_report.cached_report`):
every change to an answer, a participant or a coding must show on the next refresh."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from surveys.answering import save_answer, submit_response
from surveys.models import Answer, Response
from workshops.services import edit_participant, remove_participant

from ..factories import give_answers, question

pytestmark = pytest.mark.django_db


def dashboard(client, workshop, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(reverse("workshops:dashboard", args=[workshop.pk]) + f"?{query}")
    assert response.status_code == 200
    return response


def report(client, workshop, **params):
    return dashboard(client, workshop, **params).context["report"]


def row(report, code):
    return next(r for r in report.rows if r.item.code == code)


@pytest.fixture
def answered(cio, cmo):
    give_answers(cio, {"obj-channels": 5, "val-success": "Faster releases"})
    give_answers(cmo, {"obj-channels": 5})
    return cio, cmo


def test_an_unchanged_workshop_reuses_its_report(alice_client, bob, workshop, answered):
    first = report(alice_client, workshop)
    assert report(alice_client, workshop) is first
    assert report(client_for_bob(bob), workshop) is first  # any facilitator, same answers
    assert report(alice_client, workshop, submitted=1) is not first  # another question asked


def client_for_bob(bob):
    from ..conftest import client_for

    return client_for(bob)


def test_a_new_answer_changes_the_dashboard(alice_client, workshop, answered):
    cio, cmo = answered
    before = report(alice_client, workshop)
    assert row(before, "obj-engagement").b.answered == 0
    assert "Draft · 1 answered" in dashboard(alice_client, workshop).text
    give_answers(cmo, {"obj-engagement": 2})
    after = report(alice_client, workshop)
    assert after is not before
    assert row(after, "obj-engagement").b.answered == 1
    # The figures rendered once per report are rendered again: the live refresh shows it.
    refreshed = alice_client.get(
        reverse("workshops:dashboard", args=[workshop.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Draft · 2 answered" in refreshed.text
    assert "Draft · 1 answered" not in refreshed.text


def test_a_changed_answer_changes_the_dashboard(alice_client, workshop, answered):
    cio, cmo = answered
    before = report(alice_client, workshop)
    assert row(before, "obj-channels").label == "agree"
    stored = Answer.objects.get(response=cmo.participant.response, question__code="obj-channels")
    result = save_answer(
        cmo.participant.response,
        question("obj-channels"),
        value=1,
        is_unknown=False,
        base_revision=stored.revision,
    )
    assert result.status == "saved"
    after = report(alice_client, workshop)
    assert after is not before
    assert row(after, "obj-channels").label != "agree"


def test_a_changed_answer_with_the_same_change_time_still_shows(alice_client, workshop, answered):
    """Clocks of two app servers may disagree: the response's revision tells the change apart."""
    cio, cmo = answered
    response = cmo.participant.response
    stored = Answer.objects.get(response=response, question__code="obj-channels")
    report(alice_client, workshop)
    with mock.patch("django.utils.timezone.now", return_value=stored.updated_at):
        save_answer(response, question("obj-channels"), value=1, is_unknown=False, base_revision=1)
    assert Answer.objects.get(pk=stored.pk).updated_at == stored.updated_at
    assert row(report(alice_client, workshop), "obj-channels").label != "agree"


def test_a_deleted_answer_changes_the_dashboard(alice_client, workshop, answered):
    """Answers written outside answering (a data fix) are recounted, as the admin does."""
    cio, cmo = answered
    assert row(report(alice_client, workshop), "obj-channels").b.answered == 1
    response = cmo.participant.response
    Answer.objects.filter(response=response, question__code="obj-channels").delete()
    Response.objects.filter(pk=response.pk).recount_answers()
    assert row(report(alice_client, workshop), "obj-channels").b.answered == 0


def test_participant_changes_show(alice, alice_client, workshop, answered):
    cio, cmo = answered
    before = dashboard(alice_client, workshop)
    assert "Marcus Reyes" in before.text
    edit_participant(
        cmo.participant, actor=alice, name="Marcus Renamed", email="", role="cmo", side="marketing"
    )
    assert "Marcus Renamed" in dashboard(alice_client, workshop).text
    submit_response(cmo.participant.response)
    after = report(alice_client, workshop)
    assert after.b.people[0].is_submitted
    remove_participant(cmo.participant, actor=alice)
    assert all(p.name != "Marcus Renamed" for p in report(alice_client, workshop).answers.people)


def test_a_coding_changes_the_dashboard(alice_client, workshop, answered):
    cio, cmo = answered
    give_answers(cmo, {"val-success": "Customers love it"})
    before = report(alice_client, workshop)
    assert not row(before, "val-success").comparison.scored
    code_url = reverse("workshops:code_text", args=[workshop.pk, question("val-success").pk])
    posted = {"a": "role:cio", "b": "role:cmo", "verdict": "agree"}
    assert alice_client.post(code_url, posted).status_code == 302
    after = report(alice_client, workshop)
    assert row(after, "val-success").comparison.scored
    assert alice_client.post(code_url, {**posted, "verdict": ""}).status_code == 302
    assert not row(report(alice_client, workshop), "val-success").comparison.scored


def test_nothing_is_kept_before_anyone_has_a_response(alice_client, workshop, cio, cmo):
    assert report(alice_client, workshop) is not report(alice_client, workshop)


def test_an_answer_changed_in_the_admin_is_a_new_revision(alice_client, workshop, answered):
    from django.contrib.auth import get_user_model
    from django.test import Client

    cio, cmo = answered
    stored = Answer.objects.get(response=cmo.participant.response, question__code="obj-channels")
    assert row(report(alice_client, workshop), "obj-channels").label == "agree"
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", password="x" * 20))
    change_url = reverse("admin:surveys_answer_change", args=[stored.pk])
    posted = {
        "response": stored.response_id,
        "question": stored.question_id,
        "value": "1",
        "is_unknown": "",
    }
    assert admin.post(change_url, posted).status_code == 302
    stored_after = Answer.objects.get(pk=stored.pk)
    assert (stored_after.value, stored_after.revision) == (1, stored.revision + 1)
    assert stored_after.updated_at > stored.updated_at
    assert row(report(alice_client, workshop), "obj-channels").label != "agree"


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_comparison_reuses_its_questions_but_not_their_coding_forms(
    alice_client, bob, workshop, answered
):
    """Each question's HTML is kept with the report; a pair to code is rendered each time,
    since its form carries the CSRF token of whoever asked."""
    cio, cmo = answered
    give_answers(cmo, {"val-success": "Customers love it"})
    comparison_url = reverse("workshops:comparison", args=[workshop.pk])
    first = alice_client.get(comparison_url)
    kept = dict(first.context["report"]._rendered)
    assert len(kept) == len(first.context["rows"]) - 1  # all but the pair to code
    again = alice_client.get(comparison_url)
    assert again.context["report"]._rendered == kept
    assert _without_tokens(str(again.context["sections"])) == _without_tokens(
        str(first.context["sections"])
    )

    # Another facilitator gets the same questions, and a form with a token of their own.
    bob_client = Client(enforce_csrf_checks=True)
    bob_client.force_login(bob)
    page = bob_client.get(comparison_url).text
    form = page[page.index('id="q-val-success"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    code_url = reverse("workshops:code_text", args=[workshop.pk, question("val-success").pk])
    posted = {"a": "role:cio", "b": "role:cmo", "verdict": "agree", "csrfmiddlewaretoken": token}
    assert bob_client.post(code_url, posted).status_code == 302
