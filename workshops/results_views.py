"""The participants' read-only results page, once the facilitator has revealed and shared them.

Blind until reveal: before the reveal, or when the facilitator keeps the results to the room,
the page does not exist (404). The participant is resolved only through the session their
personal link started (`access.get_participant_for_session`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from string import ascii_uppercase

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from surveys.models import Answer, Question, Section
from surveys.presenting import display_answer

from .access import NotInQuestionnaire, get_participant_for_session
from .models import Participant


def anonymous_label(index: int) -> str:
    """A, B, … Z, AA, AB, …: a stable letter per participant, in the order they were added."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = ascii_uppercase[remainder] + letters
    return letters


@dataclass(frozen=True)
class Respondent:
    participant: Participant
    label: str
    is_you: bool


@dataclass
class ResultRow:
    respondent: Respondent
    shown: str
    answered: bool


@dataclass
class QuestionResults:
    question: Question
    number: int
    rows: list[ResultRow] = field(default_factory=list)


@dataclass
class SectionResults:
    section: Section
    questions: list[QuestionResults] = field(default_factory=list)


def respondents(
    people: list[Participant], *, you: Participant, anonymous: bool
) -> list[Respondent]:
    """How each participant is named on the results page (names hidden in anonymous mode)."""
    named = []
    for index, person in enumerate(people):
        role = person.get_role_display()
        if anonymous:
            label = gettext("Participant %(letter)s, %(role)s") % {
                "letter": anonymous_label(index),
                "role": role,
            }
        else:
            label = gettext("%(name)s, %(role)s") % {"name": person.name, "role": role}
        named.append(Respondent(participant=person, label=label, is_you=person.pk == you.pk))
    return named


@require_safe
def results(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = get_participant_for_session(request, participant_pk)
    workshop = participant.workshop
    if not (workshop.is_revealed and workshop.results_visible_to_participants):
        raise NotInQuestionnaire(
            participant.pk,
            gettext("The results are not shared yet"),
            gettext(
                "The facilitator decides when everyone's answers are shown, usually in the "
                "workshop."
            ),
        )
    if participant.response is None or not participant.response.is_submitted:
        # Nobody reads the others' answers before giving their own.
        raise NotInQuestionnaire(
            participant.pk,
            gettext("Everyone's answers open once you have submitted yours"),
            gettext("Finish and submit your answers from the review page, then come back here."),
        )
    people = list(
        Participant.objects.active()
        .filter(workshop=workshop, response__status="submitted")
        .order_by("created_at", "pk")
    )
    named = respondents(people, you=participant, anonymous=workshop.anonymous)
    answers = {
        (answer.response_id, answer.question_id): answer
        for answer in Answer.objects.filter(response_id__in=[p.response_id for p in people])
    }
    sections: list[SectionResults] = []
    number = 0
    for section in workshop.questionnaire.ordered_sections():
        shown_section = SectionResults(section=section)
        for question in section.questions.all():
            number += not question.is_prediction  # a prediction shares its question's number
            block = QuestionResults(question=question, number=number)
            for respondent in named:
                answer = answers.get((respondent.participant.response_id, question.pk))
                answered = answer is not None and answer.is_answered
                block.rows.append(
                    ResultRow(
                        respondent=respondent,
                        shown=display_answer(question, answer.value, answer.is_unknown)
                        if answered
                        else gettext("Not answered"),
                        answered=answered,
                    )
                )
            shown_section.questions.append(block)
        sections.append(shown_section)
    return render(
        request,
        "workshops/results.html",
        {
            "participant": participant,
            "workshop": workshop,
            "respondents": named,
            "sections": sections,
            "active_count": workshop.participants.active().count(),
        },
    )
