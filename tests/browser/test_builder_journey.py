"""A facilitator builds a questionnaire with one question of each kind in the browser, reorders
it with the keyboard, publishes it, and an executive answers it through a workshop."""

import re

import pytest
from playwright.sync_api import expect

from surveys.models import Answer, Questionnaire
from workshops.models import Participant

from ..factories import make_facilitator, run_queued_tasks
from .axe import assert_no_serious_axe_violations
from .conftest import LAPTOP, PHONE, screenshot
from .test_workshop_journey import add_executive, log_in, personal_link

pytestmark = pytest.mark.django_db(transaction=True)

#: The question of each kind: its prompt, and what the facilitator fills in beyond it.
QUESTIONS = [
    ("scale", "How important is mobile?", {}),
    ("single", "Who owns the app?", {"options": ["The CIO", "The CMO", "Jointly"]}),
    ("multi", "Which channels?", {"options": ["Web", "Apps", "Social"]}),
    ("ranking", "Rank the goals", {"options": ["Speed", "Cost", "Reach"]}),
    ("numeric", "Target load time?", {"#id_k-unit": "seconds", "#id_k-max_value": "60"}),
    ("allocation", "Split the budget", {"options": ["Customers", "Employees"]}),
    ("text", "What worries you?", {}),
]


def add_question(page, kind: str, prompt: str, settings: dict) -> None:
    page.get_by_label("Add a question of kind").select_option(kind)
    page.get_by_role("button", name=re.compile(r"^Add")).click()
    page.get_by_label("Question", exact=False).first.fill(prompt)
    for index, label in enumerate(settings.get("options", [])):
        page.locator(f"#id_c-{index}-label").fill(label)
    for selector, value in settings.items():
        if selector.startswith("#"):
            page.locator(selector).fill(value)
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_text("Question saved.")).to_be_visible()


def test_a_facilitator_builds_publishes_and_an_executive_answers(new_page):
    make_facilitator("alice", first_name="Alice")
    page = new_page(LAPTOP)
    log_in(page, "alice")
    page.get_by_role("link", name="Questionnaires").click()
    expect(page.get_by_role("heading", name="Questionnaires", exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Title").fill("Acme questionnaire")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", name="Acme questionnaire")).to_be_visible()

    page.get_by_role("link", name="Add a section").click()
    page.get_by_label("Title").fill("Strategy")
    page.get_by_role("button", name="Save the section").click()
    expect(page.get_by_text("Section saved.")).to_be_visible()

    for kind, prompt, settings in QUESTIONS:
        add_question(page, kind, prompt, settings)
        if kind == "single":
            assert_no_serious_axe_violations(page)  # the editor
            page.get_by_role("link", name="Edit “Who owns the app?”").click()
            assert_no_serious_axe_violations(page)  # a question's form, with its options
            page.get_by_role("link", name="Cancel").click()

    questions = page.locator(".builder-question")
    expect(questions).to_have_count(7)
    # Reordered with the keyboard: the text question moves up one place.
    page.get_by_role("button", name="Move “What worries you?” one place up").focus()
    page.keyboard.press("Enter")
    expect(questions.nth(5)).to_contain_text("What worries you?")
    screenshot(page, "builder-editor-laptop")

    page.get_by_role("button", name="Publish as version 1").click()
    expect(page.get_by_text("Version 1 is published")).to_be_visible()
    built = Questionnaire.objects.get(title="Acme questionnaire")
    assert built.status == "published"

    # A workshop on it, and its CIO answers every question on a phone.
    page.goto("/workshops/new/")
    page.get_by_label("Title").fill("Acme offsite")
    page.get_by_label("Or a new client").fill("Acme")
    page.get_by_label("Questionnaire version").select_option(label=str(built))
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_role("heading", name="Acme offsite")).to_be_visible()
    add_executive(page, "Dana Whitfield", "dana@acme.example", "CIO")
    run_queued_tasks()

    cio = new_page(PHONE)
    cio.goto(personal_link("dana@acme.example"))
    cio.get_by_role("link", name="Start →").click()
    expect(cio.get_by_role("heading", name="Strategy")).to_be_visible()
    fields = cio.locator("fieldset.question")
    fields.nth(0).locator("label.scale-point").nth(3).click()
    fields.nth(1).get_by_label("Jointly").check()
    fields.nth(2).get_by_label("Web").check()
    fields.nth(2).get_by_label("Apps").check()
    for index, select in enumerate(fields.nth(3).locator("select").all()):
        select.select_option(str(index + 1))
    fields.nth(4).locator("input[type=text]").fill("2.5")
    fields.nth(5).locator("textarea").fill("Security, mostly.")  # moved up one place
    shares = fields.nth(6).locator("input[data-share]")
    shares.nth(0).fill("60")
    shares.nth(1).fill("40")
    assert cio.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for index in range(7):  # each answer saves as it is given (the split once it adds up)
        expect(fields.nth(index).locator(".answer-status")).to_contain_text("Saved")
        expect(fields.nth(index).locator(".answer-status")).not_to_contain_text("draft")
    participant = Participant.objects.get(email="dana@acme.example")
    cio.goto(f"/respond/{participant.pk}/review/")
    cio.get_by_role("button", name="Submit my answers").click()
    expect(cio.get_by_role("heading", name="Thank you, your answers are submitted")).to_be_visible()

    response = Participant.objects.get(email="dana@acme.example").response
    stored = {
        a.question.prompt: a.value
        for a in Answer.objects.filter(response=response).select_related("question")
    }
    assert stored == {
        "How important is mobile?": 4,
        "Who owns the app?": "jointly",
        "Which channels?": ["web", "apps"],
        "Rank the goals": ["speed", "cost", "reach"],
        "Target load time?": 2.5,
        "Split the budget": {"customers": 60, "employees": 40},
        "What worries you?": "Security, mostly.",
    }
    assert response.questionnaire == built
