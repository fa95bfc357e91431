"""The per-process cache of frozen questionnaires' structure (`Questionnaire.cached_sections`)."""

import pytest

from surveys.models import Question, Response

pytestmark = pytest.mark.django_db


def _structure(sections):
    return [
        (s.code, [(q.code, [c.value for c in q.choices.all()]) for q in s.questions.all()])
        for s in sections
    ]


def test_a_frozen_questionnaire_is_read_once_per_process(questionnaire, django_assert_num_queries):
    response = Response.objects.create(questionnaire=questionnaire)
    first = questionnaire.cached_sections(response)
    assert _structure(first) == _structure(questionnaire.ordered_sections())
    with django_assert_num_queries(0):
        again = questionnaire.cached_sections(response)
        assert again is first
        assert _structure(again) == _structure(first)


def test_without_a_response_of_its_own_nothing_is_cached(questionnaire, django_assert_num_queries):
    unsaved = Response(questionnaire=questionnaire)
    with django_assert_num_queries(3):
        questionnaire.cached_sections(unsaved)
    with django_assert_num_queries(3):
        questionnaire.cached_sections(unsaved)


def test_a_change_in_this_process_empties_the_cache(questionnaire, django_assert_num_queries):
    response = Response.objects.create(questionnaire=questionnaire)
    first = questionnaire.cached_sections(response)
    question = Question.objects.filter(section__questionnaire=questionnaire).first()
    question.prompt = "Changed by hand (never done to a frozen questionnaire)"
    question.save(update_fields=["prompt"])
    with django_assert_num_queries(3):
        fresh = questionnaire.cached_sections(response)
    assert fresh is not first
    assert fresh[0].questions.all()[0].prompt.startswith("Changed by hand")
