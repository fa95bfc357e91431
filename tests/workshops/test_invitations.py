"""Personal links and the emails that carry them: invite, resend, remind, revoke, new link."""

import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from workshops.models import AuditEvent, Participant, Role, WorkshopStatus
from workshops.services import add_participant

from ..factories import emailed, give_answers, sent_mail

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/p/[\w-]+/")


def participant_url(name, invitation):
    participant = invitation.participant
    return reverse(f"workshops:participant_{name}", args=[participant.workshop_id, participant.pk])


def emailed_link(message) -> str:
    return LINK.search(message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def alice_named(alice):
    alice.first_name, alice.last_name = "Alice", "Archer"
    alice.save()
    return alice


def test_the_invitation_says_who_invites_why_and_by_when(alice_named, alice_client, workshop, cio):
    workshop.answer_by = datetime.date(2097, 3, 1)
    workshop.save()
    response = alice_client.post(participant_url("invite", cio))
    assert response.status_code == 302
    assert len(sent_mail()) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.com"]
    assert message.reply_to == ["alice@example.com"]
    assert message.subject == "Alice Archer invites you to prepare “Mobile strategy 2027”"
    body = message.body
    assert "Dear Dana Whitfield" in body
    assert "Alice Archer invites you, as CIO of Acme Retail" in body
    assert "Why:" in body and "side by side" in body
    assert "the other executives see them only when the facilitator reveals" in body
    assert "Please answer by Friday 1 March 2097." in body
    assert "&" not in body  # plain text, nothing HTML-escaped
    assert "It replaces the link" not in body


def test_the_emailed_link_opens_the_questionnaire(alice_client, cio):
    alice_client.post(participant_url("invite", cio))
    browser = Client()
    opened = browser.get(path_of(emailed_link(sent_mail()[0])))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("workshops:respond", args=[cio.participant.pk])
    assert Participant.objects.get(pk=cio.participant.pk).invited_at is not None


def test_inviting_issues_a_new_link_so_the_old_one_stops(alice_client, cio):
    alice_client.post(participant_url("invite", cio))
    old = Client().get(cio.path)
    assert old.status_code == 410
    assert "A newer link replaces this one" in old.text
    assert "emailed to you that day by Alice" in old.text
    assert "most recent" in old.text


def test_resending_says_the_earlier_link_no_longer_works(alice_client, cio):
    alice_client.post(participant_url("invite", cio))
    first = emailed_link(sent_mail()[0])
    response = alice_client.post(participant_url("invite", cio), follow=True)
    assert "Invitation to Dana Whitfield &lt;dana@example.com&gt; queued again" in response.text
    second = sent_mail()[1]
    assert "It replaces the link in earlier emails" in second.body
    assert Client().get(path_of(first)).status_code == 410
    assert Client().get(path_of(emailed_link(second))).status_code == 302
    assert AuditEvent.objects.filter(action="invite").count() == 2


def test_nobody_is_emailed_without_an_address(alice_client, workshop):
    nobody = add_participant(workshop=workshop, name="No Mail", role=Role.CFO)
    response = alice_client.post(participant_url("invite", nobody), follow=True)
    assert "has no email address" in response.text
    assert sent_mail() == []
    assert Client().get(nobody.path).status_code == 302  # the link was not replaced


def test_a_closed_workshop_sends_no_invitations(alice_client, workshop, cio):
    workshop.status = WorkshopStatus.CLOSED
    workshop.save()
    response = alice_client.post(participant_url("invite", cio), follow=True)
    assert "The workshop is closed" in response.text
    assert sent_mail() == []


def test_a_mail_server_failure_shows_on_the_board_with_a_retry(alice_client, cio, settings):
    """The request no longer waits for the mail server, so it cannot say at once that the
    email failed (nor keep the old link, which the new one replaced): the board says it
    once the worker's tries are over, and Retry sends the same email again
    (tests/workshops/test_email_queue.py follows it through)."""
    settings.INVITATION_EMAIL_RETRY_DELAYS = [0]
    with mock.patch(
        "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("smtp down")
    ):
        response = alice_client.post(participant_url("invite", cio), follow=True)
        assert "queued" in response.text
        sent_mail()
    board = alice_client.get(reverse("workshops:board", args=[cio.participant.workshop_id]))
    assert "Email failed just now" in board.text
    assert "The mail server could not be reached." in board.text
    assert ">Retry<" in board.text
    assert AuditEvent.objects.filter(action="invite").exists()


# Reminders.


def test_remind_emails_everyone_who_has_not_submitted(alice, alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 3}, submitted=True)
    give_answers(cmo, {"obj-channels": 2})
    ceo = add_participant(workshop=workshop, name="Chris Ceo", role=Role.CEO, email="c@x.com")
    no_email = add_participant(workshop=workshop, name="Frank Nomail", role=Role.CFO)
    emailed(cmo, ceo)
    response = alice_client.post(reverse("workshops:remind", args=[workshop.pk]), follow=True)
    assert sorted(message.to[0] for message in sent_mail()) == ["c@x.com", "marcus@example.com"]
    assert all(message.subject.startswith("Reminder:") for message in mail.outbox)
    assert "Reminder queued for 2 participants, with a new personal link each" in response.text
    assert "No email address, so not reminded: Frank Nomail." in response.text
    assert Client().get(cmo.path).status_code == 410  # the reminder replaced the link
    assert Client().get(ceo.path).status_code == 410
    assert Client().get(no_email.path).status_code == 302
    assert Client().get(cio.path).status_code == 302  # submitted: not reminded, link unchanged
    assert AuditEvent.objects.filter(action="remind", actor=alice).count() == 2


def test_remind_skips_withdrawn_links_and_removed_people(alice, alice_client, workshop, cio, cmo):
    alice_client.post(participant_url("revoke", cio))
    alice_client.post(participant_url("remove", cmo))
    response = alice_client.post(reverse("workshops:remind", args=[workshop.pk]), follow=True)
    assert sent_mail() == []
    assert "Nobody to remind" in response.text


def test_the_remind_button_explains_that_links_are_replaced(alice_client, workshop, cio, cmo):
    emailed(cio, cmo)
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk]))
    assert "Remind everyone who has not submitted (2)" in page.text
    assert "new personal link" in page.text
    assert "stops working" in page.text


def test_a_reminder_failing_for_one_person_still_reaches_the_others(
    alice_client, workshop, cio, cmo, settings
):
    settings.INVITATION_EMAIL_RETRY_DELAYS = [0]
    real_send = mail.EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == ["dana@example.com"]:
            raise ConnectionRefusedError("smtp down")
        return real_send(message, *args, **kwargs)

    emailed(cio, cmo)
    alice_client.post(reverse("workshops:remind", args=[workshop.pk]))
    with mock.patch("django.core.mail.EmailMessage.send", flaky):
        assert [message.to for message in sent_mail()] == [["marcus@example.com"]]
    board = alice_client.get(reverse("workshops:board", args=[workshop.pk])).text
    dana = board[board.index(f'id="participant-{cio.participant.pk}"') :]
    assert "Email failed just now" in dana[: dana.index("</tr>")]
    assert "Email failed" not in board[board.index(f'id="participant-{cmo.participant.pk}"') :]


# Revoking and new links.


def test_revoking_ends_the_link_and_the_session_it_started(alice, alice_client, cio, cio_client):
    respond = reverse("workshops:respond", args=[cio.participant.pk])
    assert cio_client.get(respond).status_code == 200
    response = alice_client.post(participant_url("revoke", cio))
    assert response.status_code == 302
    assert Client().get(cio.path).status_code == 410
    assert cio_client.get(respond).status_code == 404
    assert AuditEvent.objects.get(action="revoke_link").actor == alice


def test_a_new_link_is_shown_once_with_a_warning(alice, alice_client, cio, cio_client):
    page = alice_client.post(participant_url("new_link", cio))
    assert page.status_code == 200
    assert "shown only this once" in page.text
    assert "previous link no longer works" in page.text
    new_url = re.search(r'id="personal-link" type="text" value="([^"]+)"', page.text).group(1)
    assert "readonly" in page.text and "data-copy-target" in page.text
    old = Client().get(cio.path)
    assert old.status_code == 410 and "Ask Alice" in old.text  # copied, not emailed
    # A page Dana already has open keeps working (only a leaked link's replacement ends it).
    assert (
        cio_client.get(reverse("workshops:respond", args=[cio.participant.pk])).status_code == 200
    )
    assert Client().get(path_of(new_url)).status_code == 302
    assert AuditEvent.objects.get(action="regenerate_link").actor == alice


def test_a_new_link_restores_a_withdrawn_one(alice_client, cio):
    alice_client.post(participant_url("revoke", cio))
    page = alice_client.post(participant_url("new_link", cio))
    new_url = re.search(r'id="personal-link" type="text" value="([^"]+)"', page.text).group(1)
    assert Client().get(path_of(new_url)).status_code == 302


def test_the_new_link_is_never_a_get(alice_client, cio):
    assert alice_client.get(participant_url("new_link", cio)).status_code == 405
    assert alice_client.get(participant_url("revoke", cio)).status_code == 405
    assert alice_client.get(participant_url("invite", cio)).status_code == 405


def test_a_reminder_leaves_alone_the_links_the_facilitator_passes_on(
    alice_client, workshop, cio, cmo
):
    """Someone whose link was shown to the facilitator to hand over (not emailed) is not
    reminded: the reminder's new link would replace the one handed over."""
    emailed(cmo)
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    assert "Remind everyone who has not submitted (1)" in page
    response = alice_client.post(reverse("workshops:remind", args=[workshop.pk]), follow=True)
    assert [message.to for message in sent_mail()] == [["marcus@example.com"]]
    assert "Not reminded, since you pass their link on yourself" in response.text
    assert "Dana Whitfield" in response.text
    assert Client().get(cio.path).status_code == 302  # the link handed over still works


def test_with_nobody_to_email_the_board_says_why_rather_than_everyone_submitted(
    alice_client, workshop
):
    add_participant(workshop=workshop, name="Frank Nomail", role=Role.CFO)
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    assert "everyone has submitted" not in page
    assert (
        "the 1 who has not submitted has no email address, a withdrawn link, or a link you pass"
        in page
    )
    response = alice_client.post(reverse("workshops:remind", args=[workshop.pk]), follow=True)
    assert "No email address, so not reminded: Frank Nomail." in response.text
    assert "everyone with a working link has submitted" not in response.text


def test_an_old_link_says_nothing_once_its_holder_is_removed_or_withdrawn(alice_client, cio):
    alice_client.post(participant_url("new_link", cio))
    alice_client.post(participant_url("revoke", cio))
    withdrawn = Client().get(cio.path)
    assert withdrawn.status_code == 410 and "no longer active" in withdrawn.text
    alice_client.post(participant_url("remove", cio))
    removed = Client().get(cio.path)
    assert removed.status_code == 404 and "This link doesn't work" in removed.text


def test_old_links_are_not_counted_as_guesses(alice_client, client, cio):
    alice_client.post(participant_url("new_link", cio))
    for _ in range(40):
        assert client.get(cio.path).status_code == 410
    assert client.get(reverse("workshops:open_link", args=["x" * 43])).status_code == 404


def test_a_deadline_gone_by_asks_for_answers_as_soon_as_possible(alice_client, workshop, cio):
    workshop.answer_by = timezone.localdate() - datetime.timedelta(days=3)
    workshop.save()
    alice_client.post(participant_url("invite", cio))
    assert "Please answer as soon as you can: the date we asked for" in sent_mail()[0].body
    board = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    assert "(passed: reminders ask for answers as soon as possible)" in board
    executive = Client()
    executive.get(path_of(emailed_link(mail.outbox[0])))
    welcome = executive.get(reverse("workshops:respond", args=[cio.participant.pk])).text
    assert "Please answer as soon as you can</strong>: the date asked for" in welcome


def test_an_old_link_to_a_closed_workshop_says_it_is_closed(alice_client, workshop, cio):
    alice_client.post(participant_url("new_link", cio))
    workshop.status = WorkshopStatus.CLOSED
    workshop.save()
    old = Client().get(cio.path)
    assert old.status_code == 410 and "This workshop is closed" in old.text
