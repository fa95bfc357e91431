"""Logging in: django-axes locks a username from one address; this also locks an address.

django-axes counts failures per lockout parameter set and compares the largest count with one
limit, `AXES_FAILURE_LIMIT` (5). Adding "ip_address" to `AXES_LOCKOUT_PARAMETERS` would lock an
address after 5 failures across all usernames: a whole office behind one address would be locked
out by a few typos. Password spraying (a few common passwords tried on many usernames) stays
under any per-username limit, so the address needs a limit of its own, larger:
`LOGIN_FAILURES_PER_ADDRESS` failures within the cool-off time (20 in 15 minutes by default).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class AddressLimitingAxesHandler(AxesDatabaseHandler):
    """django-axes's database handler, whose failure count also reaches the limit once the
    client's address has failed `LOGIN_FAILURES_PER_ADDRESS` times across usernames.

    Axes asks `get_failures` both before authenticating (is the client locked?) and after a
    failure (does this one lock it?), so both refuse with axes's own lockout page: the same page
    whichever limit was reached and whether the username exists or not.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if (
            failures < limit
            and self.address_failures(request) >= settings.LOGIN_FAILURES_PER_ADDRESS
        ):
            return limit
        return failures

    @staticmethod
    def address_failures(request: HttpRequest) -> int:
        """Failed logins from the request's address, for every username, within the cool-off.

        An unknown address (None) is not counted: every such client would share one lock."""
        address = getattr(request, "axes_ip_address", None)
        if address is None:
            return 0
        attempts = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The one lockout page (whichever lock, whether the username exists or not), a 429 that
    tells clients when to try again (`Retry-After`, the cool-off time)."""
    response = render(
        request, settings.AXES_LOCKOUT_TEMPLATE, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    cool_off = get_cool_off(request)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
