"""What a response stores about its answers, kept in step by every save.

`Response.answered_count` (questions answered, a "don't know" included), `revision` (one more
with every change) and `updated_at` (the latest change) are written in the transaction that
saves each answer, so that the pages listing many responses read them instead of counting
answers on every request.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.answering import (
    ResponseLocked,
    reopen_response,
    save_answer,
    save_draft,
    submit_response,
)
from surveys.models import Answer, Response

from ..factories import question

pytestmark = pytest.mark.django_db


def stored(response: Response) -> tuple[int, int, object]:
    fresh = Response.objects.get(pk=response.pk)
    return fresh.answered_count, fresh.revision, fresh.updated_at


def test_the_answered_count_follows_each_kind_of_save(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    scale, number = question("obj-channels"), question("kpi-load-time")
    assert stored(response)[0] == 0

    save_answer(response, scale, value=4, is_unknown=False, base_revision=None)  # a first answer
    assert stored(response)[0] == 1
    save_draft(response, number, {f"q{number.pk}": ["fast"]})  # a draft alone is no answer
    assert stored(response)[0] == 1
    save_answer(response, number, value=None, is_unknown=True, base_revision=None)  # over it
    assert stored(response)[0] == 2
    changed = save_answer(response, scale, value=2, is_unknown=False, base_revision=1)
    assert changed.status == "saved" and stored(response)[0] == 2  # a change, still answered
    conflict = save_answer(response, scale, value=5, is_unknown=False, base_revision=1)
    assert conflict.conflict and stored(response)[0] == 2
    save_answer(response, scale, value=None, is_unknown=False, base_revision=2)  # cleared
    assert stored(response)[0] == 1
    save_draft(response, number, {f"q{number.pk}": ["faster"]})  # a draft over an answer
    assert stored(response)[0] == 1
    assert stored(response)[0] == response.count_answered()


def test_every_saved_change_moves_the_response_stamp_and_a_repeat_does_not(questionnaire):
    response = Response.objects.create(questionnaire=questionnaire)
    scale = question("obj-channels")
    save_answer(response, scale, value=4, is_unknown=False, base_revision=None)
    first = stored(response)
    repeat = save_answer(response, scale, value=4, is_unknown=False, base_revision=1)
    assert repeat.status == "unchanged" and stored(response) == first
    save_answer(response, scale, value=3, is_unknown=False, base_revision=1)
    changed = stored(response)
    assert changed[1] == first[1] + 1 and changed[2] > first[2]
    save_draft(response, question("kpi-load-time"), {"q": ["typing"]})  # a draft is a change
    assert stored(response)[1] == changed[1] + 1
    before_submit = stored(response)
    assert submit_response(response)
    assert stored(response)[1] == before_submit[1] + 1
    assert stored(response)[2] > before_submit[2]
    before_reopen = stored(response)
    reopen_response(response)
    assert stored(response)[1] == before_reopen[1] + 1
    assert stored(response)[0] == 1


def test_recounting_repairs_answers_written_outside_answering(questionnaire):
    """Bulk loads, the admin and data fixes write answers directly: `recount_answers` sets the
    stored figures from the answers themselves."""
    response = Response.objects.create(questionnaire=questionnaire)
    Answer.objects.bulk_create(
        [
            Answer(response=response, question=question("obj-channels"), value=3),
            Answer(response=response, question=question("obj-engagement"), is_unknown=True),
            Answer(response=response, question=question("kpi-load-time"), draft={"x": ["y"]}),
        ]
    )
    before = stored(response)
    assert before[0] == 0
    Response.objects.filter(pk=response.pk).recount_answers()
    assert stored(response)[0] == 2
    assert stored(response)[1] == before[1] + 1 and stored(response)[2] > before[2]


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["answer", "unknown", "clear", "draft", "submit", "reopen"]),
        st.sampled_from(["obj-channels", "obj-engagement", "kpi-load-time"]),
        st.booleans(),  # whether the page showed the stored revision (else a stale page)
    ),
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_the_stored_count_equals_the_answers_after_any_sequence(questionnaire, operations):
    response = Response.objects.create(questionnaire=questionnaire)
    for operation, code, current in operations:
        q = question(code)
        if operation == "submit":
            submit_response(response)
            continue
        if operation == "reopen":
            reopen_response(response)
            continue
        answer = Answer.objects.filter(response=response, question=q).first()
        base = answer.revision if answer and current else None
        try:
            if operation == "draft":
                save_draft(response, q, {f"q{q.pk}": ["half typed"]})
            else:
                value = {"answer": 3, "unknown": None, "clear": None}[operation]
                save_answer(
                    response, q, value=value, is_unknown=operation == "unknown", base_revision=base
                )
        except ResponseLocked:  # a submitted response refuses changes: nothing is written
            pass
        assert stored(response)[0] == response.count_answered()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_answers_already_given(questionnaire):
    codes = ("obj-channels", "obj-engagement", "kpi-load-time")
    pks = {code: question(code).pk for code in codes}  # read with today's models, before
    old_apps = _migrate([("surveys", "0002_answer_draft")])
    try:
        OldResponse = old_apps.get_model("surveys", "Response")
        OldAnswer = old_apps.get_model("surveys", "Answer")
        answered = OldResponse.objects.create(questionnaire_id=questionnaire.pk)
        empty = OldResponse.objects.create(questionnaire_id=questionnaire.pk)
        for code, fields in [
            ("obj-channels", {"value": 4}),
            ("obj-engagement", {"is_unknown": True}),
            ("kpi-load-time", {"draft": {"q": ["typing"]}}),
        ]:
            OldAnswer.objects.create(response=answered, question_id=pks[code], **fields)
    finally:
        # Forward through 0003 (the migration under test) to every latest migration: the tests
        # that follow need the later ones too.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert Response.objects.get(pk=answered.pk).answered_count == 2
    assert Response.objects.get(pk=empty.pk).answered_count == 0
