"""Writes that span models or have side effects: invitations, participants, the demo workshop."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from surveys.models import Questionnaire

from .models import DEFAULT_SIDE_FOR_ROLE, AuditEvent, Organisation, Participant, Workshop


@dataclass(frozen=True)
class Invitation:
    """A participant and their personal link (the token exists only here, never in the DB)."""

    participant: Participant
    token: str

    @property
    def path(self) -> str:
        return reverse("workshops:open_link", args=[self.token])

    @property
    def url(self) -> str:
        return f"{settings.SITE_URL}{self.path}"


def record(workshop: Workshop, actor: AbstractBaseUser | None, action: str, detail: str = "") -> None:
    """Add a line to the workshop's audit trail."""
    AuditEvent.objects.create(
        workshop=workshop,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        detail=detail[:400],
    )


@transaction.atomic
def create_workshop(
    *,
    title: str,
    organisation: Organisation,
    owner: AbstractBaseUser,
    questionnaire: Questionnaire,
    **fields: object,
) -> Workshop:
    workshop = Workshop.objects.create(
        title=title, organisation=organisation, owner=owner, questionnaire=questionnaire, **fields
    )
    record(workshop, owner, "create", f"Workshop “{title}” created")
    return workshop


@transaction.atomic
def add_participant(
    *,
    workshop: Workshop,
    name: str,
    role: str,
    email: str = "",
    side: str = "",
    actor: AbstractBaseUser | None = None,
) -> Invitation:
    """Add an executive to a workshop with a fresh personal link."""
    participant = Participant(
        workshop=workshop,
        name=name,
        email=email,
        role=role,
        side=side or DEFAULT_SIDE_FOR_ROLE[role],
    )
    token = participant.issue_token()
    participant.full_clean()
    participant.save()
    record(workshop, actor, "add_participant", f"{participant.name} added as {participant.get_role_display()}")
    return Invitation(participant=participant, token=token)


@transaction.atomic
def regenerate_link(participant: Participant, *, actor: AbstractBaseUser | None) -> Invitation:
    """Replace the personal link: the old one stops working, answers are kept."""
    token = participant.issue_token()
    participant.save(update_fields=["token_hash", "token_created_at", "token_revoked_at"])
    record(participant.workshop, actor, "regenerate_link", f"New link for {participant.name}")
    return Invitation(participant=participant, token=token)


@transaction.atomic
def revoke_link(participant: Participant, *, actor: AbstractBaseUser | None) -> None:
    """Withdraw the personal link (and every browser session it started); answers are kept."""
    participant.token_revoked_at = timezone.now()
    participant.save(update_fields=["token_revoked_at"])
    record(participant.workshop, actor, "revoke_link", f"Link withdrawn for {participant.name}")
