"""Unit tests for surveys.scoring: the agreement formulas of design/CONSENSUS.md.

Pure functions, so no database and no Django settings are needed here.
"""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction
from itertools import combinations, permutations, product
from pathlib import Path

import pytest

from surveys.scoring import (
    EPSILON,
    Aggregate,
    BandCounts,
    Comparison,
    Detail,
    DetailCode,
    Kind,
    Label,
    Magnitude,
    OptionVerdict,
    QuestionSpec,
    aggregate,
    allocation_similarity,
    biggest_gaps,
    chance_baseline,
    chance_corrected,
    cliffs_delta,
    cliffs_magnitude,
    coded_similarity,
    cohesion,
    compare,
    compare_groups,
    dice,
    group_consensus,
    is_missing,
    is_split,
    jaccard_from_dice,
    kendalls_w,
    label_for,
    more_ambitious,
    normalise_allocation,
    numeric_similarity,
    partial_kendall_distance,
    ranked_count,
    ranking_buckets,
    ranking_similarity,
    role_position,
    scale_direction,
    scale_label,
    scale_similarity,
    single_similarity,
    tastle_wierman,
    total_variation_distance,
)

A, P, D, INS = Label.AGREE, Label.PARTLY, Label.DIFFER, Label.INSUFFICIENT

SCALE5 = QuestionSpec(Kind.SCALE)
SCALE7 = QuestionSpec(Kind.SCALE, scale_max=7)
OWNERSHIP = QuestionSpec(
    Kind.SINGLE,
    items=("cio", "cmo", "joint", "agency"),
    partial_credit=(("cio", "joint", 0.5), ("cmo", "joint", 0.5)),
)
CHANNELS = QuestionSpec(Kind.MULTI, items=("app", "web", "sms", "none"), none_value="none")
CHANNELS_NO_NONE = QuestionSpec(Kind.MULTI, items=("app", "web", "sms"))
PRIORITIES = QuestionSpec(Kind.RANKING, items=("a", "b", "c", "d", "e"))
TOP2 = QuestionSpec(Kind.RANKING, items=("a", "b", "c", "d", "e"), rank_limit=2)
BUDGET = QuestionSpec(Kind.NUMERIC)
LOAD_TIME = QuestionSpec(Kind.NUMERIC, higher_is_ambitious=False)
MARGIN_CHANGE = QuestionSpec(Kind.NUMERIC, absolute_tolerance=2.0)
SPLIT = QuestionSpec(Kind.ALLOCATION, items=("app", "web", "ads"))
VISION = QuestionSpec(Kind.TEXT)


def brute_force_tau(a: list[str], b: list[str]) -> float:
    """Kendall's tau for two full rankings without ties, straight from its definition."""
    pos_a = {item: i for i, item in enumerate(a)}
    pos_b = {item: i for i, item in enumerate(b)}
    concordant = discordant = 0
    for x, y in combinations(a, 2):
        product_of_orders = (pos_a[x] - pos_a[y]) * (pos_b[x] - pos_b[y])
        if product_of_orders > 0:
            concordant += 1
        else:
            discordant += 1
    return (concordant - discordant) / math.comb(len(a), 2)


# ------------------------------------------------------------------------------------------
# Purity
# ------------------------------------------------------------------------------------------


def test_module_imports_no_django() -> None:
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys, surveys.scoring; assert not any(m.startswith('django') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


# ------------------------------------------------------------------------------------------
# Labels
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "label"),
    [
        (1.0, A),
        (0.9, A),
        (0.75, A),
        (0.7499999999999999, A),  # one ulp below: rounding, not disagreement
        (1 - 0.25000000000000006, A),
        (0.1 + 0.2 + 0.45, A),
        (0.75 - EPSILON / 2, A),
        (0.75 - 1e-6, P),
        (0.74, P),
        (0.5, P),
        (0.4999999999999999, P),
        (0.1 + 0.2 + 0.2, P),
        (0.5 - 1e-6, D),
        (0.49, D),
        (0.0, D),
    ],
)
def test_label_boundaries(s: float, label: Label) -> None:
    assert label_for(s) is label


def test_label_rejects_nan() -> None:
    with pytest.raises(ValueError):
        label_for(math.nan)


# ------------------------------------------------------------------------------------------
# Scale
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "lo", "hi", "s"),
    [
        (3, 3, 1, 5, 1.0),
        (3, 4, 1, 5, 0.75),
        (2, 4, 1, 5, 0.5),
        (1, 5, 1, 5, 0.0),
        (1, 7, 1, 7, 0.0),
        (3, 5, 1, 7, 2 / 3),
        (4, 5, 1, 7, 5 / 6),
        (0, 10, 0, 10, 0.0),
        (3.5, 4, 1, 5, 0.875),  # a role's median can be x.5
    ],
)
def test_scale_similarity(a: float, b: float, lo: int, hi: int, s: float) -> None:
    assert scale_similarity(a, b, lo, hi) == pytest.approx(s)
    assert scale_similarity(b, a, lo, hi) == pytest.approx(s)


@pytest.mark.parametrize(
    ("a", "b", "hi", "label"),
    [
        # 1..5, midpoint 3
        (3, 4, 5, P),  # size says agree, direction says one side vs the midpoint
        (4, 3, 5, P),
        (2, 4, 5, D),  # size says partly, direction says opposite sides
        (4, 5, 5, A),
        (1, 2, 5, A),
        (3, 3, 5, A),
        (2, 3, 5, P),
        (1, 3, 5, P),
        (1, 5, 5, D),
        (1, 4, 5, D),
        # 1..7, midpoint 4
        (4, 5, 7, P),
        (3, 5, 7, D),
        (5, 6, 7, A),
        (5, 7, 7, P),  # same side but two steps: size rule decides
        (2, 3, 7, A),
        (4, 4, 7, A),
        (1, 7, 7, D),
        # 1..4, midpoint 2.5 is not a scale point
        (2, 3, 4, D),
        (3, 4, 4, P),
    ],
)
def test_scale_label_is_more_cautious_of_size_and_direction(
    a: int, b: int, hi: int, label: Label
) -> None:
    spec = QuestionSpec(Kind.SCALE, scale_max=hi)
    assert scale_label(a, b, 1, hi) is label
    result = compare(spec, a, b)
    assert result.label is label
    assert result.similarity == pytest.approx(scale_similarity(a, b, 1, hi))


@pytest.mark.parametrize(
    ("a", "b", "label"),
    [(4, 5, A), (3, 3, A), (3, 4, P), (2, 3, P), (2, 4, D), (1, 5, D), (3.5, 4, A), (2.5, 3.5, D)],
)
def test_scale_direction_rule(a: float, b: float, label: Label) -> None:
    assert scale_direction(a, b) is label


def test_scale_detail_explains_both_rules() -> None:
    result = compare(SCALE5, 3, 4)
    assert result.similarity == 0.75
    assert result.detail == (
        Detail.of(DetailCode.SCALE, a=3, b=4, scale_min=1, scale_max=5, similarity=0.75),
        Detail.of(DetailCode.SCALE_RULES, size=Label.AGREE, direction=Label.PARTLY),
    )


@pytest.mark.parametrize("bad", [0, 6, 2.5 + 3, "4", True])
def test_scale_rejects_answers_outside_the_scale(bad: object) -> None:
    with pytest.raises(ValueError):
        compare(SCALE5, bad, 3)


# ------------------------------------------------------------------------------------------
# Single choice
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "s", "label"),
    [
        ("cio", "cio", 1.0, A),
        ("cio", "joint", 0.5, P),
        ("joint", "cio", 0.5, P),
        ("cmo", "joint", 0.5, P),
        ("joint", "cmo", 0.5, P),
        ("cio", "cmo", 0.0, D),
        ("agency", "joint", 0.0, D),
    ],
)
def test_single_choice_with_partial_credit(a: str, b: str, s: float, label: Label) -> None:
    result = compare(OWNERSHIP, a, b)
    assert result.similarity == s
    assert result.label is label


def test_single_similarity_without_partial_credit() -> None:
    assert single_similarity("cio", "joint") == 0.0
    assert single_similarity("cio", "cio") == 1.0


def test_question_spec_freezes_lists() -> None:
    spec = QuestionSpec("single", items=["cio", "joint"], partial_credit=[["cio", "joint", 0.5]])
    assert spec.kind is Kind.SINGLE
    assert spec.items == ("cio", "joint")
    assert spec.partial_credit == (("cio", "joint", 0.5),)
    assert hash(spec)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "likert"},
        {"kind": "scale", "scale_min": 5, "scale_max": 5},
        {"kind": "numeric", "tolerance": 0},
        {"kind": "numeric", "absolute_tolerance": -1},
        {"kind": "scale", "importance": 0},
        {"kind": "single", "partial_credit": [("a", "b", 1.5)]},
        {"kind": "ranking", "items": ("a", "a")},
        {"kind": "ranking", "rank_limit": 0},
    ],
)
def test_question_spec_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        QuestionSpec(**kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Multiple choice
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        (["app", "web"], ["app", "web"], 1.0),
        (["app", "web"], ["web", "app"], 1.0),
        (["app", "web"], ["app"], 2 / 3),
        (["app"], ["web"], 0.0),
        (["app", "web", "sms"], ["web", "sms", "push"], 2 / 3),
        (["app", "web", "sms"], ["app"], 0.5),
    ],
)
def test_dice_and_jaccard(a: list[str], b: list[str], d: float) -> None:
    assert dice(a, b) == pytest.approx(d)
    jaccard = len(set(a) & set(b)) / len(set(a) | set(b))
    assert jaccard_from_dice(dice(a, b)) == pytest.approx(jaccard)
    result = compare(QuestionSpec(Kind.MULTI), a, b)
    assert result.similarity == pytest.approx(d)
    assert result.jaccard == pytest.approx(jaccard)


@pytest.mark.parametrize(
    ("spec", "a", "b", "s"),
    [
        (CHANNELS, ["none"], ["none"], 1.0),  # both explicitly chose "none of these"
        (CHANNELS, [], ["none"], 1.0),
        (CHANNELS, [], [], 1.0),
        (CHANNELS, ["none"], ["app"], 0.0),  # one empty: 0
        (CHANNELS, [], ["app", "web"], 0.0),
        (CHANNELS, ["none", "app"], ["app"], 1.0),  # stray "none" ticked with a real option
        (CHANNELS_NO_NONE, [], [], None),  # nobody affirmed "nothing": missing
        (CHANNELS_NO_NONE, [], ["app"], 0.0),  # one empty: 0 (as the spec states)
    ],
)
def test_multi_empty_selections(spec: QuestionSpec, a: list[str], b: list[str], s: float) -> None:
    result = compare(spec, a, b)
    assert result.similarity == s
    if s is None:
        assert result.label is None and result.jaccard is None
    else:
        assert result.label is label_for(s)


def test_multi_rejects_a_bare_string() -> None:
    with pytest.raises(ValueError):
        compare(CHANNELS, "app", ["app"])


def test_jaccard_from_dice_range() -> None:
    assert jaccard_from_dice(1.0) == 1.0
    assert jaccard_from_dice(0.0) == 0.0
    with pytest.raises(ValueError):
        jaccard_from_dice(1.5)


# ------------------------------------------------------------------------------------------
# Ranking
# ------------------------------------------------------------------------------------------

IDENTITY4 = ["a", "b", "c", "d"]


@pytest.mark.parametrize("other", [list(p) for p in permutations(IDENTITY4)])
def test_full_ranking_equals_one_plus_tau_over_two(other: list[str]) -> None:
    expected = (1 + brute_force_tau(IDENTITY4, other)) / 2
    assert ranking_similarity(IDENTITY4, other, IDENTITY4) == pytest.approx(expected)
    assert ranking_similarity(other, IDENTITY4) == pytest.approx(expected)


@pytest.mark.parametrize(("seed"), range(6))
def test_full_ranking_of_seven_items_equals_one_plus_tau_over_two(seed: int) -> None:
    items = list("abcdefg")
    a = items[seed:] + items[:seed]
    b = list(reversed(items[: seed + 1])) + items[seed + 1 :]
    spec = QuestionSpec(Kind.RANKING, items=tuple(items))
    assert compare(spec, a, b).similarity == pytest.approx((1 + brute_force_tau(a, b)) / 2)


@pytest.mark.parametrize(
    ("a", "b", "distance", "s"),
    [
        # tied in one ranking only: 1/2
        (["a", ["b", "c"], "d", "e"], ["a", "b", "c", "d", "e"], 0.5, 1 - 0.5 / 10),
        # tied in both (order inside a bucket is irrelevant): 0
        ([["a", "b"], "c", "d", "e"], [["b", "a"], "c", "d", "e"], 0, 1.0),
        # opposite order: 1
        (["b", "a", "c", "d", "e"], ["a", "b", "c", "d", "e"], 1, 0.9),
        # tied in one, opposite in other pairs
        ([["a", "b", "c"], "d", "e"], ["c", "b", "a", "d", "e"], 1.5, 0.85),
    ],
)
def test_ranking_ties_use_fagin_half_penalty(
    a: list[object], b: list[object], distance: float, s: float
) -> None:
    assert partial_kendall_distance(a, b, PRIORITIES.items) == distance
    assert ranking_similarity(a, b, PRIORITIES.items) == pytest.approx(s)


def test_ranking_ties_are_not_tau_b() -> None:
    # tau-b on bucket positions would give (1 + 0.949) / 2 = 0.9746 here; Fagin's 1/2 gives 0.95.
    assert ranking_similarity(["a", ["b", "c"], "d", "e"], list("abcde")) == pytest.approx(0.95)


@pytest.mark.parametrize(
    ("a", "b", "s"),
    [
        (["a", "b"], ["a", "b"], 1.0),
        (["a", "b"], ["b", "a"], 0.9),  # only the (a, b) pair is reversed
        (["a", "b"], ["c", "d"], 0.3),  # worked by hand: K = 4 * 1 + 6 * 1/2 = 7 of 10 pairs
        (["a", "b"], ["a", "c"], 0.7),  # (b, c) reversed 1, four pairs tied in one only 1/2
    ],
)
def test_top_k_rankings_share_a_tied_bottom_bucket(a: list[str], b: list[str], s: float) -> None:
    result = compare(TOP2, a, b)
    assert result.similarity == pytest.approx(s)


def test_ranking_uses_the_full_item_list_for_n() -> None:
    assert ranking_similarity(["a", "b"], ["b", "a"], ("a", "b")) == 0.0
    assert ranking_similarity(["a", "b"], ["b", "a"], ("a", "b", "c", "d", "e")) == 0.9


def test_ranking_all_but_the_last_item_is_a_full_ranking() -> None:
    full = ["c", "a", "e", "b", "d"]
    assert ranking_similarity(full[:-1], list("abcde"), PRIORITIES.items) == ranking_similarity(
        full, list("abcde"), PRIORITIES.items
    )


@pytest.mark.parametrize("short", [None, [], ["a"], [["a"]], ["a", []]])
def test_ranking_with_fewer_than_two_items_is_missing(short: list[object] | None) -> None:
    assert is_missing(PRIORITIES, short)
    result = compare(PRIORITIES, short, ["a", "b", "c"])
    assert result.similarity is None and result.label is None
    if short is not None:
        assert ranking_similarity(short, ["a", "b"], PRIORITIES.items) is None


def test_a_ranked_bucket_of_two_counts_as_two_ranked_items() -> None:
    assert ranked_count([["a", "b"]]) == 2
    assert compare(PRIORITIES, [["a", "b"]], ["a", "b"]).similarity == pytest.approx(0.95)


@pytest.mark.parametrize(
    "bad", [["a", "a"], ["a", ["a", "b"]], ["a", "zzz"], "abc", ["a", ["b", 3]]]
)
def test_ranking_rejects_malformed_answers(bad: object) -> None:
    with pytest.raises(ValueError):
        compare(PRIORITIES, bad, ["a", "b"])


def test_ranking_buckets_representation() -> None:
    assert ranking_buckets(["b", ["a", "d"]], PRIORITIES.items) == [
        ("b",),
        ("a", "d"),
        ("c", "e"),
    ]
    assert ranking_buckets(["b", "a"]) == [("b",), ("a",)]


# ------------------------------------------------------------------------------------------
# Numeric target
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "s", "label"),
    [
        (100, 100, 1.0, A),
        (100, 95, 0.875, A),
        (100, 90, 0.75, A),  # within T
        (90, 100, 0.75, A),
        (100, 85, 0.625, P),
        (100, 80, 0.5, P),  # within 2T
        (100, 79, 0.475, D),
        (100, 50, 0.0, D),  # clipped at 0
        (0, 0, 1.0, A),  # both zero
        (0, 10, 0.0, D),  # r = 1
        (-100, -90, 0.75, A),
        (0.1, 0.09, 0.75, A),  # float gives 0.7499999999999998
        (0.1, 0.08, 0.5, P),  # float gives 0.4999999999999999
    ],
)
def test_numeric_relative_tolerance(a: float, b: float, s: float, label: Label) -> None:
    result = compare(BUDGET, a, b)
    assert result.similarity == pytest.approx(s)
    assert result.label is label


@pytest.mark.parametrize(
    ("a", "b", "s", "label"),
    [
        (-5, -3, 0.75, A),
        (-1, 1, 0.75, A),
        (-2, 2, 0.5, P),
        (-5, 3, 0.0, D),
        (0, 0, 1.0, A),
        (0, 1, 0.875, A),
        (-4, 2.5, 0.1875, D),
    ],
)
def test_numeric_absolute_tolerance_for_zero_and_negative(
    a: float, b: float, s: float, label: Label
) -> None:
    result = compare(MARGIN_CHANGE, a, b)
    assert result.similarity == pytest.approx(s)
    assert result.label is label


@pytest.mark.parametrize(
    ("a", "b", "tolerance"), [(0.8, 0.7, 0.1), (2.2, 1.9, 0.3), (8.3, 6.8, 1.5)]
)
def test_numeric_boundary_near_misses_do_not_flip(a: float, b: float, tolerance: float) -> None:
    s = numeric_similarity(a, b, absolute_tolerance=tolerance)
    assert s < 0.75  # the float really is a near-miss...
    assert label_for(s) is A  # ...and the label still reads agree


@pytest.mark.parametrize(
    ("spec", "a", "b", "side"),
    [
        (BUDGET, 120, 100, "a"),
        (BUDGET, 100, 120, "b"),
        (BUDGET, 100, 100, None),
        (LOAD_TIME, 1.5, 3.0, "a"),  # faster page load is the ambitious target
        (LOAD_TIME, 3.0, 1.5, "b"),
        (MARGIN_CHANGE, -5, -3, "b"),
    ],
)
def test_numeric_more_ambitious_side(spec: QuestionSpec, a: float, b: float, side: str) -> None:
    assert compare(spec, a, b).more_ambitious == side
    assert more_ambitious(a, b, spec.higher_is_ambitious) == side


@pytest.mark.parametrize("bad", [math.nan, math.inf, "12"])
def test_numeric_rejects_non_finite(bad: object) -> None:
    with pytest.raises(ValueError):
        compare(BUDGET, bad, 10)


# ------------------------------------------------------------------------------------------
# Allocation
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "tvd", "s", "label"),
    [
        ({"app": 50, "web": 30, "ads": 20}, {"app": 50, "web": 30, "ads": 20}, 0.0, 1.0, A),
        ({"app": 70, "web": 30}, {"app": 60, "web": 40}, 0.1, 0.75, A),
        ({"app": 50, "web": 30, "ads": 20}, {"app": 30, "web": 30, "ads": 40}, 0.2, 0.5, P),
        ({"app": 100}, {"web": 100}, 1.0, 0.0, D),
        ({"app": 60, "web": 40, "ads": 0}, {"app": 60, "web": 40}, 0.0, 1.0, A),
        ({"app": 45, "web": 55}, {"app": 30, "web": 55, "ads": 15}, 0.15, 0.625, P),
    ],
)
def test_allocation_tvd(
    a: dict[str, int], b: dict[str, int], tvd: float, s: float, label: Label
) -> None:
    assert total_variation_distance(a, b, SPLIT.items) == pytest.approx(tvd)
    assert allocation_similarity(a, b, SPLIT.items) == pytest.approx(s)
    result = compare(SPLIT, a, b)
    assert result.similarity == pytest.approx(s)
    assert result.label is label


def test_allocation_renormalises_rounding_only() -> None:
    thirds = normalise_allocation({"app": 33, "web": 33, "ads": 33}, SPLIT.items)
    assert thirds == pytest.approx({"app": 100 / 3, "web": 100 / 3, "ads": 100 / 3})
    rounded = compare(SPLIT, {"app": 33, "web": 33, "ads": 33}, {"app": 34, "web": 33, "ads": 34})
    assert rounded.similarity == pytest.approx(1 - (1 / 3 - 33 / 101) / 0.4)
    assert normalise_allocation({"app": 60, "web": 40}, SPLIT.items) == {
        "app": 60.0,
        "web": 40.0,
        "ads": 0.0,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"app": 50, "web": 40},  # 90: not a rounding error
        {"app": 110},
        {"app": 120, "web": -20},
        {"app": 50, "tv": 50},
        {"app": "50", "web": 50},
        ["app", "web"],
    ],
)
def test_allocation_rejects_invalid(bad: object) -> None:
    with pytest.raises(ValueError):
        compare(SPLIT, bad, {"app": 100})


def test_empty_allocation_is_missing() -> None:
    assert compare(SPLIT, {}, {"app": 100}).similarity is None


# ------------------------------------------------------------------------------------------
# Free text
# ------------------------------------------------------------------------------------------


def test_free_text_is_not_scored() -> None:
    result = compare(VISION, "Mobile first", "Apps are dead")
    assert result.similarity is None and result.label is None
    assert not result.facilitator_coded


@pytest.mark.parametrize(
    ("coding", "s", "label"), [("agree", 1.0, A), ("partly", 0.5, P), (D, 0.0, D)]
)
def test_free_text_coded_by_facilitator(coding: str, s: float, label: Label) -> None:
    result = compare(VISION, "Mobile first", "Web first", coding=coding)
    assert result.similarity == s
    assert result.label is label
    assert result.facilitator_coded
    assert coded_similarity(coding) == s


def test_coding_needs_both_texts_and_a_valid_verdict() -> None:
    assert compare(VISION, "Mobile first", None, coding="agree").similarity is None
    assert compare(VISION, "Mobile first", "   ", coding="agree").similarity is None
    with pytest.raises(ValueError):
        compare(VISION, "x", "y", coding="mostly")
    with pytest.raises(ValueError):
        compare(SCALE5, 3, 4, coding="agree")


# ------------------------------------------------------------------------------------------
# Missing answers
# ------------------------------------------------------------------------------------------

ANSWERED = [
    (SCALE5, 3),
    (OWNERSHIP, "cio"),
    (CHANNELS, ["app"]),
    (PRIORITIES, ["a", "b", "c"]),
    (BUDGET, 100.0),
    (SPLIT, {"app": 100}),
    (VISION, "Mobile first"),
]


@pytest.mark.parametrize(("spec", "value"), ANSWERED, ids=[s.kind for s, _ in ANSWERED])
def test_missing_answers_are_never_imputed(spec: QuestionSpec, value: object) -> None:
    coding = "agree" if spec.kind is Kind.TEXT else None
    for a, b in [(None, value), (value, None), (None, None)]:
        result = compare(spec, a, b, coding=coding)
        assert result.similarity is None
        assert result.label is None
        assert result.detail[0].code is DetailCode.NOT_ANSWERED
        assert result.detail[0]["sides"] == tuple(s for s, v in (("a", a), ("b", b)) if v is None)
    assert not is_missing(spec, value)


#: Other answers to the questions of ANSWERED: every kind scored, partly credited or not.
OTHER_ANSWERS = {
    Kind.SCALE: 4,
    Kind.SINGLE: "joint",
    Kind.MULTI: ["web", "app"],
    Kind.RANKING: ["c", "a", "b"],
    Kind.NUMERIC: 80.0,
    Kind.ALLOCATION: {"app": 50, "web": 50},
    Kind.TEXT: "Customers first",
}


def _plain(value: object) -> bool:
    """A value a detail may carry: a number, a label, or a code or choice value (no spaces)."""
    if isinstance(value, tuple):
        return all(_plain(part) for part in value)
    if isinstance(value, str):
        return value.replace("-", "").replace("_", "").isalnum()
    return value is None or isinstance(value, int | float)


@pytest.mark.parametrize(("spec", "value"), ANSWERED, ids=[s.kind for s, _ in ANSWERED])
def test_scoring_returns_codes_and_numbers_never_prose(spec: QuestionSpec, value: object) -> None:
    """Every detail line is a code with plain values: the dashboard words it, in the room's
    language; nothing here is an English sentence."""
    other = OTHER_ANSWERS[spec.kind]
    coding = "partly" if spec.kind is Kind.TEXT else None
    results = [
        compare(spec, value, other, coding=coding),
        compare(spec, value, None),
        compare(spec, value, value),
        compare_groups(spec, [value, other, value], [other, other], coding=coding),
        compare_groups(spec, [None], [value]),
        group_consensus(spec, [value, other, value]),
        group_consensus(spec, [value]),
    ]
    if spec.kind is Kind.MULTI:
        results.append(compare(CHANNELS_NO_NONE, [], []))
    for result in results:
        assert result.detail, result
        for line in result.detail:
            assert isinstance(line, Detail) and isinstance(line.code, DetailCode), line
            assert all(_plain(v) for _, v in line.values), line


def test_missing_scale_answer_is_not_the_midpoint() -> None:
    assert compare(SCALE5, None, 3).similarity is None
    assert compare(SCALE5, 3, 3).similarity == 1.0
    summary = aggregate([compare(SCALE5, 5, 5), compare(SCALE5, None, 3), compare(SCALE5, 4, 4)])
    assert summary.alignment == 1.0
    assert summary.scored == 2 and summary.scorable == 3


# ------------------------------------------------------------------------------------------
# Roles with several people
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "answers", "position"),
    [
        (SCALE5, [2, 4], 3),
        (SCALE5, [3, 4], 3.5),  # a median can be x.5
        (SCALE5, [1, 2, 5], 2),
        (SCALE5, [None, 4, 5], 4.5),
        (SCALE5, [None, None], None),
        (SCALE5, [], None),
        (BUDGET, [100, 300, 120], 120),
        (BUDGET, [100.0, 200.0], 150.0),
        (SPLIT, [{"app": 60, "web": 40}, {"app": 40, "web": 60}], {"app": 50, "web": 50, "ads": 0}),
        (SPLIT, [{"app": 100}, {"web": 50, "ads": 50}], {"app": 50, "web": 25, "ads": 25}),
        (OWNERSHIP, ["cio", "cio"], None),  # no position for single choice
        (CHANNELS, [["app"], ["app"]], None),
        (VISION, ["a", "b"], None),
    ],
)
def test_role_position(spec: QuestionSpec, answers: list[object], position: object) -> None:
    result = role_position(spec, answers)
    if isinstance(position, dict):
        assert result == pytest.approx(position)
    else:
        assert result == position


@pytest.mark.parametrize(
    ("answers", "position"),
    [
        ([["a", "b", "c", "d"], ["b", "a", "d", "c"]], [["a", "b"], ["c", "d"], "e"]),
        ([["a", "b", "c"], ["a", "c", "b"], ["b", "a", "c"]], ["a", "b", "c", ["d", "e"]]),
        ([["a", "b"]], ["a", "b", ["c", "d", "e"]]),
        ([["a", ["b", "c"]], ["a", "b"]], ["a", "b", "c", ["d", "e"]]),
        ([["e", "d"], ["d", "e"], ["a"]], [["d", "e"], ["a", "b", "c"]]),  # ["a"] is missing
    ],
)
def test_ranking_position_is_mean_rank_order_with_tied_buckets(
    answers: list[list[object]], position: list[object]
) -> None:
    result = role_position(PRIORITIES, answers)
    assert result == position
    assert ranking_similarity(result, position, PRIORITIES.items) == 1.0  # accepted as a ranking


ONE_EACH = [
    (SCALE5, 3, 4),
    (SCALE7, 2, 6),
    (OWNERSHIP, "cio", "joint"),
    (CHANNELS, ["app", "web"], ["app"]),
    (CHANNELS, ["none"], ["none"]),
    (CHANNELS_NO_NONE, [], []),
    (PRIORITIES, ["a", "b", "c"], ["c", ["a", "b"]]),
    (TOP2, ["a", "b"], ["c", "d"]),
    (BUDGET, 120, 100),
    (LOAD_TIME, 2.0, 2.5),
    (MARGIN_CHANGE, -5, -3),
    (SPLIT, {"app": 70, "web": 30}, {"app": 60, "web": 25, "ads": 15}),
]


@pytest.mark.parametrize(("spec", "a", "b"), ONE_EACH, ids=[str(s.kind) for s, _, _ in ONE_EACH])
def test_one_person_per_role_is_exactly_two_person_compare(
    spec: QuestionSpec, a: object, b: object
) -> None:
    assert compare_groups(spec, [a], [b]) == compare(spec, a, b)


def test_one_person_per_role_free_text_coded() -> None:
    assert compare_groups(VISION, ["x"], ["y"], coding="partly") == compare(
        VISION, "x", "y", coding="partly"
    )


def test_groups_compare_medians_with_the_two_person_formula() -> None:
    it, marketing = [4, 4, 5], [2, 3, 3, 4]
    result = compare_groups(SCALE5, it, marketing)
    assert result == compare(SCALE5, 4, 3)
    assert result.label is P


def test_groups_numeric_more_ambitious_from_medians() -> None:
    result = compare_groups(BUDGET, [100, 110, 300], [100, 105])
    assert result.similarity == pytest.approx(1 - (110 - 102.5) / 110 / 0.4)
    assert result.more_ambitious == "a"


def test_groups_single_choice_mean_over_cross_role_pairs() -> None:
    result = compare_groups(OWNERSHIP, ["cio", "cio", "joint"], ["cmo", "joint"])
    # cio-cmo 0, cio-joint .5 (twice each), joint-cmo .5, joint-joint 1
    assert result.similarity == pytest.approx(2.5 / 6)
    assert result.label is D


def test_groups_multi_mean_dice_skips_missing_pairs() -> None:
    result = compare_groups(CHANNELS_NO_NONE, [["app"], []], [["app", "web"], []])
    # app/app+web 2/3, app/[] 0, []/app+web 0, []/[] missing
    assert result.similarity == pytest.approx((2 / 3) / 3)
    assert result.jaccard == pytest.approx(jaccard_from_dice((2 / 3) / 3))


def test_groups_ignore_missing_answers() -> None:
    assert compare_groups(SCALE5, [None, 4], [2, None]) == compare(SCALE5, 4, 2)
    assert compare_groups(OWNERSHIP, ["cio", None], [None, "joint"]) == compare(
        OWNERSHIP, "cio", "joint"
    )
    nobody = compare_groups(SCALE5, [None], [3, 4])
    assert nobody.similarity is None
    assert nobody.detail == (Detail.of(DetailCode.NOBODY_ANSWERED, sides=("a",)),)


@pytest.mark.parametrize(
    ("spec", "answers", "value", "split"),
    [
        (SCALE5, [4, 4, 4], 1.0, False),
        (SCALE5, [4, 5, 4], (0.75 + 1 + 0.75) / 3, False),
        (SCALE5, [1, 5], 0.0, True),
        (SCALE5, [1, 5, 3], 1 / 3, True),
        (SCALE5, [2, 4], 0.5, False),  # exactly 0.5 is not below 0.5
        (SCALE5, [4], None, False),
        (SCALE5, [4, None], None, False),
        (OWNERSHIP, ["cio", "joint", "cmo"], (0.5 + 0 + 0.5) / 3, True),
        (BUDGET, [100, 100, 90], (0.75 + 0.75 + 1) / 3, False),
        (VISION, ["a", "b"], None, False),
    ],
)
def test_cohesion_and_split_flag(
    spec: QuestionSpec, answers: list[object], value: float | None, split: bool
) -> None:
    result = cohesion(spec, answers)
    assert result == (None if value is None else pytest.approx(value))
    assert is_split(result) is split


def test_is_split_boundary_has_epsilon() -> None:
    assert not is_split(0.5)
    assert not is_split(0.49999999999999994)  # one ulp below 0.5
    assert is_split(0.49)
    assert not is_split(None)


@pytest.mark.parametrize(
    ("xs", "ys", "d"),
    [
        ([4, 5, 5], [1, 2, 2, 3], 1.0),
        ([1, 2], [4, 5], -1.0),
        ([3, 3], [3, 3, 3], 0.0),
        ([1, 2, 3], [2, 3, 4], -5 / 9),
        ([1, 2, None], [2, 3, 4], -5 / 6),
        ([None], [3], None),
        ([], [], None),
    ],
)
def test_cliffs_delta(xs: list[float | None], ys: list[float | None], d: float | None) -> None:
    result = cliffs_delta(xs, ys)
    assert result == (None if d is None else pytest.approx(d))
    if d is not None:
        assert cliffs_delta(ys, xs) == pytest.approx(-d)


@pytest.mark.parametrize(
    ("d", "magnitude"),
    [
        (0.0, "negligible"),
        (0.146, "negligible"),
        (-0.146, "negligible"),
        (0.147, "small"),
        (-0.2, "small"),
        (0.329, "small"),
        (0.33, "medium"),
        (-0.473, "medium"),
        (0.474, "large"),
        (-1.0, "large"),
    ],
)
def test_cliffs_magnitude(d: float, magnitude: str) -> None:
    assert cliffs_magnitude(d) == magnitude
    assert isinstance(cliffs_magnitude(d), Magnitude)


# ------------------------------------------------------------------------------------------
# Whole group
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "label", "bands"),
    [
        ([4, 4, 5, 4, 5, 4, 3, 1], A, BandCounts(below=1, at=1, above=6)),  # 75 %, 12.5 % opposite
        ([4, 4, 5, 4, 5, 4, 1, 1], P, BandCounts(below=2, at=0, above=6)),  # opposite 25 %
        ([3, 3, 3, 4], A, BandCounts(below=0, at=3, above=1)),  # the midpoint band
        ([1, 2, 4, 5], D, BandCounts(below=2, at=0, above=2)),  # 50 % is not > 50 %
        ([4, 4, 2, 3, 5], P, BandCounts(below=1, at=1, above=3)),
        ([1, 2, 3, 4, 5], D, BandCounts(below=2, at=1, above=2)),
        ([5] * 15 + [1] * 3 + [3] * 2, P, BandCounts(below=3, at=2, above=15)),  # 15 % not < 15 %
        ([5] * 15 + [1] * 2 + [3] * 3, A, BandCounts(below=2, at=3, above=15)),
        ([2, 1, 2, 2, None], A, BandCounts(below=4, at=0, above=0)),
    ],
)
def test_group_scale_delphi_band_rule(answers: list[int], label: Label, bands: BandCounts) -> None:
    result = group_consensus(SCALE5, answers)
    assert result.label is label
    assert result.bands == bands
    assert result.answered == bands.total


def test_group_scale_reports_median_counts_and_tastle_wierman() -> None:
    result = group_consensus(SCALE5, [4, 4, 5, 4, 5, 4, 3, 1])
    assert result.position == 4
    assert result.detail == (
        Detail.of(DetailCode.MEDIAN, median=4),
        Detail.of(DetailCode.BANDS, above=6, at=1, below=1, answered=8),
    )
    assert result.score == 0.75
    assert 0 < result.tastle_wierman < 1


@pytest.mark.parametrize(
    ("values", "hi", "consensus"),
    [
        ([3, 3, 3], 5, 1.0),
        ([1, 5], 5, 0.0),
        ([1, 1, 5, 5], 5, 0.0),
        ([1, 7], 7, 0.0),
        ([2, 4], 5, 1 + math.log2(0.75)),  # each 1 step from the mean on a width of 4
    ],
)
def test_tastle_wierman(values: list[int], hi: int, consensus: float) -> None:
    assert tastle_wierman(values, 1, hi) == pytest.approx(consensus, abs=1e-12)


@pytest.mark.parametrize(
    ("answers", "label", "modal"),
    [
        (["cio", "cio", "cio", "joint"], A, ("cio",)),
        (["cio", "cio", "joint"], P, ("cio",)),
        (["cio", "cio", "joint", "joint"], D, ("cio", "joint")),
        (["cmo", "cio", "joint", None], D, ("cio", "cmo", "joint")),
    ],
)
def test_group_single_modal_share(answers: list[str], label: Label, modal: tuple[str]) -> None:
    result = group_consensus(OWNERSHIP, answers)
    assert result.label is label
    assert result.modal == modal


def test_group_multi_mean_dice_and_option_verdicts() -> None:
    answers = [["app", "web"], ["app", "sms"], ["app", "web"], ["none"]]
    result = group_consensus(CHANNELS, answers)
    verdicts = {o.value: (o.verdict, o.chosen) for o in result.options}
    assert verdicts == {
        "app": (OptionVerdict.IN, 3),  # 75 %
        "web": (OptionVerdict.CONTESTED, 2),
        "sms": (OptionVerdict.OUT, 1),  # 25 %
    }
    pairs = [0.5, 1.0, 0.0, 0.5, 0.0, 0.0]
    assert result.score == pytest.approx(sum(pairs) / 6)
    assert result.label is D


@pytest.mark.parametrize(
    ("rankings", "w", "label"),
    [
        ([["a", "b", "c", "d"]] * 3, 1.0, A),
        ([["a", "b", "c", "d"], ["d", "c", "b", "a"]], 0.0, D),
        ([["a", "b", "c", "d"], ["a", "b", "d", "c"], ["a", "c", "b", "d"]], 7 / 9, A),
        ([["a", "b", "c", "d"], ["b", "c", "a", "d"]], 0.7, A),  # exactly 0.7
        ([["a", "b", "c", "d"], ["b", "d", "a", "c"]], 0.5, P),  # exactly 0.5
        ([["a", "b", "c", "d"], ["b", "a", "c", "d"]], 0.9, A),
        ([["a", "b"]] * 3, 1.0, A),  # identical top-k answers: tie-corrected W is 1
    ],
)
def test_group_ranking_kendalls_w(rankings: list[list[str]], w: float, label: Label) -> None:
    spec = QuestionSpec(Kind.RANKING, items=("a", "b", "c", "d"))
    result = group_consensus(spec, rankings)
    assert result.kendall_w == pytest.approx(w)
    assert kendalls_w(rankings, spec.items) == pytest.approx(w)
    assert result.label is label


def test_kendalls_w_two_raters_is_one_plus_spearman_over_two() -> None:
    a, b = ["a", "b", "c", "d", "e"], ["b", "a", "e", "c", "d"]
    d2 = sum((a.index(x) - b.index(x)) ** 2 for x in a)
    rho = 1 - 6 * d2 / (5 * (25 - 1))
    assert kendalls_w([a, b]) == pytest.approx((1 + rho) / 2)


def test_group_numeric_and_allocation_mean_pairwise() -> None:
    numeric = group_consensus(BUDGET, [100, 90, 100])
    assert numeric.score == pytest.approx((0.75 + 1 + 0.75) / 3)
    assert numeric.label is A
    assert numeric.position == 100
    allocation = group_consensus(SPLIT, [{"app": 100}, {"web": 100}, {"app": 100}])
    assert allocation.score == pytest.approx(1 / 3)
    assert allocation.label is D


@pytest.mark.parametrize(("spec", "value"), ANSWERED[:-1], ids=[s.kind for s, _ in ANSWERED[:-1]])
def test_group_with_fewer_than_two_answers_is_insufficient(
    spec: QuestionSpec, value: object
) -> None:
    assert group_consensus(spec, [value, None]).label is INS
    assert group_consensus(spec, []).label is INS


def test_group_free_text_is_not_scored() -> None:
    result = group_consensus(VISION, ["a", "b", "c"])
    assert result.label is None and result.answered == 3


# ------------------------------------------------------------------------------------------
# Sections and overall
# ------------------------------------------------------------------------------------------


def _c(s: float, kind: Kind = Kind.SINGLE, weight: float = 1.0, **kw: object) -> Comparison:
    return Comparison(kind=kind, similarity=s, label=label_for(s), weight=weight, **kw)  # type: ignore[arg-type]


def test_aggregate_weighted_mean_counts_and_coverage() -> None:
    important = QuestionSpec(Kind.SCALE, importance=3)
    comparisons = [
        compare(important, 4, 5),  # 0.75 agree, weight 3
        compare(SCALE5, 3, 4),  # 0.75 but partly by the direction rule
        compare(OWNERSHIP, "cio", "cmo"),  # 0 differ
        compare(OWNERSHIP, None, "cmo"),  # missing
    ]
    result = aggregate(comparisons)
    assert isinstance(result, Aggregate)
    assert result.alignment == pytest.approx((0.75 * 3 + 0.75 + 0) / 5)
    assert (result.agree, result.partly, result.differ) == (1, 1, 1)
    assert (result.scored, result.scorable, result.coverage) == (3, 4, 0.75)
    assert result.label is label_for(result.alignment)
    assert result.chance_corrected is None  # single choice has no known baseline


def test_aggregate_explicit_weights_override() -> None:
    result = aggregate([(_c(1.0), 1.0), (_c(0.0), 3.0)])
    assert result.alignment == 0.25


@pytest.mark.parametrize(
    ("scored", "missing", "label"),
    [
        (1, 0, INS),  # fewer than two scored
        (2, 3, INS),  # coverage 40 %
        (2, 2, A),  # coverage exactly 50 %
        (3, 1, A),
        (0, 4, INS),
        (0, 0, INS),
    ],
)
def test_aggregate_insufficient_data(scored: int, missing: int, label: Label) -> None:
    comparisons = [compare(SCALE5, 4, 4)] * scored + [compare(SCALE5, None, 4)] * missing
    result = aggregate(comparisons)
    assert result.label is label
    assert result.scored == scored


def test_aggregate_free_text_counts_only_when_coded() -> None:
    uncoded = compare(VISION, "x", "y")
    coded = compare(VISION, "x", "y", coding="differ")
    result = aggregate([compare(SCALE5, 4, 4), uncoded, coded])
    assert (result.scored, result.scorable, result.facilitator_coded) == (2, 2, 1)
    assert result.alignment == 0.5
    assert aggregate([compare(SCALE5, 4, 4), coded], scorable=5).label is INS
    with pytest.raises(ValueError):
        aggregate([compare(SCALE5, 4, 4), coded], scorable=1)


def test_aggregate_chance_correction() -> None:
    at_chance = aggregate([compare(SCALE5, 1, 3), compare(SCALE5, 4, 4), compare(SCALE5, 2, 3)])
    assert at_chance.alignment == pytest.approx(0.75)
    assert at_chance.baseline == pytest.approx(0.6)
    assert at_chance.chance_corrected == pytest.approx((0.75 - 0.6) / 0.4)
    no_better = aggregate([compare(SCALE5, 1, 3), compare(SCALE5, 2, 4), compare(SCALE5, 3, 5)])
    assert no_better.alignment == pytest.approx(0.5)
    assert no_better.chance_corrected == pytest.approx(-0.25)


def test_aggregate_mixed_kinds_chance_baseline_is_weighted_mean() -> None:
    ranking = QuestionSpec(Kind.RANKING, items=("a", "b", "c"), importance=2)
    result = aggregate([compare(SCALE5, 4, 4), compare(ranking, ["a", "b", "c"], ["a", "c", "b"])])
    assert result.baseline == pytest.approx((0.6 + 2 * 0.5) / 3)
    assert result.chance_corrected == pytest.approx(
        chance_corrected(result.alignment, result.baseline)
    )
    without = aggregate([compare(SCALE5, 4, 4), compare(BUDGET, 100, 90)])
    assert without.baseline is None and without.chance_corrected is None
    coded = aggregate([compare(SCALE5, 4, 4), compare(VISION, "x", "y", coding="agree")])
    assert coded.chance_corrected is None


@pytest.mark.parametrize(
    ("spec", "baseline"),
    [
        (SCALE5, 0.6),
        (SCALE7, 1 - 8 / 21),
        (QuestionSpec(Kind.SCALE, scale_min=0, scale_max=10), 1 - 12 / 33),
        (PRIORITIES, 0.5),
        (QuestionSpec(Kind.RANKING, items=("a", "b", "c"), rank_limit=2), 0.5),  # k = n - 1
        (TOP2, None),
        (OWNERSHIP, None),
        (CHANNELS, None),
        (BUDGET, None),
        (SPLIT, None),
        (VISION, None),
    ],
)
def test_chance_baseline(spec: QuestionSpec, baseline: float | None) -> None:
    assert chance_baseline(spec) == (None if baseline is None else pytest.approx(baseline))


@pytest.mark.parametrize("hi", [4, 5, 7])
def test_scale_baseline_is_the_mean_over_all_answer_pairs(hi: int) -> None:
    pairs = list(product(range(1, hi + 1), repeat=2))
    mean = sum(scale_similarity(a, b, 1, hi) for a, b in pairs) / len(pairs)
    assert chance_baseline(QuestionSpec(Kind.SCALE, scale_max=hi)) == pytest.approx(mean)


def test_full_ranking_baseline_is_the_mean_over_all_permutation_pairs() -> None:
    rankings = [list(p) for p in permutations("abcd")]
    total = sum(
        Fraction(ranking_similarity(a, b)).limit_denominator(100)
        for a in rankings
        for b in rankings
    )
    assert total / len(rankings) ** 2 == Fraction(1, 2)


def test_chance_corrected() -> None:
    assert chance_corrected(0.8, 0.6) == pytest.approx(0.5)
    assert chance_corrected(0.6, 0.6) == 0.0
    assert chance_corrected(1.0, 0.5) == 1.0
    with pytest.raises(ValueError):
        chance_corrected(0.9, 1.0)


def test_biggest_gaps_orders_by_weighted_gap_then_similarity() -> None:
    entries = [
        ("q1", _c(0.9)),  # gap 0.1
        ("q2", _c(0.2)),  # gap 0.8
        ("q3", _c(0.8, weight=5)),  # weighted gap 1.0
        ("q4", Comparison(Kind.SCALE, None, None)),  # unscored: left out
        ("q5", _c(0.6, weight=2)),  # weighted gap 0.8, ties q2, higher s
        ("q6", _c(0.0, weight=0.5)),  # weighted gap 0.5
    ]
    assert [key for key, _ in biggest_gaps(entries)] == ["q3", "q2", "q5", "q6", "q1"]
    assert [key for key, _ in biggest_gaps(entries, limit=2)] == ["q3", "q2"]
