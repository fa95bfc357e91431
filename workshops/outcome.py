"""Recording what the session decides: the writes, each in a transaction, each audited.

Every write locks the workshop's row first (`select_for_update`; on SQLite the transaction is
IMMEDIATE anyway), so a sign-off and an edit never cross: once signed off, the outcome is
locked (`OutcomeLocked`) until it is reopened, and reopening is recorded. Every edited row has a
`revision`: the caller passes the revision its form was based on (None for a row it did not
show), and a save based on anything else is refused with `StaleRevision`, carrying the stored
row, so the page can show both versions and nothing is overwritten silently.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from surveys.models import Question

from .audit import prompts_of
from .models import (
    Action,
    ActionStatus,
    AgreedOwnership,
    Decision,
    OutcomeNotes,
    Participant,
    RunSheet,
    RunSheetBlock,
    SharedKpi,
    SignOff,
    Workshop,
)
from .runsheet import BlockChoice
from .services import record


class OutcomeLocked(Exception):
    """The outcome is signed off: nothing changes until it is reopened."""


class StaleRevision(Exception):
    """The row changed since the form showed it; `current` is the row as stored now (None when
    it was removed meanwhile)."""

    def __init__(self, current: models.Model | None) -> None:
        super().__init__("stale revision")
        self.current = current


class DuplicateName(Exception):
    """Another shared KPI of the workshop has this name."""


def standing_sign_off(workshop: Workshop) -> SignOff | None:
    return SignOff.objects.filter(workshop=workshop, reopened_at__isnull=True).first()


def _lock(workshop: Workshop) -> None:
    """Hold the workshop's row for this transaction, and refuse if the outcome is signed off.
    The outcome is in the report: the workshop's version moves on (`dashboard_changed`), so no
    report or PDF kept for the previous one is served again."""
    Workshop.objects.select_for_update().filter(pk=workshop.pk).values_list("pk").first()
    Workshop.objects.filter(pk=workshop.pk).dashboard_changed()
    if SignOff.objects.filter(workshop=workshop, reopened_at__isnull=True).exists():
        raise OutcomeLocked


def _check(row: models.Model | None, base_revision: int | None, **values: Any) -> bool:
    """Refuse a save not based on the stored row's revision (a new row: based on nothing).
    False when the row already holds `values` (the same save twice, say from a phone and a
    laptop at once): nothing to write, and nothing to refuse."""
    if row is not None and values and all(getattr(row, k) == v for k, v in values.items()):
        return False
    stored = None if row is None else row.revision
    if stored != base_revision:
        raise StaleRevision(row)
    return True


def _user(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.is_authenticated else None


def _saved(row: models.Model, actor: AbstractBaseUser | None, *, new: bool) -> None:
    if not new:
        row.revision += 1
    row.updated_by = _user(actor)
    row.updated_at = timezone.now()
    row.full_clean(
        exclude=["workshop", "question", "owner_participant", "updated_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    row.save()


@transaction.atomic
def save_decision(
    *,
    workshop: Workshop,
    question: Question,
    state: str,
    position: Any,
    note: str,
    base_revision: int | None,
    actor: AbstractBaseUser | None,
) -> Decision:
    _lock(workshop)
    row = Decision.objects.select_for_update().filter(workshop=workshop, question=question).first()
    if not _check(row, base_revision, state=state, position=position, note=note):
        return row
    new = row is None
    if new:
        row = Decision(workshop=workshop, question=question)
    row.state, row.position, row.note = state, position, note
    _saved(row, actor, new=new)
    record(
        workshop, actor, "decision", code=question.code, prompts=prompts_of(question), state=state
    )
    return row


@transaction.atomic
def save_ownership(
    *,
    workshop: Workshop,
    area: str,
    area_label: str,
    letters: dict[str, str],
    other_label: str,
    base_revision: int | None,
    actor: AbstractBaseUser | None,
) -> AgreedOwnership:
    """Store the RACI of one area; the database holds that exactly one party is accountable
    (the form says so first, in words)."""
    _lock(workshop)
    row = AgreedOwnership.objects.select_for_update().filter(workshop=workshop, area=area).first()
    if not _check(row, base_revision, other_label=other_label, **letters):
        return row
    new = row is None
    if new:
        row = AgreedOwnership(workshop=workshop, area=area)
    row.area_label = area_label
    for party, letter in letters.items():
        setattr(row, party, letter)
    row.other_label = other_label
    _saved(row, actor, new=new)
    record(
        workshop,
        actor,
        "ownership",
        area=area,
        area_label=area_label,
        letters={party: letter for party, letter in row.letters if letter},
        other_label=row.other_label,
    )
    return row


@transaction.atomic
def save_kpi(
    *,
    workshop: Workshop,
    kpi: SharedKpi | None,
    values: dict[str, Any],
    base_revision: int | None,
    actor: AbstractBaseUser | None,
) -> SharedKpi:
    """Add a shared KPI (`kpi` None) or change one; `values`: its fields by name."""
    _lock(workshop)
    row = None
    if kpi is not None:
        row = SharedKpi.objects.select_for_update().filter(pk=kpi.pk, workshop=workshop).first()
        if row is None:
            raise StaleRevision(None)
        if not _check(row, base_revision, **values):
            return row
    elif question := values.get("question"):
        row = SharedKpi.objects.filter(workshop=workshop, question=question).first()
        if row is not None:  # added meanwhile from the same question
            raise StaleRevision(row)
    new = row is None
    if new:
        row = SharedKpi(workshop=workshop)
    for name, value in values.items():
        setattr(row, name, value)
    try:
        with transaction.atomic():
            _saved(row, actor, new=new)
    except IntegrityError as error:
        raise DuplicateName from error
    target = None if row.target is None else str(row.target)
    record(workshop, actor, "kpi", name=row.name, target=target)
    return row


@transaction.atomic
def remove_kpi(
    *, workshop: Workshop, kpi: SharedKpi, base_revision: int | None, actor: AbstractBaseUser
) -> None:
    _lock(workshop)
    row = SharedKpi.objects.select_for_update().filter(pk=kpi.pk, workshop=workshop).first()
    if row is None:
        return
    _check(row, base_revision)
    row.delete()
    record(workshop, actor, "kpi_removed", name=row.name)


@transaction.atomic
def save_action(
    *,
    workshop: Workshop,
    action: Action | None,
    what: str,
    owner_participant: Participant | None,
    owner_name: str,
    due_on: date | None,
    status: str = ActionStatus.OPEN,
    base_revision: int | None,
    actor: AbstractBaseUser | None,
) -> Action:
    """Add an action (`action` None) or change one. The owner is one of the workshop's
    executives or a named person (the form checks the executive is this workshop's)."""
    _lock(workshop)
    row = None
    if action is not None:
        row = Action.objects.select_for_update().filter(pk=action.pk, workshop=workshop).first()
        if row is None:
            raise StaleRevision(None)
        owner_name_kept = "" if owner_participant is not None else owner_name
        same = {"what": what, "owner_participant": owner_participant, "owner_name": owner_name_kept}
        if not _check(row, base_revision, due_on=due_on, status=status, **same):
            return row
    new = row is None
    if new:
        row = Action(workshop=workshop)
    if owner_participant is not None and owner_participant.workshop_id != workshop.pk:
        raise ValueError("owner from another workshop")
    row.what, row.owner_participant, row.due_on, row.status = (
        what,
        owner_participant,
        due_on,
        status,
    )
    row.owner_name = "" if owner_participant is not None else owner_name
    _saved(row, actor, new=new)
    record(
        workshop, actor, "action", what=row.what[:300], owner=str(row.owner_label), status=status
    )
    return row


@transaction.atomic
def remove_action(
    *, workshop: Workshop, action: Action, base_revision: int | None, actor: AbstractBaseUser
) -> None:
    _lock(workshop)
    row = Action.objects.select_for_update().filter(pk=action.pk, workshop=workshop).first()
    if row is None:
        return
    _check(row, base_revision)
    row.delete()
    record(workshop, actor, "action_removed", what=row.what[:300])


@transaction.atomic
def save_notes(
    *,
    workshop: Workshop,
    biases: str,
    parking_lot: str,
    base_revision: int | None,
    actor: AbstractBaseUser | None,
) -> OutcomeNotes:
    _lock(workshop)
    row = OutcomeNotes.objects.select_for_update().filter(workshop=workshop).first()
    if not _check(row, base_revision, biases=biases, parking_lot=parking_lot):
        return row
    new = row is None
    if new:
        row = OutcomeNotes(workshop=workshop)
    row.biases, row.parking_lot = biases, parking_lot
    _saved(row, actor, new=new)
    record(workshop, actor, "outcome_notes")
    return row


@transaction.atomic
def sign_off(*, workshop: Workshop, signed_by: str, actor: AbstractBaseUser) -> SignOff:
    """Record the sign-off: from now on the outcome is locked."""
    _lock(workshop)
    row = SignOff(workshop=workshop, signed_by=signed_by, recorded_by=_user(actor))
    row.full_clean(exclude=["workshop", "recorded_by", "reopened_by"])
    row.save()
    record(workshop, actor, "sign_off", name=signed_by)
    return row


class NotSignedOff(Exception):
    """Reopening an outcome that is not signed off."""


@transaction.atomic
def reopen_outcome(*, workshop: Workshop, reason: str, actor: AbstractBaseUser) -> SignOff:
    """Lift the standing sign-off, keeping it on record with who reopened it, when and why."""
    Workshop.objects.select_for_update().filter(pk=workshop.pk).values_list("pk").first()
    row = SignOff.objects.filter(workshop=workshop, reopened_at__isnull=True).first()
    if row is None:
        raise NotSignedOff
    Workshop.objects.filter(pk=workshop.pk).dashboard_changed()
    row.reopened_at = timezone.now()
    row.reopened_by = _user(actor)
    row.reopen_reason = reason[:300]
    row.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    record(workshop, actor, "reopen_outcome", name=row.signed_by, reason=reason[:300])
    return row


@transaction.atomic
def save_run_sheet(
    *,
    workshop: Workshop,
    minutes: int,
    blocks: list[BlockChoice],
    base_revision: int | None,
    actor: AbstractBaseUser | None,
    change: dict[str, Any],
) -> RunSheet:
    """Store the run-sheet as arranged: the session's length and every block, in order.
    The run-sheet is a plan, not the outcome: a sign-off does not lock it."""
    Workshop.objects.select_for_update().filter(pk=workshop.pk).values_list("pk").first()
    row = RunSheet.objects.select_for_update().filter(workshop=workshop).first()
    _check(row, base_revision)
    new = row is None
    if new:
        row = RunSheet(workshop=workshop)
    row.minutes = minutes
    _saved(row, actor, new=new)
    row.blocks.all().delete()
    RunSheetBlock.objects.bulk_create(
        RunSheetBlock(
            run_sheet=row,
            key=block.key,
            kind=block.part,
            position=position,
            minutes=block.minutes,
            merged_into=block.merged_into,
            dropped=block.dropped,
        )
        for position, block in enumerate(blocks)
    )
    record(workshop, actor, "run_sheet", **change)
    return row
