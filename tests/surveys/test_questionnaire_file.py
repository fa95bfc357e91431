"""The default questionnaire: its data file loads, is idempotent, and covers every kind."""

import pytest

from surveys.loading import (
    V2_QUESTIONNAIRE,
    QuestionnaireFrozen,
    load_questionnaire,
    read_definition,
)
from surveys.models import Question, QuestionKind, Response

pytestmark = pytest.mark.django_db


def test_default_questionnaire_has_every_kind_and_thirty_to_forty_five_questions(questionnaire):
    questions = Question.objects.filter(section__questionnaire=questionnaire)
    assert 30 <= questions.count() <= 45
    assert set(questions.values_list("kind", flat=True)) == set(QuestionKind.values)
    assert questionnaire.sections.count() >= 5


def test_loading_the_same_file_twice_changes_nothing(questionnaire):
    again, created = load_questionnaire(V2_QUESTIONNAIRE)
    assert again.pk == questionnaire.pk
    assert not created


def test_every_published_figure_carries_its_provenance(questionnaire):
    with_figures = Question.objects.filter(section__questionnaire=questionnaire).exclude(
        benchmark={}
    )
    assert with_figures.count() >= 5
    for question in with_figures:
        for key in ("source", "date", "population", "question", "bucket", "figures"):
            assert question.benchmark.get(key), f"{question.code} lacks {key}"


def test_ownership_questions_declare_area_and_tense_for_the_matrix(questionnaire):
    ownership = Question.objects.filter(section__questionnaire=questionnaire, meta__has_key="area")
    assert ownership.count() >= 8
    assert {q.meta["tense"] for q in ownership} == {"today", "should"}
    for q in ownership:
        assert q.partial_credit_for("cio", "joint") == 0.5
        assert q.partial_credit_for("joint", "cmo") == 0.5


def test_a_questionnaire_with_responses_is_frozen_and_a_changed_file_must_bump_its_version(
    questionnaire, tmp_path
):
    """A change to what answers mean (here the scale's range) needs a new version; a change of
    texts alone does not (tests/surveys/test_translations.py)."""
    Response.objects.create(questionnaire=questionnaire)
    definition = read_definition(V2_QUESTIONNAIRE)
    definition["sections"][0]["questions"][0]["prompt"] = "A changed wording"
    definition["sections"][0]["questions"][0]["scale_max"] = 7
    changed = tmp_path / "changed.json"
    import json

    changed.write_text(json.dumps(definition))
    with pytest.raises(QuestionnaireFrozen):
        load_questionnaire(changed)
    definition["version"] = questionnaire.version + 1
    changed.write_text(json.dumps(definition))
    newer, created = load_questionnaire(changed)
    assert created and newer.version == questionnaire.version + 1
    old = Question.objects.get(
        section__questionnaire=questionnaire, position=1, section__position=1
    )
    assert (old.prompt, old.scale_max) != ("A changed wording", 7)


def test_version_2_changes_only_wording_of_version_1():
    """v2 corrects what executives and the printed agenda read (who sees answers before the
    reveal; sources named, not our internal seed numbers): same codes, kinds and choices, so
    answers to either version compare."""
    v1 = read_definition(V2_QUESTIONNAIRE.with_name("joint-mobile-strategy.v1.json"))
    v2 = read_definition(V2_QUESTIONNAIRE)
    assert (v1["version"], v2["version"]) == (1, 2)

    def shape(definition):
        return [
            (q["code"], q["kind"], [c["value"] for c in q.get("choices", [])])
            for section in definition["sections"]
            for q in section["questions"]
        ]

    assert shape(v1) == shape(v2)
    text = V2_QUESTIONNAIRE.read_text()
    assert "Seed 0" not in text and "stay private until" not in text
