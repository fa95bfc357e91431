"""The admin, for support staff: every model listed and searchable; frozen questions read-only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from surveys.builder import create_questionnaire
from surveys.models import Question, QuestionKind, Response
from workshops.coding import code_text_pair
from workshops.models import AuditEvent, FacilitatorProfile, ParticipantAddition, Workshop
from workshops.services import email_new_link, regenerate_link

from ..conftest import client_for
from ..factories import give_answers, question

pytestmark = pytest.mark.django_db

#: Every model of our two apps: a new model fails here until it has an admin.
MODELS = [
    model for label in ("surveys", "workshops") for model in apps.get_app_config(label).get_models()
]


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


def test_every_model_is_registered():
    for model in MODELS:
        assert admin.site.is_registered(model), model


def test_every_list_search_and_change_page_opens(staff_client, workshop, cio, alice):
    give_answers(cio, {"obj-channels": 3}, submitted=True)
    regenerate_link(cio.participant, actor=None)  # a replaced link
    Client().get("/p/a-link-that-matches-nobody/")  # a miss counted against an address
    email_new_link(cio.participant, actor=alice)  # an email waiting to be sent
    ParticipantAddition.objects.create(
        workshop=workshop, form_key="k3y", participant=cio.participant
    )
    FacilitatorProfile.choose(alice, "de")  # a facilitator's language setting
    text = Question.objects.filter(kind=QuestionKind.TEXT).first()
    code_text_pair(
        workshop=workshop, question=text, a="role:cio", b="role:cmo", verdict="agree", actor=alice
    )
    _record_an_outcome(workshop, cio, alice)
    create_questionnaire(owner=alice, title="Acme's questionnaire")  # a builder change
    for model in MODELS:
        assert staff_client.get(admin_url(model)).status_code == 200, model
        assert staff_client.get(admin_url(model), {"q": "acme"}).status_code == 200, model
        obj = model.objects.first()
        assert staff_client.get(admin_url(model, "change", obj.pk)).status_code == 200, model


def test_the_workshop_page_lists_its_participants_inline(staff_client, workshop, cio):
    page = staff_client.get(admin_url(Workshop, "change", workshop.pk))
    assert "Dana Whitfield" in page.text


def test_questions_of_a_frozen_questionnaire_are_read_only(staff_client, cio):
    channels = question("obj-channels")
    give_answers(cio, {"obj-channels": 3})
    page = staff_client.get(admin_url(Question, "change", channels.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    refused = staff_client.post(admin_url(Question, "change", channels.pk), {"prompt": "Changed"})
    assert refused.status_code == 403
    channels.refresh_from_db()
    assert channels.prompt != "Changed"
    assert staff_client.post(admin_url(Question, "delete", channels.pk)).status_code == 403


def test_questions_of_an_unused_questionnaire_can_be_edited(staff_client, questionnaire):
    page = staff_client.get(admin_url(Question, "change", question("obj-channels").pk))
    assert 'name="_save"' in page.text


def test_the_audit_trail_cannot_be_changed(staff_client, workshop):
    event = AuditEvent.objects.filter(workshop=workshop).first()
    assert 'name="_save"' not in staff_client.get(admin_url(AuditEvent, "change", event.pk)).text
    assert staff_client.get(admin_url(AuditEvent, "add")).status_code == 403


def test_facilitators_are_not_staff(alice_client):
    response = alice_client.get(admin_url(Workshop))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_answer_changed_or_deleted_here_moves_its_responses_stored_count(staff_client, cio):
    """The board and the home read `Response.answered_count`: a support fix keeps it exact."""
    from surveys.models import Answer

    response = give_answers(cio, {"obj-channels": 3, "obj-engagement": 4})
    assert Response.objects.get(pk=response.pk).answered_count == 2
    answer = Answer.objects.get(response=response, question=question("obj-channels"))
    changed = staff_client.post(
        admin_url(Answer, "change", answer.pk),
        {"response": response.pk, "question": answer.question_id, "value": "null"},
    )
    assert changed.status_code == 302
    assert Response.objects.get(pk=response.pk).answered_count == 1
    other = Answer.objects.get(response=response, question=question("obj-engagement"))
    deleted = staff_client.post(admin_url(Answer, "delete", other.pk), {"post": "yes"})
    assert deleted.status_code == 302
    assert Response.objects.get(pk=response.pk).answered_count == 0


def _record_an_outcome(workshop, cio, alice) -> None:
    """One row of each of the session's outcome models (recorded on the session's pages)."""
    from workshops.outcome import (
        save_action,
        save_decision,
        save_kpi,
        save_notes,
        save_ownership,
        save_run_sheet,
        sign_off,
    )
    from workshops.runsheet import BlockChoice

    common = {"workshop": workshop, "base_revision": None, "actor": alice}
    save_decision(question=question("aud-split"), state="agreed", position=None, note="", **common)
    letters = {"cio": "R", "cmo": "A", "joint": "", "other": ""}
    save_ownership(area="apps", area_label="Apps", letters=letters, other_label="", **common)
    save_kpi(kpi=None, values={"name": "Conversion"}, **common)
    save_action(
        action=None,
        what="Brief",
        owner_participant=cio.participant,
        owner_name="",
        due_on=None,
        **common,
    )
    save_notes(biases="Budget", parking_lot="", **common)
    save_run_sheet(
        minutes=90,
        blocks=[BlockChoice("opening", "opening")],
        change={"change": "length", "block": ""},
        **common,
    )
    sign_off(workshop=workshop, signed_by="Priya, CEO", actor=alice)
