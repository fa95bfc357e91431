"""A facilitator's login ends after a working day without activity, and 30 days after logging
in whatever the activity; recording activity writes the session at most every few minutes."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workshops.access import ACCESS_COOKIE, access_cookie_name

from .. import figures
from ..conftest import client_for
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)


class Clock:
    """`django.utils.timezone.now`, moved by hand: sessions' expiry dates, their queries and
    the middleware all read it."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, by: datetime.timedelta) -> None:
        self.now += by


@pytest.fixture
def clock() -> Iterator[Clock]:
    moving = Clock()
    with mock.patch("django.utils.timezone.now", lambda: moving.now):
        yield moving


def logged_in(username: str = "alice") -> Client:
    """A browser that logged in through the login form, as a facilitator does."""
    browser = Client()
    reply = browser.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert reply.status_code == 302, reply.text
    return browser


def is_logged_in(browser: Client) -> bool:
    reply = browser.get(reverse("workshops:home"))
    figures.add(figures.ACCESS_REQUESTS)
    if reply.status_code == 302:
        assert reply["Location"].startswith(reverse("login"))
        return False
    assert reply.status_code == 200
    return True


def poll(browser: Client, workshop) -> int:
    """What an open workshop page does every few seconds by itself (htmx)."""
    return browser.get(
        reverse("workshops:board", args=[workshop.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + reverse("workshops:detail", args=[workshop.pk]),
    )


def session_writes(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if "django_session" in query["sql"]
        and query["sql"].split()[0] in {"UPDATE", "INSERT", "DELETE"}
    ]


def test_the_idle_timeout_is_a_working_day_under_thirty_days():
    assert settings.SESSION_IDLE_TIMEOUT == 10 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == 30 * 24 * 60 * 60


def test_a_working_day_without_activity_ends_the_login(alice, clock):
    browser = logged_in()
    clock.advance(9 * HOUR + 50 * MINUTE)
    assert is_logged_in(browser)  # activity: the day starts again
    clock.advance(9 * HOUR + 50 * MINUTE)
    assert is_logged_in(browser)
    clock.advance(10 * HOUR + MINUTE)
    assert not is_logged_in(browser)
    clock.advance(MINUTE)
    assert not is_logged_in(browser)  # and it stays ended


def test_the_idle_timeout_is_a_setting(alice, clock):
    with override_settings(SESSION_IDLE_TIMEOUT=2 * 60 * 60):
        browser = logged_in()
        clock.advance(HOUR + 55 * MINUTE)
        assert is_logged_in(browser)
        clock.advance(2 * HOUR + MINUTE)
        assert not is_logged_in(browser)


def test_an_open_board_polling_by_itself_is_not_activity(alice, workshop, clock):
    browser = logged_in()
    for _ in range(11):
        clock.advance(HOUR)
        poll(browser, workshop)
    reply = poll(browser, workshop)
    # The whole page goes to the login, which leads back to the workshop page (not its card).
    page = reverse("workshops:detail", args=[workshop.pk])
    assert reply.status_code == 200
    assert reply["HX-Redirect"] == f"{reverse('login')}?next={quote(page, safe='')}"
    assert not is_logged_in(browser)


def test_a_page_refreshing_itself_after_its_login_ended_goes_whole_to_the_login(workshop, alice):
    """htmx would otherwise swap the login page into the card it refreshes."""
    board = reverse("workshops:board", args=[workshop.pk])
    page = reverse("workshops:detail", args=[workshop.pk])
    headers = {"HTTP_HX_REQUEST": "true"}
    reply = Client().get(board, HTTP_HX_CURRENT_URL=f"http://testserver{page}?x=1", **headers)
    assert reply.status_code == 200
    assert reply["HX-Redirect"] == f"{reverse('login')}?next={quote(page, safe='')}"
    # Another site's page or none: back to the start, never elsewhere.
    for current in ("https://evil.example/workshops/", "", "//evil.example/x"):
        reply = Client().get(board, HTTP_HX_CURRENT_URL=current, **headers)
        assert reply["HX-Redirect"] == f"{reverse('login')}?next=%2F"
    # A plain request is redirected as before.
    assert Client().get(board).status_code == 302


def test_thirty_days_after_logging_in_the_login_ends_however_busy(alice, clock):
    browser = logged_in()
    for _ in range(30 * 24 // 8 - 1):  # a request every 8 hours, for 29 days and 16 hours
        clock.advance(8 * HOUR)
        assert is_logged_in(browser)
    clock.advance(8 * HOUR)
    assert not is_logged_in(browser)
    # Logging in again starts another 30 days.
    browser = logged_in()
    clock.advance(HOUR)
    assert is_logged_in(browser)


def test_near_the_end_the_cookie_and_the_stored_session_expire_with_the_login(alice, clock):
    browser = logged_in()
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_IDLE_TIMEOUT
    stored = Session.objects.get(session_key=cookie.value)
    assert stored.expire_date == clock.now + datetime.timedelta(
        seconds=settings.SESSION_IDLE_TIMEOUT
    )
    for _ in range(30 * 3 - 1):  # every 8 hours, until 8 hours before the 30 days end
        clock.advance(8 * HOUR)
        assert is_logged_in(browser)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME]  # less than a working day left
    assert int(cookie["max-age"]) == 8 * 60 * 60
    assert Session.objects.get(session_key=cookie.value).expire_date == clock.now + 8 * HOUR


def test_a_login_from_before_these_limits_gets_them_from_its_next_request(alice, clock):
    browser = client_for(alice)
    session = browser.session
    for key in list(session.keys()):
        if not key.startswith("_auth"):
            del session[key]
    session.set_expiry(None)
    session.save()
    assert is_logged_in(browser)
    clock.advance(10 * HOUR + MINUTE)
    assert not is_logged_in(browser)


def test_activity_is_written_at_most_every_few_minutes(alice, workshop, clock):
    browser = logged_in()
    for _ in range(4):
        clock.advance(MINUTE)
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(reverse("workshops:detail", args=[workshop.pk])).status_code == 200
        assert session_writes(captured) == []
    clock.advance(settings.SESSION_ACTIVITY_REFRESH * datetime.timedelta(seconds=1))
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(reverse("workshops:detail", args=[workshop.pk])).status_code == 200
    assert len(session_writes(captured)) == 1


def test_an_executive_request_reads_no_session(cio, cio_client):
    """Executives have no server-side session: the lifetime check costs them nothing."""
    with CaptureQueriesContext(connection) as captured:
        reply = cio_client.get(reverse("workshops:respond", args=[cio.participant.pk]))
    assert reply.status_code == 200
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]


# Cookie names: __Host- for the session and CSRF cookies, __Secure- for the access cookie.


HOST_COOKIES = {
    "SESSION_COOKIE_NAME": "__Host-sessionid",
    "CSRF_COOKIE_NAME": "__Host-csrftoken",
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@override_settings(**HOST_COOKIES)
def test_host_prefixed_cookies_are_secure_site_wide_and_host_only(alice):
    browser = Client()
    login_page = browser.get(reverse("login"), secure=True)
    reply = browser.post(reverse("login"), {"username": "alice", "password": PASSWORD}, secure=True)
    assert reply.status_code == 302
    for name, response in [("__Host-csrftoken", login_page), ("__Host-sessionid", reply)]:
        cookie = response.cookies[name]
        assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"], name
    assert browser.get(reverse("workshops:home"), secure=True).status_code == 200


def test_the_access_cookie_is_secure_prefixed_when_cookies_are_secure(cio):
    assert access_cookie_name() == ACCESS_COOKIE  # tests run over plain http, as `make run`
    with override_settings(SESSION_COOKIE_SECURE=True):
        assert access_cookie_name() == f"__Secure-{ACCESS_COOKIE}"
        browser = Client()
        opened = browser.get(cio.path, secure=True)
        cookie = opened.cookies[f"__Secure-{ACCESS_COOKIE}"]
        assert cookie["secure"]
        assert ACCESS_COOKIE not in opened.cookies
        respond = reverse("workshops:respond", args=[cio.participant.pk])
        assert browser.get(respond, secure=True).status_code == 200
