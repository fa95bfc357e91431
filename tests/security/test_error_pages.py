"""The project's own 400, 403 and 500 pages, with every security header, on every URL.

Django's default error views are decorated with `requires_csrf_token`, which runs the CSRF
check again and so reads `request.POST` again: a body that could not be read the first time
(a form post in another charset than UTF-8) then raised inside the 400 handler itself, and the
answer was a bare 500 without the security headers.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from .. import figures
from ..conftest import client_for
from .routes import Cast, routes_in

pytestmark = pytest.mark.django_db

LATIN_1_FORM = "application/x-www-form-urlencoded; charset=latin-1"
LATIN_1_BODY = b"q40=caf\xe9"


def assert_every_security_header(response: HttpResponse, what: str) -> None:
    """Each header the project sends on a page, on this (error) response too."""
    csp = response.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, f"{what}: {csp!r}"
    assert response.get("X-Frame-Options") == "DENY", what
    assert response.get("X-Content-Type-Options") == "nosniff", what
    assert response.get("Referrer-Policy") in {"same-origin", "no-referrer"}, what
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin", what
    assert "no-store" in response.get("Cache-Control", ""), what


def _csrf_checked(client: Client) -> Client:
    """As a browser is: CSRF enforced, exceptions turned into the error pages."""
    client.handler.enforce_csrf_checks = True
    client.raise_request_exception = False
    # A CSRF cookie, as a browser that loaded a form has: the check then reads the form body.
    client.cookies["csrftoken"] = "a" * 32
    return client


def test_a_form_post_in_another_charset_is_the_projects_400_on_every_url(
    cast: Cast, alice, cio
) -> None:
    executive = Client()
    executive.get(cio.path)
    clients = {"facilitator": client_for(alice), "participant": executive, "public": Client()}
    tried = 0
    for area, client in clients.items():
        client = _csrf_checked(client)
        for route in routes_in(area):
            url = route.url(cast)
            figures.add(figures.BAD_INPUTS)
            tried += 1
            try:
                response = client.generic("POST", url, LATIN_1_BODY, content_type=LATIN_1_FORM)
            except Exception:  # raised inside the error handler: a bare 500 from the server
                figures.add(figures.SERVER_ERRORS)
                raise
            what = f"{route.name} POST {url}"
            if response.status_code >= 500:
                figures.add(figures.SERVER_ERRORS)
            assert response.status_code == 400, f"{what}: {response.status_code}"
            assert "Something was off with that request" in response.text, what
            assert_every_security_header(response, what)
    assert tried > 20


def test_the_charset_post_is_a_400_with_debug_on_too(cio) -> None:
    """The debug page (development) lists the POST parameters: it must not read them again."""
    client = _csrf_checked(Client())
    client.get(cio.path)
    url = reverse("workshops:respond_section", args=[cio.participant.pk, 1])
    with override_settings(DEBUG=True):
        response = client.generic("POST", url, LATIN_1_BODY, content_type=LATIN_1_FORM)
    figures.add(figures.BAD_INPUTS)
    assert response.status_code == 400


@pytest.mark.parametrize("secure_redirect", [False, True])
def test_a_disallowed_host_is_a_400_with_every_header(secure_redirect: bool) -> None:
    """Django finds the Host not allowed in the first middleware that asks for it (the HTTPS
    redirect in production, else CommonMiddleware): the headers must not depend on which."""
    with override_settings(SECURE_SSL_REDIRECT=secure_redirect):
        client = Client(raise_request_exception=False)
        response = client.get(reverse("login"), HTTP_HOST="evil.example")
    figures.add(figures.BAD_INPUTS)
    assert response.status_code == 400
    assert "Something was off with that request" in response.text
    assert_every_security_header(response, "disallowed host")


def test_a_refused_action_is_the_projects_403_with_every_header(alice, workshop) -> None:
    client = client_for(alice)
    client.raise_request_exception = False
    url = reverse("workshops:detail", args=[workshop.pk])
    with mock.patch(
        "workshops.facilitator_views.get_workshop_for_user", side_effect=PermissionDenied
    ):
        response = client.get(url)
    assert response.status_code == 403
    assert "You can't do that here" in response.text
    assert_every_security_header(response, "403")


def test_a_server_error_is_the_projects_500_with_every_header(alice, workshop) -> None:
    client = client_for(alice)
    client.raise_request_exception = False
    url = reverse("workshops:detail", args=[workshop.pk])
    with mock.patch(
        "workshops.facilitator_views.get_workshop_for_user", side_effect=RuntimeError("boom")
    ):
        response = client.get(url)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "boom" not in response.text and "Traceback" not in response.text
    assert_every_security_header(response, "500")
