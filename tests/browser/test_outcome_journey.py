"""Running the session in a real browser: the facilitator works from the run-sheet on a laptop,
records a decision, a RACI, a shared KPI, two actions and the CEO's sign-off, and the CIO reads
"What we agreed" on a phone once the results are shared. Every new page is checked with axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from workshops.demo import CEO_ANSWERS, CIO_ANSWERS, CMO_ANSWERS
from workshops.models import Action, AgreedOwnership, Decision, SharedKpi, SignOff, Workshop

from ..factories import PASSWORD, give_answers, invite, make_facilitator, make_workshop, question
from .axe import assert_no_serious_axe_violations
from .conftest import LAPTOP, PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_facilitator_runs_the_session_and_the_cio_reads_what_we_agreed(new_page):
    alice = make_facilitator("alice", first_name="Alice")
    workshop = make_workshop(alice)
    cio = invite(workshop, "Dana Whitfield", "cio")
    cmo = invite(workshop, "Marcus Reyes", "cmo")
    ceo = invite(workshop, "Priya Natarajan", "ceo")
    for invitation, answers in ((cio, CIO_ANSWERS), (cmo, CMO_ANSWERS), (ceo, CEO_ANSWERS)):
        give_answers(invitation, answers, submitted=True)

    page = new_page(LAPTOP)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The run-sheet: blocks with time boxes; the load-time target is an item to decide.
    page.goto(f"/workshops/{workshop.pk}/run-sheet/")
    expect(page.get_by_role("heading", name="Run-sheet for the session")).to_be_visible()
    expect(page.locator(".agenda-summary")).to_contain_text("90 minutes planned")
    assert_no_serious_axe_violations(page)
    load_time = question("kpi-load-time")
    item = page.locator(f"#item-{load_time.pk}")
    expect(item.locator(".decision-wanted").first).to_contain_text("Decide a target in seconds.")
    expect(item.locator(".rs-others")).to_contain_text("Priya Natarajan")  # the CEO's answer
    with page.expect_response(lambda r: "/outcome/decision/" in r.url) as saved:
        item.locator(f"#decision{load_time.pk}-state").select_option("agreed")
    assert saved.value.status == 200
    expect(item.locator(".save-status")).to_have_text("✓ Saved")
    # Typing saves as it goes (each save based on the revision the one before returned).
    item.locator("summary", has_text="Agreed position").click()
    item.locator(f"#q{load_time.pk}-input").fill("3")
    with page.expect_response(
        lambda r: "/outcome/decision/" in r.url and "weekly" in (r.request.post_data or "")
    ) as saved:
        item.locator(f"#decision{load_time.pk}-note").fill("Three seconds on 4G, measured weekly")
        item.locator(f"#decision{load_time.pk}-note").press("Tab")
    assert saved.value.status == 200
    decision = Decision.objects.get(workshop=workshop, question=load_time)
    assert (decision.state, decision.position) == ("agreed", 3.0)
    assert decision.note == "Three seconds on 4G, measured weekly"
    screenshot(page, "run-sheet-decision-laptop")

    # What we agreed: the RACI refuses a matrix with no one accountable, then saves.
    page.goto(f"/workshops/{workshop.pk}/outcome/")
    raci = page.locator("#raci-apps")
    with page.expect_response(lambda r: "/outcome/ownership/" in r.url) as refused:
        raci.locator("#id_apps-cio").select_option("R")
    assert refused.value.status == 422
    expect(raci.locator(".save-status")).to_contain_text("No one is accountable")
    with page.expect_response(lambda r: "/outcome/ownership/" in r.url):
        raci.locator("#id_apps-cmo").select_option("A")
    expect(raci.locator(".save-status")).to_have_text("✓ Saved")
    assert AgreedOwnership.objects.get(workshop=workshop, area="apps").cmo == "A"

    # A shared KPI, from scratch, by a facilitator working in German: a target that is not a
    # number first. The page to fix it keeps what was typed, every field inside its box.
    page.get_by_role("button", name="Deutsch").click()
    due = (timezone.localdate() + timedelta(days=90)).isoformat()
    review = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.locator("#id_kpi-new-name").fill("Mobile conversion rate")
    page.locator("#id_kpi-new-unit").fill("%")
    page.locator("#id_kpi-new-current_value").fill("1,8")
    page.locator("#id_kpi-new-target").fill("bald")
    page.locator("#id_kpi-new-owner").fill("Marcus Reyes")
    page.locator("#id_kpi-new-deadline").fill(due)
    page.locator("#id_kpi-new-review_on").fill(review)
    page.get_by_role("button", name="KPI hinzufügen", exact=True).click()
    expect(page.get_by_role("heading", name="Noch nicht gespeichert")).to_be_visible()
    expect(page.locator("#id_kpi-new-current_value")).to_have_value("1,8")
    box = page.locator(".notice-page").bounding_box()
    for field in page.locator(".notice-page form input:visible").all():
        edge = field.bounding_box()
        assert edge["x"] + edge["width"] <= box["x"] + box["width"], field.get_attribute("id")
    page.locator("#id_kpi-new-target").fill("3,5")
    page.get_by_role("button", name="KPI hinzufügen", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Gemeinsamer KPI hinzugefügt.")
    page.get_by_role("button", name="English").click()
    kpi = SharedKpi.objects.get(workshop=workshop)
    assert (kpi.current_value, kpi.target, kpi.unit) == (1.8, 3.5, "%")

    # Two actions: one owned by the CIO, one by someone outside the workshop.
    page.locator("#id_action-new-what").fill("Draft the app brief with marketing")
    page.locator("#id_action-new-owner").select_option(label="Dana Whitfield (CIO)")
    page.locator("#id_action-new-due_on").fill(review)
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".messages")).to_contain_text("Action added.")
    page.locator("#id_action-new-what").fill("Cost the 3-second target")
    page.locator("#id_action-new-owner_name").fill("Sam Okafor, Finance")
    page.locator("#id_action-new-due_on").fill(due)
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".messages")).to_contain_text("Action added.")
    assert sorted(a.owner_label for a in Action.objects.select_related("owner_participant")) == [
        "Dana Whitfield",
        "Sam Okafor, Finance",
    ]
    assert_no_serious_axe_violations(page)

    # The CEO signs off: the outcome is locked.
    expect(page.locator("#id_signed_by")).to_have_value("Priya Natarajan, CEO")
    page.get_by_role("button", name="Record the sign-off and lock the outcome").click()
    expect(page.locator(".sign-off-stamp")).to_contain_text("Signed off by Priya Natarajan, CEO")
    expect(page.locator(f"#decision{load_time.pk}-state")).to_be_disabled()
    assert SignOff.objects.get(workshop=workshop).reopened_at is None
    page.get_by_role("link", name="Read and print").click()
    assert_no_serious_axe_violations(page)
    screenshot(page, "outcome-read-laptop")
    # The one refusal (422, the RACI with no one accountable) is the only error.
    assert [e for e in page.console_errors if "422" not in e] == []

    # The facilitator shares the results; the CIO reads what was agreed on a phone.
    Workshop.objects.filter(pk=workshop.pk).update(
        revealed_at=timezone.now(), results_visible_to_participants=True
    )
    phone = new_page(PHONE)
    phone.goto(cio.path)
    phone.goto(f"/respond/{cio.participant.pk}/agreed/")
    sheet = phone.locator(".agreed-sheet")
    expect(sheet).to_contain_text("Signed off by Priya Natarajan, CEO")
    expect(sheet).to_contain_text("3 seconds")
    expect(sheet).to_contain_text("Mobile conversion rate")
    expect(sheet).to_contain_text("Cost the 3-second target")
    assert_no_serious_axe_violations(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    screenshot(phone, "agreed-phone")
    assert not phone.console_errors
