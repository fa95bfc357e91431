"""The consensus dashboard in a real browser: a CIO (on a phone) and a CMO answer the objectives
with designed answers, the facilitator's open dashboard refreshes itself as more answers arrive,
and the labels and the agenda's order are what the scoring rules say. Every dashboard page is
checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD, give_answers, invite, make_facilitator, make_workshop
from ..workshops.test_respond import complete_answers
from .axe import assert_no_serious_axe_violations
from .conftest import LAPTOP, PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

OBJECTIVES = [
    "obj-channels",
    "obj-engagement",
    "obj-mobile-sales",
    "obj-cost-savings",
    "obj-productivity",
    "obj-compliance",
    "obj-talent",
]
CIO_POINTS = [2, 3, 4, 5, 4, 5, 3]
CMO_POINTS = [5, 5, 5, 1, 3, 5, 4]
# By CONSENSUS.md: 2 vs 5 differ, 3 vs 5 partly (one side at the midpoint), 4 vs 5 agree,
# 5 vs 1 differ, 4 vs 3 partly (direction rule), 5 vs 5 agree, 3 vs 4 partly.
EXPECTED = ["Differ", "Partly", "Agree", "Differ", "Partly", "Agree", "Partly"]
# Biggest gap first: cost savings (1 - 0), channels (0.75), engagement (0.5), then the two
# one-step partlys in questionnaire order.
AGENDA = ["obj-cost-savings", "obj-channels", "obj-engagement", "obj-productivity", "obj-talent"]


def answer_objectives(page, points: list[int]) -> None:
    questions = page.locator("fieldset.question")
    for index, point in enumerate(points):
        questions.nth(index).locator("label.scale-point").nth(point - 1).click()
        expect(questions.nth(index).locator(".answer-status")).to_contain_text("Saved")


def test_designed_answers_give_the_labels_and_agenda_and_the_dashboard_follows_live(
    new_page, live_server
):
    alice = make_facilitator("alice", first_name="Alice")
    workshop = make_workshop(alice)
    cio, cmo = invite(workshop, "Dana Whitfield", "cio"), invite(workshop, "Marcus Reyes", "cmo")

    for invitation, points, viewport in ((cio, CIO_POINTS, PHONE), (cmo, CMO_POINTS, LAPTOP)):
        page = new_page(viewport)
        page.goto(invitation.path)
        page.get_by_role("link", name="Start →").click()
        answer_objectives(page, points)
        assert not page.console_errors

    facilitator = new_page(LAPTOP)
    facilitator.goto("/accounts/login/")
    facilitator.get_by_label("Username").fill("alice")
    facilitator.get_by_label("Password").fill(PASSWORD)
    facilitator.get_by_role("button", name="Log in").click()

    # Side by side: each objective carries the label the rules give it, in words.
    facilitator.goto(f"/workshops/{workshop.pk}/comparison/?section=objectives")
    symbols = {"Agree": "✓", "Partly": "≈", "Differ": "✕"}
    for code, label in zip(OBJECTIVES, EXPECTED, strict=True):
        chip = facilitator.locator(f"#q-{code} .cmp-verdict .cg-label")
        expect(chip).to_have_text(f"{symbols[label]} {label}")
    assert_no_serious_axe_violations(facilitator)

    # The agenda: biggest gaps first.
    facilitator.goto(f"/workshops/{workshop.pk}/agenda/")
    titles = facilitator.locator(".agenda-item h3").all_inner_texts()
    assert len(titles) == len(AGENDA)
    assert_no_serious_axe_violations(facilitator)
    facilitator.emulate_media(media="print")
    expect(facilitator.locator(".agenda-tools")).to_be_hidden()
    facilitator.emulate_media(media="screen")

    # The dashboard: too few questions answered for an overall label yet.
    facilitator.goto(f"/workshops/{workshop.pk}/dashboard/")
    overall = facilitator.locator(".dash-overall")
    expect(overall).to_contain_text("Insufficient data")
    expect(overall).to_contain_text("7 of 42")
    assert_no_serious_axe_violations(facilitator)

    # Both finish the questionnaire with the same answers: the open dashboard follows.
    rest = {
        code: value
        for code, value in complete_answers(workshop.questionnaire).items()
        if code not in OBJECTIVES
    }
    for invitation in (cio, cmo):
        invitation.participant.refresh_from_db()  # its response was opened in the browser
        give_answers(invitation, rest, submitted=True)
    expect(overall).to_contain_text("42 of 42", timeout=20_000)
    expect(overall.locator(".overall-figure .cg-label")).not_to_contain_text("Insufficient")
    screenshot(facilitator, "dashboard-live")
    assert not facilitator.console_errors

    # The agenda order, checked against the prompts shown on the comparison page.
    facilitator.goto(f"/workshops/{workshop.pk}/comparison/?section=objectives")
    prompts = {code: facilitator.locator(f"#q-{code}-prompt").inner_text() for code in AGENDA}
    assert titles == [prompts[code] for code in AGENDA]
