"""The whole workshop in real browsers: a facilitator prepares it and invites a CIO and a CMO,
each answers in their own browser (the CIO on a phone), leaves midway and resumes from the
link, the facilitator watches progress arrive without reloading, reveals, and opens the
dashboard."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from workshops.models import Participant

from ..factories import PASSWORD, give_answers, make_facilitator, run_queued_tasks, sent_mail
from ..workshops.test_respond import complete_answers
from .axe import assert_no_serious_axe_violations
from .conftest import LAPTOP, PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# Designed answers to the objectives: the CIO and the CMO agree on compliance and sales,
# and differ sharply on customer channels and cost savings.
CIO_OBJECTIVES = [2, 3, 4, 5, 4, 5, 3]  # channels, engagement, sales, cost, productivity...
CMO_OBJECTIVES = [5, 5, 5, 1, 3, 5, 4]


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your workshops")).to_be_visible()


def add_executive(page, name: str, email: str, role: str) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Add participant"))
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email", exact=True).fill(email)
    form.get_by_label("Role").select_option(label=role)
    form.get_by_role("button", name="Add participant").click()
    expect(page.get_by_text(f"{name} is added and invited by email.")).to_be_visible()


def personal_link(email: str) -> str:
    message = next(m for m in sent_mail() if email in m.to)
    return re.search(r"/p/[\w-]+/", message.body).group(0)


def answer_objectives(page, points: list[int], start: int = 0) -> None:
    questions = page.locator("fieldset.question")
    for index, point in enumerate(points[start:], start=start):
        questions.nth(index).locator("label.scale-point").nth(point - 1).click()
        expect(questions.nth(index).locator(".answer-status")).to_contain_text("Saved")


def test_facilitator_invites_two_executives_who_answer_and_the_dashboard_shows_it(
    new_page, live_server
):
    make_facilitator("alice", first_name="Alice")
    facilitator = new_page(LAPTOP)
    log_in(facilitator, "alice")
    assert_no_serious_axe_violations(facilitator)  # home

    facilitator.get_by_role("link", name="New workshop").first.click()
    assert_no_serious_axe_violations(facilitator)  # workshop form
    facilitator.get_by_label("Title").fill("Mobile strategy offsite")
    facilitator.get_by_label("Or a new client").fill("Contoso Retail")
    facilitator.get_by_role("button", name="Create workshop").click()
    expect(facilitator.get_by_role("heading", name="Mobile strategy offsite")).to_be_visible()
    workshop_url = facilitator.url
    add_executive(facilitator, "Dana Whitfield", "dana@contoso.example", "CIO")
    add_executive(facilitator, "Marcus Reyes", "marcus@contoso.example", "CMO")
    board = facilitator.locator("#board")
    expect(board).to_contain_text("0 of 2 submitted")
    # The invitations wait for the worker; the board shows them go without being reloaded.
    expect(board).to_contain_text("Email queued just now")
    assert mail.outbox == []
    run_queued_tasks()
    expect(board).not_to_contain_text("Email queued", timeout=15_000)
    expect(board).to_contain_text("Emailed just now")
    assert_no_serious_axe_violations(facilitator)  # workshop page with the progress board
    screenshot(facilitator, "journey-board-invited")

    # The CIO answers on a phone, leaves midway, and resumes from the link.
    cio = new_page(PHONE)
    cio.goto(personal_link("dana@contoso.example"))
    cio.get_by_role("link", name="Start →").click()
    answer_objectives(cio, CIO_OBJECTIVES[:4])
    cio.context.close()
    # The board shows the CIO in progress without being reloaded.
    expect(board).to_contain_text("4 of 44 answered", timeout=15_000)

    cio = new_page(PHONE)
    cio.goto(personal_link("dana@contoso.example"))
    cio.get_by_role("link", name="Continue where you left off →").click()
    questions = cio.locator("fieldset.question")
    expect(questions.nth(0).locator("input:checked")).to_have_value("2")
    answer_objectives(cio, CIO_OBJECTIVES, start=4)

    # The CMO answers on a laptop.
    cmo = new_page(LAPTOP)
    cmo.goto(personal_link("marcus@contoso.example"))
    cmo.get_by_role("link", name="Start →").click()
    answer_objectives(cmo, CMO_OBJECTIVES)

    # The rest of the questionnaire is filled in directly, then both submit in the browser.
    questionnaire = Participant.objects.first().workshop.questionnaire
    rest = {
        code: value
        for code, value in complete_answers(questionnaire).items()
        if not code.startswith("obj-") or code == "obj-ranking"
    }
    for page, email in ((cio, "dana@contoso.example"), (cmo, "marcus@contoso.example")):
        participant = Participant.objects.get(email=email)
        give_answers(type("Invitation", (), {"participant": participant})(), rest)
        page.goto(f"/respond/{participant.pk}/review/")
        page.get_by_role("button", name="Submit my answers").click()
        expect(
            page.get_by_role("heading", name="Thank you, your answers are submitted")
        ).to_be_visible()
    screenshot(cio, "journey-submitted-phone")

    expect(board).to_contain_text("2 of 2 submitted", timeout=15_000)
    expect(board).to_contain_text("Nobody to remind")
    screenshot(facilitator, "journey-board-submitted")

    facilitator.get_by_label("Participants can see the results too").check()
    facilitator.get_by_role("button", name="Reveal results…").click()
    expect(facilitator.get_by_text("Participants will also see everyone's")).to_be_visible()
    facilitator.get_by_role("button", name="Reveal the results now").click()
    expect(facilitator.get_by_text("The results are revealed.")).to_be_visible()

    # The CIO now sees everyone's answers, read-only.
    cio.reload()
    cio.get_by_role("link", name="See everyone's answers").click()
    expect(cio.get_by_text("Marcus Reyes").first).to_be_visible()
    assert_no_serious_axe_violations(cio)
    facilitator.goto(facilitator.url.rstrip("/") + "/audit/")
    assert_no_serious_axe_violations(facilitator)  # audit trail
    facilitator.go_back()
    facilitator.get_by_role("link", name="Consensus dashboard").click()
    expect(facilitator.get_by_role("heading", name="Overall alignment")).to_be_visible()
    screenshot(facilitator, "journey-dashboard")

    # A row's actions, by keyboard: "Actions" brings that row's menu, open, its first action
    # focused; Escape closes it; an action posts the board's one form to its own URL.
    facilitator.goto(workshop_url)
    board = facilitator.locator("#board")
    board.get_by_role("button", name="Actions for Marcus Reyes").focus()
    facilitator.keyboard.press("Enter")
    reopen = board.get_by_role("button", name=re.compile("^Reopen answers"))
    expect(reopen).to_be_focused()
    assert facilitator.url == workshop_url  # swapped in place, the page not reloaded
    assert_no_serious_axe_violations(facilitator)  # the board with a participant's menu open
    facilitator.keyboard.press("Escape")
    expect(reopen).to_be_hidden()
    expect(board.locator("summary")).to_be_focused()
    facilitator.keyboard.press("Enter")
    board.get_by_role("button", name=re.compile("^Withdraw link")).focus()
    facilitator.keyboard.press("Enter")
    expect(facilitator.get_by_text("Marcus Reyes's link is withdrawn.")).to_be_visible()
    expect(board).to_contain_text("Link withdrawn just now")
    assert not facilitator.console_errors
    assert not cio.console_errors and not cmo.console_errors
