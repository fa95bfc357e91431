"""Pages that belong to no single workshop: landing, login, and the friendly error pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .access import NotInQuestionnaire


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("workshops:home")
    return render(request, "landing.html")


class FacilitatorLoginView(auth_views.LoginView):
    """Django's login, with the same message for an unknown user and a wrong password."""

    redirect_authenticated_user = True


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A friendly 404; executives whose answering session ended are told how to get back, and
    those who asked for a page their questionnaire does not have are led back to it."""
    if isinstance(exception, NotInQuestionnaire):
        context = {
            "missing": exception.message,
            "detail": exception.detail,
            "back_url": reverse("workshops:respond", args=[exception.participant_pk]),
        }
    else:
        context = {"answering": request.path.startswith("/respond/")}
    return render(request, "404.html", context, status=404)
