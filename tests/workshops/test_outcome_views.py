"""The run-sheet and the outcome pages through the client: recording as typed (htmx) and
without JavaScript, bad input kept with a clear message, conflicts shown with both versions,
sign-off, sharing with the participants, and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from workshops.demo import CIO_ANSWERS, CMO_ANSWERS
from workshops.models import (
    Action,
    AgreedOwnership,
    AuditEvent,
    Decision,
    RunSheet,
    SharedKpi,
    Workshop,
)

from ..factories import give_answers, question
from .test_dashboard import _populate

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def answered(workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    return workshop


def _url(workshop: Workshop, name: str, *args) -> str:
    return reverse(f"workshops:{name}", args=[workshop.pk, *args])


def _decide(client, workshop, code, *, htmx=True, **fields):
    q = question(code)
    data = {"state": "agreed", "note": "", "revision": ""}
    data.update(
        {(f"q{q.pk}" if key == "position" else key): value for key, value in fields.items()}
    )
    extra = HTMX if htmx else {}
    return client.post(_url(workshop, "outcome_decision", q.pk), data, **extra), q


# The run-sheet ------------------------------------------------------------------------------


def test_run_sheet_lists_blocks_that_add_up_to_the_session(alice_client, answered):
    page = alice_client.get(_url(answered, "run_sheet")).content.decode()
    for part in (
        "Opening and reveal",
        "Agreements to confirm",
        "Customer growth or internal efficiency",
        "Owners and next steps",
        "Parking lot",
        "90 minutes planned",
        "Decide a target in seconds.",
        "Decide who owns it.",
        "How this run-sheet is built",
    ):
        assert part in page, part


def test_an_agreement_to_confirm_shows_both_answers_when_they_differ(alice_client, answered):
    page = alice_client.get(_url(answered, "run_sheet")).content.decode()

    def agreement(code: str) -> str:
        start = page.index(f'id="item-{question(code).pk}"')
        return page[start : page.index("</li>", start)]

    # 80 % and 75 % agree within the target's tolerance, but the CMO did not say 80 %.
    adoption = agreement("kpi-employee-adoption")
    assert "80 %" in adoption and "75 %" in adoption
    assert "CIO" in adoption and "CMO" in adoption
    # The same answer on both sides is given once.
    assert agreement("own-apps-today").count("CIO / IT") == 1


def test_the_facilitator_sets_the_length_and_drops_a_block(alice_client, answered, alice):
    alice_client.post(_url(answered, "run_sheet_change"), {"op": "length", "minutes": "60"})
    sheet = RunSheet.objects.get(workshop=answered)
    assert sheet.minutes == 60 and sheet.revision == 1
    response = alice_client.post(
        _url(answered, "run_sheet_change"),
        {"op": "drop", "block": "parking", "revision": "1"},
        follow=True,
    )
    assert "60 minutes planned" in response.content.decode()
    assert sheet.blocks.get(key="parking").dropped
    stale = alice_client.post(
        _url(answered, "run_sheet_change"),
        {"op": "restore", "block": "parking", "revision": "1"},
        follow=True,
    )
    assert "Someone else changed the run-sheet meanwhile" in stale.content.decode()
    assert sheet.blocks.get(key="parking").dropped
    bad = alice_client.post(
        _url(answered, "run_sheet_change"), {"op": "length", "minutes": "ninety"}, follow=True
    )
    assert "Minutes must be a whole number from 15 to 480." in bad.content.decode()
    # What was typed is back in the field, marked, to correct.
    assert (
        'value="ninety"' in bad.content.decode() and 'aria-invalid="true"' in bad.content.decode()
    )
    assert AuditEvent.objects.filter(workshop=answered, action="run_sheet", actor=alice).exists()


# Decisions ----------------------------------------------------------------------------------


def test_a_decision_saves_as_typed_with_its_position_in_the_question_s_terms(
    alice_client, answered
):
    response, q = _decide(alice_client, answered, "kpi-load-time", position="2,5", note="Both")
    assert response.status_code == 200
    assert "✓ Saved" in response.content.decode()
    assert f'id="decision-{q.pk}-rev"' in response.content.decode()
    decision = Decision.objects.get(workshop=answered, question=q)
    assert decision.position == 2.5 and decision.state == "agreed" and decision.revision == 1
    page = alice_client.get(_url(answered, "outcome") + "?view=read").content.decode()
    assert "2.5 seconds" in page  # after, beside before (2 and 4 seconds)


def test_a_parked_or_not_agreed_decision_is_never_read_as_agreed(alice_client, answered):
    _decide(alice_client, answered, "kpi-load-time", state="parked", position="3", note="Ask")
    _decide(alice_client, answered, "aud-split", state="not_agreed")
    _decide(alice_client, answered, "obj-ranking", state="agreed")
    page = alice_client.get(_url(answered, "outcome") + "?view=read").content.decode()
    sheet = page[page.index('class="agreed-decisions"') :]
    sheet = sheet[: sheet.index("</ol>")]
    # Only the decision agreed has an "Agreed" line (with no position in the question's
    # terms); the parked one shows the position it discussed, the one not agreed none.
    assert sheet.count("<dt>Agreed</dt>") == 1
    assert sheet.count("No position in the question") == 1
    assert "Parked" in sheet and "Not agreed" in sheet
    assert sheet.count("<dt>Discussed</dt>") == 1 and "3 seconds" in sheet


def test_a_kpi_s_numbers_read_as_they_were_typed(alice, alice_client, answered):
    from .populate import record_outcome

    record_outcome(answered, alice)  # now 2.0 %, target 3.5 %
    page = alice_client.get(_url(answered, "outcome") + "?view=read").content.decode()
    kpis = page[page.index("Checkout conversion") :]
    assert "3.5 %" in kpis and "2 %" in kpis
    assert "3.50" not in kpis
    alice_client.post(reverse("language"), {"language": "de"})
    page = alice_client.get(_url(answered, "outcome") + "?view=read").content.decode()
    assert "3,5 %" in page[page.index("Checkout conversion") :]
    client_page = alice_client.get(reverse("workshops:client", args=[answered.organisation_id]))
    assert "3,5 %" in client_page.content.decode() and "3,50" not in client_page.content.decode()


def test_each_group_s_answer_beside_the_forms_is_named_with_a_colon(alice_client, answered):
    import re

    page = alice_client.get(_url(answered, "outcome")).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    # "CIO CIO / IT" read as one name: the group and its answer are told apart.
    assert "CIO: CIO / IT" in text and "CIO CIO / IT" not in text
    read = alice_client.get(_url(answered, "outcome") + "?view=read").content.decode()
    assert "CIO CIO / IT" not in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", read))


def test_a_target_that_is_not_a_number_is_refused_and_kept(alice_client, answered):
    response, q = _decide(alice_client, answered, "kpi-load-time", htmx=False, position="fast")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter a number" in page or "not a number" in page
    assert 'value="fast"' in page
    assert not Decision.objects.filter(workshop=answered, question=q).exists()


def test_a_conflicting_save_shows_both_versions_and_overwrites_nothing(alice_client, answered, bob):
    from ..conftest import client_for

    _decide(alice_client, answered, "obj-ranking", note="Growth first")
    response, q = _decide(
        client_for(bob), answered, "obj-ranking", state="parked", note="Efficiency first"
    )
    page = response.content.decode()
    assert response["HX-Retarget"] == f"#decision-{q.pk}"
    assert "Saved meanwhile by someone else" in page
    assert "Growth first" in page and "Efficiency first" in page  # theirs and yours
    assert Decision.objects.get(workshop=answered, question=q).note == "Growth first"


def test_without_javascript_a_decision_saves_and_goes_back(alice_client, answered):
    response, q = _decide(
        alice_client, answered, "aud-split", htmx=False, next=_url(answered, "run_sheet")
    )
    assert response.status_code == 302
    assert response["Location"] == _url(answered, "run_sheet") + f"#decision-{q.pk}"
    evil, _ = _decide(
        alice_client, answered, "aud-web-vs-apps", htmx=False, next="https://evil.example/"
    )
    assert evil["Location"].startswith(_url(answered, "outcome"))


# Ownership, KPIs, actions -------------------------------------------------------------------


def test_a_raci_with_no_one_accountable_is_refused_and_kept(alice_client, answered):
    data = {"area": "apps", "apps-cio": "R", "apps-cmo": "C", "apps-joint": "", "apps-other": ""}
    response = alice_client.post(_url(answered, "outcome_ownership"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "No one is accountable" in page
    assert '<option value="R" selected>' in page
    assert not AgreedOwnership.objects.exists()
    data["apps-cmo"] = "A"
    saved = alice_client.post(_url(answered, "outcome_ownership"), data, **HTMX)
    assert saved.status_code == 200
    assert AgreedOwnership.objects.get(workshop=answered, area="apps").cmo == "A"


def test_a_kpi_target_that_is_not_a_number_says_so(alice_client, answered):
    data = {"kpi-new-name": "Conversion", "kpi-new-target": "three and a half"}
    response = alice_client.post(_url(answered, "outcome_kpi"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "“three and a half” is not a number" in page
    assert 'value="three and a half"' in page
    data["kpi-new-target"] = "3,5 %"
    alice_client.post(_url(answered, "outcome_kpi"), data)
    assert SharedKpi.objects.get(workshop=answered).target == 3.5


def test_an_action_due_in_the_past_or_owned_by_a_stranger_is_refused(
    alice_client, answered, outsider
):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    data = {
        "action-new-what": "Write the brief",
        "action-new-owner_name": "Sam",
        "action-new-due_on": yesterday,
        "action-new-status": "open",
    }
    response = alice_client.post(_url(answered, "outcome_action"), data)
    assert response.status_code == 422
    assert "is in the past" in response.content.decode()
    data.update({"action-new-due_on": "", "action-new-owner": str(outsider.participant.pk)})
    response = alice_client.post(_url(answered, "outcome_action"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "That person is not in this workshop" in page
    assert 'value="Write the brief"' in page
    assert not Action.objects.exists()


# Sign-off and sharing -----------------------------------------------------------------------


def test_after_sign_off_nothing_changes_until_reopened(alice_client, answered):
    _decide(alice_client, answered, "aud-split")
    alice_client.post(_url(answered, "outcome_sign_off"), {"signed_by": "Priya, CEO"})
    response, q = _decide(alice_client, answered, "aud-split", state="parked", revision="1")
    assert response.status_code == 422
    assert "signed off" in response.content.decode()
    assert Decision.objects.get(question=q, workshop=answered).state == "agreed"
    alice_client.post(_url(answered, "outcome_reopen"), {"reason": "New budget"})
    response, _ = _decide(alice_client, answered, "aud-split", state="parked", revision="1")
    assert response.status_code == 200


def test_participants_read_what_we_agreed_once_results_are_shared(
    alice_client, answered, cio_client, cio
):
    _decide(alice_client, answered, "kpi-load-time", position="3", note="Three seconds")
    url = reverse("workshops:respond_agreed", args=[cio.participant.pk])
    assert cio_client.get(url).status_code == 404
    Workshop.objects.filter(pk=answered.pk).update(
        revealed_at=timezone.now(), results_visible_to_participants=True
    )
    page = cio_client.get(url).content.decode()
    assert "Three seconds" in page and "3 seconds" in page
    assert "<form" not in page.split('id="main"')[1]  # read only


# Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("participants", [2, 60])
def test_pages_use_a_constant_number_of_queries(
    alice_client, workshop, django_assert_max_num_queries, participants, cio
):
    _populate(workshop, participants)
    give_answers(cio, CIO_ANSWERS, submitted=True)
    from ..conftest import client_for

    alice = workshop.owner
    for code in ("kpi-load-time", "aud-split", "obj-ranking"):
        _decide(alice_client, workshop, code)
    alice_client.post(_url(workshop, "outcome_kpi"), {"kpi-new-name": "Conversion"})
    participant = workshop.participants.first()
    alice_client.post(
        _url(workshop, "outcome_action"),
        {
            "action-new-what": "Brief",
            "action-new-owner": participant.pk,
            "action-new-status": "open",
        },
    )
    Workshop.objects.filter(pk=workshop.pk).update(
        revealed_at=timezone.now(), results_visible_to_participants=True
    )
    client = client_for(alice)
    for url in (
        _url(workshop, "run_sheet"),
        _url(workshop, "outcome"),
        _url(workshop, "outcome") + "?view=read",
    ):
        client.get(url)  # warm the session
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
    executive = Client()
    executive.get(cio.path)
    url = reverse("workshops:respond_agreed", args=[cio.participant.pk])
    executive.get(url)
    with django_assert_max_num_queries(10):
        page = executive.get(url)
    assert page.status_code == 200 and "Brief" in page.content.decode()
