"""Blind until reveal: the reveal, and the participants' read-only results page."""

import pytest
from django.test import Client
from django.urls import reverse

from workshops.models import AuditEvent, Role, Workshop, WorkshopStatus
from workshops.results_views import anonymous_label
from workshops.services import remove_participant, reveal_results

from ..factories import give_answers, invite, make_workshop

pytestmark = pytest.mark.django_db


def reveal(client, workshop, *, confirmed=True, **options):
    data = {key: "on" for key, value in options.items() if value}
    if confirmed:
        data["confirmed"] = "1"
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


def test_revealing_records_who_and_when(alice, alice_client, answered):
    workshop = answered
    response = reveal(alice_client, workshop, results_visible_to_participants=True)
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.revealed_at is not None
    assert workshop.results_visible_to_participants
    assert not workshop.anonymous
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor == alice
    assert event.detail == "participants can see them"


def test_changing_the_sharing_keeps_the_first_reveal_time(alice_client, answered):
    workshop = answered
    reveal(alice_client, workshop)
    first = Workshop.objects.get(pk=workshop.pk).revealed_at
    reveal(alice_client, workshop, results_visible_to_participants=True, anonymous=True)
    workshop.refresh_from_db()
    assert workshop.revealed_at == first
    assert workshop.anonymous
    assert AuditEvent.objects.filter(action="reveal").first().detail.startswith("Sharing changed")
    first_reveal = AuditEvent.objects.filter(action="reveal").order_by("pk").first()
    assert first_reveal.detail == "in the room only"


def test_revealing_is_post_only(alice_client, workshop):
    assert alice_client.get(reverse("workshops:reveal", args=[workshop.pk])).status_code == 405


def test_the_workshop_page_says_it_is_blind_until_reveal(alice_client, workshop):
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    assert "Blind until reveal" in page
    # Honest about who sees what before the reveal: the facilitator does, the executives don't.
    assert "you see them as they arrive, on the dashboard" in page
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


# Revealing needs answers, and asks first.


def detail(client, workshop, **query):
    return client.get(reverse("workshops:detail", args=[workshop.pk]), query)


def test_reveal_is_not_offered_before_anyone_has_answered(alice_client, workshop, cio):
    page = detail(alice_client, workshop).text
    assert "Reveal results</button>" in page
    assert 'type="button" disabled aria-describedby="reveal-help"' in page
    assert "Nothing to reveal yet: no executive has answered a question." in page
    assert 'name="confirm" value="reveal"' not in page


def test_an_empty_draft_workshop_cannot_be_revealed(alice, alice_client):
    draft = make_workshop(alice, status=WorkshopStatus.DRAFT)
    response = reveal(alice_client, draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_revealed
    assert not AuditEvent.objects.filter(action="reveal").exists()
    page = alice_client.get(response["Location"]).text
    assert "Nothing to reveal yet" in page


def test_nobody_can_reveal_by_asking_for_the_confirmation_directly(alice_client, workshop, cio):
    page = detail(alice_client, workshop, confirm="reveal").text
    assert "Reveal everyone's answers to the room?" not in page
    assert "Nothing to reveal yet" in page


def test_a_draft_answer_is_enough_to_reveal(alice_client, workshop, cio):
    give_answers(cio, {"obj-channels": 4})  # not submitted
    page = detail(alice_client, workshop).text
    assert "Nothing to reveal yet" not in page
    assert 'name="confirm" value="reveal"' in page
    reveal(alice_client, workshop)
    workshop.refresh_from_db()
    assert workshop.is_revealed


def test_answers_of_removed_people_do_not_count(alice, alice_client, workshop, cio):
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    remove_participant(cio.participant, actor=alice)
    assert "Nothing to reveal yet" in detail(alice_client, workshop).text
    reveal(alice_client, workshop)
    workshop.refresh_from_db()
    assert not workshop.is_revealed


def test_revealing_asks_for_confirmation_first(alice_client, answered):
    response = reveal(alice_client, answered, confirmed=False, results_visible_to_participants=True)
    answered.refresh_from_db()
    assert not answered.is_revealed
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("workshops:detail", args=[answered.pk])
        + "?confirm=reveal&results_visible_to_participants=on#reveal"
    )
    page = alice_client.get(response["Location"]).text
    assert "Reveal everyone's answers to the room?" in page
    assert "2 of 2 executives have answered so far (2 submitted)" in page
    assert "Participants will also see everyone's submitted answers" in page
    confirm = page[page.index('id="confirm-reveal-heading"') :]
    assert 'name="confirmed" value="1"' in confirm
    assert 'name="results_visible_to_participants" value="on"' in confirm
    assert 'name="anonymous"' not in confirm.split("</form>")[0]
    assert "Not yet" in confirm


def test_the_reveal_button_opens_the_confirmation_without_javascript(alice_client, answered):
    page = detail(alice_client, answered).text
    form = page[page.index('id="reveal-heading"') :]
    form = form[form.index("<form") : form.index("</form>")]
    assert 'method="get"' in form
    assert 'name="confirm" value="reveal"' in form
    assert "Reveal results…" in form


def test_changing_the_sharing_after_the_reveal_needs_no_confirmation(alice_client, answered):
    reveal(alice_client, answered)
    reveal(alice_client, answered, confirmed=False, anonymous=True)
    answered.refresh_from_db()
    assert answered.anonymous


def test_revealing_again_after_hiding_asks_again(alice_client, answered):
    reveal(alice_client, answered)
    alice_client.post(reverse("workshops:hide_results", args=[answered.pk]))
    response = reveal(alice_client, answered, confirmed=False)
    assert "confirm=reveal" in response["Location"]
    answered.refresh_from_db()
    assert not answered.is_revealed


def test_the_reveal_confirmation_takes_no_extra_queries(
    alice_client, answered, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        assert detail(alice_client, answered, confirm="reveal").status_code == 200


def reveal_panel_tag(page: str) -> str:
    start = page.index('<section class="panel" id="reveal"')
    return page[start : page.index(">", start)]


def test_the_reveal_panel_checks_again_by_itself_until_someone_answers(alice_client, workshop, cio):
    waiting = reveal_panel_tag(detail(alice_client, workshop).text)
    assert 'hx-select="#reveal"' in waiting
    assert 'hx-trigger="every 5s"' in waiting
    give_answers(cio, {"obj-channels": 4})
    assert "hx-trigger" not in reveal_panel_tag(detail(alice_client, workshop).text)


def test_only_those_who_submitted_see_everyones_answers(alice, answered, workshop):
    late = invite(workshop, "Chris Late", Role.CFO)
    client = Client()
    client.get(late.path)
    give_answers(late, {"obj-channels": 3})  # answering, not submitted
    reveal_results(answered, actor=alice, visible_to_participants=True, anonymous=False)
    refused = client.get(results_url(late))
    assert refused.status_code == 404
    assert "answers open once you have submitted yours" in refused.text
    review = client.get(reverse("workshops:respond_review", args=[late.participant.pk])).text
    assert "you can see them once you have submitted yours" in review
    assert results_url(late) not in review


@pytest.mark.parametrize("revealed", [False, True])
def test_the_reveal_choices_are_the_forms_own(alice, alice_client, answered, revealed):
    """The workshop page writes the reveal's two choices out (crispy's template per field was
    most of the panel's time): they ask and post what RevealForm renders, checked as saved."""
    from django.template import engines

    from workshops.forms import RevealForm

    from .test_participants import _form_fields

    workshop = Workshop.objects.get()
    if revealed:
        reveal_results(workshop, actor=alice, visible_to_participants=False, anonymous=True)
        action = reverse("workshops:reveal", args=[workshop.pk])
    else:
        action = reverse("workshops:detail", args=[workshop.pk]) + "#reveal"
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    crispy = engines["django"].from_string(
        '{% load crispy_forms_tags %}<form action="{{ action }}">{{ form|crispy }}</form>'
    )
    form = RevealForm(initial={"results_visible_to_participants": False, "anonymous": revealed})
    expected = _form_fields(crispy.render({"form": form, "action": action}), action)
    shown = [f for f in _form_fields(page, action) if ("type", "hidden") not in f[1]]
    assert len(expected) == 6 and shown[: len(expected)] == expected
