"""The access-control matrix: every URL in the URLconf x every kind of user x GET and POST.

No one gets a success (a 2xx, or a redirect anywhere but the login page) on a URL that is not
theirs: facilitators only on workshops they own or co-facilitate, executives only on their own
response through the session their link started.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone

from surveys.models import Response, ResponseStatus
from workshops.models import Workshop

from .. import figures
from ..conftest import client_for
from .routes import Cast, Route, all_routes, routes_in

pytestmark = pytest.mark.django_db

# Who must be refused, per area.
STRANGERS = {
    "facilitator": ["anonymous", "charlie", "outsider", "cio"],
    "participant": ["anonymous", "charlie", "outsider", "cmo", "alice", "bob"],
}
# Who must succeed on the area's GET pages.
INSIDERS = {"facilitator": ["alice", "bob"], "participant": ["cio"]}
# Facilitator URLs that only the owner may use: a co-facilitator is refused (403 or 404).
OWNER_ONLY = {"workshops:delete"}
# Scopes that make a facilitator URL about one workshop; the others (home, new workshop, own
# password) are every facilitator's own pages, so charlie may open them.
# A questionnaire's pages (preview, export) are scoped to alice's draft, shared with bob.
WORKSHOP_SCOPED_KWARGS = {
    "workshop_pk",
    "pk",
    "participant_pk",
    "organisation_pk",
    "questionnaire_pk",
}


def _strangers(area: str, route: Route) -> list[str]:
    who = STRANGERS[area]
    if area == "facilitator" and not WORKSHOP_SCOPED_KWARGS & set(route.kwarg_names):
        who = [name for name in who if name != "charlie"]
    return who


# A plausible body for every POST, so that a view that forgot its access check would act on it.
def _post_body(cast: Cast) -> dict[str, str]:
    return {
        f"q{cast.question_pk}": "3",
        "go": "next",
        "title": "Hijacked",
        "name": "Mallory",
        "email": "mallory@example.com",
        "role": "cio",
        "status": "closed",
        "confirm": "yes",
    }


def _is_login_redirect(response: HttpResponse) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code in (301, 302, 303) and response["Location"].startswith(login)


def _is_success(response: HttpResponse) -> bool:
    """A 2xx, or a redirect other than to the login page (a POST that acted redirects)."""
    return 200 <= response.status_code < 300 or (
        300 <= response.status_code < 400 and not _is_login_redirect(response)
    )


def _knock(client: Client, method: str, url: str, cast: Cast) -> HttpResponse:
    if method == "GET":
        return client.get(url)
    return client.post(url, _post_body(cast))


@pytest.mark.parametrize("area", ["facilitator", "participant"])
def test_no_unauthorised_success_on_any_url(area: str, cast: Cast, clients: dict[str, Client]):
    routes = routes_in(area)
    assert routes, f"no {area} URLs found: the URL enumeration is broken"
    breaches = []
    requests = 0
    for route in routes:
        for who in _strangers(area, route):
            url = route.url_for_stranger(cast)
            for method in ("GET", "POST"):
                response = _knock(clients[who], method, url, cast)
                requests += 1
                if _is_success(response):
                    breaches.append(
                        f"{who} {method} {url} ({route.name}) -> {response.status_code}"
                    )
    figures.add(figures.ACCESS_REQUESTS, requests)
    figures.add(figures.UNAUTHORISED_SUCCESSES, len(breaches))
    assert not breaches, "unauthorised successes:\n" + "\n".join(breaches)


def test_co_facilitator_cannot_use_owner_only_urls(cast: Cast, clients: dict[str, Client]):
    routes = [route for route in routes_in("facilitator") if route.name in OWNER_ONLY]
    for route in routes:
        for method in ("GET", "POST"):
            response = _knock(clients["bob"], method, route.url(cast), cast)
            figures.add(figures.ACCESS_REQUESTS)
            assert response.status_code in (403, 404), f"bob {method} {route.name}"
    assert Workshop.objects.filter(pk=cast.workshop_pk).exists()


@pytest.mark.parametrize("area", ["facilitator", "participant"])
def test_insiders_can_open_every_page_of_their_area(
    area: str, cast: Cast, clients: dict[str, Client]
):
    """The other half of the matrix: the refusals above are not everyone being refused."""
    # Pages that exist only once results are revealed and shared with the executives (who
    # see them once they have submitted their own).
    Workshop.objects.filter(pk=cast.workshop_pk).update(
        revealed_at=timezone.now(), results_visible_to_participants=True
    )
    Response.objects.filter(participant__workshop_id=cast.workshop_pk).update(
        status=ResponseStatus.SUBMITTED, submitted_at=timezone.now()
    )
    failures = []
    for who in INSIDERS[area]:
        for route in routes_in(area):
            if who == "bob" and route.name in OWNER_ONLY:
                continue
            url = route.url(cast)
            response = clients[who].get(url)
            figures.add(figures.ACCESS_REQUESTS)
            if response.status_code == 405:
                continue  # POST-only
            if response.status_code >= 400 or _is_login_redirect(response):
                failures.append(f"{who} GET {url} ({route.name}) -> {response.status_code}")
    assert not failures, "insiders refused:\n" + "\n".join(failures)


def test_public_pages_open_to_anyone(cast: Cast, clients: dict[str, Client]):
    for route in routes_in("public"):
        response = clients["anonymous"].get(route.url(cast))
        figures.add(figures.ACCESS_REQUESTS)
        assert response.status_code < 500, route.name


def test_every_url_is_in_an_area(cast: Cast):
    """The enumeration sees the app's URLs and can fill every kwarg (fails on unknown ones)."""
    names = {route.name for route in all_routes()}
    assert {"workshops:respond_section", "workshops:home", "login"} <= names
    for route in all_routes():
        route.url(cast)


def test_staff_pages_are_for_staff_only(cast: Cast, clients: dict[str, Client], staff):
    """Staff pages (importing a workshop file) send everyone else to the admin's login, which
    refuses facilitators; the staff open them."""
    routes = routes_in("staff")
    assert routes, "no staff URLs found"
    for route in routes:
        for who in ["anonymous", "alice", "bob", "charlie", "cio", "outsider"]:
            for method in ("GET", "POST"):
                response = _knock(clients[who], method, route.url(cast), cast)
                figures.add(figures.ACCESS_REQUESTS)
                assert response.status_code == 302, f"{who} {method} {route.name}"
                assert response["Location"].startswith("/admin/login/"), route.name
        response = client_for(staff).get(route.url(cast))
        figures.add(figures.ACCESS_REQUESTS)
        assert response.status_code == 200, route.name


@pytest.mark.parametrize("who", ["anonymous", "charlie", "cio"])
def test_the_admin_is_for_staff_only(who: str, clients: dict[str, Client]):
    response = clients[who].get("/admin/")
    figures.add(figures.ACCESS_REQUESTS)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_participant_session_does_not_reach_another_participant(
    cast: Cast, clients: dict[str, Client], cmo
):
    """The CMO's own pages open for the CMO, and the CIO's stay closed to the CMO."""
    mine = Route(
        "workshops:respond", "respond/<int:participant_pk>/", ("participant_pk",), frozenset()
    )
    assert clients["cmo"].get(mine.url(cast, participant_pk=cmo.participant.pk)).status_code == 200
    assert clients["cmo"].get(mine.url(cast)).status_code == 404
    figures.add(figures.ACCESS_REQUESTS, 2)
