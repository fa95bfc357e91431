"""Security headers on every response, and what production settings turn on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from .routes import Cast, routes_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


#: Pages this site frames in its own pages, and nowhere else: the preview's frame (the
#: answering page as an executive sees it; nothing in it can be saved).
FRAMED_BY_THE_SITE = {"surveys:preview_frame"}


def assert_security_headers(response: HttpResponse, what: str, *, framed: bool = False) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"{what}: no Content-Security-Policy"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{what}: {csp}"
    assert "unsafe-inline" not in response.get("Content-Security-Policy-Report-Only", "")
    assert "script-src 'self'" in csp or "default-src 'self'" in csp, f"{what}: {csp}"
    ancestors, frame_options = ("'self'", "SAMEORIGIN") if framed else ("'none'", "DENY")
    assert f"frame-ancestors {ancestors}" in csp, f"{what}: {csp}"
    assert response.get("X-Content-Type-Options") == "nosniff", what
    assert response.get("Referrer-Policy") in {"same-origin", "no-referrer"}, what
    assert response.get("X-Frame-Options") == frame_options, what


def assert_not_stored(response: HttpResponse, what: str) -> None:
    assert "no-store" in response.get("Cache-Control", ""), f"{what}: answers may be cached"


def test_every_page_sends_the_security_headers(cast: Cast, alice_client: Client, cio):
    participant = Client()
    participant.get(cio.path)
    checked = 0
    for client, areas in [
        (alice_client, ("facilitator",)),
        (participant, ("participant",)),
        (Client(), ("public",)),
    ]:
        for route in routes_in(*areas):
            url = route.url(cast)
            for response in (client.get(url), client.post(url, {})):
                what = f"{route.name} {response.request['REQUEST_METHOD']} {url}"
                framed = route.name in FRAMED_BY_THE_SITE and response.status_code == 200
                assert_security_headers(response, what, framed=framed)
                # Every dynamic page may show answers or names: none may be kept by a cache.
                assert_not_stored(response, what)
                checked += 1
    assert checked > 20


def test_error_pages_send_the_headers_too(client: Client, cio):
    responses = {
        "404": client.get("/no/such/page/"),
        "405": client.get(reverse("logout")),
        "403 csrf": Client(enforce_csrf_checks=True).post(reverse("login"), {}),
        "invalid link": client.get("/p/not-a-real-token/"),
    }
    for what, response in responses.items():
        assert_security_headers(response, what)
        assert_not_stored(response, what)


def test_a_database_outage_is_a_friendly_503_with_the_headers(client: Client, cio):
    client.get(cio.path)
    url = reverse("workshops:respond_section", args=[cio.participant.pk, 1])
    with mock.patch(
        "workshops.respond_views._load", side_effect=OperationalError("connection refused")
    ):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Traceback" not in response.text and "OperationalError" not in response.text
    assert_security_headers(response, "503")
    assert_not_stored(response, "503")


def test_a_missing_migration_is_a_500_not_an_outage(cio):
    browser = Client(raise_request_exception=False)
    browser.get(cio.path)
    url = reverse("workshops:respond_section", args=[cio.participant.pk, 1])
    schema_error = OperationalError("no such column: surveys_answer.draft")
    with mock.patch("workshops.respond_views._load", side_effect=schema_error):
        response = browser.get(url)
    assert response.status_code == 500
    assert "Traceback" not in response.text and "no such column" not in response.text


def _production_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="prod-like-" + "k3y" * 20,
        ALLOWED_HOSTS="commonground.example.com,testserver",
        CSRF_TRUSTED_ORIGINS="https://commonground.example.com",
        SITE_URL="https://commonground.example.com",
    )
    return env


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from workshops.access import access_cookie_name
# Only the static files manifest (made by collectstatic at deploy) is not here: plain storage.
plain = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    response = Client().get("/accounts/login/", secure=True)
    redirect = Client().get("/accounts/login/")
print(json.dumps({
    "hsts": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts_header": response.get("Strict-Transport-Security", ""),
    "csrf_cookie_secure": bool(response.cookies[settings.CSRF_COOKIE_NAME]["secure"]),
    "cookie_names": [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME],
    "cookie_scope": [settings.SESSION_COOKIE_PATH, settings.SESSION_COOKIE_DOMAIN,
                     settings.CSRF_COOKIE_PATH, settings.CSRF_COOKIE_DOMAIN],
    "access_cookie": access_cookie_name(),
    "idle": settings.SESSION_IDLE_TIMEOUT,
    "status": response.status_code,
    "plain_http": redirect.status_code,
    "plain_http_to": redirect.get("Location", ""),
}))
"""


def test_production_settings_turn_on_hsts_and_secure_cookies():
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env={**_production_env(), "SESSION_IDLE_HOURS": "8"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["hsts"] >= 31_536_000
    assert "max-age=" in seen["hsts_header"] and "includeSubDomains" in seen["hsts_header"]
    assert seen["ssl_redirect"] and seen["plain_http"] == 301
    assert seen["plain_http_to"].startswith("https://")
    assert seen["session_secure"] and seen["session_httponly"] and seen["csrf_secure"]
    assert seen["csrf_cookie_secure"]
    # __Host-: browsers keep them only when Secure, for the whole site, from this host alone.
    assert seen["cookie_names"] == ["__Host-sessionid", "__Host-csrftoken"]
    assert seen["cookie_scope"] == ["/", None, "/", None]
    assert seen["access_cookie"] == "__Secure-participant_access"  # scoped to /respond/<pk>/
    assert seen["idle"] == 8 * 60 * 60  # SESSION_IDLE_HOURS
    assert seen["status"] == 200


@pytest.mark.parametrize(
    ("site_url", "check"),
    [("http://127.0.0.1:8000", "workshops.W001"), ("http://commonground.example.com", "W002")],
)
def test_deploy_check_warns_of_a_site_url_that_would_break_invitation_links(site_url, check):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**_production_env(), "SITE_URL": site_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert check in result.stderr + result.stdout


def test_deploy_check_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_reports_no_high_severity_issue():
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-q", "-r", "config", "surveys", "workshops", "-lll"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
