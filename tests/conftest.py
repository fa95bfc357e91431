"""The cast every test shares: alice owns the workshop, bob co-facilitates it, charlie runs
another one, and two executives (a CIO and a CMO) are invited to alice's workshop."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import Client

from surveys.models import Questionnaire
from workshops.models import Role, Workshop
from workshops.services import Invitation

from . import figures
from .factories import default_questionnaire, invite, make_facilitator, make_workshop


def _compile_translations() -> None:
    """The .mo files the tests need, compiled from locale/'s .po files when missing or older
    (`make` does the same with compilemessages; this covers running pytest directly). Written
    to a temporary file and moved into place, so pytest-xdist workers never read half a file."""
    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        handle, temporary = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        os.close(handle)
        subprocess.run(["msgfmt", "--check-format", "-o", temporary, str(po)], check=True)  # noqa: S603,S607
        os.replace(temporary, mo)


_compile_translations()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """The figures the security and reliability suites proved, one line each."""
    lines = figures.summary_lines()
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the default questionnaire once into the test database (tests roll back over it)."""
    with django_db_blocker.unblock():
        default_questionnaire()


@pytest.fixture(autouse=True)
def _questionnaire_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Transactional tests (live server, browser) flush the database when they end, taking the
    questionnaire loaded once at setup with them: load it again for the tests that follow."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if transactional or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        default_questionnaire()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in German leaves German active in the test's thread (each real request
    chooses its own): every test starts and ends in the default language."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters must not leak from one test into the next."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def questionnaire(db: None) -> Questionnaire:
    """The default questionnaire (reloaded if a transactional test flushed the database)."""
    return default_questionnaire()


@pytest.fixture
def alice(db: None):
    return make_facilitator("alice", first_name="Alice")


@pytest.fixture
def bob(db: None):
    return make_facilitator("bob", first_name="Bob")


@pytest.fixture
def charlie(db: None):
    return make_facilitator("charlie", first_name="Charlie")


@pytest.fixture
def staff(db: None):
    return make_facilitator("sam-staff", is_staff=True, is_superuser=True)


@pytest.fixture
def workshop(alice, bob, questionnaire) -> Workshop:
    return make_workshop(alice, co_facilitators=(bob,), questionnaire=questionnaire)


@pytest.fixture
def other_workshop(charlie, questionnaire) -> Workshop:
    return make_workshop(
        charlie, title="Charlie's workshop", organisation="Globex", questionnaire=questionnaire
    )


@pytest.fixture
def cio(workshop) -> Invitation:
    return invite(workshop, "Dana Whitfield", Role.CIO)


@pytest.fixture
def cmo(workshop) -> Invitation:
    return invite(workshop, "Marcus Reyes", Role.CMO)


@pytest.fixture
def outsider(other_workshop) -> Invitation:
    """An executive invited to charlie's workshop, not alice's."""
    return invite(other_workshop, "Olga Outsider", Role.CIO)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def cio_client(cio) -> Client:
    """A browser that opened the CIO's personal link."""
    client = Client()
    client.get(cio.path)
    return client
