"""The outcome's rows: database constraints, and the services that write them (revisions,
the sign-off lock, the audit trail)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from workshops.models import (
    Action,
    AgreedOwnership,
    AuditEvent,
    Decision,
    DecisionState,
    SharedKpi,
    SignOff,
)
from workshops.outcome import (
    DuplicateName,
    NotSignedOff,
    OutcomeLocked,
    StaleRevision,
    reopen_outcome,
    save_action,
    save_decision,
    save_kpi,
    save_notes,
    save_ownership,
    sign_off,
)

from ..factories import question

pytestmark = pytest.mark.django_db


def _raises_integrity(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreedOwnership.objects.create(**fields)


def test_a_raci_needs_exactly_one_accountable_in_the_database(workshop):
    _raises_integrity(workshop=workshop, area="apps", area_label="Apps", cio="R", cmo="C")
    _raises_integrity(workshop=workshop, area="apps", area_label="Apps", cio="A", cmo="AR")
    _raises_integrity(workshop=workshop, area="apps", area_label="Apps", cio="A", other="I")
    _raises_integrity(workshop=workshop, area="apps", area_label="Apps", cio="X")
    AgreedOwnership.objects.create(workshop=workshop, area="apps", area_label="Apps", cmo="AR")


def test_one_decision_per_question_and_only_known_states(workshop):
    q = question("obj-ranking")
    Decision.objects.create(workshop=workshop, question=q, state=DecisionState.AGREED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(workshop=workshop, question=q)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(workshop=workshop, question=question("aud-split"), state="maybe")


def test_an_action_needs_an_owner_and_a_kpi_a_review_by_its_deadline(workshop):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(workshop=workshop, what="Ship it")
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        SharedKpi.objects.create(
            workshop=workshop,
            name="Conversion",
            deadline=today,
            review_on=today + timezone.timedelta(days=1),
        )


def test_only_one_sign_off_stands_at_a_time(workshop):
    SignOff.objects.create(workshop=workshop, signed_by="Priya, CEO")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.create(workshop=workshop, signed_by="Someone else")


def test_a_stale_save_is_refused_with_the_stored_version(workshop, alice, bob):
    q = question("obj-ranking")
    first = save_decision(
        workshop=workshop,
        question=q,
        state=DecisionState.AGREED,
        position=None,
        note="Growth first",
        base_revision=None,
        actor=alice,
    )
    assert first.revision == 1
    second = save_decision(
        workshop=workshop,
        question=q,
        state=DecisionState.RESERVATIONS,
        position=None,
        note="Growth first, cost reviewed in Q3",
        base_revision=1,
        actor=bob,
    )
    assert second.revision == 2
    with pytest.raises(StaleRevision) as refused:  # alice's page still shows revision 1
        save_decision(
            workshop=workshop,
            question=q,
            state=DecisionState.NOT_AGREED,
            position=None,
            note="Efficiency first",
            base_revision=1,
            actor=alice,
        )
    assert refused.value.current.note == "Growth first, cost reviewed in Q3"
    assert Decision.objects.get(workshop=workshop, question=q).state == DecisionState.RESERVATIONS


def test_two_first_saves_of_one_decision_do_not_overwrite_each_other(workshop, alice, bob):
    q = question("aud-split")
    save_decision(
        workshop=workshop,
        question=q,
        state="parked",
        position=None,
        note="",
        base_revision=None,
        actor=alice,
    )
    with pytest.raises(StaleRevision):
        save_decision(
            workshop=workshop,
            question=q,
            state="agreed",
            position=None,
            note="",
            base_revision=None,
            actor=bob,
        )


def test_the_same_save_twice_is_not_a_conflict(workshop, alice):
    q = question("aud-split")
    values = {"state": "agreed", "position": None, "note": "Same"}
    save_decision(workshop=workshop, question=q, base_revision=None, actor=alice, **values)
    again = save_decision(workshop=workshop, question=q, base_revision=None, actor=alice, **values)
    assert again.revision == 1
    assert AuditEvent.objects.filter(workshop=workshop, action="decision").count() == 1


def test_every_change_is_audited_with_who(workshop, alice, cio):
    save_ownership(
        workshop=workshop,
        area="apps",
        area_label="Mobile apps",
        letters={"cio": "R", "cmo": "A", "joint": "", "other": ""},
        other_label="",
        base_revision=None,
        actor=alice,
    )
    kpi = save_kpi(
        workshop=workshop,
        kpi=None,
        values={"name": "Conversion", "unit": "%", "target": 3.5},
        base_revision=None,
        actor=alice,
    )
    save_action(
        workshop=workshop,
        action=None,
        what="Draft the app brief",
        owner_participant=cio.participant,
        owner_name="",
        due_on=None,
        base_revision=None,
        actor=alice,
    )
    save_notes(
        workshop=workshop, biases="Budget frozen", parking_lot="", base_revision=None, actor=alice
    )
    actions = list(
        AuditEvent.objects.filter(workshop=workshop).values_list("action", "actor__username")
    )
    for action in ("ownership", "kpi", "action", "outcome_notes"):
        assert (action, "alice") in actions
    with pytest.raises(DuplicateName):
        save_kpi(
            workshop=workshop,
            kpi=None,
            values={"name": "Conversion"},
            base_revision=None,
            actor=alice,
        )
    assert kpi.revision == 1


def test_sign_off_locks_the_outcome_and_reopening_is_recorded(workshop, alice):
    q = question("aud-split")
    decision = save_decision(
        workshop=workshop,
        question=q,
        state="agreed",
        position=None,
        note="",
        base_revision=None,
        actor=alice,
    )
    sign_off(workshop=workshop, signed_by="Priya Natarajan, CEO", actor=alice)
    with pytest.raises(OutcomeLocked):
        save_decision(
            workshop=workshop,
            question=q,
            state="parked",
            position=None,
            note="",
            base_revision=decision.revision,
            actor=alice,
        )
    with pytest.raises(OutcomeLocked):
        sign_off(workshop=workshop, signed_by="Again", actor=alice)
    reopened = reopen_outcome(workshop=workshop, reason="CFO asked for a lower target", actor=alice)
    assert reopened.reopened_by == alice and reopened.reopened_at is not None
    save_decision(
        workshop=workshop,
        question=q,
        state="parked",
        position=None,
        note="",
        base_revision=decision.revision,
        actor=alice,
    )
    with pytest.raises(NotSignedOff):
        reopen_outcome(workshop=workshop, reason="again", actor=alice)
    assert SignOff.objects.filter(workshop=workshop).count() == 1
    trail = list(AuditEvent.objects.filter(workshop=workshop).values_list("action", flat=True))
    assert "sign_off" in trail and "reopen_outcome" in trail


def test_a_workshop_with_its_outcome_can_be_deleted(workshop, alice, cio):
    from workshops.services import delete_workshop

    save_action(
        workshop=workshop,
        action=None,
        what="Brief",
        owner_participant=cio.participant,
        owner_name="",
        due_on=None,
        base_revision=None,
        actor=alice,
    )
    sign_off(workshop=workshop, signed_by="Priya, CEO", actor=alice)
    delete_workshop(workshop, actor=alice)
    assert not Action.objects.exists() and not SignOff.objects.exists()
