"""Large rooms take a prepared path through the same scoring functions: the numbers stay the
mean of `scoring.compare` over every pair, for every kind (hypothesis).

`cohesion`, `compare_groups` and `group_consensus` prepare each distinct answer once for groups
larger than `scoring.SMALL_GROUP` instead of comparing every pair from scratch; these properties
pin that path to the reference, with the threshold forced to zero so that small groups take it
too.
"""

from __future__ import annotations

import math
from itertools import combinations, product
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import scoring
from surveys.scoring import Kind, QuestionSpec

ITEMS = ("a", "b", "c", "d", "e")


def reference_mean(spec, pairs) -> float | None:
    scores = [scoring.compare(spec, x, y).similarity for x, y in pairs]
    known = [s for s in scores if s is not None]
    return math.fsum(known) / len(known) if known else None


def assert_same(fast, slow) -> None:
    if slow is None:
        assert fast is None
    else:
        assert fast is not None and math.isclose(fast, slow, abs_tol=1e-9)


@st.composite
def scale_case(draw):
    high = draw(st.integers(3, 9))
    spec = QuestionSpec(Kind.SCALE, scale_min=1, scale_max=high)
    values = draw(st.lists(st.one_of(st.none(), st.integers(1, high)), max_size=14))
    return spec, values


@st.composite
def numeric_case(draw):
    absolute = draw(st.one_of(st.none(), st.floats(0.5, 10)))
    spec = QuestionSpec(
        Kind.NUMERIC, tolerance=draw(st.floats(0.05, 0.5)), absolute_tolerance=absolute
    )
    number = st.one_of(st.integers(-50, 200), st.floats(-1e4, 1e4, allow_nan=False))
    values = draw(st.lists(st.one_of(st.none(), number), max_size=14))
    return spec, values


@st.composite
def single_case(draw):
    credit = draw(
        st.lists(
            st.tuples(st.sampled_from(ITEMS), st.sampled_from(ITEMS), st.sampled_from([0.25, 0.5])),
            max_size=3,
        )
    )
    credit = [(x, y, w) for x, y, w in credit if x != y]
    spec = QuestionSpec(Kind.SINGLE, items=ITEMS, partial_credit=credit)
    values = draw(st.lists(st.one_of(st.none(), st.sampled_from(ITEMS)), max_size=14))
    return spec, values


@st.composite
def multi_case(draw):
    with_none = draw(st.booleans())
    items = (*ITEMS, "none") if with_none else ITEMS
    spec = QuestionSpec(Kind.MULTI, items=items, none_value="none" if with_none else None)
    selection = st.lists(st.sampled_from(ITEMS), unique=True, max_size=4)
    if with_none:
        selection = st.one_of(selection, st.just(["none"]))
    values = draw(st.lists(st.one_of(st.none(), selection), max_size=14))
    return spec, values


@st.composite
def allocation_case(draw):
    items = ITEMS[:4]
    spec = QuestionSpec(Kind.ALLOCATION, items=items, tolerance=draw(st.floats(0.05, 0.3)))

    @st.composite
    def allocation(inner):
        cuts = sorted(inner(st.lists(st.integers(0, 100), min_size=3, max_size=3)))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        return dict(zip(items, parts, strict=True))

    values = draw(st.lists(st.one_of(st.none(), allocation()), max_size=12))
    return spec, values


@st.composite
def ranking_case(draw):
    limit = draw(st.one_of(st.none(), st.integers(2, 4)))
    spec = QuestionSpec(Kind.RANKING, items=ITEMS, rank_limit=limit)

    @st.composite
    def ranking(inner):
        order = inner(st.permutations(ITEMS))
        kept = list(order[: limit or len(ITEMS)])
        if inner(st.booleans()) and len(kept) >= 3:  # a tied bucket
            kept = [kept[0], sorted(kept[1:3]), *kept[3:]]
        return kept

    values = draw(st.lists(st.one_of(st.none(), ranking()), max_size=12))
    return spec, values


ANY_CASE = st.one_of(
    scale_case(), numeric_case(), single_case(), multi_case(), allocation_case(), ranking_case()
)


def answered(spec, values):
    return [v for v in values if not scoring.is_missing(spec, v)]


def prepared_path_everywhere():
    """Every group, however small, takes the prepared path."""
    return mock.patch.object(scoring, "SMALL_GROUP", 0)


@settings(max_examples=300, deadline=None)
@given(ANY_CASE)
def test_cohesion_is_the_mean_of_scoring_compare_over_every_pair(case):
    spec, values = case
    if spec.kind is Kind.TEXT:
        return
    expected = reference_mean(spec, combinations(answered(spec, values), 2))
    with prepared_path_everywhere():
        assert_same(scoring.cohesion(spec, values), expected)
    assert_same(scoring.cohesion(spec, values), expected)


@settings(max_examples=300, deadline=None)
@given(ANY_CASE, st.integers(0, 14))
def test_a_cross_group_mean_is_the_mean_over_every_cross_pair(case, cut):
    spec, values = case
    xs, ys = answered(spec, values[:cut]), answered(spec, values[cut:])
    expected = reference_mean(spec, product(xs, ys))
    with prepared_path_everywhere():
        fast, pairs = scoring._mean_across(spec, xs, ys)
    assert_same(fast, expected)
    assert pairs == sum(
        scoring.compare(spec, x, y).similarity is not None for x, y in product(xs, ys)
    )


@settings(max_examples=200, deadline=None)
@given(ANY_CASE)
def test_group_consensus_is_the_same_on_either_path(case):
    spec, values = case
    slow = scoring.group_consensus(spec, values)
    with prepared_path_everywhere():
        fast = scoring.group_consensus(spec, values, prepared=scoring.PreparedAnswers())
    assert (fast.kind, fast.label, fast.answered) == (slow.kind, slow.label, slow.answered)
    assert_same(fast.score, slow.score)
    assert fast.options == slow.options
    assert fast.position == slow.position


@settings(max_examples=200, deadline=None)
@given(st.one_of(single_case(), multi_case()), st.integers(0, 14))
def test_compare_groups_is_the_same_on_either_path(case, cut):
    spec, values = case
    xs, ys = values[:cut], values[cut:]
    slow = scoring.compare_groups(spec, xs, ys)
    prepared = scoring.PreparedAnswers()
    with prepared_path_everywhere():
        fast = scoring.compare_groups(spec, xs, ys, prepared=prepared)
        again = scoring.compare_groups(spec, xs, ys, prepared=prepared)  # answers reused
    for result in (fast, again):
        assert result.label == slow.label and result.detail == slow.detail
        assert_same(result.similarity, slow.similarity)
        assert_same(result.jaccard, slow.jaccard)


def test_a_large_group_takes_the_prepared_path():
    """The threshold is real: 5 answers prepare each distinct answer once, not once a pair."""
    spec = QuestionSpec(Kind.SCALE, scale_min=1, scale_max=5)
    with mock.patch.object(scoring, "compare", wraps=scoring.compare) as compared:
        scoring.cohesion(spec, [1, 2, 3, 4])
        assert compared.call_count == 6
        compared.reset_mock()
        scoring.cohesion(spec, [1, 2, 3, 4, 5])
        assert compared.call_count == 0
