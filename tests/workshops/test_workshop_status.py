"""The workshop's lifecycle (draft, collecting, in session, closed, reopened) and its deletion."""

import logging

import pytest
from django.urls import reverse

from surveys.models import Answer, Response
from workshops.models import AuditEvent, Participant, Workshop, WorkshopStatus

from ..factories import give_answers, make_workshop, question

pytestmark = pytest.mark.django_db


def status_url(workshop):
    return reverse("workshops:status", args=[workshop.pk])


def move(client, workshop, status, *, confirmed=True):
    data = {"status": status, "confirmed": "1"} if confirmed else {"status": status}
    return client.post(status_url(workshop), data)


def test_a_new_workshop_moves_through_every_stage(alice, alice_client):
    workshop = make_workshop(alice, status=WorkshopStatus.DRAFT)
    for status in ["collecting", "in_session", "closed", "collecting"]:
        response = move(alice_client, workshop, status)
        assert response.status_code == 302
        workshop.refresh_from_db()
        assert workshop.status == status
    details = [
        event.detail
        for event in AuditEvent.objects.filter(workshop=workshop, action="status").order_by("pk")
    ]
    assert details == [
        "Draft → Collecting answers",
        "Collecting answers → In session",
        "In session → Closed",
        "Closed → Collecting answers",
    ]


def test_the_page_offers_the_next_steps_as_post_buttons(alice_client, workshop):
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk]))
    assert 'value="in_session"' in page.text
    assert "Start the session" in page.text
    assert "Close the workshop" in page.text


def test_an_impossible_step_is_refused(alice_client, alice):
    workshop = make_workshop(alice, status=WorkshopStatus.DRAFT)
    response = move(alice_client, workshop, "closed")
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.status == "draft"
    assert move(alice_client, workshop, "nonsense").status_code == 302
    workshop.refresh_from_db()
    assert workshop.status == "draft"


def test_status_changes_only_by_post(alice_client, workshop):
    assert alice_client.get(status_url(workshop), {"status": "closed"}).status_code == 405


def test_closing_stops_answering(alice_client, workshop, cio, cio_client):
    channels = question("obj-channels")
    autosave = reverse("workshops:respond_autosave", args=[cio.participant.pk, channels.pk])
    assert cio_client.post(autosave, {f"q{channels.pk}": "4"}).status_code == 200
    move(alice_client, workshop, "closed")
    refused = cio_client.post(autosave, {f"q{channels.pk}": "2"})
    assert refused.status_code == 422
    assert Answer.objects.get(question=channels, response__participant=cio.participant).value == 4
    section = reverse("workshops:respond_section", args=[cio.participant.pk, 1])
    assert cio_client.get(section).status_code == 410
    assert cio_client.get(cio.path).status_code == 410


def test_reopening_lets_answering_continue(alice_client, workshop, cio, cio_client):
    move(alice_client, workshop, "closed")
    move(alice_client, workshop, "collecting")
    channels = question("obj-channels")
    autosave = reverse("workshops:respond_autosave", args=[cio.participant.pk, channels.pk])
    assert cio_client.post(autosave, {f"q{channels.pk}": "5"}).status_code == 200


def test_the_closed_board_stops_polling(alice_client, workshop, cio):
    detail = reverse("workshops:detail", args=[workshop.pk])
    assert 'hx-trigger="every 5s"' in alice_client.get(detail).text
    move(alice_client, workshop, "closed")
    page = alice_client.get(detail).text
    assert "hx-trigger" not in page
    assert "no longer updates" in page


# Deleting.


def test_the_owner_is_asked_to_confirm_deletion(alice_client, workshop, cio):
    give_answers(cio, {"obj-channels": 3})
    page = alice_client.get(reverse("workshops:delete", args=[workshop.pk]))
    assert page.status_code == 200
    assert "1 participant" in page.text
    assert "1 set of answers" in page.text
    assert "cannot be undone" in page.text


def test_deleting_removes_participants_and_answers_and_logs_it(
    alice_client, workshop, cio, cmo, caplog
):
    response_id = give_answers(cio, {"obj-channels": 3}).pk
    with caplog.at_level(logging.WARNING, logger="workshops.services"):
        response = alice_client.post(reverse("workshops:delete", args=[workshop.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:home")
    assert not Workshop.objects.filter(pk=workshop.pk).exists()
    assert not Participant.objects.filter(pk=cio.participant.pk).exists()
    assert not Response.objects.filter(pk=response_id).exists()
    assert not Answer.objects.filter(response_id=response_id).exists()
    assert "Mobile strategy 2027" in caplog.text
    assert "deleted by alice" in caplog.text


def test_only_the_owner_may_delete(client, bob, workshop):
    client.force_login(bob)
    url = reverse("workshops:delete", args=[workshop.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Workshop.objects.filter(pk=workshop.pk).exists()


def test_the_delete_button_is_shown_to_the_owner_only(alice_client, client, bob, workshop):
    url = reverse("workshops:delete", args=[workshop.pk])
    assert url in alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    client.force_login(bob)
    assert url not in client.get(reverse("workshops:detail", args=[workshop.pk])).text


# Closing is asked first, and is never the page's main button.


def detail_url(workshop):
    return reverse("workshops:detail", args=[workshop.pk])


def button_for(page: str, text: str) -> str:
    """The opening tag of the button or link whose text starts with `text`."""
    end = page.index(f">{text}")
    return page[page.rindex("<", 0, end) : end + 1]


def test_closing_asks_for_confirmation_first(alice_client, workshop, cio):
    response = move(alice_client, workshop, "closed", confirmed=False)
    workshop.refresh_from_db()
    assert workshop.status == WorkshopStatus.COLLECTING
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(workshop)}?confirm=closed#confirm-status"
    assert not AuditEvent.objects.filter(workshop=workshop, action="status").exists()
    page = alice_client.get(response["Location"]).text
    box = page[page.index('id="confirm-status"') :]
    box = box[: box.index("</section>")]
    assert "Close the workshop?" in box
    assert "Nobody can answer or change their answers any more" in box
    assert "You can reopen the workshop later" in box
    assert "Not submitted yet: 1 of 1 executive." in box
    assert 'name="status" value="closed"' in box
    assert 'name="confirmed" value="1"' in box
    assert "Keep it open" in box
    move(alice_client, workshop, "closed")
    workshop.refresh_from_db()
    assert workshop.status == WorkshopStatus.CLOSED


def test_close_is_a_secondary_link_to_the_confirmation(alice_client, workshop):
    page = alice_client.get(detail_url(workshop)).text
    close = button_for(page, "Close the workshop…")
    assert close.startswith("<a ")
    assert 'href="?confirm=closed#confirm-status"' in close
    assert "btn-outline-secondary" in close
    assert "btn-primary" in button_for(page, "Start the session")
    assert "Close the workshop?" not in page  # no confirmation until asked


def test_in_session_the_dashboard_is_the_main_button_not_closing(alice, alice_client):
    workshop = make_workshop(alice, status=WorkshopStatus.IN_SESSION)
    page = alice_client.get(detail_url(workshop)).text
    assert "btn-outline-secondary" in button_for(page, "Close the workshop…")
    assert "btn-outline-primary" in button_for(page, "Back to collecting answers")
    assert "btn btn-primary" in button_for(page, "Consensus dashboard")
    actions = page[page.index('class="workshop-actions"') : page.index("status-explainer")]
    assert actions.count("btn-primary") == 1


def test_the_confirmation_is_offered_only_for_a_possible_close(alice, alice_client):
    draft = make_workshop(alice, status=WorkshopStatus.DRAFT)  # a draft cannot close
    assert (
        "Close the workshop?" not in alice_client.get(detail_url(draft), {"confirm": "closed"}).text
    )


def test_other_moves_need_no_confirmation(alice_client, workshop):
    move(alice_client, workshop, "in_session", confirmed=False)
    workshop.refresh_from_db()
    assert workshop.status == WorkshopStatus.IN_SESSION
