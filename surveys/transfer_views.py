"""Facilitators export a questionnaire as a file and import one as a new draft of their own."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from .access import get_questionnaire_for_user
from .loading import QuestionnaireInvalid
from .transfer import (
    MAX_FILE_BYTES,
    export_filename,
    export_json,
    import_definition,
    read_upload,
)


@require_safe
@login_required
def export(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    """The questionnaire as a data file (docs/QUESTIONNAIRE_FORMAT.md), downloaded."""
    questionnaire = get_questionnaire_for_user(request, questionnaire_pk)
    response = HttpResponse(
        export_json(questionnaire), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(questionnaire)}"'
    return response


class ImportQuestionnaireForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Questionnaire file (.json)"),
        help_text=gettext_lazy(
            "A file exported from Common Ground, or written in the same format, of at most 1 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """The form; after a POST, the new draft (its preview), or every problem of the file with
    its place, and nothing imported."""
    if request.method == "POST":
        form = ImportQuestionnaireForm(request.POST, request.FILES)
    else:
        form = ImportQuestionnaireForm()
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_FILE_BYTES:
                definition = read_upload(b"", size=upload.size)
            else:
                definition = read_upload(upload.read())
        except QuestionnaireInvalid as error:
            problems = error.problems
        else:
            questionnaire = import_definition(
                definition, owner=request.user, filename=upload.name or ""
            )
            messages.success(
                request,
                gettext("Imported “%(title)s” as a new draft of yours.")
                % {"title": questionnaire.text("title")},
            )
            return redirect("surveys:preview", questionnaire_pk=questionnaire.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "surveys/import.html",
        {"form": form, "problems": problems, "limit_kb": MAX_FILE_BYTES // 1000},
        status=status,
    )
