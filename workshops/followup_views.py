"""Follow-ups: "Run again" on a workshop, the client's page with the alignment over time, and
a follow-up's "then and now" against the workshop it follows."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from .access import get_organisation_for_user, get_workshop_for_user
from .dashboard.loading import is_group_key
from .followup import newest_version, outcomes_of, run_again, trend
from .forms import RunAgainForm
from .models import Workshop


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def workshop_run_again(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Ask for the follow-up's title (and the questionnaire version), then make it."""
    workshop = get_workshop_for_user(request, workshop_pk)
    # The follow-up is the owner's, as the workshop is: a version the owner may use.
    newest = newest_version(workshop.questionnaire, workshop.owner)
    initial = {"title": (gettext("%(title)s: follow-up") % {"title": workshop.title})[:200]}
    form = RunAgainForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        questionnaire = newest if form.cleaned_data["newest"] else workshop.questionnaire
        follow_up = run_again(
            workshop,
            actor=request.user,
            title=form.cleaned_data["title"],
            questionnaire=questionnaire,
        )
        messages.success(
            request,
            gettext(
                "Follow-up created as a draft with the same executives. Each has a new "
                "personal link: invite them from here when you are ready."
            ),
        )
        return redirect("workshops:detail", follow_up.pk)
    context = {"workshop": workshop, "form": form, "newest": newest}
    return render(request, "workshops/run_again.html", context)


def _pair(request: HttpRequest) -> tuple[str, str]:
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    return (a if is_group_key(a) else ""), (b if is_group_key(b) else "")


@require_safe
@login_required
def client_page(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """The client's workshops, oldest first, and how the alignment moved across them."""
    organisation = get_organisation_for_user(request, organisation_pk)
    workshops = list(
        Workshop.objects.for_facilitator(request.user)
        .filter(organisation=organisation)
        .select_related("questionnaire")
        .order_by("created_at", "pk")
    )
    a, b = _pair(request)
    context: dict[str, Any] = {
        "organisation": organisation,
        "workshops": workshops,
        "trend": trend(workshops, a, b) if workshops else None,
    }
    followed = outcomes_of(workshops, context["trend"].answers) if workshops else {}
    context["outcomes"] = [(w, followed[w.pk]) for w in workshops if w.pk in followed]
    return render(request, "workshops/client.html", context)


@require_safe
@login_required
def then_and_now(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """A follow-up against the workshop it follows, for the same pair of groups."""
    workshop = get_workshop_for_user(request, workshop_pk)
    earlier = (
        Workshop.objects.for_facilitator(request.user)
        .select_related("questionnaire", "organisation")
        .filter(pk=workshop.follows_id)
        .first()
    )
    a, b = _pair(request)
    context = {
        "workshop": workshop,
        "earlier": earlier,
        # Not a follow-up (or of a workshop they do not facilitate): the page says so.
        "trend": trend([earlier, workshop], a, b) if earlier is not None else None,
    }
    return render(request, "workshops/then_and_now.html", context)
