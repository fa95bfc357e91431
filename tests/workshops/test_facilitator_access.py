"""Facilitators reach only their own workshops; anonymous users are sent to log in.

(The project-wide matrix over every URL lives in tests/security; this file pins the facilitator
views' own behaviour: 404 for a stranger, login for anonymous, the co-facilitator welcome.)
"""

import pytest
from django.urls import reverse

from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db

WORKSHOP_URLS = ["detail", "board", "edit", "delete", "audit", "participant_add"]
WORKSHOP_POSTS = ["status", "reveal", "hide_results", "remind", "participant_add", "delete"]
PARTICIPANT_URLS = ["participant_edit", "participant_remove"]
PARTICIPANT_POSTS = [
    "participant_invite",
    "participant_new_link",
    "participant_revoke",
    "participant_reopen",
    "participant_remove",
    "participant_restore",
    "participant_edit",
]


def workshop_urls(workshop):
    return [reverse(f"workshops:{name}", args=[workshop.pk]) for name in WORKSHOP_URLS]


def participant_urls(names, invitation):
    participant = invitation.participant
    return [
        reverse(f"workshops:{name}", args=[participant.workshop_id, participant.pk])
        for name in names
    ]


def test_another_facilitator_gets_404_everywhere(client, charlie, workshop, cio):
    client.force_login(charlie)
    for url in workshop_urls(workshop) + participant_urls(PARTICIPANT_URLS, cio):
        assert client.get(url).status_code == 404, url
    posts = [reverse(f"workshops:{name}", args=[workshop.pk]) for name in WORKSHOP_POSTS]
    posts += participant_urls(PARTICIPANT_POSTS, cio)
    for url in posts:
        assert client.post(url, {"status": "closed", "confirmed": "1"}).status_code == 404, url
    workshop.refresh_from_db()
    assert workshop.status == "collecting"
    assert Workshop.objects.filter(pk=workshop.pk).exists()
    assert Participant.objects.get(pk=cio.participant.pk).removed_at is None


def test_anonymous_users_are_sent_to_log_in(client, workshop, cio):
    login = reverse("login")
    for url in workshop_urls(workshop) + participant_urls(PARTICIPANT_URLS, cio):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url
    for url in participant_urls(PARTICIPANT_POSTS, cio):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    assert client.get(reverse("workshops:create")).status_code == 302


def test_a_participant_session_opens_no_facilitator_page(cio_client, workshop, cio):
    for url in workshop_urls(workshop):
        assert cio_client.get(url).status_code == 302, url


def test_the_co_facilitator_runs_the_workshop_too(client, bob, workshop, cio):
    client.force_login(bob)
    for url in workshop_urls(workshop):
        if "delete" in url:
            continue
        assert client.get(url).status_code == 200, url
    for url in participant_urls(PARTICIPANT_URLS, cio):
        assert client.get(url).status_code == 200, url


def test_a_participant_is_found_only_through_its_own_workshop(
    alice, alice_client, workshop, outsider
):
    from ..factories import make_workshop

    mine = make_workshop(alice, title="Second")
    url = reverse("workshops:participant_revoke", args=[mine.pk, outsider.participant.pk])
    assert alice_client.post(url).status_code == 404
    assert Participant.objects.get(pk=outsider.participant.pk).token_revoked_at is None
