"""The progress board: who has not opened, who is answering, who submitted; reopening."""

import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from hypothesis import given
from hypothesis import strategies as st

from surveys.models import Question, ResponseStatus
from workshops.board import time_ago
from workshops.models import AuditEvent, InvitationDelivery, LinkState, Participant, Role

from ..factories import give_answers, invite, run_queued_tasks

pytestmark = pytest.mark.django_db


def board_url(workshop):
    return reverse("workshops:board", args=[workshop.pk])


def without_csrf(text: str) -> str:
    """CSRF tokens are masked afresh on every render."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def row(page_text: str, participant) -> str:
    start = page_text.index(f'id="participant-{participant.pk}"')
    return page_text[start : page_text.index("</tr>", start)]


def test_each_participant_shows_where_they_are(alice_client, workshop, cio, cmo):
    ceo = invite(workshop, "Chris Ceo", Role.CEO)
    give_answers(cio, {"obj-channels": 4, "obj-engagement": None}, submitted=True)
    give_answers(cmo, {"obj-channels": 2, "obj-engagement": 3, "obj-mobile-sales": None})
    Participant.objects.filter(pk=cmo.participant.pk).update(
        first_opened_at=timezone.now() - timedelta(hours=1),
        last_activity_at=timezone.now() - timedelta(minutes=5),
    )
    total = Question.objects.filter(section__questionnaire=workshop.questionnaire).count()
    board = alice_client.get(board_url(workshop))
    assert board.status_code == 200
    assert "Submitted" in row(board.text, cio.participant)
    in_progress = row(board.text, cmo.participant)
    assert "In progress" in in_progress
    assert f"3 of {total} answered, last activity 5\xa0minutes ago" in in_progress
    assert "Not opened" in row(board.text, ceo.participant)
    assert "<strong>1 of 3</strong> submitted" in board.text
    assert "1 in progress" in board.text and "1 not opened" in board.text


def test_the_board_shows_invitation_and_link_state(alice_client, workshop, cio, cmo):
    Participant.objects.filter(pk=cio.participant.pk).update(invited_at=timezone.now())
    Participant.objects.filter(pk=cmo.participant.pk).update(token_revoked_at=timezone.now())
    board = alice_client.get(board_url(workshop)).text
    assert "Emailed just now" in row(board, cio.participant)
    assert "Link withdrawn just now" in row(board, cmo.participant)


# The link column tells how the current link reached the participant.


def participant_url(name, invitation):
    participant = invitation.participant
    return reverse(f"workshops:participant_{name}", args=[participant.workshop_id, participant.pk])


def link_cell(client, workshop, participant) -> str:
    """The text of the participant's "Personal link" cell on the board (tags and spacing
    left out)."""
    cells = row(client.get(board_url(workshop)).text, participant)
    start = cells.index('data-label="Link"')
    cell = cells[start : cells.index("</td>", start)].split(">", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def earlier(invitation, minutes: int) -> None:
    """Move everything that happened to the participant's link `minutes` into the past."""
    delta = timedelta(minutes=minutes)
    Participant.objects.filter(pk=invitation.participant.pk).update(
        token_created_at=F("token_created_at") - delta,
        invited_at=F("invited_at") - delta,  # stays NULL when never emailed
    )
    InvitationDelivery.objects.filter(participant=invitation.participant).update(
        queued_at=F("queued_at") - delta, sent_at=F("sent_at") - delta
    )


def test_an_emailed_link_says_when_it_was_emailed(alice_client, workshop, cio):
    alice_client.post(participant_url("invite", cio))
    run_queued_tasks()
    earlier(cio, minutes=5)
    assert link_cell(alice_client, workshop, cio.participant) == "Emailed 5 minutes ago"


def test_copying_a_new_link_after_an_email_says_the_emailed_one_no_longer_works(
    alice_client, workshop, cio
):
    alice_client.post(participant_url("invite", cio))
    earlier(cio, minutes=10)
    alice_client.post(participant_url("new_link", cio))
    earlier(cio, minutes=2)
    assert link_cell(alice_client, workshop, cio.participant) == (
        "New link shown 2 minutes ago The emailed link no longer works"
    )


def test_emailing_after_copying_makes_the_emailed_link_the_current_one(alice_client, workshop, cio):
    alice_client.post(participant_url("new_link", cio))
    alice_client.post(participant_url("invite", cio))
    assert link_cell(alice_client, workshop, cio.participant) == "Email queued just now Being sent"
    run_queued_tasks()
    assert link_cell(alice_client, workshop, cio.participant) == "Emailed just now"


def test_a_link_copied_but_never_emailed_says_so(alice_client, workshop, cio):
    alice_client.post(participant_url("new_link", cio))
    earlier(cio, minutes=3)
    assert link_cell(alice_client, workshop, cio.participant) == (
        "Link shown 3 minutes ago Not emailed: you share it"
    )


def test_someone_added_without_email_has_a_copied_link(alice_client, workshop):
    alice_client.post(
        reverse("workshops:participant_add", args=[workshop.pk]),
        {"name": "Ada Chen", "role": "cto"},
    )
    ada = Participant.objects.get(name="Ada Chen")
    assert link_cell(alice_client, workshop, ada) == "Link shown just now Not emailed: you share it"


def test_a_withdrawn_link_says_so_even_after_an_email(alice_client, workshop, cio):
    alice_client.post(participant_url("invite", cio))
    alice_client.post(participant_url("revoke", cio))
    assert link_cell(alice_client, workshop, cio.participant) == "Link withdrawn just now"


@pytest.mark.parametrize(
    ("invited", "issued", "revoked", "state"),
    [
        (None, 0, None, LinkState.COPIED),
        (0, 0, None, LinkState.EMAILED),
        (1, 0, None, LinkState.EMAILED),  # emailing issues the link a moment before sending
        (0, 1, None, LinkState.COPIED_AFTER_EMAIL),
        (1, 0, 2, LinkState.WITHDRAWN),
        (None, 0, 1, LinkState.WITHDRAWN),
    ],
)
def test_the_link_state_follows_the_latest_of_issue_email_and_withdrawal(
    invited, issued, revoked, state
):
    start = timezone.now()

    def at(minute):
        return None if minute is None else start + timedelta(minutes=minute)

    participant = Participant(
        invited_at=at(invited), token_created_at=at(issued), token_revoked_at=at(revoked)
    )
    assert participant.link_state == state
    expected_since = {
        LinkState.WITHDRAWN: at(revoked),
        LinkState.EMAILED: at(invited),
    }.get(state, at(issued))
    assert participant.link_state_since == expected_since


def test_the_page_includes_the_same_partial_it_polls(alice_client, workshop, cio):
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    board = alice_client.get(board_url(workshop)).text
    assert f'hx-get="{board_url(workshop)}"' in page
    assert 'hx-trigger="every 5s"' in page
    assert 'hx-swap="outerHTML"' in page
    assert board.lstrip().startswith('<div id="board"')
    assert board.count("<html") == 0
    assert without_csrf(row(board, cio.participant)) in without_csrf(page)


def test_the_board_updates_as_answers_arrive(alice_client, workshop, cio):
    assert "Not opened" in row(alice_client.get(board_url(workshop)).text, cio.participant)
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    assert "Submitted" in row(alice_client.get(board_url(workshop)).text, cio.participant)


def test_a_row_offers_its_actions_on_request(alice_client, workshop, cio, cmo):
    """The board polled every few seconds holds one small "Actions" button a row: it asks for
    the board with that row's menu (`?participant=`), open, its first action focused."""
    board = alice_client.get(board_url(workshop)).text
    for invitation in (cio, cmo):
        actions = row(board, invitation.participant)
        assert (
            f'type="submit" form="board-choose" name="participant" '
            f'value="{invitation.participant.pk}">Actions' in actions
        )
        assert "formaction" not in actions and "<details" not in actions
    choose = re.search(r'<form id="board-choose" method="get" (.*?)></form>', board).group(1)
    assert f'action="{reverse("workshops:detail", args=[workshop.pk])}"' in choose  # no JS
    assert f'hx-get="{board_url(workshop)}" hx-target="#board"' in choose  # JS: in place
    chosen = alice_client.get(board_url(workshop), {"participant": cio.participant.pk}).text
    assert '<details class="actions-menu" open>' in row(chosen, cio.participant)
    assert "autofocus" in row(chosen, cio.participant)
    assert "<details" not in row(chosen, cmo.participant)
    page = alice_client.get(
        reverse("workshops:detail", args=[workshop.pk]), {"participant": cmo.participant.pk}
    ).text
    assert '<details class="actions-menu" open>' in row(page, cmo.participant)
    for nonsense in ["x", "-1", "9" * 40, str(cio.participant.pk + 1000)]:
        other = alice_client.get(board_url(workshop), {"participant": nonsense})
        assert other.status_code == 200 and "<details" not in other.text


def test_the_board_actions_submit_its_one_post_form_with_csrf(alice_client, workshop, cio, cmo):
    """Each action is a submit button of the board's one POST form, which carries the CSRF
    field, and names its own URL: no row holds a form of its own."""
    board = alice_client.get(board_url(workshop), {"participant": cio.participant.pk}).text
    actions = row(board, cio.participant)
    for name in ["invite", "new_link", "revoke", "remove"]:
        url = reverse(f"workshops:participant_{name}", args=[workshop.pk, cio.participant.pk])
        assert f'type="submit" form="board-actions" formaction="{url}"' in actions
    assert "<form" not in actions
    form = re.search(r'<form id="board-actions" method="post" hidden>(.*?)</form>', board, re.S)
    assert form is not None and "csrfmiddlewaretoken" in form.group(1)
    # One for the actions of every row, one for "Remind everyone", whatever the board's size.
    assert board.count("csrfmiddlewaretoken") == 2


def test_every_action_works_through_the_boards_form(alice_client, workshop, cio):
    """What a browser sends for a button with `form` and `formaction`: the form's fields (the
    CSRF token) and the button's own name and value, to the button's URL."""
    client = alice_client
    client.handler.enforce_csrf_checks = True
    board = client.get(board_url(workshop)).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', board).group(1)
    url = reverse("workshops:participant_new_link", args=[workshop.pk, cio.participant.pk])
    replaced = client.post(url, {"csrfmiddlewaretoken": token, "leaked": "1"})
    assert replaced.status_code == 200 and "leaked" in replaced.text
    revoke = reverse("workshops:participant_revoke", args=[workshop.pk, cio.participant.pk])
    assert client.post(revoke, {"csrfmiddlewaretoken": token}).status_code == 302
    assert Participant.objects.get(pk=cio.participant.pk).link_withdrawn
    assert client.post(revoke, {}).status_code == 403  # without the form's token: refused


@pytest.mark.parametrize("people", [2, 12])
def test_the_board_takes_the_same_queries_whatever_its_size(
    alice_client, workshop, people, django_assert_max_num_queries
):
    roles = [Role.CIO, Role.CMO, Role.CEO, Role.CTO]
    for number in range(people):
        invitation = invite(workshop, f"Person{number} Example", roles[number % 4])
        if number % 2:
            give_answers(invitation, {"obj-channels": 3}, submitted=number % 4 == 1)
    # session, user, workshop, participants with answer counts, question total
    with django_assert_max_num_queries(5):
        assert alice_client.get(board_url(workshop)).status_code == 200
    # + co-facilitators, removed participants, audit trail
    with django_assert_max_num_queries(8):
        assert alice_client.get(reverse("workshops:detail", args=[workshop.pk])).status_code == 200


def test_another_facilitator_cannot_poll_the_board(client, charlie, workshop):
    client.force_login(charlie)
    assert client.get(board_url(workshop)).status_code == 404


# Reopening a submitted response.


def test_reopening_lets_the_executive_change_answers_again(alice, alice_client, workshop, cio):
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    url = reverse("workshops:participant_reopen", args=[workshop.pk, cio.participant.pk])
    board = alice_client.get(board_url(workshop), {"participant": cio.participant.pk})
    assert url in row(board.text, cio.participant)
    response = alice_client.post(url)
    assert response.status_code == 302
    participant = Participant.objects.select_related("response").get(pk=cio.participant.pk)
    assert participant.response.status == ResponseStatus.DRAFT
    assert participant.response.answers.count() == 1
    event = AuditEvent.objects.get(action="reopen")
    assert event.actor == alice and "Dana Whitfield" in event.detail


def test_only_submitted_answers_can_be_reopened(alice_client, workshop, cio):
    give_answers(cio, {"obj-channels": 4})
    url = reverse("workshops:participant_reopen", args=[workshop.pk, cio.participant.pk])
    response = alice_client.post(url, follow=True)
    assert "Only submitted answers can be reopened" in response.text
    assert not AuditEvent.objects.filter(action="reopen").exists()


def test_reopening_is_post_only(alice_client, workshop, cio):
    url = reverse("workshops:participant_reopen", args=[workshop.pk, cio.participant.pk])
    assert alice_client.get(url).status_code == 405


@given(seconds=st.integers(min_value=-3600, max_value=80 * 24 * 60 * 60))
def test_times_ago_read_as_djangos_timesince_in_one_unit(seconds):
    """The board's "5 minutes ago", worked out directly under four weeks, says what Django's
    `timesince(depth=1)` says, and each distinct text is translated once per board."""
    now = timezone.now()
    then = now - timedelta(seconds=seconds)
    said = {}
    text = time_ago(then, now, said)
    expected = "just now" if seconds < 60 else f"{timesince(then, now, depth=1)} ago"
    assert text == expected
    assert time_ago(then, now, said) == text and len(said) <= 1
    assert time_ago(None, now, said) == ""
