"""Open answering pages end when the facilitator means them to, and only then.

A browser that opened a personal link keeps answering through a reminder, a resent invitation
or a plain new link (the link changes, the open page does not need it any more); withdrawing
the link, removing the participant, or replacing a link that leaked closes every such page.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Answer
from workshops.models import AuditEvent, Participant
from workshops.services import regenerate_link

from ..factories import emailed, question, sent_mail

pytestmark = pytest.mark.django_db

NEW_LINK = re.compile(r'id="personal-link" type="text" value="[^"]*(/p/[\w-]+/)"')


def participant_url(name, invitation):
    participant = invitation.participant
    return reverse(f"workshops:participant_{name}", args=[participant.workshop_id, participant.pk])


def autosave(browser: Client, invitation, value: int):
    channels = question("obj-channels")
    url = reverse("workshops:respond_autosave", args=[invitation.participant.pk, channels.pk])
    stored = Answer.objects.filter(
        response__participant=invitation.participant, question=channels
    ).first()
    revision = stored.revision if stored else ""  # the answer this page last saw
    return browser.post(url, {f"q{channels.pk}": str(value), f"q{channels.pk}-rev": revision})


def assert_still_answering(browser: Client, invitation, value: int) -> None:
    """The open page saves a change and shows the next section, as before."""
    reply = autosave(browser, invitation, value)
    assert reply.status_code == 200, reply.text
    assert "Not saved" not in reply.text
    stored = Answer.objects.get(
        response__participant=invitation.participant, question=question("obj-channels")
    )
    assert stored.value == value
    section = reverse("workshops:respond_section", args=[invitation.participant.pk, 1])
    assert browser.get(section).status_code == 200


def assert_ended(browser: Client, invitation) -> None:
    """The open page is told, on its next save and its next page, to open the link again."""
    reply = autosave(browser, invitation, 1)
    assert reply.status_code == 404
    assert "open your personal link again" in reply.text.lower()
    page = browser.get(reverse("workshops:respond", args=[invitation.participant.pk]))
    assert page.status_code == 404
    assert "open your personal link again" in page.text.lower()


# A reminder, a resend or a plain new link: the open page keeps working.


def test_a_reminder_leaves_an_open_page_answering(alice_client, workshop, cio, cio_client, cmo):
    assert_still_answering(cio_client, cio, 2)
    marcus = Client()
    marcus.get(cmo.path)
    emailed(cio, cmo)
    alice_client.post(reverse("workshops:remind", args=[workshop.pk]))
    assert len(sent_mail()) == 2  # both were sent a new link
    assert_still_answering(cio_client, cio, 3)
    assert_still_answering(marcus, cmo, 4)
    assert Client().get(cio.path).status_code == 410  # the old link itself says it was replaced


def test_a_resent_invitation_leaves_an_open_page_answering(alice_client, cio, cio_client):
    alice_client.post(participant_url("invite", cio))
    assert len(sent_mail()) == 1
    alice_client.post(participant_url("invite", cio))
    assert len(sent_mail()) == 2
    assert_still_answering(cio_client, cio, 3)


def test_a_plain_new_link_leaves_an_open_page_answering(alice, alice_client, cio, cio_client):
    page = alice_client.post(participant_url("new_link", cio))
    assert "Pages Dana Whitfield already has open keep working" in page.text
    assert_still_answering(cio_client, cio, 3)
    other_browser = Client()
    assert other_browser.get(NEW_LINK.search(page.text).group(1)).status_code == 302
    assert_still_answering(other_browser, cio, 5)
    assert_still_answering(cio_client, cio, 4)  # both browsers answer as Dana
    event = AuditEvent.objects.get(action="regenerate_link")
    assert event.actor == alice and event.detail == "New link for Dana Whitfield"


# Withdrawing, removing, or replacing a leaked link: every open page ends.


def test_withdrawing_ends_open_pages_and_a_new_link_does_not_revive_them(
    alice_client, cio, cio_client
):
    alice_client.post(participant_url("revoke", cio))
    assert_ended(cio_client, cio)
    page = alice_client.post(participant_url("new_link", cio))  # "Create a new link"
    assert_ended(cio_client, cio)
    fresh = Client()
    assert fresh.get(NEW_LINK.search(page.text).group(1)).status_code == 302
    assert_still_answering(fresh, cio, 2)


def test_removing_ends_open_pages_and_restoring_does_not_revive_them(alice_client, cio, cio_client):
    alice_client.post(participant_url("remove", cio))
    alice_client.post(participant_url("restore", cio))
    alice_client.post(participant_url("new_link", cio))
    assert_ended(cio_client, cio)


def test_replacing_a_leaked_link_ends_every_open_page(alice, alice_client, cio, cio_client):
    leaked_elsewhere = Client()
    leaked_elsewhere.get(cio.path)
    page = alice_client.post(participant_url("new_link", cio), {"leaked": "1"})
    assert page.status_code == 200
    assert "every page opened with the old link is closed" in page.text
    assert_ended(cio_client, cio)
    assert_ended(leaked_elsewhere, cio)
    old = Client().get(cio.path)
    assert old.status_code == 410 and "A newer link replaces this one" in old.text
    fresh = Client()
    assert fresh.get(NEW_LINK.search(page.text).group(1)).status_code == 302
    assert_still_answering(fresh, cio, 2)
    event = AuditEvent.objects.get(workshop=cio.participant.workshop_id, action__contains="link")
    assert event.action == "replace_leaked_link" and event.actor == alice
    assert event.detail == (
        "New link for Dana Whitfield; every page opened with the old link was closed"
    )
    assert event.label == "Leaked link replaced"


def test_the_service_ends_open_pages_only_when_asked(cio, cio_client):
    participant = Participant.objects.get(pk=cio.participant.pk)
    regenerate_link(participant, actor=None)
    assert_still_answering(cio_client, cio, 3)
    regenerate_link(participant, actor=None, end_sessions=True)
    assert_ended(cio_client, cio)


# What the facilitator is offered.


def test_the_board_offers_a_plain_new_link_and_a_leaked_one_apart(alice_client, workshop, cio):
    board = alice_client.get(
        reverse("workshops:board", args=[workshop.pk]), {"participant": cio.participant.pk}
    ).text
    start = board.index(f'id="participant-{cio.participant.pk}"')
    actions = board[start : board.index("</tr>", start)]
    url = participant_url("new_link", cio)
    plain, leaked = re.findall(
        rf'<button class="actions-item" type="submit" form="board-actions" '
        rf'formaction="{url}"(.*?)</button>',
        actions,
        re.DOTALL,
    )
    assert 'name="leaked"' not in plain
    assert "Copy a new link" in plain and "pages already open keep working" in plain
    assert leaked.startswith(' name="leaked" value="1">')
    assert "The old link leaked" in leaked and "closes every page opened with it" in leaked


def test_a_withdrawn_link_offers_no_leaked_replacement(alice_client, workshop, cio):
    alice_client.post(participant_url("revoke", cio))
    board = alice_client.get(
        reverse("workshops:board", args=[workshop.pk]), {"participant": cio.participant.pk}
    ).text
    assert "Create a new link" in board
    assert 'name="leaked"' not in board


def test_a_leaked_replacement_is_never_a_get(alice_client, cio, cio_client):
    reply = alice_client.get(participant_url("new_link", cio), {"leaked": "1"})
    assert reply.status_code == 405
    assert_still_answering(cio_client, cio, 3)
