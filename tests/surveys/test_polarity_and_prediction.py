"""A scale's polarity and prediction questions in the questionnaire file: read, checked with
the place of each problem, built (a prediction is a companion question right after the one it
predicts), and part of what a version means."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction

from surveys.kinds import kind_for
from surveys.loading import (
    Outcome,
    QuestionnaireFrozen,
    QuestionnaireInvalid,
    check_definition,
    load,
    read_definition,
)
from surveys.models import Question, Response, ScalePolarity
from surveys.scoring import Label, Polarity, compare

from ..factories import PREDICTED, V2, perception_definition, perception_questionnaire

pytestmark = pytest.mark.django_db


def _question(definition: dict, code: str) -> dict:
    return next(q for s in definition["sections"] for q in s["questions"] if q["code"] == code)


def _write(tmp_path, definition: dict, name: str = "perception.json"):
    path = tmp_path / name
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    return path


def test_each_prediction_is_a_companion_right_after_its_question_in_the_same_section():
    questionnaire = perception_questionnaire()
    for code, kind in PREDICTED.items():
        original = Question.objects.get(section__questionnaire=questionnaire, code=code)
        companion = Question.objects.get(
            section__questionnaire=questionnaire, code=f"{code}-predicted"
        )
        assert companion.predicts_id == original.pk and companion.is_prediction
        assert not original.is_prediction
        assert (companion.section_id, companion.position) == (
            original.section_id,
            original.position + 1,
        )
        assert companion.kind == kind == original.kind
        assert not companion.required and companion.allow_unknown
        assert companion.prompt == original.prompt
        assert companion.translations == original.translations
        assert [(c.value, c.label, c.translations) for c in companion.choices.all()] == [
            (c.value, c.label, c.translations) for c in original.choices.all()
        ]
        assert kind_for(companion).spec(companion) == kind_for(original).spec(original)


def test_the_queryset_tells_predictions_apart():
    questionnaire = perception_questionnaire()
    questions = Question.objects.filter(section__questionnaire=questionnaire)
    assert set(questions.predictions().values_list("code", flat=True)) == {
        f"{code}-predicted" for code in PREDICTED
    }
    assert questions.without_predictions().count() == 44
    assert questions.count() == 44 + len(PREDICTED)


@pytest.mark.parametrize("name", ["joint-mobile-strategy.v1.json", "joint-mobile-strategy.v2.json"])
def test_versions_1_and_2_load_without_predictions_and_with_bipolar_scales_only(tmp_path, name):
    """They declare neither, so they keep their scores."""
    definition = read_definition(V2.with_name(name))
    definition["slug"] = "kept-as-it-was"
    questionnaire, _ = load(_write(tmp_path, definition))
    questions = Question.objects.filter(section__questionnaire=questionnaire)
    assert questions.count() == 44
    assert not questions.predictions().exists()
    assert set(questions.values_list("polarity", flat=True)) == {ScalePolarity.BIPOLAR}


def test_a_unipolar_scale_is_labelled_by_size_alone():
    questionnaire = perception_questionnaire()
    talent = Question.objects.get(section__questionnaire=questionnaire, code="obj-talent")
    security = Question.objects.get(section__questionnaire=questionnaire, code="wow-security-flex")
    assert talent.polarity == ScalePolarity.UNIPOLAR
    assert security.polarity == ScalePolarity.BIPOLAR
    assert kind_for(talent).spec(talent).polarity is Polarity.UNIPOLAR
    assert compare(kind_for(talent).spec(talent), 3, 4).label is Label.AGREE
    assert compare(kind_for(security).spec(security), 3, 4).label is Label.PARTLY


def test_loading_the_file_twice_changes_nothing(tmp_path):
    path = _write(tmp_path, perception_definition())
    first, outcome = load(path)
    assert outcome is Outcome.CREATED
    again, outcome = load(path)
    assert (again.pk, outcome) == (first.pk, Outcome.UNCHANGED)


def test_texts_of_a_frozen_version_are_updated_in_its_predictions_too(tmp_path):
    definition = perception_definition()
    questionnaire, _ = load(_write(tmp_path, definition))
    Response.objects.create(questionnaire=questionnaire)
    _question(definition, "own-apps-should")["de"]["prompt"] = "Neu formuliert"
    _, outcome = load(_write(tmp_path, definition))
    assert outcome is Outcome.TEXTS_UPDATED
    companion = Question.objects.get(
        section__questionnaire=questionnaire, code="own-apps-should-predicted"
    )
    assert companion.translations["de"]["prompt"] == "Neu formuliert"
    assert companion.predicts.code == "own-apps-should"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _question(d, "obj-talent").update(polarity="bipolar"),
        lambda d: _question(d, "wow-security-flex").update(polarity="unipolar"),
        lambda d: _question(d, "own-apps-should").pop("prediction"),
        lambda d: _question(d, "own-strategy-should").update(prediction=True),
    ],
    ids=["polarity-dropped", "polarity-added", "prediction-dropped", "prediction-added"],
)
def test_a_change_of_polarity_or_prediction_needs_a_new_version(tmp_path, change):
    definition = perception_definition()
    questionnaire, _ = load(_write(tmp_path, definition))
    Response.objects.create(questionnaire=questionnaire)
    change(definition)
    with pytest.raises(QuestionnaireFrozen):
        load(_write(tmp_path, definition))
    definition["version"] += 1
    newer, outcome = load(_write(tmp_path, definition))
    assert outcome is Outcome.CREATED and newer.version == questionnaire.version + 1


@pytest.mark.parametrize(
    ("code", "settings", "field", "problem"),
    [
        ("obj-talent", {"polarity": "both"}, "polarity", "must be “bipolar”"),
        ("obj-talent", {"polarity": None}, "polarity", "must be “bipolar”"),
        ("own-apps-should", {"polarity": "unipolar"}, "polarity", "is not a setting"),
        ("own-apps-should", {"prediction": "yes"}, "prediction", "must be true or false"),
        ("wow-counterpart", {"prediction": True}, "prediction", "that is not scored"),
    ],
)
def test_a_bad_polarity_or_prediction_is_refused_with_its_place(code, settings, field, problem):
    definition = read_definition(V2)
    _question(definition, code).update(settings)
    problems = check_definition(definition)
    section = next(
        s["code"] for s in definition["sections"] if any(q["code"] == code for q in s["questions"])
    )
    assert any(
        p.startswith(f"Section “{section}”, question “{code}”, field “{field}”: ") and problem in p
        for p in problems
    ), problems


def test_a_prediction_whose_code_would_clash_or_be_too_long_is_refused(tmp_path):
    definition = read_definition(V2)
    _question(definition, "own-apps-should")["prediction"] = True
    _question(definition, "own-apps-today")["code"] = "own-apps-should-predicted"
    long_code = "x" * 55
    _question(definition, "kpi-conversion").update(code=long_code, prediction=True)
    problems = check_definition(definition)
    assert any(
        "question “own-apps-should”, field “prediction”" in p
        and "“own-apps-should-predicted” is already another question's code" in p
        for p in problems
    ), problems
    assert any(
        f"question “{long_code}”, field “prediction”" in p and "longer than 60" in p
        for p in problems
    ), problems
    with pytest.raises(QuestionnaireInvalid):
        load(_write(tmp_path, definition))


def test_the_database_refuses_a_bad_polarity_and_a_question_predicting_itself(questionnaire):
    question = Question.objects.filter(section__questionnaire=questionnaire).first()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Question.objects.filter(pk=question.pk).update(polarity="sideways")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Question.objects.filter(pk=question.pk).update(predicts=question.pk)


def test_deleting_a_question_deletes_its_prediction():
    questionnaire = perception_questionnaire()
    original = Question.objects.get(section__questionnaire=questionnaire, code="own-apps-should")
    original.delete()
    assert not Question.objects.filter(
        section__questionnaire=questionnaire, code="own-apps-should-predicted"
    ).exists()
