"""The engagement: client organisations, workshops, their participants, and the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections, models, router
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Left, StrIndex, Substr
from django.db.models.lookups import Exact
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from surveys.models import Answer, Questionnaire, Response, ResponseStatus


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_facilitator(self, user: settings.AUTH_USER_MODEL) -> OrganisationQuerySet:
        """Clients the user created or runs a workshop for: the ones offered in their forms."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(created_by=user)
            | Q(pk__in=Workshop.objects.for_facilitator(user).values("organisation"))
        )


class Organisation(models.Model):
    """The client company whose executives take part."""

    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkshopStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    COLLECTING = "collecting", gettext_lazy("Collecting answers")
    IN_SESSION = "in_session", gettext_lazy("In session")
    CLOSED = "closed", gettext_lazy("Closed")


WORKSHOP_STATUS_LABELS = dict(WorkshopStatus.choices)

#: The languages of the interface (settings.LANGUAGES): a workshop's, a participant's choice
#: and a facilitator's setting are one of these, checked by the database.
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class WorkshopQuerySet(models.QuerySet["Workshop"]):
    def for_facilitator(self, user: settings.AUTH_USER_MODEL) -> WorkshopQuerySet:
        """Workshops the user owns or co-facilitates: the only ones they may see."""
        if not user.is_authenticated:
            return self.none()
        # A subquery rather than a join on co_facilitators: no DISTINCT, so counts annotated
        # on top stay exact and the home page stays fast with thousands of workshops.
        co_facilitated = Workshop.co_facilitators.through.objects.filter(user=user)
        return self.filter(Q(owner=user) | Q(pk__in=co_facilitated.values("workshop_id")))

    def matching(self, search: str) -> WorkshopQuerySet:
        """Workshops whose title or client name contains the search text."""
        search = search.strip()
        if not search:
            return self
        return self.filter(Q(title__icontains=search) | Q(organisation__name__icontains=search))

    def dashboard_changed(self) -> int:
        """Move these workshops' dashboards on to a new version (`Workshop.dashboard_version`),
        in the caller's transaction: what was cached for the previous one is never read again,
        on any app server. Call it (or let `workshops.dashboard.freshness` call it) with every
        write that changes what the dashboard shows."""
        return self.update(dashboard_version=F("dashboard_version") + 1)

    def dashboard_changed_for_response(self, response_id: int) -> None:
        """`dashboard_changed()` for the workshop of the participant who holds this response:
        one statement, on every answer saved. Written out because the ORM's update through a
        relation took a millisecond of CPU to build (measured), several times what the rest of
        an autosave's statements cost; this one costs next to nothing beside them."""
        connection = connections[router.db_for_write(self.model)]
        quote = connection.ops.quote_name
        workshop = quote(self.model._meta.db_table)
        participant = quote(Participant._meta.db_table)
        pk = quote(self.model._meta.pk.column)
        version = quote(self.model._meta.get_field("dashboard_version").column)
        workshop_id = quote(Participant._meta.get_field("workshop").column)
        response = quote(Participant._meta.get_field("response").column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {workshop} SET {version} = {version} + 1 WHERE {pk} = "
                f"(SELECT {workshop_id} FROM {participant} WHERE {response} = %s)",
                [response_id],
            )

    def for_home(self, user: settings.AUTH_USER_MODEL, search: str = "") -> WorkshopQuerySet:
        """The facilitator's home list, newest first: what its paginator counts and slices.
        Read a page of it with `home_page`."""
        return self.for_facilitator(user).matching(search).order_by("-created_at", "-pk")

    def home_page(self, rows: WorkshopQuerySet) -> list[Workshop]:
        """One page of the home list (`rows`: a slice of `for_home`), with its clients, in one
        query. The page's workshops are picked first, in a subquery that only sorts ids, and
        only they are read in full: sorting the whole list with every column (the database
        reads them before it sorts) cost more than the rest of the page. Their progress comes
        from what their active participants' responses store: `participant_count` and
        `submitted_count`, counted by the database (two subqueries a row) rather than read
        participant by participant; the participants themselves are read only when an
        alignment has to be computed (`dashboard.home`)."""
        participants = (
            Participant.objects.active()
            .filter(workshop=OuterRef("pk"))
            .order_by()
            .values("workshop")
            .annotate(n=Count("pk"))
            .values("n")
        )
        submitted = participants.filter(response__status=ResponseStatus.SUBMITTED)
        return list(
            self.filter(pk__in=rows.values("pk"))
            .select_related("organisation")
            .annotate(
                participant_count=Coalesce(Subquery(participants), 0),
                submitted_count=Coalesce(Subquery(submitted), 0),
            )
            .order_by("-created_at", "-pk")
        )


class Workshop(models.Model):
    title = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workshops"
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField(null=True, blank=True)
    answer_by = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Deadline given in invitations."),
    )
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
    anonymous = models.BooleanField(
        default=False, help_text=gettext_lazy("Hide names in participants' view.")
    )
    #: The language of the workshop: its invitations and reminders, and its executives' pages
    #: unless one of them picks another (`Participant.language`). New workshops take their
    #: facilitator's language (`FacilitatorProfile`).
    language = models.CharField(
        gettext_lazy("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=gettext_lazy(
            "Invitations and reminders go out in it, and executives answer in it unless "
            "they switch."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: The version of what the consensus dashboard shows: one more with every change to its
    #: answers, responses, participants or codings, in the same transaction
    #: (`WorkshopQuerySet.dashboard_changed`). Cached dashboard pages are keyed by it, so a
    #: change shows at once on every app server. Only ever increased in SQL: see `save`.
    dashboard_version = models.PositiveBigIntegerField(default=0, editable=False)
    #: The workshop this one measures again ("Run again": same client, same executives), for
    #: the client's trend and the dashboard's "then and now". None for a first measurement.
    follows = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    #: The transfer file this workshop was imported from (`workshops.transfer`): importing the
    #: same file again finds this workshop instead of making a copy. None when made here.
    import_id = models.UUIDField(null=True, blank=True, editable=False)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkshopStatus.values), name="workshop_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(follows=F("pk")), name="workshop_does_not_follow_itself"
            ),
            models.UniqueConstraint(fields=["import_id"], name="workshop_imported_once"),
            models.CheckConstraint(
                condition=Q(language__in=LANGUAGE_CODES), name="workshop_language_valid"
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="workshop_owner_recent")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        """Save, never writing `dashboard_version` back from this Python copy: a copy read
        before an answer arrived would otherwise turn the version back, and the page cached for
        the older version would be served again."""
        if not (self._state.adding or kwargs.get("force_insert") or "update_fields" in kwargs):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "dashboard_version"
            ]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def accepts_answers(self) -> bool:
        """Participants may answer while the workshop is open; closing it stops all answering."""
        return self.status in {
            WorkshopStatus.DRAFT,
            WorkshopStatus.COLLECTING,
            WorkshopStatus.IN_SESSION,
        }

    @property
    def answer_by_passed(self) -> bool:
        """The answer-by date is gone (a day before today): ask for answers "as soon as you can"."""
        return self.answer_by is not None and self.answer_by < timezone.localdate()

    @property
    def status_label(self) -> str:
        """The status in words (as `get_status_display()`, which rebuilds its choices each time:
        the home shows twenty)."""
        return WORKSHOP_STATUS_LABELS.get(self.status, self.status)

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None

    @property
    def session_date(self) -> Any:
        """The day of the session: its scheduled date, else the day the workshop was created
        (the client page's charts and follow-ups date a workshop by it)."""
        return timezone.localdate(self.scheduled_at or self.created_at)

    @property
    def is_closed(self) -> bool:
        return self.status == WorkshopStatus.CLOSED

    def is_owned_by(self, user: settings.AUTH_USER_MODEL) -> bool:
        return user.is_authenticated and self.owner_id == user.pk

    def status_transitions(self) -> list[tuple[str, str]]:
        """The statuses the facilitator can move to next, with the button label for each."""
        return STATUS_TRANSITIONS[self.status]

    def can_move_to(self, status: str) -> bool:
        return any(target == status for target, _label in self.status_transitions())

    def status_moves(self) -> list[StatusMove]:
        """The workshop page's status buttons: the usual next step filled, closing asked first."""
        main = MAIN_NEXT_STATUS.get(self.status)
        return [
            StatusMove(
                status=target,
                label=label,
                is_main=target == main,
                needs_confirmation=target in CONFIRM_BEFORE_MOVING_TO,
            )
            for target, label in self.status_transitions()
        ]

    def has_answers(self) -> bool:
        """Whether any executive still taking part has answered a question (a draft counts).

        Before that a reveal would show the room nothing, so it is not offered. The workshop
        page reads the same from its board (`answered_count`) rather than asking again."""
        return (
            Answer.objects.answered()
            .filter(
                response__participant__workshop=self,
                response__participant__removed_at__isnull=True,
            )
            .exists()
        )

    @property
    def questionnaire_in_use(self) -> bool:
        """Once someone has opened their link, the questionnaire version can no longer change."""
        return self.participants.filter(response__isnull=False).exists()


# The lifecycle: draft -> collecting -> in session -> closed, and back again when needed.
STATUS_TRANSITIONS: dict[str, list[tuple[str, str]]] = {
    WorkshopStatus.DRAFT: [(WorkshopStatus.COLLECTING, gettext_lazy("Start collecting answers"))],
    WorkshopStatus.COLLECTING: [
        (WorkshopStatus.IN_SESSION, gettext_lazy("Start the session")),
        (WorkshopStatus.CLOSED, gettext_lazy("Close the workshop")),
    ],
    WorkshopStatus.IN_SESSION: [
        (WorkshopStatus.COLLECTING, gettext_lazy("Back to collecting answers")),
        (WorkshopStatus.CLOSED, gettext_lazy("Close the workshop")),
    ],
    WorkshopStatus.CLOSED: [
        (WorkshopStatus.COLLECTING, gettext_lazy("Reopen for answers")),
        (WorkshopStatus.IN_SESSION, gettext_lazy("Reopen the session")),
    ],
}

#: The step the workshop page offers as its filled button. None in session: the dashboard is
#: what the room works from, and closing (which stops all answering) is never the main action.
MAIN_NEXT_STATUS: dict[str, str] = {
    WorkshopStatus.DRAFT: WorkshopStatus.COLLECTING,
    WorkshopStatus.COLLECTING: WorkshopStatus.IN_SESSION,
    WorkshopStatus.CLOSED: WorkshopStatus.COLLECTING,
}

#: Moves the facilitator confirms first: closing stops everyone's answering at once.
CONFIRM_BEFORE_MOVING_TO = frozenset({WorkshopStatus.CLOSED})


@dataclass(frozen=True)
class StatusMove:
    """One status button on the workshop page."""

    status: str
    label: str
    is_main: bool
    needs_confirmation: bool


class Role(models.TextChoices):
    CIO = "cio", "CIO"
    CMO = "cmo", "CMO"
    CEO = "ceo", "CEO"
    CTO = "cto", "CTO"
    CDO = "cdo", "CDO"
    CFO = "cfo", "CFO"
    HEAD_IT = "head_it", gettext_lazy("Head of IT")
    HEAD_MARKETING = "head_marketing", gettext_lazy("Head of marketing")
    OTHER = "other", gettext_lazy("Other")


class Side(models.TextChoices):
    TECHNOLOGY = "technology", gettext_lazy("Technology")
    MARKETING = "marketing", gettext_lazy("Marketing")
    BUSINESS = "business", gettext_lazy("Business")


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


#: Who is asked what the other side answered (prediction questions, `Question.predicts`): the
#: technology side predicts the marketing side and the reverse. The business side (the CEO...)
#: is not asked: its pages leave prediction questions out and nothing counts them as missing.
PREDICTING_SIDES = {Side.TECHNOLOGY: Side.MARKETING, Side.MARKETING: Side.TECHNOLOGY}


def hash_token(token: str) -> str:
    """Links carry the token; the database keeps only its SHA-256, matched exactly."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_session_key() -> str:
    """A fresh key for the pages a participant's links open (`Participant.session_key`)."""
    return secrets.token_urlsafe(32)


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def active(self) -> ParticipantQuerySet:
        return self.filter(removed_at__isnull=True)

    def for_token(self, token: str) -> ParticipantQuerySet:
        return self.filter(token_hash=hash_token(token), token_revoked_at__isnull=True)

    def removed(self) -> ParticipantQuerySet:
        return self.filter(removed_at__isnull=False)

    def answering(self, *, for_page: bool = True) -> ParticipantQuerySet:
        """Participants whose personal link still works, with what the answering pages show;
        `for_page=False` reads only what a request that shows no page needs (autosave: whether
        the workshop accepts answers, the response and its questionnaire's version), a third of
        the columns."""
        answering = self.active().filter(token_revoked_at__isnull=True)
        if for_page:
            return answering.select_related(
                "workshop", "workshop__organisation", "response", "response__questionnaire"
            )
        return answering.select_related("workshop", "response", "response__questionnaire").only(
            "workshop__status",
            "workshop__language",
            "language",
            "side",  # whether prediction questions are asked (`PREDICTING_SIDES`)
            "response__status",
            "response__questionnaire__source_digest",
            "response__questionnaire__created_at",
            "last_activity_at",
        )

    def with_opened(self) -> ParticipantQuerySet:
        """Annotate `opened`: whether they opened one of their links yet (`ProgressState.of`).
        A boolean, for pages that list many participants: a date costs more to convert."""
        return self.annotate(
            opened=ExpressionWrapper(Q(first_opened_at__isnull=False), BooleanField())
        )

    def for_board(self) -> models.QuerySet:
        """Active participants as the progress board reads them (`workshops.board`): one query
        of plain values, with their response's status and stored answer count and the state of
        the latest email with their link. Only what the board shows is read: converting dates
        costs more than fetching them, and model instances more than both."""
        return (
            self.active()
            .with_opened()
            .values(
                "pk",
                "name",
                "email",
                "role",
                "side",
                "response_id",
                "opened",
                "last_activity_at",
                "invited_at",
                "token_created_at",
                "token_revoked_at",
                "link_unsent",
                status=F("response__status"),
                submitted_at=F("response__submitted_at"),
                answered_count=F("response__answered_count"),
                delivery_state=F("invitation_delivery__state"),
                queued_at=F("invitation_delivery__queued_at"),
                attempts=F("invitation_delivery__attempts"),
                reason=F("invitation_delivery__reason"),
                last_tried_at=F("invitation_delivery__last_tried_at"),
                sent_at=F("invitation_delivery__sent_at"),
            )
        )

    def not_submitted(self) -> ParticipantQuerySet:
        return self.filter(Q(response__isnull=True) | ~Q(response__status="submitted"))


class ProgressState(models.TextChoices):
    NOT_OPENED = "not_opened", gettext_lazy("Not opened")
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    SUBMITTED = "submitted", gettext_lazy("Submitted")

    @classmethod
    def of(cls, response_id: int | None, status: str | None, *, opened: bool) -> ProgressState:
        """Not opened (no link used yet), in progress (answering), or submitted: from the
        participant's response (its id and status) and whether they opened a link yet
        (`first_opened_at` set; `ParticipantQuerySet.with_opened` reads it as a boolean)."""
        if response_id is not None and status == ResponseStatus.SUBMITTED:
            return cls.SUBMITTED
        if response_id is not None or opened:
            return cls.IN_PROGRESS
        return cls.NOT_OPENED


class LinkState(models.TextChoices):
    """How the participant's current personal link reached them, as the board tells it."""

    EMAILED = "emailed", gettext_lazy("Emailed")
    COPIED_AFTER_EMAIL = "copied_after_email", gettext_lazy("New link shown to the facilitator")
    COPIED = "copied", gettext_lazy("Link shown to the facilitator, not emailed")
    WITHDRAWN = "withdrawn", gettext_lazy("Link withdrawn")
    NOT_SENT = "not_sent", gettext_lazy("Not invited yet")

    @classmethod
    def of(
        cls,
        revoked_at: datetime | None,
        invited_at: datetime | None,
        issued_at: datetime,
        *,
        unsent: bool = False,
    ) -> LinkState:
        """From when the current link was issued (`token_created_at`), last emailed
        (`invited_at`) and withdrawn (`token_revoked_at`), and whether it was made without
        being shown or emailed (`link_unsent`): see `Participant.link_state`."""
        if revoked_at is not None:
            return cls.WITHDRAWN
        if unsent:
            return cls.NOT_SENT
        if invited_at is None:
            return cls.COPIED
        if invited_at >= issued_at:
            return cls.EMAILED
        return cls.COPIED_AFTER_EMAIL

    @classmethod
    def since(
        cls,
        state: LinkState,
        revoked_at: datetime | None,
        invited_at: datetime | None,
        issued_at: datetime,
    ) -> datetime:
        """When the link got into `state`: withdrawn, emailed, or issued (to copy, or not
        sent yet)."""
        if state == cls.WITHDRAWN:
            return revoked_at
        if state == cls.EMAILED:
            return invited_at
        return issued_at


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
    #: What the access cookie of every browser that opened one of the participant's links
    #: carries (access.remember_participant). It outlives the link: a reminder, a resent
    #: invitation or a new link copied replace the link and leave open pages working. Only
    #: `end_sessions` changes it: withdrawing the link, removing the participant, or replacing
    #: a link that leaked.
    session_key = models.CharField(max_length=64, default=new_session_key, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    #: The current link was made without being shown or emailed (a follow-up's executives, an
    #: imported workshop's): nobody has it until the facilitator emails or copies a new one.
    link_unsent = models.BooleanField(default=False)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    response = models.OneToOneField(
        Response, on_delete=models.PROTECT, related_name="participant", null=True, blank=True
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: The language the executive chose on their pages (the switcher); blank: the workshop's.
    #: Their pages, and the emails sent to them after they chose, are in `answering_language`.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["workshop", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="participant_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(side__in=Side.values), name="participant_side_valid"
            ),
            models.CheckConstraint(
                condition=~Q(session_key=""), name="participant_session_key_set"
            ),
            models.CheckConstraint(
                condition=Q(language="") | Q(language__in=LANGUAGE_CODES),
                name="participant_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def answering_language(self) -> str:
        """The language of the executive's pages and emails: their own choice, else the
        workshop's (reads the workshop: select it with the participant)."""
        return self.language or self.workshop.language

    @property
    def progress_state(self) -> ProgressState:
        """Not opened (no link used yet), in progress (answering), or submitted."""
        status = self.response.status if self.response_id is not None else None
        return ProgressState.of(self.response_id, status, opened=self.first_opened_at is not None)

    @property
    def is_submitted(self) -> bool:
        return self.progress_state == ProgressState.SUBMITTED

    @property
    def link_withdrawn(self) -> bool:
        return self.token_revoked_at is not None

    @property
    def link_state(self) -> LinkState:
        """How the current link reached the participant, from when it was issued and emailed.

        Every link is emailed, shown once to copy, or not sent yet: adding someone without
        emailing them shows their link, and so does "Copy a new link"; a follow-up or an
        imported workshop gives its executives links nobody has (`link_unsent`) until the
        facilitator emails or copies one. A link issued after the last email
        (`token_created_at` later than `invited_at`) was therefore copied, and the emailed one
        no longer works. Emailing issues the link a moment before sending it.
        """
        return LinkState.of(
            self.token_revoked_at,
            self.invited_at,
            self.token_created_at,
            unsent=self.link_unsent,
        )

    @property
    def link_state_since(self) -> datetime:
        """When the link got into its current state (withdrawn, emailed, or issued to copy)."""
        return LinkState.since(
            self.link_state, self.token_revoked_at, self.invited_at, self.token_created_at
        )

    @property
    def delivery(self) -> InvitationDelivery | None:
        """How the latest email with this participant's link went, when the current link was
        emailed (None for a link shown to copy, and for links emailed before the queue).

        Read from the board's query (`for_board` joins it); elsewhere it costs a query."""
        if self.link_state != LinkState.EMAILED:
            return None
        try:
            return self.invitation_delivery
        except InvitationDelivery.DoesNotExist:
            return None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def has_answers(self) -> bool:
        """Whether removing them would set answers aside (asks the facilitator to confirm)."""
        return self.response_id is not None and self.response.answers.exists()

    def issue_token(self) -> str:
        """Give the participant a new personal link token; returns the token (never stored)."""
        token = secrets.token_urlsafe(32)  # 256 bits
        self.token_hash = hash_token(token)
        self.token_created_at = timezone.now()
        self.token_revoked_at = None
        self.link_unsent = False
        return token

    def end_sessions(self) -> None:
        """Close every page opened with any of the participant's links, in every browser: their
        access cookies carry the old key and are refused from now on (to save with the row)."""
        self.session_key = new_session_key()


class DeliveryState(models.TextChoices):
    """Where the latest email carrying a participant's link is (the board shows it)."""

    QUEUED = "queued", gettext_lazy("Queued")
    SENT = "sent", gettext_lazy("Sent")
    FAILED = "failed", gettext_lazy("Failed")
    DROPPED = (
        "dropped",
        gettext_lazy("Not sent"),
    )  # its link was replaced or withdrawn before it could go


class InvitationDeliveryQuerySet(models.QuerySet["InvitationDelivery"]):
    def current(self, pk: int, generation: int) -> InvitationDeliveryQuerySet:
        """The delivery if it still is the email of that generation (see `generation`)."""
        return self.filter(pk=pk, generation=generation)


class InvitationDelivery(models.Model):
    """The latest email carrying a participant's personal link, and how sending it went.

    One row per participant, rewritten by every invitation, resend and reminder, and read by
    the progress board in the board's own query (`ParticipantQuerySet.for_board` joins it).
    The worker (`workshops.tasks.send_invitation_email`) sends it and records the outcome.

    Where the personal link is kept: tokens are never stored, but the email that carries one
    must wait somewhere for the worker. It waits here, in `body`, and only while it may still
    be sent (queued, or failed and waiting for Retry): the body is blanked as soon as the mail
    server has taken the email or the email is dropped, and a constraint holds that. The task
    in the queue stores only this row's id and `generation`, so the task table, its admin page
    and whatever keeps old task rows never see a link.
    """

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="invitation_delivery"
    )
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    #: Changes with every new email and every Retry: a task queued for an earlier one finds
    #: another number here and does nothing, so no email goes twice and none goes stale.
    generation = models.PositiveIntegerField(default=1)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: The hash of the link the email carries: once it is no longer the participant's link
    #: (a new link was copied, or the link withdrawn) the email is dropped, not sent.
    token_hash = models.CharField(max_length=64)
    reminder = models.BooleanField(default=False)
    to = models.EmailField()
    reply_to = models.EmailField(blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: Why the last try failed, or why the email was dropped: short, for the facilitator.
    reason = models.CharField(max_length=200, blank=True)

    objects = InvitationDeliveryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="delivery_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=[DeliveryState.QUEUED, DeliveryState.FAILED]) | Q(body=""),
                name="delivery_link_kept_only_until_sent",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[DeliveryState.FAILED, DeliveryState.DROPPED])
                | ~Q(reason=""),
                name="delivery_failed_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Email to participant {self.participant_id}: {self.state}"

    @property
    def is_retryable(self) -> bool:
        return self.state == DeliveryState.FAILED

    def reason_not_to_send(self) -> str:
        """Why this email must not go any more ("" when it may): its link is no longer the
        participant's, the participant was removed, or the workshop stopped taking answers.
        Expects `participant__workshop` loaded."""
        participant = self.participant
        if participant.removed_at is not None:
            return gettext("Not sent: the participant was removed.")
        if participant.token_revoked_at is not None:
            return gettext("Not sent: the link was withdrawn.")
        if participant.token_hash != self.token_hash:
            return gettext("Not sent: a newer link replaced the one in this email.")
        if not participant.workshop.accepts_answers:
            return gettext("Not sent: the workshop no longer takes answers.")
        return ""

    def mark_sent(self) -> bool:
        """The mail server took the email: forget its text (the link). False if superseded."""
        now = timezone.now()
        return self._record(tried=True, state=DeliveryState.SENT, sent_at=now, body="", reason="")

    def drop(self, reason: str) -> bool:
        """The email must not go any more: forget its text. False if superseded."""
        return self._record(tried=False, state=DeliveryState.DROPPED, body="", reason=reason)

    def note_failure(self, reason: str, *, final: bool) -> bool:
        """A try failed: wait for the next one (the body is kept), or fail for good and wait
        for the facilitator's Retry. False if superseded meanwhile."""
        state = DeliveryState.FAILED if final else DeliveryState.QUEUED
        return self._record(tried=True, state=state, reason=reason)

    def _record(self, *, tried: bool, **values: object) -> bool:
        """Write an outcome on this generation only, never over a newer email's row: the
        facilitator may have resent or retried while the worker was talking to the server."""
        if "reason" in values:
            values["reason"] = str(values["reason"])[:200]
        if tried:
            values.update(last_tried_at=timezone.now(), attempts=models.F("attempts") + 1)
        updated = InvitationDelivery.objects.current(self.pk, self.generation).update(**values)
        if updated:
            self.refresh_from_db()
        return bool(updated)


class ReplacedLink(models.Model):
    """A personal link replaced by a newer one (a resent invitation, a reminder, a new link
    copied), kept only as its hash: someone opening an older email is told that a newer link
    exists, and where to find it, rather than that their link is wrong."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="replaced_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"Link of {self.participant.name} replaced {self.replaced_at:%Y-%m-%d %H:%M}"


class LinkGuessWindow(models.Model):
    """Personal links opened from one address that matched nobody, in the hour since the first.

    The count lives in the database, not in a cache or in one process's memory: every app
    server sees the same count, it lasts the whole hour, and each miss is counted by one atomic
    statement (an upsert that returns the new count), so 300 misses at once count 300 and only
    the first ones within the limit are answered as a miss.
    """

    LENGTH = timedelta(hours=1)

    address = models.CharField(max_length=64)
    window_started_at = models.DateTimeField(db_index=True)
    misses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address"], name="link_guess_window_one_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.misses} misses from {self.address} since {self.window_started_at:%H:%M}"

    @classmethod
    def count_miss(cls, address: str) -> int:
        """Count one miss from `address`; return its misses in the current window, this one
        included. A window older than an hour starts again at 1."""
        now = timezone.now()
        expired = now - cls.LENGTH
        connection = connections[router.db_for_write(cls)]
        quote = connection.ops.quote_name
        table = quote(cls._meta.db_table)
        address_column, started, misses = (
            quote(cls._meta.get_field(name).column)
            for name in ("address", "window_started_at", "misses")
        )
        # INSERT ... ON CONFLICT ... RETURNING: one statement on SQLite (3.35+) and PostgreSQL,
        # atomic under concurrency, where a read-then-write would lose updates. In the SET
        # clause, the table's own columns are the row as it was before this miss.
        sql = (
            f"INSERT INTO {table} ({address_column}, {started}, {misses}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({address_column}) DO UPDATE SET "
            f"{misses} = CASE WHEN {table}.{started} > %s THEN {table}.{misses} + 1 ELSE 1 END, "
            f"{started} = CASE WHEN {table}.{started} > %s "
            f"THEN {table}.{started} ELSE excluded.{started} END "
            f"RETURNING {misses}"
        )
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(sql, [address[:64], adapt(now), adapt(expired), adapt(expired)])
            (count,) = cursor.fetchone()
        if count == 1:
            # A new window: the moment to drop the windows that ended (once an hour at most
            # per address, one indexed delete).
            cls.objects.filter(window_started_at__lte=expired).delete()
        return count


class ParticipantAddition(models.Model):
    """The add-participant form that added an executive, by the one-time key each rendering
    of the form carries: the same form sent twice (a double click, a reload of the page that
    shows the new link) finds the executive it added, rather than adding them again.

    Written in the transaction that adds the executive: of two such requests at once, the
    database lets one commit its row and refuses the other's (the unique key below), which then
    rolls back its executive too. A key in the session could not do this (both requests read
    it before either wrote it).
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="+")
    form_key = models.CharField(max_length=64)
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="addition"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "form_key"], name="participant_added_once_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.name} added by form {self.form_key[:8]}…"

    @classmethod
    def added_by(cls, workshop: Workshop, form_key: str) -> Participant | None:
        """The executive this form already added to the workshop, if any (removed or not)."""
        if not form_key:
            return None
        return Participant.objects.filter(workshop=workshop, addition__form_key=form_key).first()


class AuditEvent(models.Model):
    """Who did what to a workshop and when: invite, revoke, reveal, reopen, export, delete."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=40)
    #: The facts the entry names, as data (names as typed, codes, numbers): put into words in
    #: the reader's language when shown (`workshops.audit`).
    params = models.JSONField(default=dict, blank=True)
    #: A detail written as a sentence: entries from before the trail was stored as data that
    #: could not be read back (shown as written), or a note recorded as text.
    legacy_detail = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} on {self.workshop_id} by {self.actor_id}"

    @property
    def detail(self) -> str:
        """The entry's detail in the active language (the reader's)."""
        from .audit import describe

        return self.legacy_detail or describe(self.action, self.params)

    @property
    def label(self) -> str:
        """The action in words, for the audit trail on the workshop page."""
        return str(AUDIT_ACTION_LABELS.get(self.action, self.action.replace("_", " ").capitalize()))


AUDIT_ACTION_LABELS = {
    "create": gettext_lazy("Workshop created"),
    "edit_workshop": gettext_lazy("Workshop edited"),
    "status": gettext_lazy("Status changed"),
    "add_participant": gettext_lazy("Participant added"),
    "edit_participant": gettext_lazy("Participant edited"),
    "invite": gettext_lazy("Invitation queued to email"),
    "remind": gettext_lazy("Reminder queued to email"),
    "regenerate_link": gettext_lazy("New link created"),
    "replace_leaked_link": gettext_lazy("Leaked link replaced"),
    "revoke_link": gettext_lazy("Link withdrawn"),
    "remove_participant": gettext_lazy("Participant removed"),
    "restore_participant": gettext_lazy("Participant restored"),
    "reopen": gettext_lazy("Answers reopened"),
    "reveal": gettext_lazy("Results revealed"),
    "hide_results": gettext_lazy("Results hidden again"),
    "export": gettext_lazy("Results exported"),
    "import": gettext_lazy("Workshop imported"),
    "run_again": gettext_lazy("Follow-up workshop created"),
    "delete": gettext_lazy("Workshop deleted"),
    "code_text": gettext_lazy("Free-text answers coded"),
    "retry_email": gettext_lazy("Email tried again"),
    "email_failed": gettext_lazy("Email not delivered"),
}


class CodingVerdict(models.TextChoices):
    AGREE = "agree", gettext_lazy("Agree")
    PARTLY = "partly", gettext_lazy("Partly")
    DIFFER = "differ", gettext_lazy("Differ")


#: Where the bar between the two groups of a coded pair is.
_PAIR_BAR = StrIndex("pair", Value("|"))


class TextCoding(models.Model):
    """The facilitator's reading of two groups' free-text answers to one question.

    Free text is never scored automatically (CONSENSUS.md); once coded, the pair counts as
    agree 1, partly 0.5 or differ 0 and is flagged as facilitator-coded wherever it is shown.
    A coding belongs to one pair of groups (``pair``, e.g. ``role:cio|role:cmo``, in sorted
    order): comparing other groups shows other texts, which are not coded by it.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="text_codings")
    question = models.ForeignKey("surveys.Question", on_delete=models.PROTECT, related_name="+")
    pair = models.CharField(max_length=80)
    verdict = models.CharField(max_length=8, choices=CodingVerdict.choices)
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    coded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "question", "pair"], name="text_coding_one_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=CodingVerdict.values), name="text_coding_verdict_valid"
            ),
            # "a|b": two groups, and two different ones (a group is not coded against itself).
            models.CheckConstraint(
                condition=Q(pair__contains="|")
                & ~Q(Exact(Left("pair", _PAIR_BAR - 1), Substr("pair", _PAIR_BAR + 1))),
                name="text_coding_two_different_groups",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pair} on {self.question_id}: {self.verdict}"


class FacilitatorProfile(models.Model):
    """A facilitator's own settings: the language of their pages (and of the password-reset
    email), and the one new workshops start in. Made on first use (`for_user`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator_profile"
    )
    language = models.CharField(
        gettext_lazy("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=LANGUAGE_CODES), name="facilitator_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Settings of {self.user_id}"

    @classmethod
    def chosen_language(cls, user: Any) -> str | None:
        """The language the facilitator chose, or None if they never did."""
        return cls.objects.filter(user=user).values_list("language", flat=True).first()

    @classmethod
    def language_of(cls, user: Any) -> str:
        """The facilitator's language: their choice, else the page's (the browser's)."""
        language = cls.chosen_language(user) or translation.get_language()
        return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE

    @classmethod
    def choose(cls, user: Any, language: str) -> None:
        """Save the facilitator's language (made on first use)."""
        cls.objects.update_or_create(user=user, defaults={"language": language})


# The session's outcome and its run-sheet: models of this app kept in their own module.
from .outcome_models import (  # noqa: E402, F401
    OUTCOME_AUDIT_LABELS,
    RACI_PARTIES,
    Action,
    ActionStatus,
    AgreedOwnership,
    BlockKind,
    Decision,
    DecisionState,
    OutcomeNotes,
    Raci,
    RunSheet,
    RunSheetBlock,
    SharedKpi,
    SignOff,
)

AUDIT_ACTION_LABELS.update(OUTCOME_AUDIT_LABELS)
