"""Drafts: what an executive entered that is not an answer yet is kept, never scored, and goes
away as soon as a valid answer replaces it."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from surveys.answering import (
    ResponseLocked,
    question_inputs,
    save_answer,
    save_draft,
    submit_response,
)
from surveys.models import Answer, Response
from surveys.presenting import build_field

from ..factories import question

pytestmark = pytest.mark.django_db


def _post(pairs: list[tuple[str, str]]) -> QueryDict:
    posted = QueryDict(mutable=True)
    for key, value in pairs:
        posted.appendlist(key, value)
    return posted


def test_a_questions_inputs_are_its_own_and_bounded(questionnaire):
    q = question("aud-budget-split")
    pk = q.pk
    posted = _post(
        [
            (f"q{pk}-customer-web", "40"),
            (f"q{pk}-analytics", "3\x000"),
            (f"q{pk}-rev", "7"),  # the revision is not an input of the answer
            (f"q{pk}1", "not mine"),  # question 10x's field, not this one's
            (f"q{pk}0-x", "not mine either"),
            ("go", "next"),
            (f"q{pk}-security", "9" * 20_000),
        ]
    )
    inputs = question_inputs(q, posted)
    assert set(inputs) == {f"q{pk}-customer-web", f"q{pk}-analytics", f"q{pk}-security"}
    assert inputs[f"q{pk}-analytics"] == ["30"]  # NUL removed
    assert len(inputs[f"q{pk}-security"][0]) <= 5000


def test_a_draft_keeps_the_stored_answer_and_its_revision(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("kpi-load-time")
    saved = save_answer(response, q, value=2.0, is_unknown=False, base_revision=None).answer
    draft = save_draft(response, q, {f"q{q.pk}": ["0.1"]})
    stored = Answer.objects.get(pk=saved.pk)
    assert draft.pk == saved.pk
    assert (stored.value, stored.revision) == (2.0, saved.revision)
    assert stored.draft == {f"q{q.pk}": ["0.1"]}
    assert Answer.objects.answered().filter(response=response).count() == 1


def test_a_draft_alone_is_not_an_answer(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("obj-ranking")
    save_draft(response, q, {f"q{q.pk}-engagement": ["1"]})
    stored = Answer.objects.get(response=response, question=q)
    assert stored.value is None and not stored.is_answered
    assert not Answer.objects.answered().filter(response=response).exists()


def test_a_valid_save_clears_the_draft_even_when_the_value_is_unchanged(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("kpi-load-time")
    first = save_answer(response, q, value=2.0, is_unknown=False, base_revision=None).answer
    save_draft(response, q, {f"q{q.pk}": ["fast"]})
    back = save_answer(response, q, value=2.0, is_unknown=False, base_revision=first.revision)
    assert back.status == "saved"
    assert Answer.objects.get(pk=first.pk).draft is None
    save_draft(response, q, {f"q{q.pk}": ["fast"]})
    newer = save_answer(response, q, value=3.0, is_unknown=False, base_revision=first.revision)
    stored = Answer.objects.get(pk=first.pk)
    assert newer.status == "saved" and (stored.value, stored.draft) == (3.0, None)


def test_no_draft_once_submitted(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    submit_response(response)
    with pytest.raises(ResponseLocked):
        save_draft(response, question("kpi-load-time"), {"q1": ["x"]})


def test_a_draft_is_shown_as_entered_with_what_keeps_it_from_counting(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    q = question("aud-budget-split")
    draft = save_draft(response, q, {f"q{q.pk}-customer-web": ["40"]})
    field = build_field(q, 1, draft)
    assert field.drafted
    assert "add up to 40 %" in field.error
    assert [o.share for o in field.options][:2] == ["40", ""]
    plain = build_field(q, 1, None)
    assert not plain.drafted and not plain.error
