"""Adding, editing, removing and restoring the executives of a workshop."""

import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from workshops.models import AuditEvent, Participant

from ..factories import give_answers, sent_mail

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
    assert response.status_code == 200  # not emailed: the page shows the link to copy
    assert ada.side == "technology"
    assert ada.token_hash
    assert ada.invited_at is None
    assert sent_mail() == []


def test_a_pasted_name_with_line_breaks_is_kept_on_one_line(alice_client, workshop):
    alice_client.post(add_url(workshop), {"name": "  Ada\r\nChen\t ", "role": "cto"})
    assert Participant.objects.filter(name="Ada Chen").exists()


def test_the_side_can_differ_from_the_role(alice_client, workshop):
    alice_client.post(add_url(workshop), {"name": "Ada Chen", "role": "cdo", "side": "business"})
    assert Participant.objects.get(name="Ada Chen").side == "business"


def test_adding_can_email_the_invitation_at_once(alice_client, workshop):
    alice_client.post(
        add_url(workshop),
        {"name": "Ada Chen", "email": "ada@example.com", "role": "cto", "send_invitation": "on"},
    )
    ada = Participant.objects.get(name="Ada Chen")
    assert len(sent_mail()) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert ada.invited_at is not None


def test_adding_without_email_but_asking_to_send_just_adds(alice_client, workshop):
    alice_client.post(
        add_url(workshop), {"name": "Ada Chen", "role": "cto", "send_invitation": "on"}
    )
    assert Participant.objects.filter(name="Ada Chen").exists()
    assert sent_mail() == []


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
    assert "Link withdrawn" in board.text


def test_only_removed_participants_can_be_restored(alice_client, cio):
    assert alice_client.post(participant_url("restore", cio)).status_code == 404


def test_removed_participants_cannot_be_edited(alice_client, cio):
    alice_client.post(participant_url("remove", cio))
    assert alice_client.get(participant_url("edit", cio)).status_code == 404


def test_participants_of_another_workshop_are_not_found(alice_client, workshop, outsider):
    url = reverse("workshops:participant_edit", args=[workshop.pk, outsider.participant.pk])
    assert alice_client.get(url).status_code == 404


# Adding someone who is not emailed shows their link at once.


def link_on(page: str) -> str:
    return re.search(r'id="personal-link" type="text" value="([^"]+)"', page).group(1)


def test_adding_without_email_shows_the_link_and_says_nothing_was_emailed(alice_client, workshop):
    page = alice_client.post(
        add_url(workshop), {"name": "Ada Chen", "role": "cto", "send_invitation": "on"}
    )
    assert page.status_code == 200
    assert sent_mail() == []
    assert "Ada Chen is added: here is their personal link" in page.text
    assert "Not emailed: Ada Chen has no email address." in page.text
    assert "invited by email" not in page.text
    assert "shown only this once" in page.text
    assert "Actions ▸ “Copy a new link”" in page.text
    assert "previous link no longer works" not in page.text  # there was none
    opened = Client().get("/" + link_on(page.text).split("/", 3)[3])
    assert opened.status_code == 302  # the link shown is the participant's working link
    assert not AuditEvent.objects.filter(action="regenerate_link").exists()


def test_adding_with_email_but_not_sending_shows_the_link(alice_client, workshop):
    page = alice_client.post(
        add_url(workshop), {"name": "Ada Chen", "email": "ada@example.com", "role": "cto"}
    )
    assert "Not emailed: you chose to send the link yourself." in page.text
    assert 'id="personal-link"' in page.text
    assert sent_mail() == []


def test_adding_when_the_mail_server_fails_says_so_on_the_board(alice_client, workshop, settings):
    """Adding no longer waits for the mail server: it answers at once, and the board says
    the email failed (with Retry, and "Copy a new link" as before) once the worker has tried."""
    settings.INVITATION_EMAIL_RETRY_DELAYS = []
    response = alice_client.post(
        add_url(workshop),
        {"name": "Ada Chen", "email": "ada@example.com", "role": "cto", "send_invitation": "on"},
    )
    assert response.status_code == 302
    with mock.patch(
        "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("smtp down")
    ):
        assert sent_mail() == []
    ada = Participant.objects.get(name="Ada Chen")
    board = alice_client.get(reverse("workshops:board", args=[workshop.pk])).text
    assert "Email failed just now" in board and ">Retry<" in board
    actions = {"participant": ada.pk}  # her row's actions, as "Actions" asks for them
    assert (
        "Copy a new link"
        in alice_client.get(reverse("workshops:board", args=[workshop.pk]), actions).text
    )


def test_adding_to_a_closed_workshop_shows_the_link_and_why_it_was_not_emailed(
    alice_client, workshop
):
    workshop.status = "closed"
    workshop.save()
    page = alice_client.post(
        add_url(workshop),
        {"name": "Ada Chen", "email": "ada@example.com", "role": "cto", "send_invitation": "on"},
    )
    assert "Not emailed. The workshop is closed" in page.text
    assert 'id="personal-link"' in page.text
    assert sent_mail() == []


def test_adding_and_emailing_goes_back_to_the_board(alice_client, workshop):
    response = alice_client.post(
        add_url(workshop),
        {"name": "Ada Chen", "email": "ada@example.com", "role": "cto", "send_invitation": "on"},
        follow=True,
    )
    ada = Participant.objects.get(name="Ada Chen")
    assert response.redirect_chain[-1][0].endswith(f"#participant-{ada.pk}")
    assert "Ada Chen is added and invited by email." in response.text
    assert "The board shows when the email is sent." in response.text


def test_the_add_form_explains_what_happens_without_an_email(alice_client, workshop):
    for url in (add_url(workshop), reverse("workshops:detail", args=[workshop.pk])):
        page = alice_client.get(url).text
        assert 'placeholder="name@company.com"' in page  # app.css hides the box while empty
        assert "once added, you get their personal link to copy" in page


def test_the_same_add_form_sent_twice_adds_nobody_twice(alice_client, workshop):
    form_page = alice_client.get(add_url(workshop)).text
    key = re.search(r'name="submission" value="([^"]+)"', form_page).group(1)
    posted = {"name": "Noor Haddad", "email": "", "role": "cio", "submission": key}
    first = alice_client.post(add_url(workshop), posted)
    assert first.status_code == 200 and "/p/" in first.text  # the new link, shown once
    again = alice_client.post(add_url(workshop), posted, follow=True)  # a reload of that page
    assert "Noor Haddad was already added with this form" in again.text
    assert Participant.objects.filter(workshop=workshop, name="Noor Haddad").count() == 1
    fresh_key = re.search(
        r'name="submission" value="([^"]+)"', alice_client.get(add_url(workshop)).text
    ).group(1)
    assert fresh_key != key
    alice_client.post(add_url(workshop), {**posted, "submission": fresh_key})
    assert Participant.objects.filter(workshop=workshop, name="Noor Haddad").count() == 2


def _form_fields(page: str, action: str) -> list[tuple]:
    """What a form posts and how it asks for it: each control's tag, attributes and options,
    each label's text and each help text, from the form with `action`."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.found, self.text_of = False, [], None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form" and attrs.get("action") == action:
                self.inside = True
            elif self.inside and tag in ("input", "select", "option", "label", "div"):
                if attrs.get("name") in ("submission", "csrfmiddlewaretoken"):
                    del attrs["value"]  # new on every page
                if tag == "div" and "form-text" not in (attrs.get("class") or ""):
                    return
                self.found.append((tag, tuple(sorted(attrs.items()))))
                self.text_of = len(self.found) - 1 if tag in ("option", "label", "div") else None

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            if tag in ("option", "label", "div"):
                self.text_of = None

        def handle_data(self, data):
            if self.inside and self.text_of is not None and data.strip():
                tag, attrs, *text = self.found[self.text_of]
                self.found[self.text_of] = (tag, attrs, " ".join([*text, data.strip()]))

    parser = Fields()
    parser.feed(page)
    return parser.found


def test_the_workshop_pages_add_form_asks_and_posts_as_the_forms_own_page(alice_client, workshop):
    """The workshop page writes the add form out (it is the page's costliest part otherwise):
    it must ask for and post exactly what AddParticipantForm renders on its own page."""
    action = add_url(workshop)
    on_its_own = _form_fields(alice_client.get(action).text, action)
    on_the_workshop_page = _form_fields(
        alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text, action
    )
    assert len(on_its_own) > 20  # every control, option, label and help text
    assert on_the_workshop_page == on_its_own
