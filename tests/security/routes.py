"""Every URL of the project, enumerated from the URLconf at test time, with its kwargs filled in.

New views are covered as soon as they are routed: the fillers below are a table by kwarg name,
and a kwarg the table does not know fails the suite with a message saying where to add it, so no
view can be skipped silently.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Namespaces and prefixes not in the matrix: the admin is for staff only (checked separately:
# anonymous users are sent to its login), static files are public by nature.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_PREFIXES = ("static/", "media/", "__debug__/")

# Pages anyone may see: landing, login, the password-reset flow and the language switcher.
PUBLIC = {
    "landing",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "language",  # the language switcher: a facilitator's setting, anyone else's cookie
    "bench_baseline",  # only routed when BENCH_BASELINE is on (make bench)
}

# Pages for support staff only (the admin's users): everyone else is sent to the admin's login.
STAFF_ONLY = {"workshops:import"}

# The executive's side: reached only through the session a personal link started.
PARTICIPANT_PREFIXES = ("p/", "respond/")

# The personal link itself: the token is the credential, so users who are not the participant
# are given a token they cannot know (a fresh random one) rather than the participant's.
CREDENTIAL_URLS = {"workshops:open_link"}


@dataclass
class Cast:
    """The ids the kwargs are filled from: alice's workshop, its CIO, one question."""

    workshop_pk: int
    participant_pk: int
    question_pk: int
    token: str
    extra: dict[str, Any] = field(default_factory=dict)
    #: alice's draft questionnaire, shared with bob (the questionnaire pages: preview, export).
    questionnaire_pk: int = 0


# kwarg name -> how to fill it from the cast. Keyed first by "url_name:kwarg" for the few names
# that mean something else on one URL (Django's password-reset token), then by kwarg alone.
FILLERS: dict[str, Callable[[Cast], Any]] = {
    "password_reset_confirm:uidb64": lambda cast: "MQ",
    "password_reset_confirm:token": lambda cast: "set-password",
    "workshop_pk": lambda cast: cast.workshop_pk,
    "pk": lambda cast: cast.workshop_pk,
    "participant_pk": lambda cast: cast.participant_pk,
    "question_pk": lambda cast: cast.question_pk,
    "token": lambda cast: cast.token,
    "position": lambda cast: 1,
    "organisation_pk": lambda cast: _organisation_of(cast.workshop_pk),
    "questionnaire_pk": lambda cast: cast.questionnaire_pk,
}


def _organisation_of(workshop_pk: int) -> int:
    """The client of the cast's workshop (its page lists the client's workshops)."""
    from workshops.models import Workshop

    found = Workshop.objects.filter(pk=workshop_pk).values_list("organisation_id", flat=True)
    return found.first() or 0  # 0 (no client) once a test has deleted the workshop


@dataclass(frozen=True)
class Route:
    name: str  # "workshops:respond", or "login" outside any namespace
    route: str  # the pattern as written, e.g. "respond/<int:participant_pk>/"
    kwarg_names: tuple[str, ...]
    int_kwargs: frozenset[str]

    @property
    def area(self) -> str:
        """public, staff, participant or facilitator: who may use this URL."""
        if self.name in PUBLIC:
            return "public"
        if self.name in STAFF_ONLY:
            return "staff"
        if self.route.startswith(PARTICIPANT_PREFIXES):
            return "participant"
        return "facilitator"

    def kwargs(self, cast: Cast) -> dict[str, Any]:
        filled = {}
        short_name = self.name.rsplit(":", 1)[-1]
        for kwarg in self.kwarg_names:
            filler = FILLERS.get(f"{short_name}:{kwarg}") or FILLERS.get(kwarg)
            if filler is None:
                pytest.fail(
                    f"URL {self.name!r} ({self.route}) takes <{kwarg}>, which the security "
                    f"suite does not know how to fill: add {kwarg!r} to FILLERS in "
                    "tests/security/routes.py (and its id to the Cast) so the new view is "
                    "covered by the access-control matrix."
                )
            filled[kwarg] = filler(cast)
        return filled

    def url(self, cast: Cast, **overrides: Any) -> str:
        return reverse(self.name, kwargs={**self.kwargs(cast), **overrides})

    def url_for_stranger(self, cast: Cast) -> str:
        """The URL as someone without the participant's link would try it."""
        if self.name in CREDENTIAL_URLS:
            return self.url(cast, token=secrets.token_urlsafe(32))
        return self.url(cast)


def _walk(
    patterns: list, prefix: str = "", namespace: str = "", converters: dict | None = None
) -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        # path() patterns name their converters; re_path() ones only their regex groups.
        own = getattr(entry.pattern, "converters", None)
        if own is None:
            own = dict.fromkeys(entry.pattern.regex.groupindex)
        entry_converters = {**(converters or {}), **own}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            if (entry.namespace or "") in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, route, inner.lstrip(":"), entry_converters)
        elif isinstance(entry, URLPattern):
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if not entry.name:
                pytest.fail(f"URL {route!r} has no name: name it so the suites can reverse it.")
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            int_kwargs = frozenset(
                kwarg
                for kwarg, converter in entry_converters.items()
                if type(converter).__name__ == "IntConverter"
            )
            yield Route(name, route, tuple(entry_converters), int_kwargs)


def all_routes() -> list[Route]:
    """Every named URL of the project except the admin and static files."""
    return list(_walk(get_resolver().url_patterns))


def routes_in(*areas: str) -> list[Route]:
    return [route for route in all_routes() if route.area in areas]
