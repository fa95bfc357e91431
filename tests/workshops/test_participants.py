"""Adding, editing, removing and restoring the executives of a workshop."""

import pytest
from django.core import mail
from django.urls import reverse

from workshops.models import AuditEvent, Participant

from ..factories import give_answers

pytestmark = pytest.mark.django_db


def add_url(workshop):
    return reverse("workshops:participant_add", args=[workshop.pk])


def participant_url(name, invitation):
    participant = invitation.participant
    return reverse(f"workshops:participant_{name}", args=[participant.workshop_id, participant.pk])


def test_adding_takes_the_side_from_the_role(alice_client, workshop):
    response = alice_client.post(
        add_url(workshop), {"name": "Ada Chen", "email": "ada@example.com", "role": "cto"}
    )
    ada = Participant.objects.get(name="Ada Chen")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#participant-{ada.pk}")
    assert ada.side == "technology"
    assert ada.token_hash
    assert ada.invited_at is None
    assert mail.outbox == []


def test_the_side_can_differ_from_the_role(alice_client, workshop):
    alice_client.post(add_url(workshop), {"name": "Ada Chen", "role": "cdo", "side": "business"})
    assert Participant.objects.get(name="Ada Chen").side == "business"


def test_adding_can_email_the_invitation_at_once(alice_client, workshop):
    alice_client.post(
        add_url(workshop),
        {"name": "Ada Chen", "email": "ada@example.com", "role": "cto", "send_invitation": "on"},
    )
    ada = Participant.objects.get(name="Ada Chen")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert ada.invited_at is not None


def test_adding_without_email_but_asking_to_send_just_adds(alice_client, workshop):
    alice_client.post(
        add_url(workshop), {"name": "Ada Chen", "role": "cto", "send_invitation": "on"}
    )
    assert Participant.objects.filter(name="Ada Chen").exists()
    assert mail.outbox == []


def test_invalid_additions_show_the_form_again(alice_client, workshop, cio):
    page = alice_client.post(add_url(workshop), {"name": "", "email": "nope", "role": "king"})
    assert page.status_code == 422
    assert "This field is required" in page.text
    assert "Enter a valid email address" in page.text
    duplicate = alice_client.post(
        add_url(workshop), {"name": "Dana Two", "email": "DANA@example.com", "role": "cio"}
    )
    assert "already has this email address" in duplicate.text
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_the_add_form_is_on_the_workshop_page_and_on_its_own(alice_client, workshop):
    detail = alice_client.get(reverse("workshops:detail", args=[workshop.pk]))
    assert f'action="{add_url(workshop)}"' in detail.text
    assert alice_client.get(add_url(workshop)).status_code == 200


def test_editing_keeps_link_and_answers(alice_client, cio):
    give_answers(cio, {"obj-channels": 3})
    before = Participant.objects.get(pk=cio.participant.pk)
    page = alice_client.get(participant_url("edit", cio))
    assert 'value="Dana Whitfield"' in page.text
    response = alice_client.post(
        participant_url("edit", cio),
        {"name": "Dana W. Whitfield", "email": "dana@example.com", "role": "cio", "side": ""},
    )
    assert response.status_code == 302
    after = Participant.objects.get(pk=cio.participant.pk)
    assert after.name == "Dana W. Whitfield"
    assert after.side == "technology"
    assert after.token_hash == before.token_hash
    assert after.response_id == before.response_id
    event = AuditEvent.objects.get(action="edit_participant")
    assert event.detail == "Dana W. Whitfield: changed name"


def test_editing_to_an_email_already_in_use_is_refused(alice_client, cio, cmo):
    page = alice_client.post(
        participant_url("edit", cio),
        {"name": "Dana Whitfield", "email": "marcus@example.com", "role": "cio"},
    )
    assert page.status_code == 422
    assert "already has this email address" in page.text


def test_someone_who_has_not_answered_is_removed_at_once(alice_client, cio, cio_client):
    response = alice_client.post(participant_url("remove", cio))
    assert response.status_code == 302
    participant = Participant.objects.get(pk=cio.participant.pk)
    assert participant.removed_at is not None
    assert participant.token_revoked_at is not None
    respond = reverse("workshops:respond", args=[participant.pk])
    assert cio_client.get(respond).status_code == 404


def test_removing_someone_who_answered_asks_first(alice_client, cio):
    give_answers(cio, {"obj-channels": 3}, submitted=True)
    response = alice_client.post(participant_url("remove", cio))
    assert response.status_code == 302
    assert response["Location"] == participant_url("remove", cio)
    assert Participant.objects.get(pk=cio.participant.pk).removed_at is None
    page = alice_client.get(response["Location"])
    assert "has already answered and submitted" in page.text
    assert 'name="confirmed" value="1"' in page.text


def test_confirmed_removal_keeps_the_answers_recoverable(alice, alice_client, workshop, cio):
    response_id = give_answers(cio, {"obj-channels": 3}, submitted=True).pk
    alice_client.post(participant_url("remove", cio), {"confirmed": "1"})
    participant = Participant.objects.get(pk=cio.participant.pk)
    assert participant.removed_at is not None
    assert participant.response_id == response_id
    event = AuditEvent.objects.get(action="remove_participant")
    assert event.actor == alice
    assert "answers kept" in event.detail
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk]))
    assert "Removed participants" in page.text
    assert participant_url("restore", cio) in page.text


def test_removed_participants_leave_the_board(alice_client, workshop, cio, cmo):
    alice_client.post(participant_url("remove", cio))
    board = alice_client.get(reverse("workshops:board", args=[workshop.pk]))
    assert "Dana Whitfield" not in board.text
    assert "Marcus Reyes" in board.text


def test_restoring_brings_them_back_with_their_answers_but_not_their_link(
    alice_client, workshop, cio
):
    give_answers(cio, {"obj-channels": 3}, submitted=True)
    alice_client.post(participant_url("remove", cio), {"confirmed": "1"})
    response = alice_client.post(participant_url("restore", cio))
    assert response.status_code == 302
    participant = Participant.objects.get(pk=cio.participant.pk)
    assert participant.removed_at is None
    assert participant.response.answers.count() == 1
    assert participant.token_revoked_at is not None
    assert AuditEvent.objects.filter(action="restore_participant").exists()
    board = alice_client.get(reverse("workshops:board", args=[workshop.pk]))
    assert "Dana Whitfield" in board.text
    assert "Withdrawn" in board.text


def test_only_removed_participants_can_be_restored(alice_client, cio):
    assert alice_client.post(participant_url("restore", cio)).status_code == 404


def test_removed_participants_cannot_be_edited(alice_client, cio):
    alice_client.post(participant_url("remove", cio))
    assert alice_client.get(participant_url("edit", cio)).status_code == 404


def test_participants_of_another_workshop_are_not_found(alice_client, workshop, outsider):
    url = reverse("workshops:participant_edit", args=[workshop.pk, outsider.participant.pk])
    assert alice_client.get(url).status_code == 404
