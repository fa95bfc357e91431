"""Writes that span models or have side effects: invitations, participants, the demo workshop."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, override

from surveys.answering import reopen_response
from surveys.models import Questionnaire, Response

from .dashboard.freshness import note_answers_changed
from .models import (
    DEFAULT_SIDE_FOR_ROLE,
    AuditEvent,
    DeliveryState,
    InvitationDelivery,
    LinkState,
    Organisation,
    Participant,
    ReplacedLink,
    Workshop,
)
from .tasks import send_invitation_email

logger = logging.getLogger(__name__)


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


def record(
    workshop: Workshop,
    actor: AbstractBaseUser | None,
    action: str,
    text: str = "",
    /,
    **params: Any,
) -> None:
    """Add a line to the audit trail: the action's code and the facts it names (`params`:
    names as typed, codes, numbers; JSON values), put into words in the reader's language when
    shown (`workshops.audit`). `text`: a detail that is only a note as written (shown as is)."""
    AuditEvent.objects.create(
        workshop=workshop,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        params=params,
        legacy_detail=str(text)[:400],
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
    if questionnaire.is_draft:
        # A draft is still being built: answers to it would lose their meaning at its next edit.
        raise ValidationError({"questionnaire": gettext("Publish the questionnaire first.")})
    workshop = Workshop.objects.create(
        title=title, organisation=organisation, owner=owner, questionnaire=questionnaire, **fields
    )
    record(workshop, owner, "create", title=title)
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
    record(workshop, actor, "add_participant", name=participant.name, role=participant.role)
    return Invitation(participant=participant, token=token)


@transaction.atomic
def regenerate_link(
    participant: Participant, *, actor: AbstractBaseUser | None, end_sessions: bool = False
) -> Invitation:
    """Replace the personal link: the old one stops working (opening it says a newer one was
    issued), answers are kept.

    Pages already open keep working: a reminder or a resent invitation must not cut off an
    executive who is answering at that moment. Only when the old link leaked
    (`end_sessions`) are they closed too, in every browser that opened it.
    """
    # The link current now, read under the row's lock: of two renewals at once (two tabs, two
    # co-facilitators) the second waits and replaces the link the first made, rather than the
    # one both saw before (which would be replaced twice: a duplicate ReplacedLink).
    participant.token_hash = (
        Participant.objects.select_for_update()
        .filter(pk=participant.pk)
        .values_list("token_hash", flat=True)
        .get()
    )
    ReplacedLink.objects.create(participant=participant, token_hash=participant.token_hash)
    token = participant.issue_token()
    changed = ["token_hash", "token_created_at", "token_revoked_at", "link_unsent"]
    if end_sessions:
        participant.end_sessions()
        changed.append("session_key")
    participant.save(update_fields=changed)
    action = "replace_leaked_link" if end_sessions else "regenerate_link"
    record(participant.workshop, actor, action, name=participant.name)
    return Invitation(participant=participant, token=token)


@transaction.atomic
def revoke_link(participant: Participant, *, actor: AbstractBaseUser | None) -> None:
    """Withdraw the personal link and close every page it opened; answers are kept. A new link
    created later does not open those pages again."""
    participant.token_revoked_at = timezone.now()
    participant.end_sessions()
    participant.save(update_fields=["token_revoked_at", "session_key"])
    record(participant.workshop, actor, "revoke_link", name=participant.name)


# Accounts.


def create_facilitator(
    *, username: str, email: str = "", password: str | None = None
) -> tuple[AbstractBaseUser, str]:
    """A facilitator account; returns it with its password (generated when none is given)."""
    password = password or secrets.token_urlsafe(12)
    user_model = get_user_model()
    user = user_model(username=username, email=user_model.objects.normalize_email(email))
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, password


# Clients and workshops.


def organisation_named(name: str, *, facilitator: AbstractBaseUser) -> Organisation:
    """The facilitator's client of that name (any case), created when they have none yet."""
    name = " ".join(name.split())
    existing = Organisation.objects.for_facilitator(facilitator).filter(name__iexact=name).first()
    if existing is not None:
        return existing
    organisation = Organisation(name=name, created_by=facilitator)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def plan_workshop(
    *,
    owner: AbstractBaseUser,
    title: str,
    organisation: Organisation | None = None,
    new_organisation: str = "",
    questionnaire: Questionnaire,
    scheduled_at: datetime | None = None,
    answer_by: date | None = None,
    co_facilitators: Iterable[AbstractBaseUser] = (),
    language: str = settings.LANGUAGE_CODE,
) -> Workshop:
    """A new workshop for an existing client or one typed in, with its co-facilitators."""
    if organisation is None:
        organisation = organisation_named(new_organisation, facilitator=owner)
    workshop = create_workshop(
        title=title,
        organisation=organisation,
        owner=owner,
        questionnaire=questionnaire,
        scheduled_at=scheduled_at,
        answer_by=answer_by,
        language=language,
    )
    workshop.co_facilitators.set([user for user in co_facilitators if user.pk != owner.pk])
    return workshop


@transaction.atomic
def update_workshop(
    workshop: Workshop,
    *,
    actor: AbstractBaseUser,
    title: str,
    organisation: Organisation | None = None,
    new_organisation: str = "",
    questionnaire: Questionnaire,
    scheduled_at: datetime | None,
    answer_by: date | None,
    co_facilitators: Iterable[AbstractBaseUser] | None = None,
    language: str | None = None,
) -> list[str]:
    """Change a workshop's details; returns the names of what changed (also in the audit).

    Compares with the stored row (locked), not with `workshop`, which a bound form may have
    already changed in memory.
    """
    if questionnaire.is_draft:
        raise ValidationError({"questionnaire": gettext("Publish the questionnaire first.")})
    if organisation is None:
        organisation = organisation_named(new_organisation, facilitator=actor)
    new_values = {
        "title": title,
        "organisation": organisation,
        "questionnaire": questionnaire,
        "scheduled_at": scheduled_at,
        "answer_by": answer_by,
    }
    if language is not None:
        new_values["language"] = language
    stored = Workshop.objects.select_for_update().get(pk=workshop.pk)
    changed = [name for name, value in new_values.items() if getattr(stored, name) != value]
    for name, value in new_values.items():
        setattr(stored, name, value)
        setattr(workshop, name, value)
    if changed:
        stored.full_clean()
        stored.save(update_fields=changed)
    if co_facilitators is not None:
        wanted = {user.pk for user in co_facilitators if user.pk != workshop.owner_id}
        current = set(workshop.co_facilitators.values_list("pk", flat=True))
        if wanted != current:
            workshop.co_facilitators.set(wanted)
            changed.append("co_facilitators")
    if changed:
        record(workshop, actor, "edit_workshop", fields=list(changed))
    return changed


@transaction.atomic
def change_status(workshop: Workshop, status: str, *, actor: AbstractBaseUser) -> None:
    """Move the workshop along its lifecycle. Closing stops all answering at once."""
    if not workshop.can_move_to(status):
        raise ValueError(f"A {workshop.status} workshop cannot become {status}.")
    before = workshop.status
    workshop.status = status
    workshop.save(update_fields=["status"])
    record(workshop, actor, "status", before=before, after=status)


def delete_workshop(workshop: Workshop, *, actor: AbstractBaseUser) -> None:
    """Delete a workshop with its participants, their answers and its audit trail.

    The audit trail goes with the workshop, so the deletion is also written to the log.
    """
    with transaction.atomic():
        participants = list(Participant.objects.filter(workshop=workshop))
        response_ids = [p.response_id for p in participants if p.response_id is not None]
        record(workshop, actor, "delete", title=workshop.title)
        logger.warning(
            "Workshop %s “%s” (%s) deleted by %s: %d participants, %d responses",
            workshop.pk,
            workshop.title,
            workshop.organisation.name,
            actor.get_username(),
            len(participants),
            len(response_ids),
        )
        workshop.delete()
        # Responses belong to the questionnaire engine: delete the confidential answers too.
        Response.objects.filter(pk__in=response_ids).delete()


# Participants.


@transaction.atomic
def edit_participant(
    participant: Participant,
    *,
    actor: AbstractBaseUser,
    name: str,
    email: str,
    role: str,
    side: str,
) -> list[str]:
    """Change who a participant is; their link and answers stay as they are."""
    new_values = {"name": name, "email": email, "role": role, "side": side}
    stored = Participant.objects.select_for_update().get(pk=participant.pk)
    changed = [key for key, value in new_values.items() if getattr(stored, key) != value]
    for key, value in new_values.items():
        setattr(stored, key, value)
        setattr(participant, key, value)
    if changed:
        stored.full_clean()
        stored.save(update_fields=changed)
        record(
            participant.workshop, actor, "edit_participant", name=participant.name, fields=changed
        )
    return changed


@transaction.atomic
def remove_participant(participant: Participant, *, actor: AbstractBaseUser) -> None:
    """Set a participant aside: their link stops working, their answers are kept for restoring."""
    now = timezone.now()
    participant.removed_at = now
    participant.token_revoked_at = participant.token_revoked_at or now
    participant.end_sessions()  # restoring them does not reopen their pages: a new link does
    participant.save(update_fields=["removed_at", "token_revoked_at", "session_key"])
    record(
        participant.workshop,
        actor,
        "remove_participant",
        name=participant.name,
        answers_kept=bool(participant.response_id),
    )


@transaction.atomic
def restore_participant(participant: Participant, *, actor: AbstractBaseUser) -> None:
    """Bring a removed participant back with their answers; they need a new link."""
    participant.removed_at = None
    participant.save(update_fields=["removed_at"])
    record(participant.workshop, actor, "restore_participant", name=participant.name)


@transaction.atomic
def reopen_answers(participant: Participant, *, actor: AbstractBaseUser) -> None:
    """Let a participant change their submitted answers again."""
    if participant.response is None or not participant.response.is_submitted:
        raise ValueError("Only submitted answers can be reopened.")
    reopen_response(participant.response)
    note_answers_changed(participant.response.pk)
    record(participant.workshop, actor, "reopen", name=participant.name)


# Invitations and reminders.


class InvitationNotSent(Exception):
    """The participant has no email address, or the workshop no longer takes answers."""


def inviter_name(user: AbstractBaseUser) -> str:
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full_name or user.get_username()


def invitation_message(
    invitation: Invitation,
    *,
    inviter: AbstractBaseUser,
    reminder: bool = False,
    replaces_earlier: bool = False,
) -> EmailMessage:
    """The email that carries a personal link: who invites, why, and by when."""
    participant = invitation.participant
    workshop = participant.workshop
    context = {
        "participant": participant,
        "workshop": workshop,
        "organisation": workshop.organisation,
        "inviter": inviter_name(inviter),
        "url": invitation.url,
        "reminder": reminder,
        "replaces_earlier": replaces_earlier,
    }
    # In the executive's language: the one they chose on their pages, else the workshop's.
    with override(participant.answering_language):
        subject = render_to_string("workshops/email/invitation_subject.txt", context)
        body = render_to_string("workshops/email/invitation.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[participant.email],
        reply_to=[inviter.email] if getattr(inviter, "email", "") else None,
    )


def send_invitation(
    invitation: Invitation, *, actor: AbstractBaseUser, reminder: bool = False
) -> InvitationDelivery:
    """Queue the email with a personal link that was just issued, note when the participant
    was invited, and return the delivery the board follows.

    Nothing talks to the mail server here: the worker sends the email
    (`tasks.send_invitation_email`). The task is enqueued inside the same transaction as the
    audit record and the delivery row. The task backend keeps its queue in this database
    (django-tasks-db, checked by `checks.check_task_backend`), so the task row commits or rolls
    back with them: a rolled-back invitation leaves nothing to send, and a committed one
    cannot lose its task, as an `on_commit` hook could if the process stopped in between.
    """
    participant = invitation.participant
    if not participant.email:
        raise InvitationNotSent(
            gettext("%(name)s has no email address.") % {"name": participant.name}
        )
    if not participant.workshop.accepts_answers:
        raise InvitationNotSent(
            gettext("The workshop is closed: reopen it before inviting anyone.")
        )
    message = invitation_message(
        invitation,
        inviter=actor,
        reminder=reminder,
        replaces_earlier=participant.invited_at is not None,
    )
    with transaction.atomic():
        participant.invited_at = timezone.now()
        participant.save(update_fields=["invited_at"])
        action = "remind" if reminder else "invite"
        record(participant.workshop, actor, action, name=participant.name)
        delivery = _queue_delivery(participant, message, reminder=reminder)
    return delivery


def _queue_delivery(
    participant: Participant, message: EmailMessage, *, reminder: bool
) -> InvitationDelivery:
    """The participant's delivery row, rewritten for this email, and its task. Called inside
    the caller's transaction."""
    email = {
        "state": DeliveryState.QUEUED,
        "token_hash": participant.token_hash,
        "reminder": reminder,
        "to": message.to[0],
        "reply_to": message.reply_to[0] if message.reply_to else "",
        "subject": message.subject,
        "body": message.body,
        "queued_at": timezone.now(),
        "attempts": 0,
        "last_tried_at": None,
        "sent_at": None,
        "reason": "",
    }
    delivery, created = InvitationDelivery.objects.update_or_create(
        participant=participant,
        defaults={**email, "generation": F("generation") + 1},
        create_defaults=email,
    )
    if not created:
        delivery.refresh_from_db(fields=["generation"])
    send_invitation_email.enqueue(delivery.pk, delivery.generation)
    return delivery


def retry_email(participant: Participant, *, actor: AbstractBaseUser) -> InvitationDelivery:
    """Queue a failed email again, as it was (same link): the facilitator's Retry."""
    with transaction.atomic():
        delivery = (
            InvitationDelivery.objects.select_for_update()
            .filter(participant=participant)
            .select_related("participant__workshop")
            .first()
        )
        if delivery is None or not delivery.is_retryable:
            raise InvitationNotSent(
                gettext("There is no failed email to %(name)s to try again.")
                % {"name": participant.name}
            )
        if reason := delivery.reason_not_to_send():
            raise InvitationNotSent(reason)
        delivery.generation += 1
        delivery.state = DeliveryState.QUEUED
        delivery.attempts = 0
        delivery.queued_at = timezone.now()
        delivery.reason = ""
        delivery.save(update_fields=["generation", "state", "attempts", "queued_at", "reason"])
        record(participant.workshop, actor, "retry_email", name=participant.name)
        send_invitation_email.enqueue(delivery.pk, delivery.generation)
    return delivery


def email_new_link(
    participant: Participant, *, actor: AbstractBaseUser, reminder: bool = False
) -> Invitation:
    """Issue a new personal link and queue the email that carries it (the old link stops
    working).

    Only a hash of each link is stored, so an email can only carry a freshly issued link.
    """
    if not participant.email:
        raise InvitationNotSent(
            gettext("%(name)s has no email address.") % {"name": participant.name}
        )
    if not participant.workshop.accepts_answers:
        raise InvitationNotSent(
            gettext("The workshop is closed: reopen it before inviting anyone.")
        )
    with transaction.atomic():
        invitation = regenerate_link(participant, actor=actor)
        send_invitation(invitation, actor=actor, reminder=reminder)
    return invitation


@dataclass
class ReminderReport:
    reminded: list[Participant] = field(default_factory=list)
    without_email: list[Participant] = field(default_factory=list)
    #: Their current link was shown to the facilitator to pass on, not emailed: a reminder
    #: would replace the link the facilitator handed over, so they are left to the facilitator.
    passed_on: list[Participant] = field(default_factory=list)


def remind_everyone(workshop: Workshop, *, actor: AbstractBaseUser) -> ReminderReport:
    """Queue an email with a new link to every participant who has not submitted and whose
    link was emailed (links withdrawn, or shown to the facilitator to pass on: skipped; those
    never sent a link are for `invite_everyone_not_invited`). A transaction per person, each a
    few short writes: on SQLite a room's autosaves slip in between rather than wait for the
    whole room's reminders."""
    if not workshop.accepts_answers:
        raise InvitationNotSent(
            gettext("The workshop is closed: reopen it before sending reminders.")
        )
    report = ReminderReport()
    waiting = (
        Participant.objects.active()
        .filter(workshop=workshop, token_revoked_at__isnull=True, link_unsent=False)
        .not_submitted()
        .select_related("workshop", "workshop__organisation")
    )
    for participant in waiting:
        if not participant.email:
            report.without_email.append(participant)
            continue
        if participant.link_state != LinkState.EMAILED:
            report.passed_on.append(participant)
            continue
        email_new_link(participant, actor=actor, reminder=True)
        report.reminded.append(participant)
    return report


@dataclass
class InvitationReport:
    invited: list[Participant] = field(default_factory=list)
    without_email: list[Participant] = field(default_factory=list)


def invite_everyone_not_invited(workshop: Workshop, *, actor: AbstractBaseUser) -> InvitationReport:
    """Queue the invitation email, with a new link, to every participant nobody has sent a link
    yet (`link_unsent`: a follow-up's or an imported workshop's executives) and who has not
    submitted; a transaction per person, as reminders. Their links were never shown to anyone,
    so replacing them takes nothing from anybody."""
    if not workshop.accepts_answers:
        raise InvitationNotSent(
            gettext("The workshop is closed: reopen it before inviting anyone.")
        )
    report = InvitationReport()
    waiting = (
        Participant.objects.active()
        .filter(workshop=workshop, link_unsent=True, token_revoked_at__isnull=True)
        .not_submitted()
        .select_related("workshop", "workshop__organisation")
        .order_by("created_at", "pk")
    )
    for participant in waiting:
        if not participant.email:
            report.without_email.append(participant)
            continue
        email_new_link(participant, actor=actor)
        report.invited.append(participant)
    return report


# Blind until reveal.

NOTHING_TO_REVEAL = gettext_lazy(
    "Nothing to reveal yet: no executive has answered a question. "
    "You can reveal the results once answers come in."
)


class NothingToReveal(Exception):
    """A first reveal before anyone has answered: it would show the room nothing."""


@transaction.atomic
def reveal_results(
    workshop: Workshop,
    *,
    actor: AbstractBaseUser,
    visible_to_participants: bool,
    anonymous: bool,
) -> None:
    """Open the results to the room and, optionally, to the participants themselves.

    The first reveal needs at least one answer; once revealed, the sharing can change freely.
    """
    first_time = workshop.revealed_at is None
    if first_time and not workshop.has_answers():
        raise NothingToReveal(NOTHING_TO_REVEAL)
    workshop.revealed_at = workshop.revealed_at or timezone.now()
    workshop.results_visible_to_participants = visible_to_participants
    workshop.anonymous = anonymous
    workshop.save(update_fields=["revealed_at", "results_visible_to_participants", "anonymous"])
    record(
        workshop,
        actor,
        "reveal",
        visible=visible_to_participants,
        anonymous=anonymous,
        changed=not first_time,
    )


@transaction.atomic
def hide_results(workshop: Workshop, *, actor: AbstractBaseUser) -> None:
    """Back to blind: nobody sees anyone else's answers until the next reveal."""
    workshop.revealed_at = None
    workshop.results_visible_to_participants = False
    workshop.save(update_fields=["revealed_at", "results_visible_to_participants"])
    record(workshop, actor, "hide_results")
