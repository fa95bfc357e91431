"""Two app servers on one database, as behind a load balancer: an answer saved through one shows
at once on the dashboard the other serves.

Each server is a gunicorn process of its own (its own memory), on a random 127.0.0.1 port, with
production's caches (the database cache, app_server_settings.py), on the test's database: on
PostgreSQL (DATABASE_URL), and on SQLite's shared file too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from workshops.models import Workshop

from ..factories import PASSWORD, give_answers, question
from . import app_server_settings
from .browser import Browser

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
CACHE_TABLE = "common_ground_cache"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    """The test's own database, as the servers must reach it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def _app_servers(logs: list[Path]) -> Iterator[list[str]]:
    """One gunicorn process per log file, serving the project on the test's database, started
    together; yields their base URLs. Each one's error log (Django's too) goes to its file."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reliability.app_server_settings",
        "DATABASE_URL": _database_url(),
        "CONN_MAX_AGE": "0",
    }
    ports = [_free_port() for _ in logs]
    files = [open(path, "w+b") for path in logs]  # noqa: SIM115  (closed below)
    processes = [
        subprocess.Popen(
            [
                str(GUNICORN),
                "config.wsgi:application",
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=file,
        )
        for port, file in zip(ports, files, strict=True)
    ]
    try:
        deadline = time.monotonic() + 15
        for port, process, path in zip(ports, processes, logs, strict=True):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"an app server did not start:\n{_tail(path)}")
                    time.sleep(0.05)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for file in files:
            file.close()


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:]


def _figures(html: str) -> str:
    """The dashboard's figures (what the cache keeps), without the header and live status."""
    return html[html.index('id="dashboard-live"') : html.index('class="live-status"')]


def _dashboard_entries() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {CACHE_TABLE}")  # noqa: S608
        return [key for (key,) in cursor.fetchall() if ":dashboard:page:" in key]


def test_an_answer_saved_through_one_server_shows_at_once_on_the_other(
    alice, workshop, cio, cmo, tmp_path
):
    give_answers(cio, {"obj-channels": 5})
    give_answers(cmo, {"obj-engagement": 4})
    with override_settings(CACHES=app_server_settings.CACHES):
        call_command("createcachetable", verbosity=0)  # the servers' shared cache
    try:
        logs = [tmp_path / "server-a.log", tmp_path / "server-b.log"]
        with _app_servers(logs) as (server_a, server_b):
            # The CMO has the questionnaire open on server A (the link opened, the CSRF cookie
            # set); the facilitator watches the dashboard on server B.
            executive = Browser(server_a)
            executive.open_link(cmo.path)
            facilitator = Browser(server_b)
            assert facilitator.get("/accounts/login/").status == 200
            logged_in = facilitator.post(
                "/accounts/login/", {"username": alice.username, "password": PASSWORD}
            )
            assert logged_in.status == 200 and "/workshops/" in logged_in.url, _tail(logs[1])
            dashboard = f"/workshops/{workshop.pk}/dashboard/"
            before = facilitator.get(dashboard)
            assert before.status == 200, _tail(logs[1])
            assert "Draft · 1 answered" in _figures(before.text)  # each has one answer
            assert "Draft · 2 answered" not in _figures(before.text)
            kept = _dashboard_entries()
            assert kept, "server B keeps the dashboard's figures in the shared database cache"
            again = facilitator.get(dashboard)
            assert _figures(again.text) == _figures(before.text)
            assert _dashboard_entries() == kept  # served from the cache, nothing new computed

            # The CMO answers through server A: a real autosave with the CMO's cookie.
            channels = question("obj-channels")
            saved = executive.post(
                f"/respond/{cmo.participant.pk}/autosave/{channels.pk}/",
                {f"q{channels.pk}": "5"},
                headers={"HX-Request": "true"},
            )
            assert saved.status == 200 and "Saved" in saved.text, _tail(logs[0])

            # At once, on server B: the new answer, no waiting for anything to expire.
            after = facilitator.get(dashboard)
            assert after.status == 200
            assert "Draft · 2 answered" in _figures(after.text)
            version = Workshop.objects.get(pk=workshop.pk).dashboard_version
            assert any(f":{workshop.pk}:{version}:" in key for key in _dashboard_entries())
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {CACHE_TABLE}")
