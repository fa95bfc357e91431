"""Drafts: what an executive entered that is not an answer yet is kept, never scored, and goes
away as soon as a valid answer replaces it."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from surveys.answering import (
    DRAFT_MAX_SIZE,
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
    drafted = question_inputs(q, posted)
    inputs = drafted.inputs
    assert set(inputs) == {f"q{pk}-customer-web", f"q{pk}-analytics", f"q{pk}-security"}
    assert inputs[f"q{pk}-analytics"] == ["30"]  # NUL removed
    assert len(inputs[f"q{pk}-security"][0]) <= 5000
    assert drafted.cut  # the 20,000 nines did not fit: the executive is told


def test_a_draft_keeps_only_the_questions_own_inputs_and_at_most_its_size(questionnaire):
    """Made-up names that merely start like the question's (one autosave stored 2.36 MB this
    way) are not its inputs, one value is kept where the page sends one, and the whole draft
    is bounded."""
    q = question("aud-budget-split")
    pk = q.pk
    pairs = [(f"q{pk}-customer-web", "40"), (f"q{pk}-unknown", "1")]
    pairs += [(f"q{pk}-made-up-{n}", "x" * 3000) for n in range(800)]
    pairs += [(f"q{pk}-analytics", "7")] * 50
    pairs += [(f"q{pk}-{choice.value}", "5" * 4000) for choice in q.choices.all()]
    drafted = question_inputs(q, _post(pairs))
    assert all(not name.startswith(f"q{pk}-made-up") for name in drafted.inputs)
    assert drafted.inputs[f"q{pk}-customer-web"] == ["40"]
    assert len(drafted.inputs[f"q{pk}-analytics"]) == 1  # a share is one value
    assert drafted.inputs[f"q{pk}-unknown"] == ["1"]
    kept = sum(len(value) for values in drafted.inputs.values() for value in values)
    assert kept <= DRAFT_MAX_SIZE
    assert drafted.cut and drafted.size == kept
    several = question("aud-customer-channels")  # ticks: as many values as options, no more
    ticks = [(f"q{several.pk}", choice.value) for choice in several.choices.all()] * 3
    drafted = question_inputs(several, _post(ticks))
    assert len(drafted.inputs[f"q{several.pk}"]) == several.choices.count()
    assert drafted.cut


def test_what_fits_in_a_draft_is_kept_without_a_word(questionnaire):
    q = question("aud-budget-split")
    drafted = question_inputs(q, _post([(f"q{q.pk}-customer-web", "40")]))
    assert drafted.inputs == {f"q{q.pk}-customer-web": ["40"]}
    assert not drafted.cut


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
