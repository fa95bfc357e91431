"""An executive answers on a phone: a whole section, autosave, leave, resume, submit."""

import time

import pytest
from playwright.sync_api import expect

from surveys.answering import reopen_response, submit_response
from surveys.models import Answer, Question, ResponseStatus
from workshops.models import Participant
from workshops.services import revoke_link

from ..factories import invite, make_facilitator, make_workshop
from .conftest import ARTIFACTS, PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_executive_answers_a_section_on_a_phone_and_resumes_later(new_page, live_server):
    workshop = make_workshop(make_facilitator("alice"))
    cio = invite(workshop, "Dana Whitfield", "cio")
    page = new_page(PHONE)

    page.goto(cio.path)
    assert cio.token not in page.url
    expect(page.get_by_role("heading", name="Joint mobile strategy")).to_be_visible()
    page.get_by_role("link", name="Start →").click()
    expect(page.get_by_role("heading", name="Objectives")).to_be_visible()

    # Seven scale questions: pick a point on each, each saves as it changes.
    questions = page.locator("fieldset.question")
    for index, point in enumerate([5, 4, 4, 2, 3, 5, 3]):
        question = questions.nth(index)
        question.locator("label.scale-point").nth(point - 1).click()
        expect(question.locator(".answer-status")).to_contain_text("Saved")
    # The ranking: a duplicate rank is refused next to the question, then corrected.
    ranking = questions.nth(7)
    selects = ranking.locator("select")
    selects.nth(0).select_option("1")
    selects.nth(1).select_option("1")
    expect(ranking.locator(".answer-status")).to_contain_text("same rank")
    for position in range(7):
        selects.nth(position).select_option(str(position + 1))
    expect(ranking.locator(".answer-status")).to_contain_text("Saved")
    expect(page.locator("#progress")).to_contain_text("8 of 44 answered")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "answer-section-phone")

    participant = Participant.objects.get(pk=cio.participant.pk)
    stored = {
        a.question.code: a.value
        for a in Answer.objects.filter(response=participant.response).select_related("question")
    }
    assert stored["obj-channels"] == 5
    assert stored["obj-talent"] == 3
    assert len(stored["obj-ranking"]) == 7

    # A plain form post (no JavaScript needed) saves the page and moves on.
    page.get_by_role("button", name="Save and continue →").click()
    expect(page.get_by_role("heading", name="Audiences and channels")).to_be_visible()

    # A budget split half done (40 + 30 of 100 %) is kept as a draft, with what is missing.
    split = page.locator("fieldset.question", has=page.locator("[data-allocation]")).first
    shares = split.locator("input[data-share]")
    shares.nth(0).fill("40")
    shares.nth(1).fill("30")
    expect(split.locator(".answer-status")).to_contain_text(
        "Saved as a draft: The shares add up to 70 %"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    split.screenshot(path=str(ARTIFACTS / "answer-draft-phone.png"))

    # The budget split typed in full and the page left at once, before the autosave's one-second
    # pause: what was typed is sent as the page goes away.
    budget = page.locator("fieldset.question", has=page.locator("[data-allocation]")).nth(1)
    budget_shares = budget.locator("input[data-share]")
    for index, share in enumerate(["50", "20", "10", "10", "5", "5"]):
        budget_shares.nth(index).fill(share)
    page.goto("about:blank")
    budget_pk = Question.objects.get(code="aud-budget-split").pk
    deadline = time.monotonic() + 10
    while not Answer.objects.filter(question_id=budget_pk, value__isnull=False).exists():
        assert time.monotonic() < deadline, "the budget split typed before leaving was lost"
        time.sleep(0.1)
    assert sum(Answer.objects.get(question_id=budget_pk).value.values()) == 100

    # Leave and come back on another device: the link resumes where they left off.
    page.context.close()
    other = new_page(PHONE)
    other.goto(cio.path)
    expect(other.get_by_role("link", name="Continue where you left off →")).to_be_visible()
    other.get_by_role("link", name="Continue where you left off →").click()
    expect(other.get_by_role("heading", name="Audiences and channels")).to_be_visible()
    kept = other.locator("fieldset.question", has=other.locator("[data-allocation]")).first
    expect(kept.locator("input[data-share]").nth(0)).to_have_value("40")
    expect(kept.locator("input[data-share]").nth(1)).to_have_value("30")
    expect(kept.locator("[data-allocation-total]")).to_have_text("70")
    # Enter in a box (a phone keyboard's "Go") does what the way forward does, never "Previous":
    # first it says what is not complete, then it continues, leaving the draft for later.
    kept.locator("input[data-share]").nth(1).press("Enter")
    expect(other.get_by_text("Not complete yet")).to_be_visible()
    expect(other.get_by_role("heading", name="Audiences and channels")).to_be_visible()
    other.console_errors.clear()  # a page shown again for what it lacks answers 422, by design
    kept.locator("input[data-share]").nth(1).press("Enter")
    expect(other.get_by_role("heading", name="Ownership")).to_be_visible()
    other.get_by_role("button", name="← Previous").click()
    expect(other.get_by_role("heading", name="Audiences and channels")).to_be_visible()
    other.get_by_role("button", name="← Previous").click()
    expect(other.get_by_role("heading", name="Objectives")).to_be_visible()
    channels_pk = Answer.objects.get(question__code="obj-channels").question_id
    expect(other.locator(f"input[name='q{channels_pk}']:checked")).to_have_value("5")

    # The review page lists what is still required; submit stays disabled until complete.
    other.goto(f"/respond/{participant.pk}/review/")
    expect(other.get_by_role("button", name="Submit my answers")).to_be_disabled()
    assert participant.response.status == ResponseStatus.DRAFT
    assert not other.console_errors

    # Submitted from another device while this page is open: a change here is refused, and the
    # question comes back read-only, showing what is stored (not the point just clicked).
    other.goto(f"/respond/{participant.pk}/section/1/")
    submit_response(participant.response)
    channels = other.locator("fieldset.question").first
    channels.locator("label.scale-point").nth(0).click()
    expect(channels.locator(".answer-status")).to_contain_text(
        "Not saved: Your answers are submitted and can no longer be changed."
    )
    expect(channels).to_have_attribute("disabled", "")
    expect(other.locator(f"input[name='q{channels_pk}']:checked")).to_have_value("5")
    reopen_response(participant.response)

    # The facilitator withdraws the link while the page is open: the next change says it was
    # not saved, and how to get back.
    other.goto(f"/respond/{participant.pk}/section/1/")
    revoke_link(Participant.objects.get(pk=participant.pk), actor=None)
    other.locator("fieldset.question").first.locator("label.scale-point").nth(0).click()
    expect(other.locator("fieldset.question").first.locator(".answer-status")).to_contain_text(
        "Not saved: this page no longer has access to your answers"
    )
    assert Answer.objects.get(question_id=channels_pk).value == 5


def test_text_typed_while_an_earlier_save_is_on_its_way_is_sent_when_the_page_closes(
    new_page, live_server
):
    """A slow save must not mark the question saved when more was typed after it was sent:
    closing the page then would lose the newer text."""
    workshop = make_workshop(make_facilitator("alice"))
    cio = invite(workshop, "Dana Whitfield", "cio")
    page = new_page(PHONE)
    page.goto(cio.path)
    page.goto(f"/respond/{cio.participant.pk}/section/6/")
    text = page.locator("fieldset.question", has=page.locator("textarea")).first
    held = []
    page.route("**/autosave/**", lambda route: held.append(route))  # the network is slow
    text.locator("textarea").fill("First thoughts")
    deadline = time.monotonic() + 10
    while not held:  # the autosave (after a second's pause) is on its way
        assert time.monotonic() < deadline, "no autosave was sent"
        page.wait_for_timeout(100)
    text.locator("textarea").fill("First thoughts, and a second sentence")
    held[0].continue_()
    page.unroute("**/autosave/**")
    expect(text.locator(".answer-status")).to_contain_text("Saved")
    page.goto("about:blank")  # closed before the newer text's own autosave
    code = "val-success"
    deadline = time.monotonic() + 10
    while Answer.objects.filter(question__code=code).values_list("value", flat=True).first() != (
        "First thoughts, and a second sentence"
    ):
        assert time.monotonic() < deadline, "the text typed during the slow save was lost"
        time.sleep(0.1)
