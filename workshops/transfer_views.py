"""Support staff load a workshop's transfer file (`transfer`) into this installation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .access import staff_only
from .forms import ImportWorkshopForm
from .transfer import TransferError, import_workshop


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def import_page(request: HttpRequest) -> HttpResponse:
    """The form; after a POST, what was imported, or every problem with its place (nothing
    is imported then)."""
    form = ImportWorkshopForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            context["imported"] = import_workshop(
                form.cleaned_data["file"], owner=form.cleaned_data["owner"], actor=request.user
            )
        except TransferError as error:
            context["problems"] = error.problems
    status = 400 if request.method == "POST" and "imported" not in context else 200
    return render(request, "workshops/import.html", context, status=status)
