"""The executive's side: open a personal link, answer section by section, review, submit.

Every view resolves the participant through `access.get_participant_for_session`, which only
knows participants whose personal link this browser opened.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.client_address import client_address
from config.middleware import checks_form_values_itself
from surveys.answering import (
    AnswerError,
    ResponseLocked,
    parse_answer,
    question_inputs,
    save_answer,
    save_draft,
    submit_response,
)
from surveys.kinds import kind_for
from surveys.models import Answer, Question, Response, Section
from surveys.presenting import QuestionField, build_field, display_answer, render_field

from .access import (
    NotInQuestionnaire,
    get_participant_for_session,
    remember_participant,
    speak_their_language,
)
from .dashboard.freshness import note_answers_changed
from .forms import LanguageForm
from .models import LinkGuessWindow, Participant, ReplacedLink, Side, hash_token
from .paths import each_path

# Personal links that match nobody, per client address and hour, answered as a miss; the ones
# after that get the 429. A current link opens whatever its address's count.
TOKEN_FAILURES_PER_HOUR = 30

logger = logging.getLogger(__name__)


def _no_referrer(view):  # noqa: ANN001, ANN202
    """The token is in this URL: nothing loaded from its responses may carry it as a Referer."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


@require_safe
@_no_referrer
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: start a session for this participant and drop the token from the URL.

    The link is looked up first (one indexed query), so a current link always opens, whatever
    others behind the same address have tried. Only a miss is counted against its address: an
    old, replaced link is not a guess, and over the limit a miss gets the 429 rather than a
    plain "not found", which makes guessing noisy and cheap to refuse.
    """
    token_hash = hash_token(token[:200])
    participant = (
        Participant.objects.active()
        .select_related("workshop", "response")
        .filter(token_hash=token_hash)
        .first()
    )
    if participant is None:
        if replaced := _replaced_link(request, token_hash):
            return replaced
        address = client_address(request) or "unknown"
        misses = LinkGuessWindow.count_miss(address)
        if misses > TOKEN_FAILURES_PER_HOUR:
            if misses == TOKEN_FAILURES_PER_HOUR + 1:
                logger.warning(
                    "Link guessing: %s opened %d links that match nobody within an hour; "
                    "its further misses are refused until the hour is over.",
                    address,
                    misses,
                )
            refused = render(request, "respond/link_throttled.html", status=429)
            refused["Retry-After"] = str(int(LinkGuessWindow.LENGTH.total_seconds()))
            return refused
        return render(request, "respond/link_invalid.html", status=404)
    speak_their_language(request, participant)
    if participant.token_revoked_at is not None:
        return render(request, "respond/link_revoked.html", status=410)
    if not participant.workshop.accepts_answers:
        return render(
            request, "respond/workshop_closed.html", {"workshop": participant.workshop}, status=410
        )
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if participant.response_id is None:
            participant.response = Response.objects.create(
                questionnaire=participant.workshop.questionnaire
            )
        now = timezone.now()
        participant.first_opened_at = participant.first_opened_at or now
        participant.last_activity_at = now
        participant.save(update_fields=["response", "first_opened_at", "last_activity_at"])
    return remember_participant(
        redirect("workshops:respond", participant_pk=participant.pk), participant
    )


def _replaced_link(request: HttpRequest, token_hash: str) -> HttpResponse | None:
    """An older link of someone still in the workshop: say that a newer one was issued, when,
    and how it reached them (only the holder of the old link can see this)."""
    replaced = (
        ReplacedLink.objects.filter(token_hash=token_hash, participant__removed_at__isnull=True)
        .select_related("participant__workshop__owner")
        .first()
    )
    if replaced is None:
        return None
    participant = replaced.participant
    speak_their_language(request, participant)
    if participant.token_revoked_at is not None:
        return render(request, "respond/link_revoked.html", status=410)
    if not participant.workshop.accepts_answers:  # a newer link would not help
        return render(
            request, "respond/workshop_closed.html", {"workshop": participant.workshop}, status=410
        )
    invited_at = participant.invited_at
    owner = participant.workshop.owner
    return render(
        request,
        "respond/link_replaced.html",
        {
            "facilitator": owner.get_full_name() or owner.get_username(),
            "newer_link_at": participant.token_created_at,
            # The current link went out by email (a reminder, a resent invitation), or the
            # facilitator passes it on themselves.
            "emailed": invited_at is not None and invited_at >= participant.token_created_at,
        },
        status=410,
    )


#: What a side is asked in a prediction question ("What do you think the other side
#: answered?"): the technology side predicts the marketing side and the reverse; the business
#: side (the CEO...) is not asked, and its pages leave the prediction questions out
#: (`PREDICTING_SIDES`).
PREDICTION_PROMPT = {
    Side.TECHNOLOGY: gettext_lazy("What do you think the marketing side answered?"),
    Side.MARKETING: gettext_lazy("What do you think the technology side answered?"),
}


def _sections_for(participant: Participant, response: Response) -> list:
    """The questionnaire's sections as this participant answers them: with the prediction
    questions only for a side that is asked them (`PREDICTION_PROMPT`)."""
    # The participant has a response, so its questionnaire is frozen: its structure is cached.
    return response.questionnaire.cached_sections(
        response, predictions=participant.side in PREDICTION_PROMPT
    )


def _field(
    participant: Participant, question: Question, number: int, answer, **state
) -> QuestionField:  # noqa: ANN001
    """`build_field`, a prediction question asking what the participant's other side answered."""
    field = build_field(question, number, answer, **state)
    if question.is_prediction:
        field.prediction_prompt = str(PREDICTION_PROMPT.get(participant.side, ""))
    return field


def _load(request: HttpRequest, participant_pk: int) -> tuple[Participant, list, dict]:
    """The participant, the questionnaire's sections and their answers by question id."""
    participant = get_participant_for_session(request, participant_pk)
    if participant.response is None:
        raise Http404("Open your personal link again.")
    response = participant.response
    sections = _sections_for(participant, response)
    answers = {answer.question_id: answer for answer in response.answers.all()}
    return participant, sections, answers


def _progress(sections: list, answers: dict | int) -> dict[str, int]:
    """How far the executive is: `answers` by question id, or the number answered."""
    total = sum(len(section.questions.all()) for section in sections)
    if isinstance(answers, int):
        answered = answers
    else:
        answered = sum(1 for answer in answers.values() if answer.is_answered)
    return _progress_figures(answered, total)


def _progress_figures(answered: int, total: int) -> dict[str, int]:
    return {
        "answered": answered,
        "total": total,
        "percent": round(100 * answered / total) if total else 0,
    }


@dataclass(frozen=True)
class SectionStep:
    """One section as the welcome page and the section tabs show it: how much is answered and
    how many answers wait as drafts (entered, not complete yet, not counted)."""

    number: int
    section: Section
    url: str
    answered: int
    total: int
    drafts: int

    @property
    def complete(self) -> bool:
        return self.answered == self.total


#: One section tab of `section.html`'s nav, by its state; the marks are spelled out for screen
#: readers.
_TAB = {
    "current": '<li class="current"><a href="{}" aria-current="step">{}</a></li>',
    "drafts": '<li class="has-drafts"><a href="{}"><span class="step-mark" aria-hidden="true">'
    '!</span>{}<span class="visually-hidden"> ({})</span></a></li>',
    "complete": '<li class="is-complete"><a href="{}"><span class="step-mark" '
    'aria-hidden="true">✓</span>{}<span class="visually-hidden"> ({})</span></a></li>',
    "open": '<li><a href="{}">{}</a></li>',
}


def _tabs(steps: list[SectionStep], position: int) -> SafeString:
    """The section tabs: the current one, the finished ones (✓) and those with a draft waiting
    (!). Built here rather than in a template loop: they are on every answering page, and this
    takes a tenth of the time."""
    tabs = []
    for step in steps:
        if step.number == position:
            tab = format_html(_TAB["current"], step.url, step.section.text("title"))
        elif step.drafts:
            drafts = ngettext(
                "%(count)d draft to finish", "%(count)d drafts to finish", step.drafts
            ) % {"count": step.drafts}
            tab = format_html(_TAB["drafts"], step.url, step.section.text("title"), drafts)
        elif step.complete:
            tab = format_html(
                _TAB["complete"], step.url, step.section.text("title"), gettext("all answered")
            )
        else:
            tab = format_html(_TAB["open"], step.url, step.section.text("title"))
        tabs.append((tab,))
    return format_html_join("\n", "{}", tabs)


def _steps(
    participant_pk: int, sections: list, answers: dict
) -> tuple[list[SectionStep], dict[str, int]]:
    """Each section's step, and the progress over all of them (one pass over the questions)."""
    steps = []
    # Each section's URL from one resolved URL (section 0's), its number put in its place.
    url = each_path("workshops:respond_section", participant_pk)
    for number, section in enumerate(sections, start=1):
        questions = section.questions.all()
        answered = drafts = 0
        if answers:  # nothing to count before the first answer
            for question in questions:
                answer = answers.get(question.pk)
                if answer is not None:
                    answered += answer.is_answered
                    drafts += answer.draft is not None
        steps.append(SectionStep(number, section, url(number), answered, len(questions), drafts))
    progress = _progress_figures(sum(s.answered for s in steps), sum(s.total for s in steps))
    return steps, progress


def _closed_page(request: HttpRequest, participant: Participant) -> HttpResponse | None:
    if not participant.workshop.accepts_answers:
        return render(
            request, "respond/workshop_closed.html", {"workshop": participant.workshop}, status=410
        )
    return None


@require_safe
def respond(request: HttpRequest, participant_pk: int) -> HttpResponse:
    """Resume where the executive left off: the welcome page, or their last section."""
    participant, sections, answers = _load(request, participant_pk)
    if closed := _closed_page(request, participant):
        return closed
    if participant.response.is_submitted:
        return redirect("workshops:respond_review", participant_pk=participant.pk)
    steps, progress = _steps(participant.pk, sections, answers)
    return render(
        request,
        "respond/welcome.html",
        {
            "participant": participant,
            "workshop": participant.workshop,
            "questionnaire": participant.response.questionnaire,
            "steps": steps,
            "drafts": sum(step.drafts for step in steps),
            "progress": progress,
            "resume_section": min(max(participant.response.last_section, 1), len(sections)),
            "has_started": bool(answers),
        },
    )


SUBMITTED_ALREADY = gettext_lazy("Your answers are submitted and can no longer be changed.")
WORKSHOP_CLOSED = gettext_lazy("This workshop is closed: answers can no longer change.")


#: How fresh "last activity" is kept: the facilitator's board says "just now" for anything
#: under a minute, so writing it on every request (every autosave) would add a write and tell
#: nobody anything more.
ACTIVITY_RESOLUTION = timedelta(seconds=30)


def _touch(participant: Participant) -> None:
    """Record the executive's activity, at most every ACTIVITY_RESOLUTION."""
    now = timezone.now()
    last = participant.last_activity_at
    if last is not None and timedelta(0) <= now - last < ACTIVITY_RESOLUTION:
        return
    Participant.objects.filter(pk=participant.pk).update(last_activity_at=now)
    participant.last_activity_at = now


@require_http_methods(["GET", "HEAD", "POST"])
@checks_form_values_itself
def section(request: HttpRequest, participant_pk: int, position: int) -> HttpResponse:
    """One section's questions. A plain POST saves every question (works without JavaScript)."""
    participant, sections, answers = _load(request, participant_pk)
    if closed := _closed_page(request, participant):
        return closed
    if not 1 <= position <= len(sections):
        raise NotInQuestionnaire(participant.pk, gettext("There is no such section"))
    current = sections[position - 1]
    response = participant.response
    errors: dict[int, str] = {}
    statuses: dict[int, str] = {}
    cut_drafts: dict[int, int] = {}
    drafts_only = False
    if request.method == "POST":
        if response.is_submitted:
            messages.info(request, SUBMITTED_ALREADY)
            return redirect("workshops:respond_review", participant_pk=participant.pk)
        for question in current.questions.all():
            outcome = _save_posted(response, question, request.POST)
            if outcome.error:
                errors[question.pk] = outcome.error
            if outcome.status:
                statuses[question.pk] = outcome.status
            if outcome.draft_cut_to is not None:
                cut_drafts[question.pk] = outcome.draft_cut_to
            if outcome.answer is not None:
                answers[question.pk] = outcome.answer
        _touch(participant)
        go = request.POST.get("go", "next")
        drafted = [pk for pk, status in statuses.items() if status == "draft"]
        # "Save and continue" shows what is not complete yet; going back, or continuing anyway,
        # never waits for it (what was entered is kept as a draft either way).
        blocking = set(errors) - set(drafted) if go in ("previous", "later") else set(errors)
        conflicted = "conflict" in statuses.values()
        if not blocking and not conflicted:
            if drafted:
                # Kept, so nothing stops the executive from moving on: tell them what waits.
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d answer on “%(section)s” is kept as a draft and not counted "
                        "yet: finish it whenever you like (the review page lists drafts).",
                        "%(count)d answers on “%(section)s” are kept as a draft and not counted "
                        "yet: finish them whenever you like (the review page lists drafts).",
                        len(drafted),
                    )
                    % {"count": len(drafted), "section": current.text("title")},
                )
            if go == "previous" and position > 1:
                target = position - 1
            elif go == "stay" or position == len(sections):
                target = position
            else:
                target = position + 1
            if response.last_section != target:  # reopening the link resumes there
                Response.objects.filter(pk=response.pk).update(last_section=target)
            if go in ("next", "later") and position == len(sections):
                return redirect("workshops:respond_review", participant_pk=participant.pk)
            return redirect("workshops:respond_section", participant.pk, target)
        if set(errors) <= set(drafted) and not conflicted:
            drafts_only = True
            messages.warning(
                request,
                gettext(
                    "Not complete yet: see the messages next to the answers. What you entered "
                    "is saved as a draft; finish it now, or continue and come back to it later."
                ),
            )
        else:
            messages.error(
                request,
                gettext(
                    "Some answers need your attention: see the messages next to them. What you "
                    "entered there is kept as a draft; everything else on this page is saved."
                ),
            )
    else:
        # Reading a section changes nothing but the (throttled) activity time: where to resume
        # is where the executive last answered or saved a page.
        _touch(participant)
    number = _question_number(sections, current, 0) - 1
    autosave_url = _autosave_urls(request.path, participant.pk)
    fields = []
    for question in current.questions.all():
        number += not question.is_prediction  # a prediction shares its question's number
        field = _field(
            participant,
            question,
            number,
            answers.get(question.pk),
            posted=request.POST if question.pk in errors else None,
            error=errors.get(question.pk, ""),
            status=statuses.get(question.pk, ""),
            draft_cut_to=cut_drafts.get(question.pk),
        )
        fields.append(_rendered(field, autosave_url(question), response))
    steps, progress = _steps(participant.pk, sections, answers)
    return render(
        request,
        "respond/section.html",
        {
            "participant": participant,
            "workshop": participant.workshop,
            "sections": sections,
            "tabs": _tabs(steps, position),
            "section": current,
            "position": position,
            "section_count": len(sections),
            "fields": fields,
            "progress": progress,
            "locked": response.is_submitted,
            "drafts_only": drafts_only,
        },
        status=422 if errors else 200,
    )


def _rendered(
    field: QuestionField, autosave_url: str, response: Response, *, locked: bool | None = None
) -> QuestionField:
    """The question as the section page shows it (`field.html`), posting to `autosave_url`;
    read-only once the response is submitted (or when `locked` says so)."""
    field.autosave_url = autosave_url
    render_field(
        field,
        template_name="respond/_question.html",
        locked=response.is_submitted if locked is None else locked,
        structure_key=response.questionnaire.structure_key,
    )
    return field


def _autosave_url(page: str, participant_pk: int, question: Question) -> str:
    """Where the question posts its answer, relative to the page at path `page` (say
    "../../autosave/7/"): the same for every executive, so that the rendered question is too."""
    return _autosave_urls(page, participant_pk)(question)


def _autosave_urls(page: str, participant_pk: int) -> Callable[[Question], str]:
    """`_autosave_url` for many questions of one page: the URL is resolved once (for question
    0) and each question's id put in its place, rather than resolved once per question."""
    url = each_path("workshops:respond_autosave", participant_pk)
    relative = posixpath.relpath(url(0), page.rstrip("/") or "/").removesuffix("/0")
    return lambda question: f"{relative}/{question.pk}/"


def _question_number(sections: list, current: object, index: int) -> int:
    """The number of the question at `index` in `current`: questions are numbered through
    the questionnaire, a prediction sharing the number of the question it follows."""
    before = 0
    for other in sections:
        if other is current:
            return before + sum(
                1 for q in list(other.questions.all())[: index + 1] if not q.is_prediction
            )
        before += sum(1 for q in other.questions.all() if not q.is_prediction)
    return before + index + 1


class _Outcome:
    def __init__(
        self,
        status: str = "",
        error: str = "",
        answer: Answer | None = None,
        note: str = "",
        answered_changed: bool = False,
        answered_count: int | None = None,
        draft_cut_to: int | None = None,
    ) -> None:
        self.status = status
        self.error = error
        self.answer = answer
        self.note = note
        self.answered_changed = answered_changed
        #: How many questions the response answers, when that changed (read with the change).
        self.answered_count = answered_count
        #: The characters the draft kept when what was entered did not all fit.
        self.draft_cut_to = draft_cut_to


def _save_posted(response: Response, question: Question, posted) -> _Outcome:  # noqa: ANN001
    try:
        value, is_unknown = parse_answer(question, posted)
    except AnswerError as error:
        # Not an answer yet: keep what was entered as a draft, so that nothing is lost.
        drafted = question_inputs(question, posted)
        try:
            draft = save_draft(response, question, drafted.inputs)
        except ResponseLocked:
            return _Outcome(status="refused", error=SUBMITTED_ALREADY)
        return _Outcome(
            status="draft",
            error=str(error),
            answer=draft,
            draft_cut_to=drafted.size if drafted.cut else None,
        )
    raw_revision = posted.get(f"q{question.pk}-rev", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses (was a 500).
    base_revision = (
        int(raw_revision)
        if raw_revision.isascii() and raw_revision.isdigit() and len(raw_revision) <= 9
        else None
    )
    try:
        result = save_answer(
            response, question, value=value, is_unknown=is_unknown, base_revision=base_revision
        )
    except ResponseLocked:
        return _Outcome(status="refused", error=SUBMITTED_ALREADY)
    if result.conflict:
        shown = display_answer(question, result.answer.value, result.answer.is_unknown)
        return _Outcome(
            status="conflict",
            error=gettext(
                "This answer was changed in another tab or device to: %(answer)s. "
                "It was kept: check it and change it again if you wish."
            )
            % {"answer": shown},
            answer=result.answer,
        )
    note = ""
    if result.status == "saved" and kind_for(question).rounded(question, posted, value):
        note = display_answer(question, value, False)
    return _Outcome(
        status=result.status,
        answer=result.answer,
        note=note,
        answered_changed=result.answered_changed,
        answered_count=result.answered_count,
    )


@require_POST
@checks_form_values_itself
def autosave(request: HttpRequest, participant_pk: int, question_pk: int) -> HttpResponse:
    """Save one question as it changes (htmx); answers with the question's status line."""
    participant = get_participant_for_session(request, participant_pk, for_page=False)
    response = participant.response
    if response is None:
        raise Http404("Open your personal link again.")
    sections = _sections_for(participant, response)
    found = next(
        (
            (position, q)
            for position, s in enumerate(sections, start=1)
            for q in s.questions.all()
            if q.pk == question_pk
        ),
        None,
    )
    if found is None:
        raise NotInQuestionnaire(participant.pk, gettext("There is no such question"))
    position, question = found
    if not participant.workshop.accepts_answers:
        outcome = _Outcome(status="refused", error=WORKSHOP_CLOSED)
    elif response.is_submitted:
        outcome = _Outcome(status="refused", error=SUBMITTED_ALREADY)
    else:
        outcome = _save_posted(response, question, request.POST)
        _touch(participant)
    answer = outcome.answer
    if answer is None:  # refused, or still unanswered: show what is stored, if anything
        answer = response.answers.filter(question=question).first()
    if outcome.status in ("conflict", "refused"):
        return _whole_question(
            participant, sections, position, question, answer, outcome, request.POST
        )
    field = build_field(
        question,
        0,
        answer,
        error=outcome.error,
        status=outcome.status,
        note=outcome.note,
        draft_cut_to=outcome.draft_cut_to,
    )
    return render(
        request,
        "respond/_autosave_result.html",
        {
            "field": field,
            # The progress bar changes only when the question was answered or un-answered.
            "progress": _progress(sections, outcome.answered_count)
            if outcome.answered_count is not None
            else None,
            "participant": participant,
            "position": position,
            "section_count": len(sections),
        },
        status=200 if not outcome.error or outcome.status in ("conflict", "draft") else 422,
    )


def _whole_question(
    participant: Participant,
    sections: list,
    position: int,
    question: Question,
    answer: Answer | None,
    outcome: _Outcome,
    posted: QueryDict,
) -> HttpResponse:
    """A newer answer from another tab or device was kept, or the change was refused (the
    answers were submitted elsewhere, the workshop closed): the whole question is sent back
    showing what is stored (not just the message), so that what is ticked is what is stored;
    read-only when nothing can change any more. A refused question the executive typed into
    (text, a number, shares) keeps what they typed, to copy: it would be lost otherwise."""
    current = sections[position - 1]
    index = next(i for i, q in enumerate(current.questions.all()) if q.pk == question.pk)
    refused = outcome.status == "refused"
    # A kind answered by typing shows what a refused change held, not the stored answer.
    keep_typed = refused and kind_for(question).typed
    field = _field(
        participant,
        question,
        _question_number(sections, current, index),
        answer,
        posted=posted if keep_typed else None,
        error=f"{outcome.error} What you typed is shown here, not stored: copy it if you need it."
        if keep_typed
        else outcome.error,
        status=outcome.status,
    )
    page = reverse("workshops:respond_section", args=[participant.pk, position])
    autosave_url = _autosave_url(page, participant.pk, question)
    rendered = _rendered(field, autosave_url, participant.response, locked=refused)
    reply = HttpResponse(rendered.html, status=422 if refused else 200)
    reply["HX-Retarget"] = f"#{field.dom_id}"
    reply["HX-Reswap"] = "outerHTML"
    return reply


@require_POST
def language(request: HttpRequest, participant_pk: int) -> HttpResponse:
    """The executive's language switcher: their pages, and the emails they get from now on, in
    the language they pick (kept on the participant, so any device and any later visit has
    it). Back to the page they were on; an unknown language changes nothing."""
    participant = get_participant_for_session(request, participant_pk, for_page=False)
    form = LanguageForm(request.POST)
    if form.is_valid():
        Participant.objects.filter(pk=participant.pk).update(language=form.cleaned_data["language"])
    own_pages = reverse("workshops:respond", args=[participant.pk])
    wanted = request.POST.get("next", "")
    # Only one of their own pages: their access cookie is scoped to those.
    if not (
        wanted.isprintable()
        and " " not in wanted
        and (posixpath.normpath(wanted) + "/").startswith(own_pages)
    ):
        wanted = own_pages
    return HttpResponseRedirect(wanted)


@require_safe
def review(request: HttpRequest, participant_pk: int) -> HttpResponse:
    """Every answer at a glance, the required questions still open, and the submit button."""
    participant, sections, answers = _load(request, participant_pk)
    rows = []
    missing = []
    drafts = []
    for position, sec in enumerate(sections, start=1):
        for question in sec.questions.all():
            answer = answers.get(question.pk)
            answered = answer is not None and answer.is_answered
            draft_problem = ""
            if answer is not None and answer.draft is not None:
                draft_problem = build_field(question, 0, answer).error or gettext("Not finished.")
                if answered or not question.required:  # else it is listed among the missing
                    drafts.append({"question": question, "position": position})
            rows.append(
                {
                    "section": sec,
                    "position": position,
                    "question": question,
                    "shown": display_answer(question, answer.value, answer.is_unknown)
                    if answered
                    else "",
                    "answered": answered,
                    "draft_problem": draft_problem,
                    "prediction_prompt": PREDICTION_PROMPT.get(participant.side, "")
                    if question.is_prediction
                    else "",
                }
            )
            if question.required and not answered:
                missing.append(
                    {"question": question, "position": position, "drafted": bool(draft_problem)}
                )
    return render(
        request,
        "respond/review.html",
        {
            "participant": participant,
            "workshop": participant.workshop,
            "rows": rows,
            "missing": missing,
            "drafts": drafts,
            "draft_count": sum(1 for answer in answers.values() if answer.draft is not None),
            "sections": sections,
            "progress": _progress(sections, answers),
            "submitted": participant.response.is_submitted,
            "closed": not participant.workshop.accepts_answers,
        },
    )


@require_POST
def submit(request: HttpRequest, participant_pk: int) -> HttpResponse:
    """Submit once; a double submit lands on the same confirmation, nothing changes twice."""
    participant, sections, answers = _load(request, participant_pk)
    if closed := _closed_page(request, participant):
        return closed
    missing = [
        q
        for s in sections
        for q in s.questions.all()
        if q.required and not (q.pk in answers and answers[q.pk].is_answered)
    ]
    if missing and not participant.response.is_submitted:
        messages.error(
            request,
            ngettext(
                "%(count)d required question still to answer: it is listed below.",
                "%(count)d required questions still to answer: they are listed below.",
                len(missing),
            )
            % {"count": len(missing)},
        )
        return redirect("workshops:respond_review", participant_pk=participant.pk)
    drafts = sum(1 for answer in answers.values() if answer.draft is not None)
    seen = request.POST.get("unfinished_seen", "")
    if drafts and not participant.response.is_submitted and seen != str(drafts):
        # Unfinished drafts the review page did not show (another tab made them meanwhile):
        # submitting drops them, so the executive must see them first.
        messages.warning(
            request,
            gettext(
                "Some answers have unfinished changes, listed below: finish them, or submit "
                "again to keep your last complete answers."
            ),
        )
        return redirect("workshops:respond_review", participant_pk=participant.pk)
    with transaction.atomic():
        submitted = submit_response(participant.response)
        if submitted:
            note_answers_changed(participant.response.pk)
    if submitted:
        _touch(participant)
    return redirect(reverse("workshops:respond_review", args=[participant.pk]))
