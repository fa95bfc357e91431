"""Project-wide middleware: answers that must never be cached, and a friendly 503 on outages."""

import logging
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class NoStoreMiddleware:
    """Every dynamic page may show confidential answers: tell browsers and proxies not to keep it.

    Static files are served by WhiteNoise before this runs and keep their long cache lifetime.
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
