"""The per-process memo of frozen questionnaires' structure (`Questionnaire.cached_sections`):
keyed by the version's identity, so it never needs clearing."""

import pytest
from django.utils import timezone

from surveys.models import Question, Questionnaire, Response, Section

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


def _by_hand(pk: int, code: str) -> tuple[Questionnaire, Response]:
    questionnaire = Questionnaire.objects.create(
        pk=pk, slug="by-hand", title="By hand", created_at=timezone.now()
    )
    section = Section.objects.create(questionnaire=questionnaire, position=1, code="s", title="S")
    Question.objects.create(section=section, position=1, code=code, kind="text", prompt="Why?")
    return questionnaire, Response.objects.create(questionnaire=questionnaire)


def test_a_row_recreated_under_the_same_pk_is_not_the_version_kept():
    """A test database rolled back, a dump restored: the same pk names another version. Its
    creation time (and digest) are in the key, so the memo never serves the older one."""
    pk = 990_001
    first, response = _by_hand(pk, "before")
    assert _structure(first.cached_sections(response)) == [("s", [("before", [])])]
    response.delete()
    first.delete()
    second, response = _by_hand(pk, "after")
    assert second.pk == pk and second.created_at != first.created_at
    assert _structure(second.cached_sections(response)) == [("s", [("after", [])])]
