"""The audit trail: invite, revoke, reveal, reopen, remove and delete, with who and when."""

import pytest
from django.urls import reverse

from workshops.models import AuditEvent
from workshops.services import record

from ..factories import give_answers

pytestmark = pytest.mark.django_db


def test_every_facilitator_action_leaves_a_trace(alice, alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 3}, submitted=True)
    pk, cio_pk, cmo_pk = workshop.pk, cio.participant.pk, cmo.participant.pk
    alice_client.post(reverse("workshops:participant_invite", args=[pk, cio_pk]))
    alice_client.post(reverse("workshops:participant_new_link", args=[pk, cmo_pk]))
    alice_client.post(reverse("workshops:participant_revoke", args=[pk, cmo_pk]))
    alice_client.post(reverse("workshops:participant_reopen", args=[pk, cio_pk]))
    alice_client.post(reverse("workshops:remind", args=[pk]))
    alice_client.post(reverse("workshops:reveal", args=[pk]), {"confirmed": "1"})
    alice_client.post(reverse("workshops:participant_remove", args=[pk, cmo_pk]))
    alice_client.post(reverse("workshops:participant_restore", args=[pk, cmo_pk]))
    alice_client.post(reverse("workshops:status", args=[pk]), {"status": "in_session"})
    actions = set(AuditEvent.objects.filter(workshop=workshop).values_list("action", flat=True))
    assert {
        "create",
        "add_participant",
        "invite",
        "regenerate_link",
        "revoke_link",
        "reopen",
        "remind",
        "reveal",
        "remove_participant",
        "restore_participant",
        "status",
    } <= actions
    later = AuditEvent.objects.filter(workshop=workshop).exclude(
        action__in=["create", "add_participant"]
    )
    assert {event.actor for event in later} == {alice}


def test_the_workshop_page_shows_who_did_what_and_when(alice, alice_client, workshop, cio):
    alice_client.post(
        reverse("workshops:participant_revoke", args=[workshop.pk, cio.participant.pk])
    )
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    trail = page[page.index('id="audit-heading"') :]
    assert "<strong>Link withdrawn</strong>: Link withdrawn for Dana Whitfield" in trail
    assert "Alice" in trail
    assert "<time datetime=" in trail


def test_actions_without_a_person_show_as_system(alice_client, workshop):
    record(workshop, None, "export", "CSV export")
    page = alice_client.get(reverse("workshops:audit", args=[workshop.pk])).text
    assert "<strong>Results exported</strong>: CSV export" in page
    assert "System" in page


def test_unknown_actions_still_read_as_words(workshop):
    record(workshop, None, "archive_files")
    assert AuditEvent.objects.get(action="archive_files").label == "Archive files"


def test_the_full_trail_is_paginated_newest_first(alice, alice_client, workshop):
    for number in range(60):
        record(workshop, alice, "export", f"Export {number:02d}")
    first = alice_client.get(reverse("workshops:audit", args=[workshop.pk])).text
    assert "Export 59" in first and "Export 10" in first
    assert "Export 09" not in first
    second = alice_client.get(reverse("workshops:audit", args=[workshop.pk]), {"page": 2}).text
    assert "Export 09" in second
    assert "Workshop created" in second


def test_the_board_shows_only_the_latest_events(alice, alice_client, workshop):
    for number in range(30):
        record(workshop, alice, "export", f"Export {number:02d}")
    page = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    assert "Export 29" in page
    assert "Export 00" not in page
    assert reverse("workshops:audit", args=[workshop.pk]) in page


def test_support_staff_search_the_trail_by_the_facts_it_names(staff, alice, workshop, cio):
    from ..conftest import client_for

    record(workshop, alice, "revoke_link", name="Zoe Quartermaine")
    page = client_for(staff).get("/admin/workshops/auditevent/", {"q": "Quartermaine"})
    assert page.status_code == 200
    assert "Zoe Quartermaine" in page.text and "Dana Whitfield" not in page.text
