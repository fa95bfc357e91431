"""Pages that belong to no single workshop: landing, login, and the friendly error pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.middleware.security import SecurityMiddleware
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from config.middleware import SESSION_LANGUAGE_KEY, UnstorableInput

from .access import NotInQuestionnaire
from .forms import LanguageForm
from .models import FacilitatorProfile


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("workshops:home")
    return render(request, "landing.html")


class FacilitatorLoginView(auth_views.LoginView):
    """Django's login, with the same message for an unknown user and a wrong password."""

    redirect_authenticated_user = True


class FacilitatorPasswordResetForm(PasswordResetForm):
    """Django's password reset, its email in the facilitator's language (their setting, else
    the language of the page they asked from)."""

    def send_mail(self, *args: object, **kwargs: object) -> None:
        context = kwargs.get("context") or args[2]
        with translation.override(FacilitatorProfile.language_of(context["user"])):
            super().send_mail(*args, **kwargs)


def _back_to(request: HttpRequest, wanted: str, fallback: str) -> str:
    """Where a form sends the browser back to: `wanted` if it is a path on this site, else
    `fallback` (never another site: no open redirect)."""
    if (
        wanted.startswith("/")
        and wanted.isprintable()
        and " " not in wanted
        and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return wanted
    return fallback


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher of every page but the executive's: a facilitator's choice is
    saved as their setting (and kept in the session for their pages); anyone's is kept in the
    language cookie. An unknown language changes nothing."""
    form = LanguageForm(request.POST)
    fallback = reverse("workshops:home" if request.user.is_authenticated else "landing")
    wanted = form.data.get("next", "") if isinstance(form.data.get("next"), str) else ""
    # A path, never a view name: redirect() would try to reverse one.
    response = HttpResponseRedirect(_back_to(request, wanted, fallback))
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        FacilitatorProfile.choose(request.user, language)
        request.session[SESSION_LANGUAGE_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


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
