"""What each side thinks the other answered, in a real browser: the CIO on a phone answers a
question and, right after it, what the marketing side will have answered; the facilitator's
dashboard (laptop) shows the prediction beside the real answer and the misperception. Both
pages are checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..factories import (
    PASSWORD,
    give_answers,
    invite,
    make_facilitator,
    make_workshop,
    perception_questionnaire,
    question,
)
from .axe import assert_no_serious_axe_violations
from .conftest import LAPTOP, PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_cio_predicts_the_cmo_and_the_dashboard_shows_the_misperception(new_page, live_server):
    alice = make_facilitator("alice", first_name="Alice")
    workshop = make_workshop(alice, questionnaire=perception_questionnaire())
    cio, cmo = invite(workshop, "Dana Whitfield", "cio"), invite(workshop, "Marcus Reyes", "cmo")
    own = question("own-apps-should", workshop.questionnaire)
    predicted = question("own-apps-should-predicted", workshop.questionnaire)

    phone = new_page(PHONE)
    phone.goto(cio.path)
    phone.goto(f"/respond/{cio.participant.pk}/section/{own.section.position}/")
    mine = phone.locator(f"#question-{own.pk}")
    guess = phone.locator(f"#question-{predicted.pk}")
    expect(guess.locator("legend")).to_contain_text(
        "What do you think the marketing side answered?"
    )
    mine.get_by_label("CIO / IT").check()
    expect(mine.locator(".answer-status")).to_contain_text("Saved")
    guess.get_by_label("CIO / IT").check()
    expect(guess.locator(".answer-status")).to_contain_text("Saved")
    guess.scroll_into_view_if_needed()
    guess.screenshot(
        path=str(
            screenshot(phone, "perception-answering-phone").with_name(
                "perception-prediction-question-phone.png"
            )
        )
    )
    assert_no_serious_axe_violations(phone)
    assert not phone.console_errors

    give_answers(cmo, {"own-apps-should": "cmo", "own-apps-should-predicted": "cio"})

    facilitator = new_page(LAPTOP)
    facilitator.goto("/accounts/login/")
    facilitator.get_by_label("Username").fill("alice")
    facilitator.get_by_label("Password").fill(PASSWORD)
    facilitator.get_by_role("button", name="Log in").click()
    facilitator.goto(f"/workshops/{workshop.pk}/dashboard/")
    part = facilitator.locator("section.perception")
    expect(part).to_contain_text("What each side thinks the other answered")
    expect(part).to_contain_text(
        "CIO expects CMO to answer “CIO / IT”; CMO in fact answered “CMO / marketing”."
    )
    expect(part).to_contain_text("Misperception: CIO expects a clearly different answer from CMO.")
    part.screenshot(
        path=str(
            screenshot(facilitator, "perception-dashboard-laptop").with_name(
                "perception-dashboard-part-laptop.png"
            )
        )
    )
    assert_no_serious_axe_violations(facilitator)
    assert not facilitator.console_errors
