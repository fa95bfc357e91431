"""Two tabs on one answer, answering after submit and after the workshop closed: refused,
with a message, and nothing stored changes."""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Answer, Question, Response, ResponseStatus
from workshops.models import WorkshopStatus

from .answers import valid_answer

pytestmark = pytest.mark.django_db


def _question(workshop, kind: str) -> Question:
    return next(
        q
        for s in workshop.questionnaire.ordered_sections()
        for q in s.questions.all()
        if q.kind == kind
    )


def _autosave(invitation, question: Question) -> str:
    return reverse("workshops:respond_autosave", args=[invitation.participant.pk, question.pk])


def _section(invitation, position: int = 1) -> str:
    return reverse("workshops:respond_section", args=[invitation.participant.pk, position])


def _snapshot(invitation) -> list[tuple]:
    return list(
        Answer.objects.filter(response__participant=invitation.participant)
        .order_by("question")
        .values_list("question", "value", "is_unknown", "revision")
    )


def test_two_tabs_editing_one_answer_never_overwrite_silently(workshop, cio):
    tab_a, tab_b = Client(), Client()
    tab_a.get(cio.path)
    tab_b.get(cio.path)
    scale = _question(workshop, "scale")
    name = f"q{scale.pk}"
    assert "Saved" in tab_a.post(_autosave(cio, scale), {name: "2"}).text
    # Both tabs now show revision 1. Tab A changes the answer: revision 2.
    assert "Saved" in tab_a.post(_autosave(cio, scale), {name: "4", f"{name}-rev": "1"}).text
    # Tab B, still showing revision 1, changes it too: refused, told, the newer value kept.
    stale = tab_b.post(_autosave(cio, scale), {name: "5", f"{name}-rev": "1"})
    assert stale.status_code == 200
    assert "changed in another tab or device to: 4 of 5, towards “Critically" in stale.text
    assert f'name="{name}-rev" value="2"' in stale.text  # the tab now knows revision 2
    # The whole question comes back, showing the kept 4 ticked (not tab B's 5).
    assert stale["HX-Retarget"] == f"#question-{scale.pk}" and stale["HX-Reswap"] == "outerHTML"
    assert f'id="q{scale.pk}-p4" value="4" checked' in stale.text
    assert f'id="q{scale.pk}-p5" value="5" checked' not in stale.text
    answer = Answer.objects.get(response__participant=cio.participant, question=scale)
    assert (answer.value, answer.revision) == (4, 2)
    # The same through the plain (no JavaScript) section form.
    posted = tab_b.post(_section(cio), {name: "5", f"{name}-rev": "1"})
    assert posted.status_code == 422
    assert "changed in another tab" in posted.text
    answer.refresh_from_db()
    assert (answer.value, answer.revision) == (4, 2)
    # Having seen the conflict, tab B may change it on purpose.
    assert "Saved" in tab_b.post(_autosave(cio, scale), {name: "5", f"{name}-rev": "2"}).text


def _answer_everything(workshop, invitation, client: Client) -> None:
    rng = random.Random(3)
    for section in workshop.questionnaire.ordered_sections():
        for question in section.questions.all():
            posted, _ = valid_answer(question, rng)
            assert "Saved" in client.post(_autosave(invitation, question), posted).text


def test_nothing_changes_after_submit(workshop, cio):
    client = Client()
    client.get(cio.path)
    _answer_everything(workshop, cio, client)
    submitted = client.post(reverse("workshops:respond_submit", args=[cio.participant.pk]))
    assert submitted.status_code == 302
    before = _snapshot(cio)
    scale = _question(workshop, "scale")
    text = _question(workshop, "text")
    refused = client.post(_autosave(cio, scale), {f"q{scale.pk}": "1", f"q{scale.pk}-rev": "1"})
    assert refused.status_code == 422 and "submitted" in refused.text
    refused = client.post(_autosave(cio, text), {f"q{text.pk}": "changed my mind"})
    assert refused.status_code == 422
    section = client.post(_section(cio), {f"q{scale.pk}": "1", f"q{scale.pk}-rev": "1"})
    assert section.status_code == 302 and section["Location"].endswith("/review/")
    assert _snapshot(cio) == before
    assert Response.objects.get(participant=cio.participant).status == ResponseStatus.SUBMITTED


def test_nothing_changes_after_the_workshop_closed(workshop, cio):
    client = Client()
    client.get(cio.path)
    scale = _question(workshop, "scale")
    name = f"q{scale.pk}"
    assert "Saved" in client.post(_autosave(cio, scale), {name: "3"}).text
    workshop.status = WorkshopStatus.CLOSED
    workshop.save(update_fields=["status"])
    before = _snapshot(cio)
    refused = client.post(_autosave(cio, scale), {name: "5", f"{name}-rev": "1"})
    assert refused.status_code == 422 and "closed" in refused.text
    # The open page gets the whole question back, read-only and showing what is stored (3, not
    # the 5 just ticked), and "Not saved:", never "Not saved yet:" (it never will be).
    assert refused["HX-Retarget"] == f"#question-{scale.pk}"
    assert refused["HX-Reswap"] == "outerHTML"
    assert "Not saved: This workshop is closed" in refused.text
    assert "<fieldset" in refused.text and "disabled" in refused.text
    assert re.search(rf'name="{name}" id="[^"]+" value="3" checked', refused.text)
    assert not re.search(rf'name="{name}" id="[^"]+" value="5" checked', refused.text)
    # Typed text is not thrown away with the refusal: it comes back, read-only, to copy.
    text = _question(workshop, "text")
    typed = client.post(_autosave(cio, text), {f"q{text.pk}": "A long thought & more"})
    assert typed.status_code == 422
    assert "A long thought &amp; more</textarea>" in typed.text
    assert "What you typed is shown here, not stored" in typed.text
    assert client.post(_section(cio), {name: "5", f"{name}-rev": "1"}).status_code == 410
    submit = reverse("workshops:respond_submit", args=[cio.participant.pk])
    assert client.post(submit).status_code == 410
    assert Client().get(cio.path).status_code == 410
    assert _snapshot(cio) == before
    assert Response.objects.get(participant=cio.participant).status == ResponseStatus.DRAFT
