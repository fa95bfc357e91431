"""Blind until reveal: the reveal, and the participants' read-only results page."""

import pytest
from django.test import Client
from django.urls import reverse

from workshops.models import AuditEvent, Role, Workshop
from workshops.results_views import anonymous_label
from workshops.services import remove_participant, reveal_results

from ..factories import give_answers, invite

pytestmark = pytest.mark.django_db


def reveal(client, workshop, **options):
    data = {key: "on" for key, value in options.items() if value}
    return client.post(reverse("workshops:reveal", args=[workshop.pk]), data)


def results_url(invitation):
    return reverse("workshops:respond_results", args=[invitation.participant.pk])


@pytest.fixture
def answered(workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4, "aud-web-vs-apps": "web-first"}, submitted=True)
    give_answers(cmo, {"obj-channels": 2, "aud-web-vs-apps": "apps-first"}, submitted=True)
    return workshop


@pytest.fixture
def cmo_client(cmo):
    client = Client()
    client.get(cmo.path)
    return client


def test_revealing_records_who_and_when(alice, alice_client, workshop):
    response = reveal(alice_client, workshop, results_visible_to_participants=True)
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.revealed_at is not None
    assert workshop.results_visible_to_participants
    assert not workshop.anonymous
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor == alice
    assert event.detail == "participants can see them"


def test_changing_the_sharing_keeps_the_first_reveal_time(alice_client, workshop):
    reveal(alice_client, workshop)
    first = Workshop.objects.get(pk=workshop.pk).revealed_at
    reveal(alice_client, workshop, results_visible_to_participants=True, anonymous=True)
    workshop.refresh_from_db()
    assert workshop.revealed_at == first
    assert workshop.anonymous
    assert AuditEvent.objects.filter(action="reveal").first().detail.startswith("Sharing changed")


def test_revealing_is_post_only(alice_client, workshop):
    assert alice_client.get(reverse("workshops:reveal", args=[workshop.pk])).status_code == 405


def test_the_workshop_page_says_it_is_blind_until_reveal(alice_client, workshop):
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    assert "Blind until reveal" in page
    assert "Reveal results" in page


def test_results_are_a_404_before_the_reveal(answered, cio_client, cio):
    assert cio_client.get(results_url(cio)).status_code == 404


def test_results_stay_hidden_when_kept_to_the_room(alice, answered, cio_client, cio):
    reveal_results(answered, actor=alice, visible_to_participants=False, anonymous=False)
    assert cio_client.get(results_url(cio)).status_code == 404


def test_participants_see_everyones_answers_in_their_own_terms(alice, answered, cio_client, cio):
    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=False)
    page = cio_client.get(results_url(cio))
    assert page.status_code == 200
    assert "Dana Whitfield, CIO (you)" in page.text
    assert "Marcus Reyes, CMO" in page.text
    assert "4 of 5" in page.text and "2 of 5" in page.text
    assert "Responsive web first; native apps only where clearly justified" in page.text
    assert "Native apps first" in page.text
    assert "2 of 2 participants submitted" in page.text


def test_anonymous_mode_hides_names(alice, answered, cio_client, cmo_client, cio, cmo):
    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=True)
    page = cmo_client.get(results_url(cmo)).text
    assert "Dana Whitfield" not in page
    assert "Participant A, CIO" in page
    assert "Participant B, CMO (you)" in page
    assert "Marcus Reyes" in page  # the header greets the participant by their own name


def test_drafts_and_removed_people_are_not_shown(alice, answered, cio_client, cio, cmo):
    draft = invite(answered, "Chris Ceo", Role.CEO)
    give_answers(draft, {"obj-channels": 1})
    remove_participant(cmo.participant, actor=alice)
    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=False)
    page = cio_client.get(results_url(cio)).text
    assert "Chris Ceo" not in page
    assert "Marcus Reyes" not in page
    assert "1 of 2 participants submitted" in page


def test_hiding_the_results_again_makes_them_blind(alice, alice_client, answered, cio_client, cio):
    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=False)
    assert cio_client.get(results_url(cio)).status_code == 200
    alice_client.post(reverse("workshops:hide_results", args=[answered.pk]))
    assert cio_client.get(results_url(cio)).status_code == 404
    assert AuditEvent.objects.filter(action="hide_results").exists()


def test_results_need_the_participants_own_session(alice, answered, cio, cmo_client, client):
    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=False)
    assert client.get(results_url(cio)).status_code == 404  # no session
    assert cmo_client.get(results_url(cio)).status_code == 404  # someone else's session


def test_a_facilitator_session_is_not_a_participant_session(alice, alice_client, answered, cio):
    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=False)
    assert alice_client.get(results_url(cio)).status_code == 404


def test_results_stop_with_a_withdrawn_link(alice, answered, cio_client, cio):
    from workshops.services import revoke_link

    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=False)
    revoke_link(cio.participant, actor=alice)
    assert cio_client.get(results_url(cio)).status_code == 404


def test_results_take_a_fixed_number_of_queries(
    alice, answered, cio_client, cio, django_assert_max_num_queries
):
    for number in range(6):
        give_answers(
            invite(answered, f"Extra{number} Person", Role.CTO), {"obj-channels": 3}, submitted=True
        )
    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=True)
    with django_assert_max_num_queries(10):
        assert cio_client.get(results_url(cio)).status_code == 200


@pytest.mark.parametrize(("index", "label"), [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB")])
def test_anonymous_labels_run_past_z(index, label):
    assert anonymous_label(index) == label
