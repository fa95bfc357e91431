"""Integrity lives in the database: constraints hold even when code bypasses the forms."""

import pytest
from django.db import IntegrityError, transaction

from surveys.models import Answer, Question, Response

from ..factories import question

pytestmark = pytest.mark.django_db


def test_one_answer_per_question_and_response(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    scale = question("obj-channels")
    Answer.objects.create(response=response, question=scale, value=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, question=scale, value=4)


def test_an_unknown_answer_cannot_also_hold_a_value(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, question=question("obj-channels"), value=3, is_unknown=True
        )


def test_response_status_is_one_of_its_choices(questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(questionnaire=questionnaire, status="archived")


def test_a_submitted_response_has_a_submission_time(questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(questionnaire=questionnaire, status="submitted")


def test_question_kind_is_one_of_its_choices(questionnaire):
    section = questionnaire.sections.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(section=section, position=99, code="x", kind="essay", prompt="?")
