"""No page is wider than a phone, in every state an executive's answers can be in.

A crawl of empty pages misses faults that need a state: the section tabs once later sections
are marked finished made a 390 px page 442 to 761 px wide (the hidden "(all answered)" text
escaped the scrolling tab strip), and Chromium's phone emulation then missed taps. Each page is
measured at 360 and 390 px: `scrollWidth <= innerWidth`.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.answering import save_draft
from surveys.builder import copy_questionnaire
from surveys.models import Answer, Response, ResponseStatus
from workshops.demo import seed_demo
from workshops.followup import run_again
from workshops.models import DeliveryState, InvitationDelivery, Participant
from workshops.services import revoke_link

from ..factories import default_questionnaire, invite, make_facilitator
from ..reliability.answers import valid_answer
from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (360, 390)


def _answer_sections(invitation, sections, *, skip_last: int = 0) -> Response:
    """Store a valid answer to every question of `sections` (all but the last `skip_last`)."""
    participant = invitation.participant
    response = Response.objects.create(questionnaire=participant.workshop.questionnaire)
    participant.response = response
    participant.save(update_fields=["response"])
    rng = random.Random(7)
    questions = [question for section in sections for question in section.questions.all()]
    kept = questions[: len(questions) - skip_last] if skip_last else questions
    Answer.objects.bulk_create(
        Answer(response=response, question=question, value=valid_answer(question, rng)[1])
        for question in kept
    )
    return response


def _overflow(page) -> tuple[int, int]:
    # clientWidth, not innerWidth: with mobile emulation Chromium widens innerWidth to fit a
    # page that overflows, and the measure would pass a page wider than the screen.
    return page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def _measure(page, paths: list[str], wide: list[str]) -> None:
    for path in paths:
        page.goto(path)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            scroll_width, inner_width = _overflow(page)
            if scroll_width > inner_width:
                wide.append(f"{path} at {width} px: {scroll_width} px wide")


def test_no_page_is_wider_than_a_phone_in_any_state(new_page):
    questionnaire = default_questionnaire()
    workshop, _, _ = seed_demo(questionnaire)  # submitted executives, answers to compare
    sections = list(questionnaire.ordered_sections())
    untouched = invite(workshop, "Ana Lima", "cdo")
    some_finished = invite(workshop, "Ben Okoro", "cdo")
    _answer_sections(some_finished, sections[:3])
    with_draft = invite(workshop, "Cleo Park", "cdo")
    response = _answer_sections(with_draft, sections, skip_last=1)
    drafted = sections[-1].questions.all()[0]
    save_draft(response, drafted, {f"q{drafted.pk}": ["not yet"]})
    all_finished = invite(workshop, "Dev Rao", "cdo")
    _answer_sections(all_finished, sections)
    # The board's longest states: a withdrawn link, an email that failed.
    withdrawn = invite(workshop, "Fay Whitcombe-Harrington", "cdo").participant
    revoke_link(withdrawn, actor=None)
    Participant.objects.filter(pk=withdrawn.pk).update(
        token_revoked_at=timezone.now() - timedelta(minutes=44)
    )
    failed = invite(workshop, "Gus Larkin", "cdo").participant
    InvitationDelivery.objects.create(
        participant=failed,
        state=DeliveryState.FAILED,
        token_hash=failed.token_hash,
        to="gus@example.com",
        subject="Invitation",
        body="(kept for Retry)",
        reason="The mail server could not be reached.",
    )
    submitted = invite(workshop, "Eve Adler", "cdo")
    _answer_sections(submitted, sections)
    Response.objects.filter(pk=submitted.participant.response_id).update(
        status=ResponseStatus.SUBMITTED, submitted_at=timezone.now()
    )

    wide: list[str] = []
    for invitation in (untouched, some_finished, with_draft, all_finished, submitted):
        page = new_page(PHONE)
        page.goto(invitation.path)  # sets the access cookie, lands on the welcome page
        pk = invitation.participant.pk
        paths = [f"/respond/{pk}/"]
        paths += [f"/respond/{pk}/section/{n}/" for n in range(1, len(sections) + 1)]
        paths.append(f"/respond/{pk}/review/")
        _measure(page, paths, wide)

    # A returning executive finds the way back in on the first screen of a phone.
    page = new_page({"width": 390, "height": 700})
    page.goto(some_finished.path)
    resume = page.get_by_role("link", name="Continue where you left off →").bounding_box()
    assert resume["y"] + resume["height"] <= 700

    facilitator = new_page(PHONE)
    facilitator.goto("/accounts/login/")
    facilitator.get_by_label("Username").fill(workshop.owner.username)
    facilitator.get_by_label("Password").fill("common-ground-demo")
    facilitator.get_by_role("button", name="Log in").click()
    facilitator.wait_for_url("**/workshops/")
    pages = ("", "dashboard/", "comparison/", "agenda/", "audit/", "edit/")
    pages += ("run-sheet/", "outcome/", "report/")
    paths = ["/workshops/", *[f"/workshops/{workshop.pk}/{p}" for p in pages]]
    paths.append(f"/clients/{workshop.organisation_id}/")
    # The questionnaire builder: the list, a draft's editor (with the long v3 questions), its
    # details, changes and preview, the library and the import page.
    draft = copy_questionnaire(questionnaire, actor=workshop.owner, title="Our own questions")
    paths += ["/questionnaires/", "/questionnaires/new/", "/questionnaires/library/"]
    paths += ["/questionnaires/import/", f"/questionnaires/{questionnaire.pk}/"]
    paths += [f"/questionnaires/{draft.pk}/{p}" for p in ("", "details/", "changes/", "preview/")]
    _measure(facilitator, paths, wide)
    # In German (longer words), and a follow-up with no answers yet: every section's bar
    # beside "? Zu wenig Daten" (insufficient data).
    follow_up = run_again(
        workshop, actor=workshop.owner, title="Follow-up", questionnaire=questionnaire
    )
    with facilitator.expect_navigation():
        facilitator.evaluate("document.querySelector('button.language-choice[value=de]').click()")
    pages = ("dashboard/", "run-sheet/", "outcome/", "report/")
    paths = [f"/workshops/{w.pk}/{p}" for w in (workshop, follow_up) for p in pages]
    _measure(facilitator, [*paths, f"/workshops/{follow_up.pk}/"], wide)
    assert not wide, "Pages wider than the screen:\n" + "\n".join(wide)


def test_the_measure_sees_a_page_that_is_too_wide(new_page):
    """The control: a page made wider than the screen is reported."""
    make_facilitator("alice")
    page = new_page(PHONE)
    page.goto("/accounts/login/")
    page.evaluate(
        "() => { const wide = document.createElement('div'); wide.style.width = '500px';"
        " wide.style.height = '1px'; document.body.append(wide); }"
    )
    scroll_width, inner_width = _overflow(page)
    assert scroll_width > inner_width
