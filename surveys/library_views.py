"""The question library's page: search, where each question is used, and "Add to my draft"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from .access import get_questionnaire_for_user
from .library import (
    CodeClash,
    OtherLanguage,
    copy_question,
    draft_targets,
    library_questions,
    search,
)
from .models import KIND_LABELS

#: The longest search the page reads (more is cut).
_MAX_WORDS = 200


def _query(request: HttpRequest) -> tuple[str, str]:
    words = request.GET.get("q", request.POST.get("q", ""))[:_MAX_WORDS].replace("\x00", "")
    kind = request.GET.get("kind", request.POST.get("kind", ""))
    return words.strip(), kind if kind in KIND_LABELS else ""


def _library_url(words: str, kind: str) -> str:
    query = {k: v for k, v in (("q", words), ("kind", kind)) if v}
    url = reverse("surveys:library")
    return f"{url}?{urlencode(query)}" if query else url


@require_safe
@login_required
def library(request: HttpRequest) -> HttpResponse:
    """The questions of the facilitator's questionnaires and the built-in ones that match the
    search, each with where it is used, and the drafts a question can be added to."""
    words, kind = _query(request)
    found = search(request.user, words, kind)
    return render(
        request,
        "surveys/library.html",
        {
            "words": words,
            "kind": kind,
            "kinds": list(KIND_LABELS.items()),
            "found": found,
            "targets": draft_targets(request.user),
        },
    )


@require_POST
@login_required
def library_add(request: HttpRequest) -> HttpResponse:
    """Copy a library question into a section of a draft the facilitator may edit."""
    words, kind = _query(request)
    back = _library_url(words, kind)
    try:
        questionnaire_pk, section_pk = (int(part) for part in request.POST["target"].split(":"))
        question_pk = int(request.POST["question"])
    except (KeyError, ValueError):
        messages.error(request, gettext("Choose a draft to add the question to."))
        return redirect(back)
    draft = get_questionnaire_for_user(request, questionnaire_pk, edit=True)
    if not draft.is_draft:
        raise Http404("Questions are added to drafts only.")
    section = get_object_or_404(draft.sections.all(), pk=section_pk)
    question = get_object_or_404(
        library_questions(request.user).select_related("section__questionnaire"), pk=question_pk
    )
    try:
        copy, missing = copy_question(question, section, actor=request.user)
    except CodeClash:
        messages.error(
            request,
            gettext(
                "Not added: “%(draft)s” already has a question with the code “%(code)s”. A code "
                "is a question's identity, so a questionnaire asks each one once."
            )
            % {"draft": draft.text("title"), "code": question.code},
        )
        return redirect(back)
    except OtherLanguage as error:
        messages.error(
            request,
            gettext(
                "Not added: the question is written in “%(language)s” and “%(draft)s” in “%(own)s”."
            )
            % {"language": error.args[0], "draft": draft.text("title"), "own": draft.language},
        )
        return redirect(back)
    messages.success(
        request,
        gettext("Added “%(question)s” to “%(draft)s”, section “%(section)s”.")
        % {
            "question": copy.text("prompt"),
            "draft": draft.text("title"),
            "section": section.text("title"),
        },
    )
    if missing:
        messages.warning(
            request,
            ngettext(
                "It has no translation into %(languages)s yet: add it in the builder.",
                "It has no translations into %(languages)s yet: add them in the builder.",
                len(missing),
            )
            % {"languages": ", ".join(missing)},
        )
    return redirect(back)
