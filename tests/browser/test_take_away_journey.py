"""What leaves the app, in a real browser: the facilitator downloads the workshop's transfer
file; another installation (a fresh SQLite database, migrated from nothing, with an app server
of its own) imports it with `manage.py import_workshop`, and its dashboard shows the same
figures, to the last digit, as the original's; support staff's import page and the report
read well (axe) on a laptop and a phone."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveys.loading import QUESTIONNAIRE_DIR

from ..factories import PASSWORD, make_facilitator, make_workshop
from ..workshops.populate import populate, record_outcome
from .axe import assert_no_serious_axe_violations
from .conftest import LAPTOP, PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _figures(page) -> list[str]:
    """The dashboard's overall figure and each section's, as shown."""
    overall = page.locator(".dash-overall .big-score").inner_text()
    return [overall, *page.locator(".dash-sections .chart-value").all_inner_texts()]


def _dashboard_text(page) -> str:
    """Everything the dashboard's live part says (figures, rows, legends), as text (its text
    nodes, whatever the styles: the other installation's server has no static files built),
    but the time it was last refreshed."""
    text = page.locator("#dashboard-live").evaluate(
        "live => { const copy = live.cloneNode(true);"
        " copy.querySelectorAll('.live-status').forEach(part => part.remove());"
        " return copy.textContent; }"
    )
    return " ".join(text.split())


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


class Installation:
    """Another installation of the app: its own SQLite database file, set up from nothing by
    the project's commands, run as subprocesses with their own DATABASE_URL."""

    def __init__(self, folder: Path) -> None:
        self.database = folder / "other-installation.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "CONN_MAX_AGE": "0",
        }

    def manage(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
        return done.stdout

    @contextmanager
    def server(self, log: Path) -> Iterator[str]:
        """An app server (gunicorn) on this installation's database; yields its base URL."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with open(log, "w+b") as errors:
            process = subprocess.Popen(  # noqa: S603
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
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
            try:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                        break
                    except OSError:
                        if process.poll() is not None or time.monotonic() > deadline:
                            pytest.fail(
                                "the other installation's server did not start:\n"
                                + log.read_text()[-3000:]
                            )
                        time.sleep(0.05)
                yield f"http://127.0.0.1:{port}"
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def test_export_then_import_into_a_fresh_database_gives_the_same_dashboard(
    browser, new_page, tmp_path
):
    alice = make_facilitator("alice", first_name="Alice")
    make_facilitator("sam", is_staff=True, is_superuser=True)
    workshop = make_workshop(alice)
    populate(workshop, 5)
    record_outcome(workshop, alice)

    facilitator = new_page(LAPTOP)
    _log_in(facilitator, "alice")
    facilitator.goto(f"/workshops/{workshop.pk}/dashboard/")
    before = _figures(facilitator)
    assert before[0].startswith(tuple("0123456789"))
    before_text = _dashboard_text(facilitator)

    facilitator.goto(f"/workshops/{workshop.pk}/")
    with facilitator.expect_download() as download:
        facilitator.get_by_role("link", name="Whole workshop as JSON").click()
    saved = tmp_path / "workshop.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["workshop"]["title"] == "Mobile strategy 2027"
    assert data["outcome"]["sign_offs"]  # the session's outcome travels too

    # Another installation, from nothing: migrate, load the questionnaire, a facilitator, and
    # the file imported by the command.
    other = Installation(tmp_path)
    other.manage("migrate", "--noinput", "-v", "0")
    # the questionnaire version the exported workshop answers (the test workshop is on v2)
    version = data["questionnaire"]["version"]
    other.manage(
        "load_questionnaire", str(QUESTIONNAIRE_DIR / f"joint-mobile-strategy.v{version}.json")
    )
    other.manage("createfacilitator", "--username", "olivia", "--password", PASSWORD)
    said = other.manage("import_workshop", str(saved), "--owner", "olivia")
    imported_pk = int(re.search(r"Imported workshop (\d+)", said).group(1))
    assert "nothing added" in other.manage("import_workshop", str(saved), "--owner", "olivia")

    with other.server(tmp_path / "other-server.log") as url:
        context = browser.new_context(viewport=LAPTOP, base_url=url)
        context.set_default_timeout(15_000)
        try:
            there = context.new_page()
            _log_in(there, "olivia")
            there.goto(f"/workshops/{imported_pk}/dashboard/")
            assert _figures(there) == before
            assert _dashboard_text(there) == before_text  # every figure, to the last digit
            there.goto(f"/workshops/{imported_pk}/outcome/?view=read")
            expect(there.get_by_text("Signed off by Ruth Board, CEO").first).to_be_visible()
        finally:
            context.close()

    # Support staff's import page, on this installation (beside the original).
    staff = new_page(LAPTOP)
    staff.goto("/admin/login/")
    staff.get_by_label("Username").fill("sam")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.goto("/staff/import-workshop/")
    staff.get_by_label("Transfer file (.json)").set_input_files(str(saved))
    staff.get_by_label("Facilitator who owns the imported workshop").select_option(label="alice")
    staff.get_by_role("button", name="Import").click()
    expect(staff.get_by_role("status")).to_contain_text("Imported “Mobile strategy 2027”")
    assert_no_serious_axe_violations(staff)
    screenshot(staff, "import-laptop")

    phone = new_page(PHONE)
    missing = []
    # Every request the report page makes answers (static files aside: npm's, see `make assets`).
    phone.on(
        "response",
        lambda r: missing.append(r.url) if r.status >= 400 and "/static/" not in r.url else None,
    )
    _log_in(phone, "alice")
    phone.goto(f"/workshops/{workshop.pk}/report/")
    expect(phone.get_by_role("heading", name="Where they differ, and by how much")).to_be_visible()
    assert_no_serious_axe_violations(phone)
    screenshot(phone, "report-phone")
    assert not missing, missing
