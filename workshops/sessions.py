"""How long a facilitator's login lasts: a working day without activity, 30 days at most.

Django's session lasts SESSION_COOKIE_AGE from its last write, so a session written now and
then would never end, and one never written would end after 30 days even for someone working
every day. Here the session remembers when its user logged in and when they were last active:

- the login ends SESSION_IDLE_TIMEOUT after the last activity (a laptop left open overnight),
- and SESSION_COOKIE_AGE after logging in, however busy (a stolen cookie does not live forever).

Activity is written at most every SESSION_ACTIVITY_REFRESH seconds, so most requests write
nothing. Each write also sets the session's expiry (stored row and cookie) to the nearer of the
two ends, so an abandoned session is refused, and cleared by `clearsessions`, without this
middleware having to see it again. Executives have no server-side session (workshops.access):
for them this costs nothing, not even a query.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from config.middleware import SESSION_LANGUAGE_KEY

#: Session keys: when the user logged in, and when they were last seen active (epoch seconds).
LOGGED_IN_AT = "logged_in_at"
ACTIVE_AT = "active_at"


def _now() -> int:
    return int(timezone.now().timestamp())


def _mark_active(session: SessionBase, now: int) -> None:
    """Record activity, and let the session expire when the nearer of its two limits ends."""
    session[ACTIVE_AT] = now
    left = session[LOGGED_IN_AT] + settings.SESSION_COOKIE_AGE - now
    session.set_expiry(max(1, min(settings.SESSION_IDLE_TIMEOUT, left)))


@receiver(user_logged_in, dispatch_uid="workshops.sessions.start_the_clock")
def start_the_clock(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: object
) -> None:
    """Logging in starts both limits (saved with the session the login writes anyway)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = _now()
    session[LOGGED_IN_AT] = now
    _mark_active(session, now)


@receiver(user_logged_in, dispatch_uid="workshops.sessions.remember_language")
def remember_language(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: object
) -> None:
    """A facilitator who chose a language sees it from this login on, in any browser: the
    session keeps it, so no page reads the profile (config.middleware.PersonLanguageMiddleware)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    from .models import FacilitatorProfile  # the models import this module's neighbours

    language = FacilitatorProfile.chosen_language(user)
    if language:
        session[SESSION_LANGUAGE_KEY] = language


def _is_polling(request: HttpRequest) -> bool:
    """An open page refreshing itself is not someone at work: on the facilitator's pages every
    htmx GET is a poll (board, dashboard, comparison, reveal panel); what a person does is a
    page load or a form post."""
    return request.method == "GET" and request.headers.get("HX-Request") == "true"


class SessionLifetimeMiddleware:
    """Ends a login that is idle or too old; records activity every few minutes at most.

    After AuthenticationMiddleware (logging out resets `request.user`, so `login_required`
    sends the browser to the login page) and MessageMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:  # no cookie, no query: executives and visitors pass free
            now = _now()
            logged_in_at = session.get(LOGGED_IN_AT)
            active_at = session.get(ACTIVE_AT)
            if logged_in_at is None or active_at is None:
                # A login from before these limits: they run from now on.
                session[LOGGED_IN_AT] = now
                _mark_active(session, now)
            elif (
                now - logged_in_at >= settings.SESSION_COOKIE_AGE
                or now - active_at >= settings.SESSION_IDLE_TIMEOUT
            ):
                logout(request)
            elif now - active_at >= settings.SESSION_ACTIVITY_REFRESH and not _is_polling(request):
                _mark_active(session, now)
        return self.get_response(request)
