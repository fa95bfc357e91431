"""What the servers write and announce: no personal link in full in any log, and no server
name and version in the `Server` header.

A personal link is the only key to an executive's answers: whoever reads a log must not be able
to open it. The logs keep the last four characters (`/p/…abcd/`), enough to match a line to a
complaint.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.utils import timezone

from workshops.models import Participant
from workshops.respond_views import TOKEN_FAILURES_PER_HOUR

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def masked(token: str) -> str:
    return f"/p/…{token[-4:]}/"


def written_by_handlers(logger_name: str, emit: Callable[[], object]) -> str:
    """What the project's logging configuration writes for records sent to `logger_name`: the
    output of every stream handler the records reach (pytest's own capture left out)."""
    handlers = []
    logger: logging.Logger | None = logging.getLogger(logger_name)
    while logger is not None:
        handlers += [
            handler
            for handler in logger.handlers
            if isinstance(handler, logging.StreamHandler)
            and not type(handler).__module__.startswith("_pytest")
        ]
        logger = logger.parent if logger.propagate else None
    assert handlers, f"nothing writes the {logger_name} log"
    buffers = [io.StringIO() for _ in handlers]
    previous = [
        handler.setStream(buffer) for handler, buffer in zip(handlers, buffers, strict=True)
    ]
    try:
        emit()
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)
    return "".join(buffer.getvalue() for buffer in buffers)


def test_runserver_logs_a_personal_link_masked():
    token = secrets.token_urlsafe(32)
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)  # as runserver logs each request
    handler.request = None
    handler.log_date_time_string = lambda: "02/Dec/2026 10:00:00"
    line = written_by_handlers(
        "django.server",
        lambda: handler.log_message('"%s" %s %s', f"GET /p/{token}/ HTTP/1.1", "302", "0"),
    )
    assert token not in line
    assert f'"GET {masked(token)} HTTP/1.1" 302 0' in line


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "make run"])
def test_request_warnings_log_a_personal_link_masked(cio, settings, debug):
    """Django logs every 4xx with its path ("Gone: /p/…/"): a withdrawn link, a throttled one."""
    settings.DEBUG = debug
    Participant.objects.filter(pk=cio.participant.pk).update(token_revoked_at=timezone.now())
    client = Client()
    output = written_by_handlers("django.request", lambda: client.get(cio.path))
    assert cio.token not in output
    assert f"Gone: {masked(cio.token)}" in output
    junk = [secrets.token_urlsafe(32) for _ in range(TOKEN_FAILURES_PER_HOUR + 1)]
    output = written_by_handlers(
        "django.request", lambda: [client.get(f"/p/{token}/") for token in junk]
    )
    assert not any(token in output for token in junk)
    assert f"Too Many Requests: {masked(junk[-1])}" in output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /p/abcdefghijklmnop/ HTTP/1.1", "GET /p/…mnop/ HTTP/1.1"),
        ("GET /p/abcdefghijklmnop HTTP/1.1", "GET /p/…mnop HTTP/1.1"),
        ("GET /p/abcdefgh/?utm=x HTTP/1.1", "GET /p/…efgh/?utm=x HTTP/1.1"),
        ("GET /p/abc%2Fdefgh/ HTTP/1.1", "GET /p/…efgh/ HTTP/1.1"),
        ('"https://ex.example/p/abcdefgh/"', '"https://ex.example/p/…efgh/"'),
        ("GET /prefix/p/abcdefgh/ x /p/ijklmnop/", "GET /prefix/p/…efgh/ x /p/…mnop/"),
        ("GET /respond/12/section/3/ HTTP/1.1", "GET /respond/12/section/3/ HTTP/1.1"),
        (
            "GET /accounts/password/reset/MQ/cz7k2-4f1e0a9b8c7d6e5f4a3b/ HTTP/1.1",
            "GET /accounts/password/reset/…/…4a3b/ HTTP/1.1",
        ),
        (
            "GET /accounts/password/reset/MQ/set-password/ HTTP/1.1",
            "GET /accounts/password/reset/MQ/set-password/ HTTP/1.1",
        ),
        (
            "GET /accounts/password/reset/sent/ HTTP/1.1",
            "GET /accounts/password/reset/sent/ HTTP/1.1",
        ),
    ],
)
def test_the_mask(text, expected):
    from config.logs import mask_personal_links

    assert mask_personal_links(text) == expected


# gunicorn, run for real with the project's configuration file.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with config/gunicorn.py (as README's production command runs it), serving a
    database-free app, its access log in a file; yields (base URL, access log path)."""
    port, access_log, errors = _free_port(), tmp_path / "access.log", tmp_path / "errors.log"
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "tests.security.gunicorn_app:application",
            "--config=config/gunicorn.py",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            f"--access-logfile={access_log}",
            "--no-control-socket",  # another gunicorn on this machine may hold the default one
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=errors.open("w"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {errors.read_text()}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", access_log
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def _get(url: str, headers: dict[str, str]) -> urllib.error.HTTPError:
    request = urllib.request.Request(url, headers=headers)
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    return raised.value


def test_gunicorn_logs_a_personal_link_masked(gunicorn):
    base_url, access_log = gunicorn
    token, referring = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    assert _get(f"{base_url}/p/{token}/", {"Referer": f"{base_url}/p/{referring}/"}).code == 404
    deadline = time.monotonic() + 10
    while "/p/" not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    line = access_log.read_text(encoding="utf-8")
    assert token not in line and referring not in line
    assert f"GET {masked(token)} HTTP/1.1" in line
    assert masked(referring) in line


def test_gunicorn_does_not_name_itself(gunicorn):
    base_url, _access_log = gunicorn
    reply = _get(f"{base_url}/p/{secrets.token_urlsafe(32)}/", {})
    assert reply.code == 404
    assert "Server" not in reply.headers, reply.headers["Server"]
