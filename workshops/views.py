"""Pages that belong to no single workshop: landing, login, and the friendly error pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.middleware.security import SecurityMiddleware
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from config.middleware import UnstorableInput

from .access import NotInQuestionnaire


@require_safe
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


# The project's 400, 403 and 500 (config/urls.py). Django's own handlers are decorated with
# `requires_csrf_token`, which runs the CSRF check again and so reads the form body again: a
# body that could not be read the first time raised inside the 400 handler, a bare 500.


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400: rendered without the request, so without its body, session or user. The
    request may be the very thing that could not be read (a form in another charset, a NUL
    in the session cookie)."""
    reason = exception.message if isinstance(exception, UnstorableInput) else ""
    response = HttpResponseBadRequest(render_to_string("400.html", {"reason": reason}))
    # In production the HTTPS redirect asks for the Host inside SecurityMiddleware: a Host
    # refused there never reaches that middleware's response phase, so take its headers here.
    return SecurityMiddleware(lambda _request: response).process_response(request, response)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403: raised by a view, once the request was read and its user known."""
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500: a standalone page, without the request (no session or database query: the
    error may be theirs)."""
    return HttpResponseServerError(render_to_string("500.html"))
