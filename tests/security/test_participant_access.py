"""The access cookie a personal link sets: signed, scoped, expiring, and checked every time."""

from __future__ import annotations

import time
from unittest import mock

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from workshops.access import _ACCESS_SALT, ACCESS_COOKIE, access_cookie_name
from workshops.models import Participant

from .. import figures


def _respond(invitation) -> str:
    return reverse("workshops:respond", args=[invitation.participant.pk])


def test_the_cookie_is_signed_httponly_lax_and_scoped_to_the_participant(client: Client, cio):
    reply = client.get(cio.path)
    cookie = reply.cookies[ACCESS_COOKIE]
    assert cookie["path"] == _respond(cio)
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    # The participant's session key, never the token, nor its hash (which changes with every
    # reminder: a cookie bound to it would end the page the executive is answering on).
    participant = Participant.objects.get(pk=cio.participant.pk)
    request = RequestFactory().get("/", HTTP_COOKIE=f"{ACCESS_COOKIE}={cookie.value}")
    value = request.get_signed_cookie(ACCESS_COOKIE, salt=_ACCESS_SALT)
    assert value == f"{participant.pk}:{participant.session_key}"
    assert cio.token not in cookie.value and participant.token_hash not in cookie.value
    assert not Session.objects.exists()  # nothing stored server-side for an executive


def _signed_cookie(client: Client, value: str) -> None:
    """A cookie as only someone holding SECRET_KEY could make it."""
    signed = HttpResponse()
    signed.set_signed_cookie(ACCESS_COOKIE, value, salt=_ACCESS_SALT)
    client.cookies[ACCESS_COOKIE] = signed.cookies[ACCESS_COOKIE].value


def test_a_validly_signed_cookie_with_an_old_session_key_is_refused(client: Client, cio):
    client.get(cio.path)
    participant = Participant.objects.get(pk=cio.participant.pk)
    for stale in [participant.token_hash, "not-the-key", f"{participant.session_key}x"]:
        _signed_cookie(client, f"{participant.pk}:{stale}")
        reply = client.get(_respond(cio))
        figures.add(figures.ACCESS_REQUESTS)
        assert reply.status_code == 404, stale
        assert "open your personal link again" in reply.text.lower()
    _signed_cookie(client, f"{participant.pk}:{participant.session_key}")
    assert client.get(_respond(cio)).status_code == 200


def test_a_withdrawn_link_refuses_even_a_current_session_key(client: Client, cio):
    """Withdrawing changes the key too, but the link's state is checked on its own as well."""
    client.get(cio.path)
    Participant.objects.filter(pk=cio.participant.pk).update(token_revoked_at=timezone.now())
    reply = client.get(_respond(cio))
    figures.add(figures.ACCESS_REQUESTS)
    assert reply.status_code == 404
    assert "open your personal link again" in reply.text.lower()


@override_settings(SESSION_COOKIE_SECURE=True)
def test_the_cookie_is_secure_when_sessions_are(client: Client, cio):
    # ...and then named __Secure-, which browsers accept only with the Secure flag.
    cookie = client.get(cio.path, secure=True).cookies[access_cookie_name()]
    assert cookie.key == f"__Secure-{ACCESS_COOKIE}" and cookie["secure"]


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


def test_the_shared_report_pdf_is_only_for_its_executive_while_their_link_stands(
    client: Client, cio, cio_client: Client, outsider
):
    """The report PDF an executive is given once results are shared: another workshop's
    executive, a withdrawn link and a removed participant each get a 404, never the PDF."""
    from workshops.models import Workshop

    Workshop.objects.filter(pk=cio.participant.workshop_id).update(
        revealed_at=timezone.now(), results_visible_to_participants=True
    )
    url = reverse("workshops:respond_report_pdf", args=[cio.participant.pk])
    assert cio_client.get(url)["Content-Type"] == "application/pdf"  # the check is not vacuous
    client.get(outsider.path)  # Olga, of charlie's workshop
    assert client.get(url).status_code == 404
    Participant.objects.filter(pk=cio.participant.pk).update(token_revoked_at=timezone.now())
    assert cio_client.get(url).status_code == 404
    Participant.objects.filter(pk=cio.participant.pk).update(
        token_revoked_at=None, removed_at=timezone.now()
    )
    assert cio_client.get(url).status_code == 404
    figures.add(figures.ACCESS_REQUESTS, 4)
