"""What leaves the app, in a real browser: the facilitator downloads the workshop's transfer
file, the workshop is deleted, support staff import the file from their page, and the imported
workshop's dashboard shows the same figures; the report reads well (axe) on a phone."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from workshops.models import Workshop

from ..factories import PASSWORD, make_facilitator, make_workshop
from ..workshops.populate import populate
from .axe import assert_no_serious_axe_violations
from .conftest import LAPTOP, PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _figures(page) -> list[str]:
    """The dashboard's overall figure and each section's, as shown."""
    overall = page.locator(".dash-overall .big-score").inner_text()
    return [overall, *page.locator(".dash-sections .chart-value").all_inner_texts()]


def test_export_import_gives_the_same_dashboard(new_page, tmp_path):
    alice = make_facilitator("alice", first_name="Alice")
    make_facilitator("sam", is_staff=True, is_superuser=True)
    workshop = make_workshop(alice)
    populate(workshop, 5)

    facilitator = new_page(LAPTOP)
    facilitator.goto("/accounts/login/")
    facilitator.get_by_label("Username").fill("alice")
    facilitator.get_by_label("Password").fill(PASSWORD)
    facilitator.get_by_role("button", name="Log in").click()
    facilitator.goto(f"/workshops/{workshop.pk}/dashboard/")
    before = _figures(facilitator)
    assert before[0].startswith(tuple("0123456789"))

    facilitator.goto(f"/workshops/{workshop.pk}/")
    with facilitator.expect_download() as download:
        facilitator.get_by_role("link", name="Whole workshop as JSON").click()
    saved = tmp_path / "workshop.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text())["workshop"]["title"] == "Mobile strategy 2027"
    Workshop.objects.filter(pk=workshop.pk).delete()

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

    imported = Workshop.objects.get()
    facilitator.goto(f"/workshops/{imported.pk}/dashboard/")
    assert _figures(facilitator) == before

    phone = new_page(PHONE)
    missing = []
    # Every request the report page makes answers (static files aside: npm's, see `make assets`).
    phone.on(
        "response",
        lambda r: missing.append(r.url) if r.status >= 400 and "/static/" not in r.url else None,
    )
    phone.goto("/accounts/login/")
    phone.get_by_label("Username").fill("alice")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.goto(f"/workshops/{imported.pk}/report/")
    expect(phone.get_by_role("heading", name="Where they differ, and by how much")).to_be_visible()
    assert_no_serious_axe_violations(phone)
    screenshot(phone, "report-phone")
    assert not missing, missing
