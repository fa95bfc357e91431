"""The dashboard's fast pairwise means equal `surveys.scoring`'s, for every kind (hypothesis).

`workshops.pairwise` prepares each distinct answer once instead of comparing every pair from
scratch; these properties pin it to the reference: the mean of `scoring.compare` over all pairs.
"""

from __future__ import annotations

import math
from itertools import combinations, product

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import scoring
from surveys.scoring import Kind, QuestionSpec
from workshops import pairwise

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


@settings(max_examples=300, deadline=None)
@given(ANY_CASE)
def test_mean_pairwise_equals_the_mean_of_scoring_compare(case):
    spec, values = case
    answered = [v for v in values if not scoring.is_missing(spec, v)]
    assert_same(
        pairwise.mean_pairwise(spec, values), reference_mean(spec, combinations(answered, 2))
    )


@settings(max_examples=300, deadline=None)
@given(ANY_CASE, st.integers(0, 14))
def test_mean_cross_equals_the_mean_over_cross_pairs(case, cut):
    spec, values = case
    xs, ys = values[:cut], values[cut:]
    answered_x = [v for v in xs if not scoring.is_missing(spec, v)]
    answered_y = [v for v in ys if not scoring.is_missing(spec, v)]
    assert_same(
        pairwise.mean_cross(spec, xs, ys), reference_mean(spec, product(answered_x, answered_y))
    )


@settings(max_examples=200, deadline=None)
@given(ANY_CASE)
def test_cohesion_and_group_consensus_match_scoring(case):
    spec, values = case
    assert_same(pairwise.cohesion(spec, values), scoring.cohesion(spec, values))
    fast, slow = pairwise.group_consensus(spec, values), scoring.group_consensus(spec, values)
    assert (fast.kind, fast.label, fast.answered) == (slow.kind, slow.label, slow.answered)
    assert_same(fast.score, slow.score)
    assert fast.options == slow.options


@settings(max_examples=200, deadline=None)
@given(st.one_of(single_case(), multi_case()), st.integers(0, 14))
def test_compare_groups_matches_scoring(case, cut):
    spec, values = case
    xs, ys = values[:cut], values[cut:]
    fast, slow = pairwise.compare_groups(spec, xs, ys), scoring.compare_groups(spec, xs, ys)
    assert fast.label == slow.label
    assert_same(fast.similarity, slow.similarity)
    assert_same(fast.jaccard, slow.jaccard)
