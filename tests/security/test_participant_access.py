"""The access cookie a personal link sets: signed, scoped, expiring, and checked every time."""

from __future__ import annotations

import time
from unittest import mock

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from workshops.access import ACCESS_COOKIE


def _respond(invitation) -> str:
    return reverse("workshops:respond", args=[invitation.participant.pk])


def test_the_cookie_is_signed_httponly_lax_and_scoped_to_the_participant(client: Client, cio):
    reply = client.get(cio.path)
    cookie = reply.cookies[ACCESS_COOKIE]
    assert cookie["path"] == _respond(cio)
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cio.token not in cookie.value  # the hash is kept, never the token itself
    assert not Session.objects.exists()  # nothing stored server-side for an executive


@override_settings(SESSION_COOKIE_SECURE=True)
def test_the_cookie_is_secure_when_sessions_are(client: Client, cio):
    assert client.get(cio.path, secure=True).cookies[ACCESS_COOKIE]["secure"]


def test_a_tampered_cookie_is_refused_with_the_friendly_page(client: Client, cio):
    client.get(cio.path)
    value = client.cookies[ACCESS_COOKIE].value
    client.cookies[ACCESS_COOKIE] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    reply = client.get(_respond(cio))
    assert reply.status_code == 404
    assert "open your personal link again" in reply.text.lower()


def test_one_participants_cookie_opens_nobody_elses_pages(client: Client, cio, cmo):
    client.get(cio.path)
    for url in [
        _respond(cmo),
        reverse("workshops:respond_section", args=[cmo.participant.pk, 1]),
        reverse("workshops:respond_review", args=[cmo.participant.pk]),
    ]:
        assert client.get(url).status_code == 404
    assert client.get(_respond(cio)).status_code == 200


def test_the_cookie_expires_like_a_session(client: Client, cio):
    client.get(cio.path)
    later = time.time() + settings.SESSION_COOKIE_AGE + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        reply = client.get(_respond(cio))
    assert reply.status_code == 404
    assert "open your personal link again" in reply.text.lower()
    assert client.get(cio.path, follow=True).status_code == 200  # the link opens it again
