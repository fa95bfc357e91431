"""The link-guessing throttle: whose address it counts, over what window, and atomically.

Tokens are 256-bit, so the throttle does not stop a hit that cannot happen: it makes guessing
noisy and cheap to refuse, and it must never shut a real executive out.
"""

from __future__ import annotations

import secrets
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.client_address import client_address
from workshops.models import LinkGuessWindow
from workshops.respond_views import TOKEN_FAILURES_PER_HOUR

from .. import figures

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "common_ground_cache",
    }
}
PROXY = "10.0.0.2"


def junk_link() -> str:
    return reverse("workshops:open_link", args=[secrets.token_urlsafe(32)])


def _request(remote_addr: str | None = "198.51.100.1", forwarded: str | None = None):
    meta = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr
    return request


# The client's address.


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded", "expected"),
    [
        # No trusted proxy: the peer, whatever the client writes in the header.
        (0, "198.51.100.1", None, "198.51.100.1"),
        (0, "198.51.100.1", "203.0.113.9", "198.51.100.1"),
        (0, "2001:db8::1", "203.0.113.9", "2001:db8::1"),
        # One proxy: the hop it appended, the last; what the client prepended is ignored.
        (1, PROXY, "203.0.113.9", "203.0.113.9"),
        (1, PROXY, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (1, PROXY, "1.2.3.4,203.0.113.9 ", "203.0.113.9"),
        (1, PROXY, "2001:DB8:0::7", "2001:db8::7"),
        (1, PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (1, PROXY, "203.0.113.9:51234", "203.0.113.9"),
        (1, PROXY, "::ffff:203.0.113.9", "203.0.113.9"),
        # Two proxies: the second from the right.
        (2, PROXY, "1.2.3.4, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (3, PROXY, "203.0.113.9, 10.0.0.3, 10.0.0.1", "203.0.113.9"),
        # Malformed or missing: the peer, never a value the client chose.
        (1, PROXY, None, PROXY),
        (1, PROXY, "", PROXY),
        (1, PROXY, "   ", PROXY),
        (1, PROXY, "203.0.113.9, not-an-address", PROXY),
        (1, PROXY, "203.0.113.9, 999.1.1.1", PROXY),
        (1, PROXY, "203.0.113.9, unknown", PROXY),
        (1, PROXY, "203.0.113.9,", PROXY),
        (1, PROXY, "x" * 10_000, PROXY),
        (1, PROXY, "203.0.113.9\x00", PROXY),
        (2, PROXY, "203.0.113.9", PROXY),
        (1, "", "203.0.113.9, zzz", None),
        (1, None, None, None),
        (0, "not an address", None, None),
    ],
)
def test_the_client_address_counts_only_the_trusted_proxies(
    settings, proxies, remote_addr, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(_request(remote_addr, forwarded)) == expected


def test_a_negative_number_of_proxies_is_refused_at_start(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings

    monkeypatch.setenv("TRUSTED_PROXIES", "-1")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        importlib.reload(config.settings)
    monkeypatch.setenv("TRUSTED_PROXIES", "0")
    importlib.reload(config.settings)


# The throttle, one request after another.


@pytest.mark.django_db
def test_behind_a_proxy_one_guesser_does_not_lock_out_everyone(settings, cio):
    settings.TRUSTED_PROXIES = 1
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    statuses = [guesser.get(junk_link()).status_code for _ in range(TOKEN_FAILURES_PER_HOUR + 5)]
    figures.add(figures.BAD_INPUTS, len(statuses))
    assert statuses == [404] * TOKEN_FAILURES_PER_HOUR + [429] * 5
    # An executive behind the same proxy: a mistyped link is a plain 404, theirs opens.
    executive = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert executive.get(junk_link()).status_code == 404
    assert executive.get(cio.path).status_code == 302
    # The guesser cannot escape by writing another address in front of the proxy's.
    spoofed = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9")
    assert spoofed.get(junk_link()).status_code == 429


@pytest.mark.django_db
def test_a_current_link_opens_whatever_its_address_has_guessed(client, cio):
    for _ in range(TOKEN_FAILURES_PER_HOUR + 3):
        client.get(junk_link())
    refused = client.get(junk_link())
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    opened = client.get(cio.path)
    assert opened.status_code == 302
    assert client.get(opened["Location"]).status_code == 200


class _Clock:
    """Moves Django's clock and the cache's (time.time) together."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import django.core.cache.backends.db as db_cache

        self.offset = timedelta(0)
        real_now, real_time = timezone.now, time.time
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)
        monkeypatch.setattr(db_cache, "tz_now", lambda: real_now() + self.offset)
        monkeypatch.setattr(time, "time", lambda: real_time() + self.offset.total_seconds())

    def advance(self, **kwargs: float) -> None:
        self.offset += timedelta(**kwargs)


@pytest.fixture
def database_cache(settings, db):
    """The production cache (the database's), so the test sees what production would."""
    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable", verbosity=0)


@pytest.mark.django_db
def test_the_window_is_an_hour(database_cache, monkeypatch):
    clock = _Clock(monkeypatch)
    client = Client()
    assert [client.get(junk_link()).status_code for _ in range(TOKEN_FAILURES_PER_HOUR)] == [
        404
    ] * TOKEN_FAILURES_PER_HOUR
    assert client.get(junk_link()).status_code == 429
    clock.advance(minutes=10)  # the database cache's incr once re-set the key for 300 s
    assert client.get(junk_link()).status_code == 429
    clock.advance(minutes=48)
    assert client.get(junk_link()).status_code == 429
    clock.advance(minutes=3)  # an hour and a minute since the first miss: a new window
    assert client.get(junk_link()).status_code == 404


@pytest.mark.django_db
def test_old_windows_are_deleted_as_new_ones_open(monkeypatch):
    clock = _Clock(monkeypatch)
    for address in ("192.0.2.1", "192.0.2.2"):
        Client(REMOTE_ADDR=address).get(junk_link())
    assert LinkGuessWindow.objects.count() == 2
    clock.advance(hours=2)
    Client(REMOTE_ADDR="192.0.2.3").get(junk_link())
    assert list(LinkGuessWindow.objects.values_list("address", "misses")) == [("192.0.2.3", 1)]


# The throttle under concurrency.

CONCURRENT_MISSES = 300


def _get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_concurrent_misses_from_one_address_are_all_counted(live_server, settings, capsys):
    """300 misses at once from one address: each is counted, and only the first 30 are
    answered as a miss (the others get the 429). Run against the database cache too, the
    cache the throttle once used in production."""
    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable", verbosity=0)
    try:
        start = threading.Barrier(24)

        def miss(n: int) -> int:
            if n < 24:
                start.wait()
            return _get_status(live_server.url + junk_link())

        with ThreadPoolExecutor(max_workers=24) as pool:
            statuses = list(pool.map(miss, range(CONCURRENT_MISSES)))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS common_ground_cache")
    figures.add(figures.BAD_INPUTS, CONCURRENT_MISSES)
    stored = LinkGuessWindow.objects.filter(address="127.0.0.1").values_list("misses", flat=True)
    answered_as_miss = statuses.count(404)
    with capsys.disabled():
        print(
            f"\n[{connection.vendor}] {CONCURRENT_MISSES} concurrent misses: stored count "
            f"{stored.first()}, answered as a miss (404) {answered_as_miss}, refused (429) "
            f"{statuses.count(429)}, limit {TOKEN_FAILURES_PER_HOUR}"
        )
    assert set(statuses) <= {404, 429}, statuses
    assert stored.get() == CONCURRENT_MISSES
    assert answered_as_miss == TOKEN_FAILURES_PER_HOUR
