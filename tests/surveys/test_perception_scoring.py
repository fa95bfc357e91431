"""Scale polarity and perception (CONSENSUS.md, Scale row and section "Perception"), as pure
functions: unit tests with worked examples, then properties that hold for any answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.scoring import (
    Detail,
    DetailCode,
    Kind,
    Label,
    PerceptionFinding,
    Polarity,
    QuestionSpec,
    compare,
    compare_groups,
    label_for,
    perceive,
    perceived_similarity,
    perception_findings,
    prediction_accuracy,
    scale_label,
    scale_similarity,
)

from .test_scoring_properties import SCORABLE, answers, groups, specs

A, P, D = Label.AGREE, Label.PARTLY, Label.DIFFER
UNIPOLAR5 = QuestionSpec(Kind.SCALE, polarity="unipolar")
BIPOLAR5 = QuestionSpec(Kind.SCALE)
OWNER = QuestionSpec(
    Kind.SINGLE,
    items=("cio", "cmo", "joint"),
    partial_credit=(("cio", "joint", 0.5), ("cmo", "joint", 0.5)),
)
MISPERCEPTION = PerceptionFinding.MISPERCEPTION
HIDDEN_AGREEMENT = PerceptionFinding.HIDDEN_AGREEMENT
HIDDEN_DISAGREEMENT = PerceptionFinding.HIDDEN_DISAGREEMENT


# Polarity -------------------------------------------------------------------------------------


def test_a_scale_declaring_no_polarity_is_bipolar() -> None:
    assert QuestionSpec(Kind.SCALE).polarity is Polarity.BIPOLAR


@pytest.mark.parametrize(
    ("a", "b", "bipolar", "unipolar"),
    [
        (3, 4, P, A),  # talent 3 against 4: a near-agreement on a unipolar scale
        (2, 3, P, A),
        (2, 4, D, P),
        (1, 3, P, P),  # s = 0.5, and 3 is the midpoint
        (1, 4, D, D),
        (4, 5, A, A),
        (3, 3, A, A),
    ],
)
def test_the_direction_rule_applies_to_bipolar_scales_only(a, b, bipolar, unipolar) -> None:
    assert compare(BIPOLAR5, a, b).label is bipolar
    assert compare(UNIPOLAR5, a, b).label is unipolar
    assert scale_label(a, b, 1, 5, Polarity.UNIPOLAR) is unipolar
    assert scale_label(a, b, 1, 5, "bipolar") is bipolar
    assert compare(UNIPOLAR5, a, b).similarity == compare(BIPOLAR5, a, b).similarity


def test_a_unipolar_scale_explains_its_one_rule() -> None:
    assert compare(UNIPOLAR5, 3, 4).detail == (
        Detail.of(DetailCode.SCALE, a=3, b=4, scale_min=1, scale_max=5, similarity=0.75),
        Detail.of(DetailCode.UNIPOLAR_SCALE, size=A),
    )


def test_a_bad_polarity_is_refused() -> None:
    with pytest.raises(ValueError):
        QuestionSpec(Kind.SCALE, polarity="sideways")


@settings(max_examples=200, deadline=None)
@given(
    lo=st.sampled_from([0, 1]),
    width=st.integers(2, 10),
    data=st.data(),
)
def test_a_unipolar_label_is_the_size_rule_and_never_more_cautious_than_bipolar(
    lo: int, width: int, data: st.DataObject
) -> None:
    hi = lo + width
    points = st.integers(lo, hi) | st.integers(2 * lo, 2 * hi).map(lambda x: x / 2)
    a, b = data.draw(points), data.draw(points)
    unipolar = compare(QuestionSpec(Kind.SCALE, lo, hi, polarity="unipolar"), a, b)
    bipolar = compare(QuestionSpec(Kind.SCALE, lo, hi), a, b)
    assert unipolar.label is label_for(scale_similarity(a, b, lo, hi))
    caution = {D: 0, P: 1, A: 2}
    assert caution[unipolar.label] >= caution[bipolar.label]


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_unipolar_role_comparison_is_the_size_rule_on_the_medians(data: st.DataObject) -> None:
    spec = QuestionSpec(Kind.SCALE, polarity="unipolar")
    group = st.lists(st.integers(1, 5), min_size=1, max_size=6)
    xs, ys = data.draw(group), data.draw(group)
    result = compare_groups(spec, xs, ys)
    assert result.label is label_for(result.similarity)


# Perception: worked examples ----------------------------------------------------------------


def test_the_cio_expects_the_cmo_to_want_the_apps_but_the_cmo_wants_them_joint() -> None:
    """Issue 15's example: a misperception by the CIO; the CMO reads the CIO right."""
    result = perceive(
        OWNER,
        answers_a=["cio"],  # the CIO wants the apps
        answers_b=["joint"],  # the CMO wants them joint
        predictions_a=["cmo"],  # the CIO expects the CMO to want them for the CMO
        predictions_b=["cio"],  # the CMO expects the CIO to want them for the CIO
    )
    assert (result.real.similarity, result.real.label) == (0.5, P)
    assert (result.accuracy_a.similarity, result.accuracy_a.label) == (0.5, P)  # cmo vs joint
    assert (result.accuracy_b.similarity, result.accuracy_b.label) == (1.0, A)
    assert (result.perceived_a.similarity, result.perceived_a.label) == (0.0, D)
    assert (result.perceived_b.similarity, result.perceived_b.label) == (0.5, P)
    assert result.findings_a == ()
    assert result.findings_b == ()


def test_a_misperception_is_an_accuracy_labelled_differ() -> None:
    result = perceive(OWNER, ["cio"], ["cmo"], ["cio"], ["cmo"])
    assert result.accuracy_a.label is D and result.accuracy_b.label is D
    assert result.findings_a == (MISPERCEPTION, HIDDEN_DISAGREEMENT)
    assert result.findings_b == (MISPERCEPTION, HIDDEN_DISAGREEMENT)
    assert result.has_misperception
    assert ("a", MISPERCEPTION) in result.findings


def test_a_hidden_agreement_they_agree_and_do_not_know_it() -> None:
    result = perceive(BIPOLAR5, [2], [2], [5], [2])
    assert result.real.label is A
    assert result.perceived_a.label is D and result.perceived_b.label is A
    assert result.findings_a == (MISPERCEPTION, HIDDEN_AGREEMENT)
    assert result.findings_b == ()


def test_a_hidden_disagreement_they_differ_and_believe_they_agree() -> None:
    result = perceive(BIPOLAR5, [1], [5], [1], [4])
    assert result.real.label is D
    assert result.findings_a == (MISPERCEPTION, HIDDEN_DISAGREEMENT)
    assert result.findings_b == (MISPERCEPTION, HIDDEN_DISAGREEMENT)


def test_no_prediction_no_accuracy_and_no_finding() -> None:
    result = perceive(BIPOLAR5, [1], [5], [], [None])
    assert not result.accuracy_a.scored and not result.accuracy_b.scored
    assert not result.perceived_a.scored and not result.perceived_b.scored
    assert result.findings == ()
    assert result.real.label is D


def test_no_answer_from_the_other_side_no_accuracy() -> None:
    result = perceive(BIPOLAR5, [1], [], [5], [3])
    assert not result.real.scored and not result.accuracy_a.scored
    assert result.accuracy_b.scored and result.perceived_a.scored
    assert result.findings_a == ()  # nothing real to hide; the accuracy is unknown
    assert result.findings_b == ()  # b predicted 3 against a's 1: s = 0.5, partly


def test_several_people_per_role_use_the_position_of_the_predictions() -> None:
    """Three from IT predict marketing at 4, 5 and 5 (median 5); marketing answered 2 and 2."""
    accuracy = prediction_accuracy(BIPOLAR5, [4, 5, 5], [2, 2])
    assert accuracy.similarity == compare(BIPOLAR5, 5, 2).similarity
    assert accuracy.label is D
    perceived = perceived_similarity(BIPOLAR5, [1, 2, 3], [4, 5, 5])
    assert perceived.similarity == compare(BIPOLAR5, 2, 5).similarity


def test_findings_need_scored_comparisons() -> None:
    unscored = compare(BIPOLAR5, None, 3)
    agree = compare(BIPOLAR5, 3, 3)
    assert perception_findings(unscored, unscored, unscored) == ()
    assert perception_findings(agree, unscored, unscored) == ()
    assert perception_findings(unscored, compare(BIPOLAR5, 1, 5), unscored) == (MISPERCEPTION,)


def test_a_unipolar_question_is_perceived_with_its_own_labels() -> None:
    result = perceive(UNIPOLAR5, [3], [4], [4], [3])
    assert result.real.label is A and result.accuracy_a.label is A
    assert result.findings == ()


# Perception: properties -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", SCORABLE)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_perception_is_the_questions_own_similarity(kind: Kind, data: st.DataObject) -> None:
    spec, xs, ys = data.draw(groups(kind))
    guesses = st.lists(answers(spec) | st.none(), min_size=0, max_size=4)
    pa, pb = data.draw(guesses), data.draw(guesses)
    result = perceive(spec, xs, ys, pa, pb)
    assert result.real == compare_groups(spec, xs, ys)
    assert result.accuracy_a == compare_groups(spec, pa, ys)
    assert result.accuracy_b == compare_groups(spec, pb, xs)
    assert result.perceived_a == compare_groups(spec, xs, pa)
    for comparison in (result.accuracy_a, result.perceived_a, result.accuracy_b):
        assert comparison.similarity is None or 0.0 <= comparison.similarity <= 1.0
    # A misperception is exactly an accuracy labelled differ.
    assert (MISPERCEPTION in result.findings_a) == (result.accuracy_a.label is D)
    # Hidden agreement and hidden disagreement exclude each other.
    for findings in (result.findings_a, result.findings_b):
        assert not {HIDDEN_AGREEMENT, HIDDEN_DISAGREEMENT} <= set(findings)
    # Swapping the sides swaps the findings.
    swapped = perceive(spec, ys, xs, pb, pa)
    assert (swapped.findings_a, swapped.findings_b) == (result.findings_b, result.findings_a)


@pytest.mark.parametrize("kind", SCORABLE)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_side_that_predicts_the_other_exactly_is_accurate(
    kind: Kind, data: st.DataObject
) -> None:
    spec = data.draw(specs(kind))
    x, y = data.draw(answers(spec)), data.draw(answers(spec))
    result = perceive(spec, [x], [y], [y], [x])
    for accuracy in (result.accuracy_a, result.accuracy_b):
        assert accuracy.similarity is None or accuracy.label is A
    assert MISPERCEPTION not in result.findings_a + result.findings_b
    # Knowing the other exactly, nothing is hidden: perceived is real.
    assert result.perceived_a.similarity == result.real.similarity
    assert HIDDEN_AGREEMENT not in result.findings_a
    assert HIDDEN_DISAGREEMENT not in result.findings_a
