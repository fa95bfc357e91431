"""What a workshop decides, and the run-sheet the session follows.

The session's record: a decision per question discussed, the agreed ownership of each mobile
area as RACI, shared KPIs, actions, the biases and constraints aired with the parking lot, and
the sign-off that locks it all. Every row the room edits carries a `revision`: a save names the
revision it was based on, and a save based on an older one is refused (two facilitators never
overwrite each other silently), as answers are (`surveys.answering.save_answer`). Writes go
through `workshops.outcome` (services), which also records each change in the audit trail.

Imported by `workshops.models`, so Django sees these models as the workshops app's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DecisionState(models.TextChoices):
    OPEN = "", _("Not decided yet")
    AGREED = "agreed", _("Agreed")
    RESERVATIONS = "reservations", _("Agreed with reservations")
    NOT_AGREED = "not_agreed", _("Not agreed")
    PARKED = "parked", _("Parked")


class Decision(models.Model):
    """What the room decided on one question: a state, the agreed position in the question's
    own terms (stored as an answer of that question is, so "before" and "after" show alike),
    and free text."""

    workshop = models.ForeignKey("Workshop", on_delete=models.CASCADE, related_name="decisions")
    question = models.ForeignKey("surveys.Question", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=16, choices=DecisionState.choices, blank=True, default=""
    )
    #: The agreed position, shaped as `Answer.value` for the question's kind (read by the kind's
    #: `parse`, shown by its `display`); None when none was agreed in those terms.
    position = models.JSONField(_("agreed position"), null=True, blank=True)
    note = models.TextField(_("what was said"), blank=True, max_length=4000)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "question"], name="decision_one_per_question"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DecisionState.values), name="decision_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Decision on {self.question_id}: {self.state or 'open'}"


class Raci(models.TextChoices):
    NONE = "", _("—")
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    ACCOUNTABLE_RESPONSIBLE = "AR", _("Accountable and responsible")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


#: Who a RACI row assigns: the two executives, both together, and anyone else (named).
RACI_PARTIES = ("cio", "cmo", "joint", "other")
_ACCOUNTABLE = (Raci.ACCOUNTABLE, Raci.ACCOUNTABLE_RESPONSIBLE)


def _accountable_count() -> models.Expression:
    total: models.Expression = Value(0)
    for party in RACI_PARTIES:
        total = total + Case(
            When(**{f"{party}__in": _ACCOUNTABLE}, then=Value(1)),
            default=Value(0),
            output_field=models.IntegerField(),
        )
    return total


class AgreedOwnership(models.Model):
    """Who is responsible, accountable, consulted and informed for one mobile area, as agreed:
    shown beside who each executive said owns it (the ownership matrix before and after).
    Exactly one party is accountable: the database refuses anything else."""

    workshop = models.ForeignKey(
        "Workshop", on_delete=models.CASCADE, related_name="agreed_ownership"
    )
    #: The area's code, as ownership questions name it (`meta.area`), and its name.
    area = models.SlugField(max_length=60)
    area_label = models.CharField(max_length=120)
    cio = models.CharField(_("CIO"), max_length=2, choices=Raci.choices, blank=True)
    cmo = models.CharField(_("CMO"), max_length=2, choices=Raci.choices, blank=True)
    joint = models.CharField(_("Jointly"), max_length=2, choices=Raci.choices, blank=True)
    other = models.CharField(_("Other"), max_length=2, choices=Raci.choices, blank=True)
    other_label = models.CharField(_("who the other is"), max_length=120, blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreed ownership")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "area"], name="agreed_ownership_one_per_area"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{party}__in": Raci.values}),
                    name=f"agreed_ownership_{party}_valid",
                )
                for party in RACI_PARTIES
            ),
            models.CheckConstraint(
                condition=Exact(_accountable_count(), 1),
                name="agreed_ownership_one_accountable",
            ),
            # Someone else in the matrix is named.
            models.CheckConstraint(
                condition=Q(other="") | ~Q(other_label=""), name="agreed_ownership_other_named"
            ),
        ]

    def __str__(self) -> str:
        return f"RACI for {self.area}"

    @property
    def letters(self) -> list[tuple[str, str]]:
        return [(party, getattr(self, party)) for party in RACI_PARTIES]


class SharedKpi(models.Model):
    """A KPI both executives sign up to: the agreed target beside each one's proposal."""

    workshop = models.ForeignKey("Workshop", on_delete=models.CASCADE, related_name="shared_kpis")
    #: The KPI target question it settles, if it comes from one (its answers are the proposals).
    question = models.ForeignKey(
        "surveys.Question", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    current_value = models.FloatField(_("current value"), null=True, blank=True)
    target = models.FloatField(_("agreed target"), null=True, blank=True)
    owner = models.CharField(_("owner"), max_length=120, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shared KPI")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="shared_kpi_named"),
            models.UniqueConstraint(fields=["workshop", "name"], name="shared_kpi_name_once"),
            models.UniqueConstraint(
                fields=["workshop", "question"],
                condition=Q(question__isnull=False),
                name="shared_kpi_once_per_question",
            ),
            models.CheckConstraint(
                condition=Q(review_on__isnull=True)
                | Q(deadline__isnull=True)
                | LessThanOrEqual(models.F("review_on"), models.F("deadline")),
                name="shared_kpi_review_by_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Action(models.Model):
    """Something someone will do after the session, by when."""

    workshop = models.ForeignKey("Workshop", on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(_("what"), max_length=300)
    #: The owner: one of the workshop's executives, or someone named.
    #: CASCADE: executives are removed softly (`removed_at`), so a row goes only with its
    #: workshop, which takes its actions along (SET_NULL would break `action_has_owner`).
    owner_participant = models.ForeignKey(
        "Participant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField(_("owner"), max_length=120, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(what=""), name="action_says_what"),
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(owner_participant__isnull=False) | ~Q(owner_name=""),
                name="action_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.what

    @property
    def owner_label(self) -> str:
        if self.owner_participant_id is not None and self.owner_participant is not None:
            return self.owner_participant.name
        return self.owner_name


class OutcomeNotes(models.Model):
    """The biases and constraints the executives aired, and the parking lot: one per workshop."""

    workshop = models.OneToOneField(
        "Workshop", on_delete=models.CASCADE, related_name="outcome_notes"
    )
    biases = models.TextField(_("biases and constraints aired"), blank=True, max_length=8000)
    parking_lot = models.TextField(_("parking lot"), blank=True, max_length=8000)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outcome notes")

    def __str__(self) -> str:
        return f"Notes of workshop {self.workshop_id}"


class SignOff(models.Model):
    """The sign-off (usually the CEO's) on the outcome: while it stands, the outcome is locked.
    Reopening keeps the row, with who reopened it and when, so every sign-off stays on record;
    at most one stands at a time."""

    workshop = models.ForeignKey("Workshop", on_delete=models.CASCADE, related_name="sign_offs")
    signed_by = models.CharField(_("signed off by"), max_length=120)
    signed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.CharField(_("why it was reopened"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sign-off")
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(signed_by=""), name="sign_off_names_who"),
            models.UniqueConstraint(
                fields=["workshop"],
                condition=Q(reopened_at__isnull=True),
                name="sign_off_one_standing",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True)
                | GreaterThanOrEqual(models.F("reopened_at"), models.F("signed_at")),
                name="sign_off_reopened_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"Signed off by {self.signed_by}"

    @property
    def standing(self) -> bool:
        return self.reopened_at is None


class BlockKind(models.TextChoices):
    OPENING = "opening", _("Opening and reveal")
    AGREEMENTS = "agreements", _("Agreements to confirm")
    THEME = "theme", _("Theme")
    OWNERS = "owners", _("Owners and next steps")
    PARKING = "parking", _("Parking lot")


class RunSheet(models.Model):
    """The facilitator's plan for the session: its length and its blocks (`RunSheetBlock`).

    Without a row the run-sheet is the default plan for 90 minutes; the first change stores
    the plan as it was shown, with the change (`workshops.outcome.edit_run_sheet`)."""

    DEFAULT_MINUTES = 90

    workshop = models.OneToOneField("Workshop", on_delete=models.CASCADE, related_name="run_sheet")
    minutes = models.PositiveSmallIntegerField(_("session length in minutes"), default=90)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("run-sheet")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=15, minutes__lte=480), name="run_sheet_length_sensible"
            ),
        ]

    def __str__(self) -> str:
        return f"Run-sheet of workshop {self.workshop_id}"


class RunSheetBlock(models.Model):
    """One block of the run-sheet as the facilitator arranged it: its place, a time box they
    set (None: a share of the time left), merged into another block, or dropped."""

    run_sheet = models.ForeignKey(RunSheet, on_delete=models.CASCADE, related_name="blocks")
    #: The block's key in the plan (`outcome_plan.Block.key`): "opening", "topic:growth"...
    key = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=BlockKind.choices)
    position = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    merged_into = models.CharField(max_length=80, blank=True)
    dropped = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("run-sheet block")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run_sheet", "key"], name="run_sheet_block_once"),
            models.CheckConstraint(
                condition=Q(kind__in=BlockKind.values), name="run_sheet_block_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("key")),
                name="run_sheet_block_not_merged_into_itself",
            ),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__lte=480),
                name="run_sheet_block_minutes_sensible",
            ),
        ]

    def __str__(self) -> str:
        return self.key


#: The audit trail's words for the outcome's changes (merged into `AUDIT_ACTION_LABELS`).
OUTCOME_AUDIT_LABELS = {
    "decision": _("Decision recorded"),
    "ownership": _("Agreed ownership recorded"),
    "kpi": _("Shared KPI recorded"),
    "kpi_removed": _("Shared KPI removed"),
    "action": _("Action recorded"),
    "action_removed": _("Action removed"),
    "outcome_notes": _("Biases, constraints or parking lot recorded"),
    "sign_off": _("Outcome signed off"),
    "reopen_outcome": _("Outcome reopened after sign-off"),
    "run_sheet": _("Run-sheet changed"),
}
