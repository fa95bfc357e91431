"""The questionnaire builder's pages (/questionnaires/...): facilitators list, copy, edit,
reorder and publish questionnaires, and read each one's audit trail.

Every questionnaire is looked up through `surveys.access`; every change goes through
`surveys.builder` (a transaction that claims the questionnaire's edit revision). The pages never
branch on a question's kind: the kind gives its settings form (`surveys.builder_forms`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import builder
from .access import can_edit, get_questionnaire_for_user
from .builder_forms import DetailsForm, NewQuestionnaireForm, QuestionEditor, SectionForm
from .kinds import KINDS
from .models import Choice, Question, Questionnaire, QuestionnaireChange, Section

STALE = "stale"


def _stale_message() -> str:
    return gettext(
        "This questionnaire changed since you opened the page (in another tab, or by "
        "another facilitator). Nothing was saved: what you typed is kept below. Check the "
        "questionnaire, then save again."
    )


#: The largest id or revision a request may name (what every database's integer holds).
_LARGEST = 2**31 - 1


def _whole(raw: str, default: int) -> int:
    """A whole number from a request (within the database's integers), else `default`."""
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if -_LARGEST <= value <= _LARGEST else default


def _revision(request: HttpRequest) -> int:
    return _whole(request.POST.get("revision", ""), -1)


def _editable_draft(request: HttpRequest, questionnaire_pk: int) -> Questionnaire:
    """A draft the facilitator may change, else 404 (a published version is never changed:
    its page offers a new version instead)."""
    questionnaire = get_questionnaire_for_user(request, questionnaire_pk, edit=True)
    if not questionnaire.is_draft:
        raise Http404("Only a draft can change.")
    return questionnaire


def _editor_url(questionnaire: Questionnaire, anchor: str = "") -> str:
    url = reverse("surveys:editor", args=[questionnaire.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    """The facilitator's questionnaires, those shared with them and the built-in ones; a
    form to start a new one (from scratch, from the default or from one of theirs)."""
    user = request.user
    shared_ids = set(
        Questionnaire.shared_with.through.objects.filter(user_id=user.pk).values_list(
            "questionnaire_id", flat=True
        )
    )
    visible = list(
        Questionnaire.objects.visible_to(user)
        .select_related("owner")
        .order_by("title", "slug", "-version")
    )
    mine = [q for q in visible if q.owner_id == user.pk]
    shared = [q for q in visible if q.pk in shared_ids and q.owner_id != user.pk]
    built_in = [q for q in visible if q.owner_id is None]
    form = NewQuestionnaireForm(sources=[*built_in, *mine, *shared])
    return render(
        request,
        "surveys/builder/list.html",
        {"mine": mine, "shared": shared, "built_in": built_in, "form": form},
    )


@login_required
@require_POST
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    """A new draft: empty, or a copy of a questionnaire the facilitator may see."""
    source_pk = request.POST.get("source", "")
    source = None
    if source_pk:
        source = get_questionnaire_for_user(request, _whole(source_pk, 0))
    form = NewQuestionnaireForm(request.POST, sources=[source] if source else [])
    if not form.is_valid():
        messages.error(request, gettext("Give the new questionnaire a title."))
        return redirect("surveys:list")
    title = form.cleaned_data["title"]
    if source is None:
        questionnaire = builder.create_questionnaire(
            owner=request.user, title=title, language=request.LANGUAGE_CODE or "en"
        )
    else:
        questionnaire = builder.copy_questionnaire(source, actor=request.user, title=title)
    return redirect(_editor_url(questionnaire))


def _structure(questionnaire: Questionnaire) -> list[Section]:
    """Sections, their questions and choices: three queries whatever the size. Each section's
    `own_questions` leave out the prediction companions; those they have are marked
    `has_prediction`."""
    sections = list(
        questionnaire.sections.order_by("position").prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("position").prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("position"))
                ),
            )
        )
    )
    for section in sections:
        questions = list(section.questions.all())
        predicted = {q.predicts_id for q in questions if q.predicts_id is not None}
        section.own_questions = [q for q in questions if q.predicts_id is None]
        for question in section.own_questions:
            question.has_prediction = question.pk in predicted
    return sections


@login_required
def editor(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    """The questionnaire's page: its sections and questions, with the edits a draft takes
    (add, edit, reorder, remove, publish) or, for a published one, a new version or a copy."""
    questionnaire = get_questionnaire_for_user(request, questionnaire_pk)
    editable = can_edit(request, questionnaire)
    sections = _structure(questionnaire)
    draft = editable and questionnaire.is_draft
    return render(
        request,
        "surveys/builder/editor.html",
        {
            "questionnaire": questionnaire,
            "sections": sections,
            "editable": editable,
            "draft": draft,
            "kinds": list(KINDS.values()),
            "details_form": DetailsForm(questionnaire=questionnaire) if draft else None,
            "problems": builder.publish_problems(questionnaire, sections) if draft else [],
            "question_count": sum(len(s.own_questions) for s in sections),
        },
    )


@login_required
@require_POST
def details(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    questionnaire = _editable_draft(request, questionnaire_pk)
    form = DetailsForm(request.POST, questionnaire=questionnaire)
    stale = False
    if form.is_valid():
        data = form.cleaned_data
        languages = list(data["languages"])
        translations = {
            language: {
                name: (data.get(f"{language}.{name}") or "").strip()
                for name in DetailsForm.TEXTS
                if (data.get(f"{language}.{name}") or "").strip()
            }
            for language in languages
        }
        try:
            builder.save_details(
                questionnaire,
                title=data["title"],
                description=data["description"],
                languages=languages,
                translations=translations,
                revision=data["revision"],
                actor=request.user,
            )
        except builder.StaleRevision:
            stale = True
        else:
            messages.success(request, gettext("Saved."))
            return redirect(_editor_url(questionnaire))
    return render(
        request,
        "surveys/builder/details.html",
        {"questionnaire": questionnaire, "form": form, "stale": stale},
        status=409 if stale else 422,
    )


@login_required
@require_POST
def copy(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    """A new draft owned by the facilitator, copied from one they may see."""
    source = get_questionnaire_for_user(request, questionnaire_pk)
    title = gettext("Copy of %(title)s") % {"title": source.text("title")}
    questionnaire = builder.copy_questionnaire(source, actor=request.user, title=title[:200])
    messages.success(request, gettext("This is your copy: a draft only you can see."))
    return redirect(_editor_url(questionnaire))


@login_required
@require_POST
def new_version(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    """The draft of the next version of a published questionnaire (the published one, and the
    workshops using it, stay as they are)."""
    source = get_questionnaire_for_user(request, questionnaire_pk, edit=True)
    if source.is_draft:
        return redirect(_editor_url(source))
    draft = builder.copy_questionnaire(source, actor=request.user, new_version=True)
    messages.success(
        request,
        gettext(
            "This is the draft of version %(version)s. Version %(previous)s stays as it is for "
            "the workshops that use it."
        )
        % {"version": draft.version, "previous": source.version},
    )
    return redirect(_editor_url(draft))


@login_required
@require_POST
def publish(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    questionnaire = _editable_draft(request, questionnaire_pk)
    problems = builder.publish_problems(questionnaire, _structure(questionnaire))
    if problems:
        messages.error(request, gettext("Not published: correct the problems listed first."))
        return redirect(_editor_url(questionnaire, "problems"))
    try:
        builder.publish(questionnaire, revision=_revision(request), actor=request.user)
    except builder.StaleRevision:
        messages.error(request, _stale_message())
        return redirect(_editor_url(questionnaire))
    messages.success(
        request,
        gettext("Version %(version)s is published: workshops can use it now.")
        % {"version": questionnaire.version},
    )
    return redirect(_editor_url(questionnaire))


@login_required
@require_POST
def share(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    """Share with another facilitator (by username or email), or stop sharing."""
    questionnaire = get_questionnaire_for_user(request, questionnaire_pk, edit=True)
    if questionnaire.owner_id != request.user.pk:
        raise Http404("Only the owner shares a questionnaire.")
    who = (request.POST.get("user") or "").strip()
    users = get_user_model().objects.filter(is_active=True).exclude(pk=request.user.pk)
    user = (users.filter(username=who) | users.filter(email__iexact=who)).first() if who else None
    if user is None:
        messages.error(request, gettext("No facilitator has this username or email address."))
    else:
        builder.share(questionnaire, user, actor=request.user, stop="stop" in request.POST)
        messages.success(request, gettext("Sharing changed."))
    return redirect(_editor_url(questionnaire, "sharing"))


@login_required
def changes(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    """Who changed what, when: the questionnaire's audit trail (the latest 500)."""
    questionnaire = get_questionnaire_for_user(request, questionnaire_pk)
    trail = list(
        QuestionnaireChange.objects.filter(questionnaire=questionnaire).select_related("actor")[
            :500
        ]
    )
    return render(
        request, "surveys/builder/changes.html", {"questionnaire": questionnaire, "changes": trail}
    )


# Sections -------------------------------------------------------------------------------------


def _section(questionnaire: Questionnaire, section_pk: int) -> Section:
    return get_object_or_404(Section, pk=section_pk, questionnaire=questionnaire)


@login_required
def section_add(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    return _section_form(request, _editable_draft(request, questionnaire_pk), None)


@login_required
def section_edit(request: HttpRequest, questionnaire_pk: int, section_pk: int) -> HttpResponse:
    questionnaire = get_questionnaire_for_user(request, questionnaire_pk, edit=True)
    section = _section(questionnaire, section_pk)
    if not questionnaire.is_draft:
        raise Http404("Only a draft can change.")
    return _section_form(request, questionnaire, section)


def _section_form(
    request: HttpRequest, questionnaire: Questionnaire, section: Section | None
) -> HttpResponse:
    stale = False
    if request.method == "POST":
        form = SectionForm(request.POST, questionnaire=questionnaire, section=section)
        if form.is_valid():
            data = form.cleaned_data
            translations = {
                language: {
                    name: (data.get(f"{language}.{name}") or "").strip()
                    for name in Section.TEXTS
                    if (data.get(f"{language}.{name}") or "").strip()
                }
                for language in questionnaire.languages[1:]
            }
            try:
                saved = builder.save_section(
                    questionnaire=questionnaire,
                    section=section,
                    title=data["title"],
                    intro=data["intro"],
                    translations=translations,
                    revision=data["revision"],
                    actor=request.user,
                )
            except builder.StaleRevision:
                stale = True
                form.data = form.data.copy()
                form.data["revision"] = str(_current_revision(questionnaire))
            else:
                messages.success(request, gettext("Section saved."))
                return redirect(_editor_url(questionnaire, f"section-{saved.pk}"))
    else:
        form = SectionForm(questionnaire=questionnaire, section=section)
    return render(
        request,
        "surveys/builder/section_form.html",
        {"questionnaire": questionnaire, "section": section, "form": form, "stale": stale},
        status=409 if stale else (422 if request.method == "POST" else 200),
    )


def _current_revision(questionnaire: Questionnaire) -> int:
    return Questionnaire.objects.values_list("edit_revision", flat=True).get(pk=questionnaire.pk)


def _moved_to(request: HttpRequest, position: int) -> int:
    """Where a move asks to go: one up, one down, or a place (a drag)."""
    direction = request.POST.get("direction", "")
    if direction == "up":
        return position - 1
    if direction == "down":
        return position + 1
    return _whole(request.POST.get("to", ""), position)


def _after_change(request: HttpRequest, questionnaire: Questionnaire, anchor: str) -> HttpResponse:
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect(_editor_url(questionnaire, anchor))


def _refused(request: HttpRequest, questionnaire: Questionnaire) -> HttpResponse:
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(_stale_message(), status=409, content_type="text/plain")
    messages.error(request, _stale_message())
    return redirect(_editor_url(questionnaire))


@login_required
@require_POST
def section_move(request: HttpRequest, questionnaire_pk: int, section_pk: int) -> HttpResponse:
    questionnaire = _editable_draft(request, questionnaire_pk)
    section = _section(questionnaire, section_pk)
    try:
        builder.move_section(
            questionnaire,
            section,
            _moved_to(request, section.position),
            revision=_revision(request),
            actor=request.user,
        )
    except builder.StaleRevision:
        return _refused(request, questionnaire)
    return _after_change(request, questionnaire, f"section-{section.pk}")


@login_required
@require_POST
def section_remove(request: HttpRequest, questionnaire_pk: int, section_pk: int) -> HttpResponse:
    questionnaire = _editable_draft(request, questionnaire_pk)
    section = _section(questionnaire, section_pk)
    try:
        builder.remove_section(
            questionnaire, section, revision=_revision(request), actor=request.user
        )
    except builder.StaleRevision:
        return _refused(request, questionnaire)
    messages.success(request, gettext("Section removed."))
    return _after_change(request, questionnaire, "sections")


# Questions ------------------------------------------------------------------------------------


def _question(questionnaire: Questionnaire, question_pk: int) -> Question:
    """A question of the questionnaire, not a prediction companion (edited with its
    question), else 404."""
    return get_object_or_404(
        Question.objects.select_related("section").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position"))
        ),
        pk=question_pk,
        section__questionnaire=questionnaire,
        predicts__isnull=True,
    )


def _kind_asked(request: HttpRequest, default: str) -> Any:
    source = request.POST if request.method == "POST" else request.GET
    name = source.get("q-kind") or source.get("kind") or default
    return KINDS.get(name) or KINDS[default]


@login_required
def question_add(request: HttpRequest, questionnaire_pk: int, section_pk: int) -> HttpResponse:
    questionnaire = _editable_draft(request, questionnaire_pk)
    section = _section(questionnaire, section_pk)
    kind = _kind_asked(request, "scale")
    return _question_form(request, questionnaire, section, None, kind)


@login_required
def question_edit(
    request: HttpRequest, questionnaire_pk: int, builder_question_pk: int
) -> HttpResponse:
    questionnaire = _editable_draft(request, questionnaire_pk)
    question = _question(questionnaire, builder_question_pk)
    kind = _kind_asked(request, question.kind)
    return _question_form(request, questionnaire, question.section, question, kind)


def _question_form(
    request: HttpRequest,
    questionnaire: Questionnaire,
    section: Section,
    question: Question | None,
    kind: Any,
) -> HttpResponse:
    choices = list(question.choices.all()) if question is not None else []
    posted = request.POST if request.method == "POST" else None
    editor_forms = QuestionEditor(
        questionnaire=questionnaire,
        kind=kind,
        question=question,
        choices=choices,
        data=posted,
        predicted=question is not None and question.predictions.exists(),
    )
    stale = False
    recode = False
    if posted is not None and editor_forms.is_valid():
        definition = editor_forms.definition
        common = editor_forms.common.cleaned_data
        recode = (
            question is not None
            and builder.changes_meaning(question, choices, definition)
            and builder.code_is_compared(questionnaire, question.code)
        )
        if not recode or common["confirm_new_code"]:
            try:
                saved = builder.save_question(
                    questionnaire=questionnaire,
                    section=section,
                    question=question,
                    definition=definition,
                    revision=common["revision"],
                    actor=request.user,
                    new_code=recode,
                )
            except builder.StaleRevision:
                stale = True
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    target = field if field in editor_forms.common.fields else None
                    editor_forms.common.add_error(target, problems)
            else:
                messages.success(request, gettext("Question saved."))
                return redirect(_editor_url(questionnaire, f"question-{saved.pk}"))
    if stale:
        editor_forms.common.data = editor_forms.common.data.copy()
        editor_forms.common.data["q-revision"] = str(_current_revision(questionnaire))
    status = 200
    if posted is not None:
        status = 409 if stale else 422
    return render(
        request,
        "surveys/builder/question_form.html",
        {
            "questionnaire": questionnaire,
            "section": section,
            "question": question,
            "kind": kind,
            "kinds": list(KINDS.values()),
            "editor": editor_forms,
            "stale": stale,
            "recode": recode,
            "kind_changed": question is not None and KINDS[question.kind] is not kind,
        },
        status=status,
    )


@login_required
@require_POST
def question_move(
    request: HttpRequest, questionnaire_pk: int, builder_question_pk: int
) -> HttpResponse:
    questionnaire = _editable_draft(request, questionnaire_pk)
    question = _question(questionnaire, builder_question_pk)
    try:
        builder.move_question(
            questionnaire,
            question,
            _moved_to(request, question.position),
            revision=_revision(request),
            actor=request.user,
        )
    except builder.StaleRevision:
        return _refused(request, questionnaire)
    return _after_change(request, questionnaire, f"question-{question.pk}")


@login_required
@require_POST
def question_remove(
    request: HttpRequest, questionnaire_pk: int, builder_question_pk: int
) -> HttpResponse:
    questionnaire = _editable_draft(request, questionnaire_pk)
    question = _question(questionnaire, builder_question_pk)
    try:
        builder.remove_question(
            questionnaire, question, revision=_revision(request), actor=request.user
        )
    except builder.StaleRevision:
        return _refused(request, questionnaire)
    messages.success(request, gettext("Question removed."))
    return _after_change(request, questionnaire, f"section-{question.section_id}")
