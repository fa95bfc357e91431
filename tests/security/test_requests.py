"""CSRF on every state-changing view, no state change on GET, no open redirect after login,
and a personal-link endpoint that gives nothing away to guessing."""

from __future__ import annotations

import secrets

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from workshops.models import AuditEvent

from .. import figures
from ..factories import PASSWORD
from .routes import Cast, routes_in

pytestmark = pytest.mark.django_db

# Fields that record that someone looked (not a change of anything they asked for).
ACTIVITY_FIELDS = {"last_activity_at", "last_section", "last_login", "first_opened_at"}
# Audit events that record a read (a download, once exports land).
READ_AUDIT_ACTIONS = {"export"}
# Views that change state and must refuse GET with a 405 (checked where they exist).
POST_ONLY = {
    "workshops:report_prepare",
    "logout",
    "workshops:respond_autosave",
    "workshops:respond_submit",
    "workshops:status",
    "workshops:reveal",
    "workshops:hide_results",
    "workshops:remind",
    "workshops:participant_invite",
    "workshops:participant_new_link",
    "workshops:participant_revoke",
    "workshops:participant_reopen",
    "workshops:participant_restore",
}


def _csrf_client(cio=None, user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    if cio is not None:
        assert client.get(cio.path).status_code == 302
    return client


def _fingerprint() -> dict[str, list[tuple]]:
    """Every row of the project's tables, less the fields that only record activity."""
    rows = {}
    models = [*apps.get_app_config("workshops").get_models()]
    models += [*apps.get_app_config("surveys").get_models()]
    models.append(apps.get_model("auth", "User"))
    for model in models:
        queryset = model.objects.all()
        if model is AuditEvent:
            queryset = queryset.exclude(action__in=READ_AUDIT_ACTIONS)
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in ACTIVITY_FIELDS]
        rows[model._meta.label] = sorted(queryset.values_list(*fields), key=repr)
    return rows


def _is_csrf_failure(response) -> bool:
    """Django's CSRF refusal: our friendly 403_csrf.html, or Django's own page without it."""
    names = {template.name for template in response.templates}
    return "403_csrf.html" in names or b"CSRF verification failed" in response.content


def test_every_url_refuses_a_post_without_csrf_token(cast: Cast, alice, cio):
    clients = {
        "facilitator": _csrf_client(user=alice),
        "participant": _csrf_client(cio=cio),
        "public": _csrf_client(),
    }
    before = _fingerprint()
    checked = []
    for area, client in clients.items():
        for route in routes_in(area):
            url = route.url(cast)
            response = client.post(url, {f"q{cast.question_pk}": "2", "title": "x", "name": "x"})
            assert response.status_code == 403, f"{route.name}: POST without CSRF token"
            assert _is_csrf_failure(response), route.name
            checked.append(route.name)
    figures.add(figures.ACCESS_REQUESTS, len(checked))
    assert _fingerprint() == before
    assert "workshops:respond_autosave" in checked and "login" in checked


def test_the_same_post_with_the_token_is_accepted(cast: Cast, cio):
    """The control: the 403s above come from the missing token, not from something else."""
    client = _csrf_client(cio=cio)
    client.get(reverse("workshops:respond_section", args=[cast.participant_pk, 1]))
    token = client.cookies["csrftoken"].value
    url = reverse("workshops:respond_autosave", args=[cast.participant_pk, cast.question_pk])
    response = client.post(url, {f"q{cast.question_pk}": "2"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert "Saved" in response.text


def test_get_changes_nothing_anywhere(cast: Cast, alice, bob, cio):
    """GET every page as the owner, the co-facilitator and the executive: no row changes.

    (The personal link is the one GET that acts: opening it starts the response, by design.)
    """
    Client().get(cio.path)  # let the link do its one write before the snapshot
    clients = [_csrf_client(user=alice), _csrf_client(user=bob), _csrf_client(cio=cio)]
    before = _fingerprint()
    for client in clients:
        for route in routes_in("facilitator", "participant", "public"):
            if route.name == "workshops:open_link":
                continue
            response = client.get(route.url(cast))
            assert response.status_code < 500, route.name
    assert _fingerprint() == before


def test_state_changing_views_refuse_get(cast: Cast, alice, cio):
    clients = {"facilitator": _csrf_client(user=alice), "participant": _csrf_client(cio=cio)}
    clients["public"] = clients["facilitator"]
    seen = set()
    for area, client in clients.items():
        for route in routes_in(area):
            if route.name in POST_ONLY:
                refused = client.get(route.url(cast))
                assert refused.status_code == 405, route.name
                assert "This page does not open this way" in refused.text, route.name
                assert "POST" in refused["Allow"]
                seen.add(route.name)
    assert {"logout", "workshops:respond_autosave", "workshops:respond_submit"} <= seen


EVIL_NEXT = [
    "https://evil.example",
    "https://evil.example/workshops/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "https:evil.example",
    "http://testserver@evil.example",
    " https://evil.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_no_open_redirect_after_login(client: Client, alice, target: str):
    response = client.post(
        reverse("login") + "?next=" + target,
        {"username": "alice", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302, "the login itself should succeed"
    location = response["Location"]
    assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), location
    assert "evil" not in location


@pytest.mark.parametrize("target", EVIL_NEXT[:3])
def test_no_open_redirect_when_already_logged_in_or_logging_out(alice_client: Client, target: str):
    response = alice_client.get(reverse("login"), {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    response = alice_client.post(reverse("logout"), {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_guessing_personal_links_finds_nothing_and_is_throttled(client: Client, cio):
    from workshops.respond_views import TOKEN_FAILURES_PER_HOUR

    statuses = []
    for _ in range(200):
        token = secrets.token_urlsafe(32)
        statuses.append(client.get(reverse("workshops:open_link", args=[token])).status_code)
    figures.add(figures.BAD_INPUTS, len(statuses))
    assert set(statuses) <= {404, 429}, "a random token found something"
    assert statuses[:TOKEN_FAILURES_PER_HOUR] == [404] * TOKEN_FAILURES_PER_HOUR
    assert statuses[TOKEN_FAILURES_PER_HOUR:] == [429] * (200 - TOKEN_FAILURES_PER_HOUR)
    # Another address is not affected, and the right link opens even from this one.
    junk = reverse("workshops:open_link", args=["x" * 43])
    assert client.get(junk, REMOTE_ADDR="192.0.2.7").status_code == 404
    assert client.get(cio.path).status_code == 302


@pytest.mark.parametrize(
    "token", ["", "x", "a" * 43, "a" * 10_000, "%00", "..%2F..%2Fetc%2Fpasswd", "é" * 50]
)
def test_malformed_tokens_are_a_plain_404(client: Client, token: str):
    response = client.get(f"/p/{token}/")
    figures.add(figures.BAD_INPUTS)
    assert response.status_code == 404


@pytest.mark.parametrize("number", [0, 2**31, 2**63, 2**70])
def test_out_of_range_ids_in_urls_are_not_found(cast: Cast, alice, cio, number: int):
    clients = {"facilitator": _csrf_client(user=alice), "participant": _csrf_client(cio=cio)}
    for area, client in clients.items():
        for route in routes_in(area):
            for kwarg in route.int_kwargs:
                url = route.url(cast, **{kwarg: number})
                status = client.get(url).status_code
                figures.add(figures.BAD_INPUTS)
                if status >= 500:
                    figures.add(figures.SERVER_ERRORS)
                assert status < 500, f"{route.name} with {kwarg}={number}: {status}"


def test_every_page_that_opens_with_get_answers_head_the_same(cast: Cast, alice, cio):
    """Uptime monitors and link checkers ask with HEAD: a page answers it as it answers GET
    (same status, no body), never 405."""
    Client().get(cio.path)  # the link's one write, as above
    clients = {"facilitator": _csrf_client(user=alice), "participant": _csrf_client(cio=cio)}
    clients["public"] = Client()
    checked = []
    for area, client in clients.items():
        for route in routes_in(area):
            if route.name in POST_ONLY or route.name == "workshops:open_link":
                continue
            url = route.url(cast)
            got, head = client.get(url), client.head(url)
            assert head.status_code == got.status_code, f"{route.name}: HEAD {head.status_code}"
            assert head.content == b"", route.name
            checked.append(route.name)
    figures.add(figures.ACCESS_REQUESTS, 2 * len(checked))
    assert {"landing", "workshops:detail", "workshops:respond"} <= set(checked)
