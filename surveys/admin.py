"""Support staff's view of the questionnaire engine.

A questionnaire that has responses is frozen: every answer keeps the meaning it was given, so
its sections, questions and choices are read-only here (a change needs a new version, loaded
with `manage.py load_questionnaire`).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import (
    Answer,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireChange,
    Response,
    Section,
)


def _frozen(questionnaire: Questionnaire | None) -> bool:
    return questionnaire is not None and questionnaire.pk is not None and questionnaire.is_frozen


class FrozenAwareMixin:
    """Read-only once the questionnaire (found by `questionnaire_of`) has responses."""

    def questionnaire_of(self, obj: object) -> Questionnaire | None:  # pragma: no cover
        raise NotImplementedError

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        if obj is not None and _frozen(self.questionnaire_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        if obj is not None and _frozen(self.questionnaire_of(obj)):
            return False
        return super().has_delete_permission(request, obj)


class FrozenAwareInline(FrozenAwareMixin):
    """Inlines get the parent object: no adding either once it is frozen."""

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        if obj is not None and _frozen(self.questionnaire_of(obj)):
            return False
        return super().has_add_permission(request, obj)


class SectionInline(FrozenAwareInline, admin.TabularInline):
    model = Section
    fields = ["position", "code", "title"]
    extra = 0
    show_change_link = True

    def questionnaire_of(self, obj: Questionnaire) -> Questionnaire:
        return obj


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "version", "section_count", "response_count", "created_at"]
    list_filter = ["slug"]
    search_fields = ["title", "slug"]
    readonly_fields = ["source_digest", "created_at"]
    inlines = [SectionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Questionnaire]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                section_total=Count("sections", distinct=True),
                response_total=Count("responses", distinct=True),
            )
        )

    @admin.display(description="Sections", ordering="section_total")
    def section_count(self, obj: Questionnaire) -> int:
        return obj.section_total

    @admin.display(description="Responses", ordering="response_total")
    def response_count(self, obj: Questionnaire) -> int:
        return obj.response_total

    def get_readonly_fields(
        self, request: HttpRequest, obj: Questionnaire | None = None
    ) -> list[str] | tuple[str, ...]:
        if _frozen(obj):
            return [
                "slug",
                "version",
                "language",
                "title",
                "description",
                "translations",
                "source_digest",
                "created_at",
            ]
        return super().get_readonly_fields(request, obj)


class QuestionInline(FrozenAwareInline, admin.TabularInline):
    model = Question
    fields = ["position", "code", "kind", "prompt", "required"]
    extra = 0
    show_change_link = True

    def questionnaire_of(self, obj: Section) -> Questionnaire:
        return obj.questionnaire


@admin.register(Section)
class SectionAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["title", "questionnaire", "position", "code"]
    list_filter = ["questionnaire"]
    search_fields = ["title", "code"]
    list_select_related = ["questionnaire"]
    inlines = [QuestionInline]

    def questionnaire_of(self, obj: Section) -> Questionnaire:
        return obj.questionnaire


class ChoiceInline(FrozenAwareInline, admin.TabularInline):
    model = Choice
    fields = ["position", "value", "label", "is_none"]
    extra = 0

    def questionnaire_of(self, obj: Question) -> Questionnaire:
        return obj.section.questionnaire


@admin.register(Question)
class QuestionAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["prompt", "code", "kind", "section", "position", "required", "importance"]
    list_filter = ["kind", "required", "section__questionnaire"]
    search_fields = ["prompt", "code"]
    list_select_related = ["section", "section__questionnaire"]
    raw_id_fields = ["section", "predicts"]
    inlines = [ChoiceInline]

    def questionnaire_of(self, obj: Question) -> Questionnaire:
        return obj.section.questionnaire


@admin.register(Choice)
class ChoiceAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["label", "value", "question", "position", "is_none"]
    list_filter = ["is_none", "question__section__questionnaire"]
    search_fields = ["label", "value", "question__code"]
    list_select_related = ["question"]
    raw_id_fields = ["question"]

    def questionnaire_of(self, obj: Choice) -> Questionnaire:
        return obj.question.section.questionnaire


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "value", "is_unknown", "revision", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Answer]:
        return super().get_queryset(request).select_related("question")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Answers are the executives' own words: support staff read them, never edit them."""

    list_display = ["pk", "questionnaire", "status", "answer_count", "updated_at", "submitted_at"]
    list_filter = ["status", "questionnaire"]
    search_fields = ["participant__name", "participant__email", "participant__workshop__title"]
    list_select_related = ["questionnaire"]
    readonly_fields = ["questionnaire", "created_at", "updated_at", "submitted_at"]
    date_hierarchy = "updated_at"
    inlines = [AnswerInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Response]:
        return super().get_queryset(request).annotate(answer_total=Count("answers"))

    @admin.display(description="Answers", ordering="answer_total")
    def answer_count(self, obj: Response) -> int:
        return obj.answer_total


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["pk", "response", "question", "is_unknown", "revision", "updated_at"]
    list_filter = ["is_unknown", "question__kind"]
    search_fields = ["question__code", "question__prompt"]
    list_select_related = ["response", "question"]
    raw_id_fields = ["response", "question"]
    readonly_fields = ["revision", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Answer, form: object, change: bool) -> None:
        """A change made here is a change like any other: a new revision and change time, so an
        open answering page sees a conflict rather than overwriting it, and the dashboard's
        reused reports (keyed on revisions and change times) are not kept past it."""
        if change and getattr(form, "changed_data", None):
            obj.revision += 1
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        # The response's stored count and change time (what the board and the home read).
        Response.objects.filter(pk=obj.response_id).recount_answers()

    def delete_model(self, request: HttpRequest, obj: Answer) -> None:
        super().delete_model(request, obj)
        Response.objects.filter(pk=obj.response_id).recount_answers()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Answer]) -> None:
        responses = list(queryset.values_list("response_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        Response.objects.filter(pk__in=responses).recount_answers()


@admin.register(QuestionnaireChange)
class QuestionnaireChangeAdmin(admin.ModelAdmin):
    """The builder's audit trail: read-only, as a record of what happened must be."""

    list_display = ["at", "questionnaire", "actor", "action", "change_text"]
    list_filter = ["action"]
    search_fields = ["questionnaire__title", "questionnaire__slug", "actor__username"]
    list_select_related = ["questionnaire", "actor"]
    readonly_fields = ["questionnaire", "actor", "at", "action", "params"]

    @admin.display(description="Change")
    def change_text(self, obj: QuestionnaireChange) -> str:
        return obj.text

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False
