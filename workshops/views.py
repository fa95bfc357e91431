"""Pages that belong to no single workshop: landing, login, and the friendly error pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("workshops:home")
    return render(request, "landing.html")


class FacilitatorLoginView(auth_views.LoginView):
    """Django's login, with the same message for an unknown user and a wrong password."""

    redirect_authenticated_user = True


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A friendly 404; executives whose answering session ended are told how to get back."""
    answering = request.path.startswith("/respond/")
    return render(request, "404.html", {"answering": answering}, status=404)
