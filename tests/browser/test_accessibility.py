"""axe-core on the executive's answering pages and the login page: no serious violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..factories import invite, make_facilitator, make_workshop
from .axe import assert_no_serious_axe_violations, axe_violations
from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_has_no_serious_accessibility_violation(new_page):
    page = new_page()
    page.goto("/accounts/login/")
    assert_no_serious_axe_violations(page)


def test_answering_pages_have_no_serious_accessibility_violation(new_page):
    workshop = make_workshop(make_facilitator("alice"))
    cio = invite(workshop, "Dana Whitfield", "cio")
    page = new_page(PHONE)
    page.goto(cio.path)
    assert_no_serious_axe_violations(page)  # welcome
    sections = len(workshop.questionnaire.ordered_sections())
    for position in range(1, sections + 1):
        page.goto(f"/respond/{cio.participant.pk}/section/{position}/")
        expect(page.locator("fieldset.question").first).to_be_visible()
        assert_no_serious_axe_violations(page)
    # A section with an answer refused, its error shown next to the question.
    page.goto(f"/respond/{cio.participant.pk}/section/1/")
    ranking = page.locator("fieldset.question").filter(has=page.locator("select")).first
    ranking.locator("select").nth(0).select_option("1")
    ranking.locator("select").nth(1).select_option("1")
    expect(ranking.locator(".answer-status")).to_contain_text("same rank")
    assert_no_serious_axe_violations(page)
    # Reopened: the refused ranking is kept as a draft, shown with what keeps it from counting.
    page.goto(f"/respond/{cio.participant.pk}/section/1/")
    expect(page.locator("fieldset.question.has-draft")).to_have_count(1)
    assert_no_serious_axe_violations(page)
    # A number refused is marked invalid for screen readers, and unmarked once it is read.
    page.goto(f"/respond/{cio.participant.pk}/section/4/")
    number = page.locator("fieldset.question input[inputmode=decimal]").first
    number.fill("1_2")
    expect(number).to_have_attribute("aria-invalid", "true")
    number.fill("12")
    expect(number).not_to_have_attribute("aria-invalid", "true")
    page.goto(f"/respond/{cio.participant.pk}/review/")
    expect(page.get_by_text("(draft not finished)")).to_be_visible()
    assert_no_serious_axe_violations(page)
    # The welcome page and the tabs of another section, marking the section with the draft.
    page.goto(f"/respond/{cio.participant.pk}/")
    expect(page.get_by_text("1 answer to finish.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.goto(f"/respond/{cio.participant.pk}/section/2/")
    expect(page.locator(".section-steps li.has-drafts")).to_have_count(1)
    assert_no_serious_axe_violations(page)
    assert not page.console_errors
    # A page the questionnaire does not have: the 404 that leads back.
    page.goto(f"/respond/{cio.participant.pk}/section/99/")
    expect(page.get_by_role("link", name="Back to your questionnaire")).to_be_visible()
    assert_no_serious_axe_violations(page)


def test_the_helper_reports_what_axe_finds(new_page):
    """The control: on a page built to fail, the helper does fail (axe really ran)."""
    page = new_page()
    page.goto("/accounts/login/")
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"/x.png\"><button></button>')"
    )
    assert any(v["id"] == "image-alt" for v in axe_violations(page))
    with pytest.raises(AssertionError, match="button-name|image-alt"):
        assert_no_serious_axe_violations(page)


def test_the_main_pages_in_german_have_no_serious_accessibility_violation(new_page):
    """One German pass: an executive on a phone (welcome, a section, the review) and a German
    facilitator's workshop page and dashboard, with the language switcher on them."""
    from workshops.models import FacilitatorProfile, Workshop

    from ..factories import PASSWORD, give_answers
    from ..workshops.test_respond import complete_answers
    from .conftest import screenshot

    greta = make_facilitator("greta", first_name="Greta")
    FacilitatorProfile.choose(greta, "de")
    workshop = make_workshop(greta, title="Mobile Strategie 2027", organisation="Beispiel AG")
    Workshop.objects.filter(pk=workshop.pk).update(language="de")
    cio = invite(workshop, "Dana Whitfield", "cio")
    cmo = invite(workshop, "Marco Rossi", "cmo")
    give_answers(cmo, complete_answers(workshop.questionnaire), submitted=True)
    page = new_page(PHONE)
    page.goto(cio.path)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name="Sprache: English")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.goto(f"/respond/{cio.participant.pk}/section/4/")
    number = page.locator("fieldset.question input[inputmode=decimal]").first
    number.fill("2,5")
    expect(page.locator("fieldset.question .answer-status").first).to_contain_text("Gespeichert")
    screenshot(page, "german-answering-phone")
    assert_no_serious_axe_violations(page)
    page.goto(f"/respond/{cio.participant.pk}/review/")
    assert_no_serious_axe_violations(page)
    give_answers(cio, complete_answers(workshop.questionnaire))
    desk = new_page()
    desk.goto("/accounts/login/")
    desk.locator("#id_username").fill("greta")
    desk.locator("#id_password").fill(PASSWORD)
    desk.locator("form button[type=submit]").click()
    expect(desk.get_by_role("heading", name="Ihre Workshops")).to_be_visible()
    assert_no_serious_axe_violations(desk)
    desk.goto(f"/workshops/{workshop.pk}/")
    assert_no_serious_axe_violations(desk)
    desk.goto(f"/workshops/{workshop.pk}/dashboard/")
    expect(desk.get_by_role("heading", name="Gesamtübereinstimmung")).to_be_visible()
    screenshot(desk, "german-dashboard-laptop")
    assert_no_serious_axe_violations(desk)
    expect(desk.locator("html")).to_have_attribute("lang", "de")
