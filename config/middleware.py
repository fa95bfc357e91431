"""Project-wide middleware: answers that must never be cached, a friendly 503 on outages, no
text from a request that the database cannot store, and a whole-page login for htmx."""

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import BadRequest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

logger = logging.getLogger(__name__)

#: The one character PostgreSQL refuses in text (and in JSON): never typed, only ever sent.
NUL = "\x00"


class UnstorableInput(BadRequest):
    """A request carrying text the database cannot store: the 400 page shows `message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NUL_REFUSED = _(
    "What was sent contains a NUL character (an invisible control character), which cannot be "
    "stored. Remove it and send again: nothing saved earlier was lost."
)


def checks_form_values_itself[V: Callable[..., Any]](view: V) -> V:
    """Mark a view that answers a NUL in a form *value* itself, next to the field it is in.

    The answering views do: a question whose answer holds a NUL is refused with a message
    beside it and what was entered is kept as a draft without it, while every other answer on
    the page is saved; refusing the whole post would lose them. Names, the query string, the
    headers and cookies are still refused by `RefuseUnstorableInputMiddleware`.
    """
    view.checks_form_values_itself = True  # type: ignore[attr-defined]
    return view


def _has_nul(texts: Iterable[str]) -> bool:
    return any(NUL in text for text in texts)


def _values_have_nul(form: Any) -> bool:
    """Whether any value of a QueryDict (each name may carry several) holds a NUL."""
    return any(_has_nul(values) for _name, values in form.lists())


class RefuseUnstorableInputMiddleware:
    """Refuse, with the project's 400 page, any text from a request that holds a NUL.

    PostgreSQL cannot store NUL in text, so a NUL reaching a query (a search, a session key,
    a user agent that the login throttle records, a draft's field name) was a 500 there while
    SQLite stored it. Checked once, here, for every request: the query string (names and
    values), header values and cookies before anything reads them, and the form's field names
    and values once the URL is resolved (see `checks_form_values_itself`). The path is not
    checked: it only ever matches routes of numbers and personal links, which are hashed.

    The form body is read here, before the CSRF check: a body Django cannot read (another
    charset than UTF-8, a broken multipart) is marked as read, empty, so that nothing after
    this (the error page, the debug page) tries to read it again and fails inside the 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            _has_nul(request.GET)
            or _values_have_nul(request.GET)
            or _has_nul(
                value
                for key, value in request.META.items()
                if key.startswith("HTTP_") and isinstance(value, str)
            )
            or _has_nul(request.COOKIES)
            or _has_nul(request.COOKIES.values())
        ):
            raise UnstorableInput(NUL_REFUSED)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        if request.method != "POST":
            return
        try:
            posted, files = request.POST, request.FILES
        except UnreadablePostError:
            request._mark_post_parse_error()  # the client went away: read as empty
            return
        except Exception:
            request._mark_post_parse_error()
            raise  # Django answers a body it cannot read with a 400
        names = [*posted, *files]
        values_checked_by_view = getattr(view, "checks_form_values_itself", False)
        if _has_nul(names) or (not values_checked_by_view and _values_have_nul(posted)):
            raise UnstorableInput(NUL_REFUSED)


class NoStoreMiddleware:
    """Every dynamic page may show confidential answers: tell browsers and proxies not to keep it.

    Static files keep their long cache lifetime: WhiteNoise always sets its own Cache-Control,
    which this leaves alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Cache-Control", "no-store")
        return response


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, answer a friendly 503 instead of a 500.

    Django reconnects on the next request (CONN_HEALTH_CHECKS), so the app recovers by itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _is_schema_error(exception):
            return None  # a missing migration is a bug to fix, not an outage to wait out: a 500
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            logger.warning("Database unavailable: %s", exception)
            body = render_to_string("503.html", request=None)
            response = HttpResponse(body, status=503)
            response["Retry-After"] = "5"
            response["Cache-Control"] = "no-store"
            return response
        return None


#: How SQLite reports a table or column the code expects but the database lacks (PostgreSQL
#: raises ProgrammingError for these, which is never taken for an outage).
_SCHEMA_ERRORS = ("no such table", "no such column", "has no column named")


def _is_schema_error(exception: Exception) -> bool:
    return isinstance(exception, DatabaseError) and any(
        marker in str(exception).lower() for marker in _SCHEMA_ERRORS
    )


class LoginRedirectForHtmxMiddleware:
    """A page that refreshes itself (htmx) and finds its login ended is sent, whole, to the
    login page, which then leads back to that page.

    Without this, htmx follows the redirect and swaps the whole login page into the board's
    card; logging in from there would land on the card's bare fragment URL. The redirect's
    `next` is the page the person sees (htmx's `HX-Current-URL`), kept to a path on this site.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 302 or request.headers.get("HX-Request") != "true":
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        page = current.path if current.netloc in ("", request.get_host()) else ""
        if not page.startswith("/") or page.startswith("//"):
            page = "/"
        return HttpResponseClientRedirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: page})}")


class MethodNotAllowedPageMiddleware:
    """A 405 (a button's target opened from an address bar or a bookmark) gets a page that says
    what happened, instead of Django's empty body. The `Allow` header stays."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


#: The session key that holds a logged-in facilitator's language (their FacilitatorProfile's,
#: copied at login and whenever they change it), so that no page has to read the profile.
SESSION_LANGUAGE_KEY = "language"


class PersonLanguageMiddleware:
    """A logged-in facilitator sees their own language, whatever the browser asks for.

    LocaleMiddleware has already chosen from the language cookie or Accept-Language; this
    overrides it with the facilitator's saved setting (kept in the session, no query). An
    executive's pages choose theirs in the access helper (workshops.access), which knows the
    participant and the workshop.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a login writes the key, and logging out flushes the session: reading the
        # session (no query without a session cookie) is enough, the user need not be loaded.
        language = request.session.get(SESSION_LANGUAGE_KEY)
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
