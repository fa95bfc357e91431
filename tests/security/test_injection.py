"""Script injection: what people type (titles, client names, people's names, free-text answers)
is shown escaped on every page that renders it, never as markup."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from surveys import builder
from surveys.models import Question, QuestionKind
from workshops.models import Organisation, Role, Workshop
from workshops.services import add_participant, create_workshop

from ..conftest import client_for
from ..factories import sent_mail
from .routes import Cast, routes_in

pytestmark = pytest.mark.django_db

# One payload per field, so a page that renders a field raw names itself in the failure.
PAYLOADS = {
    "workshop title": '<script>alert("title")</script>',
    "organisation": '"><img src=x onerror=alert("org")>',
    "participant name": "<svg onload=alert('name')>",
    "facilitator name": "<script>alert('facilitator')</script>",
    "free-text answer": '</textarea><script>alert("answer")</script>',
    "second free-text answer": '"><img src=x onerror=alert("answer2")>',
}


@pytest.fixture
def hostile(alice, questionnaire):
    """Alice's workshop where every typed text is an injection attempt, with answers given."""
    alice.first_name = PAYLOADS["facilitator name"]
    alice.save(update_fields=["first_name"])
    workshop = create_workshop(
        title=PAYLOADS["workshop title"],
        organisation=Organisation.objects.create(name=PAYLOADS["organisation"], created_by=alice),
        owner=alice,
        questionnaire=questionnaire,
        status="collecting",
    )
    invitation = add_participant(
        workshop=workshop,
        name=PAYLOADS["participant name"],
        role=Role.CIO,
        email="cio@example.com",
        actor=alice,
    )
    executive = Client()
    executive.get(invitation.path)
    texts = Question.objects.filter(
        section__questionnaire=questionnaire, kind=QuestionKind.TEXT
    ).order_by("section__position", "position")
    autosaves = []
    for question, key in zip(texts, ["free-text answer", "second free-text answer"], strict=True):
        url = reverse("workshops:respond_autosave", args=[invitation.participant.pk, question.pk])
        response = executive.post(url, {f"q{question.pk}": PAYLOADS[key]})
        assert "Saved" in response.text
        autosaves.append(response)
    # Alice's questionnaire in the builder, typed with the same attempts.
    draft = builder.create_questionnaire(owner=alice, title=PAYLOADS["workshop title"])
    section = builder.save_section(
        questionnaire=draft,
        section=None,
        title=PAYLOADS["organisation"],
        intro=PAYLOADS["participant name"],
        translations={},
        revision=None,
        actor=alice,
    )
    typed = Question.objects.create(
        section=section, position=1, code="typed", kind="text", prompt=PAYLOADS["workshop title"]
    )
    cast = Cast(
        workshop_pk=workshop.pk,
        participant_pk=invitation.participant.pk,
        question_pk=texts[0].pk,
        token=invitation.token,
        extra={
            "questionnaire_pk": draft.pk,
            "section_pk": section.pk,
            "builder_question_pk": typed.pk,
        },
    )
    return cast, executive, autosaves, workshop


def _pages(hostile, alice) -> dict[str, str]:
    cast, executive, autosaves, workshop = hostile
    facilitator = client_for(alice)
    bodies = {f"autosave #{n}": r.text for n, r in enumerate(autosaves, start=1)}
    # Results shown to participants exist only once revealed and shared.
    Workshop.objects.filter(pk=workshop.pk).update(
        revealed_at=timezone.now(), results_visible_to_participants=True
    )
    for client, area in [(facilitator, "facilitator"), (executive, "participant")]:
        for route in routes_in(area):
            if route.name == "workshops:open_link":
                continue
            url = route.url(cast)
            response = client.get(url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                bodies[f"{route.name} {url}"] = response.content.decode()
    return bodies


def test_typed_text_is_never_rendered_as_markup(hostile, alice):
    bodies = _pages(hostile, alice)
    assert len(bodies) > 5
    _assert_escaped_everywhere_and_shown(bodies, PAYLOADS)


def _assert_escaped_everywhere_and_shown(bodies: dict[str, str], payloads: dict[str, str]) -> None:
    """No payload appears raw on any page, and each appears (escaped) on some page, so that the
    first check is not vacuous."""
    raw = [
        f"{field} unescaped on {page}"
        for page, body in bodies.items()
        for field, payload in payloads.items()
        if payload in body
    ]
    assert not raw, "\n".join(raw)
    shown = {
        field
        for field, payload in payloads.items()
        if any(escape(payload) in body for body in bodies.values())
    }
    assert shown == set(payloads), f"never shown: {set(payloads) - shown}"


def test_invitation_emails_escape_typed_text(hostile, alice):
    cast, *_ = hostile
    facilitator = client_for(alice)
    url = reverse("workshops:participant_invite", args=[cast.workshop_pk, cast.participant_pk])
    facilitator.post(url)
    assert sent_mail(), "the invitation was not sent: the check below would be vacuous"
    for message in mail.outbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if "html" in mimetype:
                for field, payload in PAYLOADS.items():
                    assert payload not in content, f"{field} unescaped in an HTML email"


#: The session's outcome, typed in the room: one payload a field.
OUTCOME_PAYLOADS = {
    "kpi name": "<script>alert('kpi')</script>",
    "kpi owner": '"><img src=x onerror=alert("owner")>',
    "action": "<iframe src=javascript:alert('action')>",
    "action owner": "<svg onload=alert('who')>",
    "decision note": "</p><script>alert('note')</script>",
    "biases": "<style>body{background:url(http://evil.example/x)}</style>",
    "signed by": "<img src=file:///etc/passwd>",
}


def test_the_outcome_s_typed_text_is_escaped_in_the_report_and_on_the_client_page(hostile, alice):
    """What the report, the executives' "What we agreed", the client's page and "then and
    now" show of the outcome (KPIs, actions, decisions, notes, sign-off), escaped."""
    from workshops.followup import run_again
    from workshops.outcome_models import Action, Decision, OutcomeNotes, SharedKpi, SignOff

    from ..workshops.populate import record_outcome

    cast, executive, _, workshop = hostile
    record_outcome(workshop, alice)
    SharedKpi.objects.filter(workshop=workshop).update(
        name=OUTCOME_PAYLOADS["kpi name"], owner=OUTCOME_PAYLOADS["kpi owner"]
    )
    Action.objects.filter(workshop=workshop).update(
        what=OUTCOME_PAYLOADS["action"],
        owner_participant=None,
        owner_name=OUTCOME_PAYLOADS["action owner"],
    )
    Decision.objects.filter(workshop=workshop).update(note=OUTCOME_PAYLOADS["decision note"])
    OutcomeNotes.objects.filter(workshop=workshop).update(biases=OUTCOME_PAYLOADS["biases"])
    SignOff.objects.filter(workshop=workshop).update(signed_by=OUTCOME_PAYLOADS["signed by"])
    Workshop.objects.filter(pk=workshop.pk).update(
        revealed_at=timezone.now(), results_visible_to_participants=True
    )
    follow_up = run_again(
        workshop, actor=alice, title="Again", questionnaire=workshop.questionnaire
    )
    facilitator = client_for(alice)
    urls = [
        (facilitator, reverse("workshops:report", args=[workshop.pk])),
        (facilitator, reverse("workshops:client", args=[workshop.organisation_id])),
        (facilitator, reverse("workshops:then_and_now", args=[follow_up.pk])),
        (executive, reverse("workshops:respond_agreed", args=[cast.participant_pk])),
    ]
    bodies = {}
    for client, url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    _assert_escaped_everywhere_and_shown(bodies, OUTCOME_PAYLOADS)
