"""Support staff's view of clients, workshops, participants and the audit trail.

Staff see everything here; facilitators never use the admin. Personal-link hashes are never
editable, and the audit trail is read-only.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from .models import (
    Action,
    AgreedOwnership,
    AuditEvent,
    Decision,
    FacilitatorProfile,
    InvitationDelivery,
    LinkGuessWindow,
    Organisation,
    OutcomeNotes,
    Participant,
    ParticipantAddition,
    ReplacedLink,
    RunSheet,
    RunSheetBlock,
    SharedKpi,
    SignOff,
    TextCoding,
    Workshop,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "workshop_count", "created_by", "created_at"]
    search_fields = ["name"]
    list_select_related = ["created_by"]
    autocomplete_fields = ["created_by"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).annotate(workshop_total=Count("workshops"))

    @admin.display(description="Workshops", ordering="workshop_total")
    def workshop_count(self, obj: Organisation) -> int:
        return obj.workshop_total


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["name", "email", "role", "side", "invited_at", "response", "removed_at"]
    readonly_fields = ["invited_at", "response", "removed_at"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        # New participants need a personal link: facilitators add them from the workshop page.
        return False


class AuditEventInline(admin.TabularInline):
    model = AuditEvent
    fields = ["created_at", "actor", "action", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organisation",
        "owner",
        "status",
        "scheduled_at",
        "participant_count",
        "revealed_at",
        "created_at",
    ]
    list_filter = ["status", "anonymous", "results_visible_to_participants", "questionnaire"]
    search_fields = ["title", "organisation__name", "owner__username", "owner__email"]
    list_select_related = ["organisation", "owner"]
    autocomplete_fields = ["organisation", "owner", "co_facilitators"]
    raw_id_fields = ["questionnaire"]
    date_hierarchy = "created_at"
    inlines = [ParticipantInline, AuditEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workshop]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                participant_total=Count("participants", filter=Q(participants__removed_at=None))
            )
        )

    @admin.display(description="Participants", ordering="participant_total")
    def participant_count(self, obj: Workshop) -> int:
        return obj.participant_total


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "role",
        "side",
        "workshop",
        "progress",
        "invited_at",
        "last_activity_at",
        "removed_at",
    ]
    list_filter = [
        "role",
        "side",
        ("removed_at", admin.EmptyFieldListFilter),
        ("token_revoked_at", admin.EmptyFieldListFilter),
        "response__status",
    ]
    search_fields = ["name", "email", "workshop__title", "workshop__organisation__name"]
    list_select_related = ["workshop", "response"]
    autocomplete_fields = ["workshop"]
    raw_id_fields = ["response"]
    readonly_fields = [
        "token_hash",
        "token_created_at",
        "token_revoked_at",
        "invited_at",
        "first_opened_at",
        "last_activity_at",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A participant needs a personal link: facilitators add them from the workshop page.
        return False

    @admin.display(description="Progress")
    def progress(self, obj: Participant) -> str:
        return obj.progress_state.label


@admin.register(ReplacedLink)
class ReplacedLinkAdmin(admin.ModelAdmin):
    """Hashes of replaced personal links (to tell their holders a newer one exists): read-only."""

    list_display = ["replaced_at", "participant"]
    search_fields = ["participant__name", "participant__email", "participant__workshop__title"]
    list_select_related = ["participant"]
    date_hierarchy = "replaced_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(LinkGuessWindow)
class LinkGuessWindowAdmin(admin.ModelAdmin):
    """Personal links that matched nobody, per address and hour: read-only. Deleting a row lifts
    the throttle on that address at once (a current link always opens anyway)."""

    list_display = ["address", "misses", "window_started_at"]
    search_fields = ["address"]
    ordering = ["-window_started_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(InvitationDelivery)
class InvitationDeliveryAdmin(admin.ModelAdmin):
    """How the latest email with each participant's link went: read-only, and never its text,
    which holds the personal link until it is sent (facilitators retry from the board)."""

    list_display = ["participant", "state", "attempts", "queued_at", "sent_at", "reason"]
    list_filter = ["state", "reminder"]
    search_fields = ["participant__name", "to", "participant__workshop__title"]
    list_select_related = ["participant"]
    fields = [
        "participant",
        "state",
        "reminder",
        "to",
        "subject",
        "attempts",
        "queued_at",
        "last_tried_at",
        "sent_at",
        "reason",
    ]
    date_hierarchy = "queued_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(ParticipantAddition)
class ParticipantAdditionAdmin(admin.ModelAdmin):
    """Which add-participant form added whom (so that a form sent twice adds once): read-only."""

    list_display = ["added_at", "participant", "workshop"]
    search_fields = ["participant__name", "participant__email", "workshop__title"]
    list_select_related = ["participant", "workshop"]
    date_hierarchy = "added_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is evidence: it can be read and searched, never changed."""

    list_display = ["created_at", "workshop", "actor", "action", "detail"]
    list_filter = ["action"]
    search_fields = ["legacy_detail", "params", "workshop__title", "actor__username"]
    list_select_related = ["workshop", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(TextCoding)
class TextCodingAdmin(admin.ModelAdmin):
    """Facilitators' codings of free-text pairs (made on the comparison page): read-only here."""

    list_display = ["workshop", "question", "pair", "verdict", "coded_by", "coded_at"]
    list_filter = ["verdict"]
    search_fields = ["workshop__title", "pair", "question__prompt"]
    list_select_related = ["workshop", "question", "coded_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


class OutcomeAdmin(admin.ModelAdmin):
    """What a session recorded (run-sheet, decisions, RACI, KPIs, actions, notes, sign-offs):
    recorded by the facilitators on the session's pages, with revisions and the audit trail;
    read-only here, so nothing bypasses either."""

    list_select_related = ["workshop"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


for _model, _display, _search in [
    (Decision, ["workshop", "question", "state", "revision", "updated_at"], ["workshop__title"]),
    (AgreedOwnership, ["workshop", "area", "cio", "cmo", "joint", "other"], ["workshop__title"]),
    (SharedKpi, ["workshop", "name", "target", "unit", "owner", "deadline"], ["name"]),
    (Action, ["workshop", "what", "owner_name", "due_on", "status"], ["what"]),
    (OutcomeNotes, ["workshop", "updated_at"], ["workshop__title"]),
    (SignOff, ["workshop", "signed_by", "signed_at", "reopened_at"], ["signed_by"]),
    (RunSheet, ["workshop", "minutes", "revision"], ["workshop__title"]),
    (RunSheetBlock, ["run_sheet", "key", "position", "minutes", "dropped"], ["key"]),
]:
    admin.site.register(
        _model,
        type(
            f"{_model.__name__}Admin",
            (OutcomeAdmin,),
            {
                "list_display": _display,
                "search_fields": _search,
                "list_select_related": ["run_sheet"] if _model is RunSheetBlock else ["workshop"],
            },
        ),
    )


@admin.register(FacilitatorProfile)
class FacilitatorProfileAdmin(admin.ModelAdmin):
    """A facilitator's own settings (their language)."""

    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
