"""The engagement: client organisations, workshops, their participants, and the audit trail."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from surveys.models import Questionnaire, Response


class Organisation(models.Model):
    """The client company whose executives take part."""

    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkshopStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COLLECTING = "collecting", "Collecting answers"
    IN_SESSION = "in_session", "In session"
    CLOSED = "closed", "Closed"


class WorkshopQuerySet(models.QuerySet["Workshop"]):
    def for_facilitator(self, user: settings.AUTH_USER_MODEL) -> WorkshopQuerySet:
        """Workshops the user owns or co-facilitates: the only ones they may see."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner=user) | Q(co_facilitators=user)).distinct()


class Workshop(models.Model):
    title = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workshops"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    answer_by = models.DateField(null=True, blank=True, help_text="Deadline given in invitations.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_workshops"
    )
    co_facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_facilitated_workshops"
    )
    status = models.CharField(
        max_length=12, choices=WorkshopStatus.choices, default=WorkshopStatus.DRAFT
    )
    revealed_at = models.DateTimeField(null=True, blank=True)
    results_visible_to_participants = models.BooleanField(default=False)
    anonymous = models.BooleanField(default=False, help_text="Hide names in participants' view.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkshopStatus.values), name="workshop_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="workshop_owner_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def accepts_answers(self) -> bool:
        """Participants may answer while the workshop is open; closing it stops all answering."""
        return self.status in {WorkshopStatus.DRAFT, WorkshopStatus.COLLECTING, WorkshopStatus.IN_SESSION}

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None


class Role(models.TextChoices):
    CIO = "cio", "CIO"
    CMO = "cmo", "CMO"
    CEO = "ceo", "CEO"
    CTO = "cto", "CTO"
    CDO = "cdo", "CDO"
    CFO = "cfo", "CFO"
    HEAD_IT = "head_it", "Head of IT"
    HEAD_MARKETING = "head_marketing", "Head of marketing"
    OTHER = "other", "Other"


class Side(models.TextChoices):
    TECHNOLOGY = "technology", "Technology"
    MARKETING = "marketing", "Marketing"
    BUSINESS = "business", "Business"


DEFAULT_SIDE_FOR_ROLE = {
    Role.CIO: Side.TECHNOLOGY,
    Role.CTO: Side.TECHNOLOGY,
    Role.HEAD_IT: Side.TECHNOLOGY,
    Role.CMO: Side.MARKETING,
    Role.CDO: Side.MARKETING,
    Role.HEAD_MARKETING: Side.MARKETING,
    Role.CEO: Side.BUSINESS,
    Role.CFO: Side.BUSINESS,
    Role.OTHER: Side.BUSINESS,
}


def hash_token(token: str) -> str:
    """Links carry the token; the database keeps only its SHA-256, matched exactly."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def active(self) -> ParticipantQuerySet:
        return self.filter(removed_at__isnull=True)

    def for_token(self, token: str) -> ParticipantQuerySet:
        return self.filter(token_hash=hash_token(token), token_revoked_at__isnull=True)


class Participant(models.Model):
    """An executive invited to a workshop, with a personal link to their own response."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    side = models.CharField(max_length=12, choices=Side.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    token_created_at = models.DateTimeField(default=timezone.now)
    token_revoked_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    response = models.OneToOneField(
        Response, on_delete=models.PROTECT, related_name="participant", null=True, blank=True
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["workshop", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="participant_role_valid"),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="participant_side_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    def issue_token(self) -> str:
        """Give the participant a new personal link token; returns the token (never stored)."""
        token = secrets.token_urlsafe(32)  # 256 bits
        self.token_hash = hash_token(token)
        self.token_created_at = timezone.now()
        self.token_revoked_at = None
        return token


class AuditEvent(models.Model):
    """Who did what to a workshop and when: invite, revoke, reveal, reopen, export, delete."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} on {self.workshop_id} by {self.actor_id}"
