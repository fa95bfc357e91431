"""Versions in the builder: a workshop's answers on an old version keep their meaning and score
after a new version is published; follow-ups compare the questions whose identity holds; a
prediction companion follows its question; a scale's polarity is a setting."""

import pytest
from django.urls import reverse

from surveys import builder
from surveys.models import Question, Questionnaire, QuestionnaireStatus
from workshops.followup import trend

from ..conftest import client_for
from ..factories import give_answers, invite, make_workshop
from .builder_helpers import question_post

pytestmark = pytest.mark.django_db


def published_copy(questionnaire, owner) -> Questionnaire:
    copy = builder.copy_questionnaire(questionnaire, actor=owner, title="Acme")
    assert builder.publish_problems(copy, copy.ordered_sections()) == []
    builder.publish(copy, revision=copy.edit_revision, actor=owner)
    return copy


def definition_of(questionnaire: Questionnaire, code: str) -> dict:
    whole = builder.questionnaire_definition(questionnaire, questionnaire.ordered_sections())
    return next(q for s in whole["sections"] for q in s["questions"] if q["code"] == code)


def answered_workshop(owner, questionnaire, answers_cio, answers_cmo):
    workshop = make_workshop(
        owner, questionnaire=questionnaire, title=f"On v{questionnaire.version}"
    )
    give_answers(invite(workshop, "Dana CIO", "cio"), answers_cio, submitted=True)
    give_answers(invite(workshop, "Max CMO", "cmo"), answers_cmo, submitted=True)
    return workshop


def test_an_old_versions_answers_keep_their_meaning_and_follow_ups_compare_what_holds(
    alice, questionnaire
):
    v1 = published_copy(questionnaire, alice)
    first = answered_workshop(
        alice,
        v1,
        {"obj-channels": 4, "obj-engagement": 2},
        {"obj-channels": 5, "obj-engagement": 5},
    )
    before = {q.code: q.scores for q in trend([first, first]).questions}
    assert before["obj-channels"][0] is not None

    v2 = builder.copy_questionnaire(v1, actor=alice, new_version=True)
    assert (v2.slug, v2.version, v2.is_draft) == (v1.slug, 2, True)
    channels = Question.objects.get(section__questionnaire=v2, code="obj-channels")
    definition = {**definition_of(v2, "obj-channels"), "scale_max": 7}
    assert builder.changes_meaning(channels, list(channels.choices.all()), definition)
    assert builder.code_is_compared(v2, "obj-channels")
    recoded = builder.save_question(
        questionnaire=v2,
        section=channels.section,
        question=channels,
        definition=definition,
        revision=v2.edit_revision,
        actor=alice,
        new_code=True,
    )
    assert recoded.code != "obj-channels" and recoded.scale_max == 7
    builder.publish(v2, revision=v2.edit_revision, actor=alice)
    assert v2.status == QuestionnaireStatus.PUBLISHED

    # Version 1 and its answers are as they were: same question, same scale, same score.
    old = Question.objects.get(section__questionnaire=v1, code="obj-channels")
    assert (old.scale_min, old.scale_max) == (1, 5)
    assert {q.code: q.scores for q in trend([first, first]).questions} == before

    second = answered_workshop(
        alice, v2, {recoded.code: 6, "obj-engagement": 3}, {recoded.code: 7, "obj-engagement": 4}
    )
    compared = {q.code for q in trend([first, second]).questions}
    assert "obj-engagement" in compared  # its identity holds: compared across versions
    assert "obj-channels" not in compared and recoded.code not in compared


def test_a_follow_up_is_offered_only_the_newest_published_version(alice, questionnaire):
    from workshops.followup import newest_version

    v1 = published_copy(questionnaire, alice)
    draft = builder.copy_questionnaire(v1, actor=alice, new_version=True)
    assert newest_version(v1) == v1
    builder.publish(draft, revision=draft.edit_revision, actor=alice)
    assert newest_version(v1) == draft


def test_prediction_on_adds_a_companion_that_follows_its_question(alice, alice_client):
    draft = builder.create_questionnaire(owner=alice, title="Predictions")
    section = builder.save_section(
        questionnaire=draft,
        section=None,
        title="S",
        intro="",
        translations={},
        revision=None,
        actor=alice,
    )
    url = reverse("surveys:question_add", args=[draft.pk, section.pk])
    for prompt in ("First?", "Second?"):
        draft.refresh_from_db()
        data = question_post(draft, "single", prompt)
        if prompt == "First?":
            data["q-prediction"] = "on"
        assert alice_client.post(url, data).status_code == 302
    rows = list(section.questions.order_by("position").values_list("prompt", "predicts__prompt"))
    assert rows == [("First?", None), ("First?", "First?"), ("Second?", None)]
    first = section.questions.get(prompt="First?", predicts=None)
    companion = first.predictions.get()
    assert companion.code == f"{first.code}-predicted" and not companion.required
    assert list(companion.choices.values_list("value", flat=True)) == [
        "the-cio",
        "the-cmo",
        "jointly",
    ]
    # Moving the question takes its companion along.
    draft.refresh_from_db()
    alice_client.post(
        reverse("surveys:question_move", args=[draft.pk, first.pk]),
        {"direction": "down", "revision": draft.edit_revision},
    )
    rows = list(section.questions.order_by("position").values_list("prompt", "predicts__prompt"))
    assert rows == [("Second?", None), ("First?", None), ("First?", "First?")]
    # The editor lists the question once, saying it has a prediction; the companion has no
    # page of its own.
    page = alice_client.get(reverse("surveys:editor", args=[draft.pk]))
    assert page.text.count('class="builder-question"') == 2 and "with a prediction" in page.text
    companion_url = reverse("surveys:question_edit", args=[draft.pk, companion.pk])
    assert alice_client.get(companion_url).status_code == 404
    # A copy predicts its own copy of the question; publishing checks it as the file loader does.
    copy = builder.copy_questionnaire(draft, actor=alice)
    copied = Question.objects.get(section__questionnaire=copy, predicts__isnull=False)
    assert copied.predicts.section.questionnaire == copy
    assert builder.publish_problems(draft, draft.ordered_sections()) == []
    # Prediction off removes the companion.
    draft.refresh_from_db()
    data = question_post(draft, "single", "First?")
    edit = reverse("surveys:question_edit", args=[draft.pk, first.pk])
    assert alice_client.post(edit, data).status_code == 302
    assert not Question.objects.filter(predicts=first).exists()


def test_a_scales_polarity_is_a_setting(alice, bob, alice_client):
    draft = builder.create_questionnaire(owner=alice, title="Polar")
    section = builder.save_section(
        questionnaire=draft,
        section=None,
        title="S",
        intro="",
        translations={},
        revision=None,
        actor=alice,
    )
    data = question_post(draft, "scale", "How much?", **{"k-polarity": "unipolar"})
    url = reverse("surveys:question_add", args=[draft.pk, section.pk])
    assert alice_client.post(url, data).status_code == 302
    assert section.questions.get().polarity == "unipolar"
    draft.refresh_from_db()
    data = question_post(draft, "scale", "How much?", **{"k-polarity": "sideways"})
    page = alice_client.post(url, data)
    assert page.status_code == 422 and "is-invalid" in page.text
    # A text question is not scored: no prediction is offered for it.
    page = client_for(alice).get(url + "?kind=text")
    assert "q-prediction" not in page.text
    assert "q-prediction" in client_for(alice).get(url + "?kind=numeric").text
