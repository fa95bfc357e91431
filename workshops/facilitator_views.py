"""The facilitator's side: workshops, participants, invitations and progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Workshop


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    workshops = Workshop.objects.for_facilitator(request.user).select_related("organisation")
    return render(request, "workshops/home.html", {"workshops": workshops[:50]})
