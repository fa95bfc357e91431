"""How long v3 takes on a phone, estimated from what the executive has to read and do on each
page of the real answering journey, and the welcome page's statement checked against it.

A bot cannot read like a person, so the time is not the bot's: it walks every section on a
phone-sized page and counts the words shown and the inputs each question needs, then applies
stated rates: reading 180 words a minute (survey text on a phone), 2 seconds a tap, 5 seconds
a typed number, 45 seconds a free-text answer, 5 seconds to open a page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from surveys.loading import DEFAULT_QUESTIONNAIRE, load_questionnaire

from .. import figures
from ..factories import invite, make_facilitator, make_workshop
from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

WORDS_PER_MINUTE = 180
SECONDS_PER_TAP = 2
SECONDS_PER_NUMBER = 5
SECONDS_PER_TEXT = 45
SECONDS_PER_PAGE = 5


def _seconds_to_answer(question) -> float:
    """The inputs one question needs: a tap for a point or an option, a few for several
    options, one choice per rank, one number per share, a sentence for free text."""
    kind = question.get_attribute("data-kind") or ""
    if question.locator("textarea").count():
        return SECONDS_PER_TEXT
    if question.locator("select").count():  # a ranking: one choice per rank
        return SECONDS_PER_TAP * 2 * question.locator("select").count()
    numbers = question.locator("input[inputmode='decimal'], input[type='number']").count()
    if numbers:
        return SECONDS_PER_NUMBER * numbers
    if question.locator("input[type='checkbox']").count() > 1 or kind == "multi":
        return SECONDS_PER_TAP * 3
    return SECONDS_PER_TAP


def test_the_welcome_page_states_the_time_a_phone_run_of_v3_takes(new_page, live_server):
    questionnaire, _ = load_questionnaire(DEFAULT_QUESTIONNAIRE)
    workshop = make_workshop(make_facilitator("alice"), questionnaire=questionnaire)
    cio = invite(workshop, "Dana Whitfield", "cio")
    page = new_page(PHONE)
    page.goto(cio.path)
    welcome = page.locator("main").inner_text()
    stated = re.search(r"about (\d+) minutes", welcome)
    assert stated, welcome
    stated_minutes = int(stated.group(1))
    page.get_by_role("link", name="Start →").click()
    expect(page.locator("fieldset.question").first).to_be_visible()
    section_url = re.sub(r"/section/\d+/$", "/section/{}/", page.url)
    words = questions = 0
    seconds = 0.0
    for number in range(1, questionnaire.sections.count() + 1):
        page.goto(section_url.format(number))
        fields = page.locator("fieldset.question")
        expect(fields.first).to_be_visible()
        words += len(page.locator("main").inner_text().split())
        questions += fields.count()
        seconds += SECONDS_PER_PAGE + sum(
            _seconds_to_answer(fields.nth(i)) for i in range(fields.count())
        )
    seconds += 60 * words / WORDS_PER_MINUTE
    minutes = seconds / 60
    figures.note(
        "v3 phone run",
        f"v3 on a phone: {questions} questions on screen, {words} words, "
        f"about {round(minutes)} minutes estimated; the welcome page says {stated_minutes}",
    )
    assert questions >= 45
    # The statement is the estimate, rounded to the nearest five minutes.
    assert abs(stated_minutes - minutes) <= 2.5, (stated_minutes, minutes, words, questions)
