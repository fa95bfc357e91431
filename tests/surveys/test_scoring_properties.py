"""Property tests for surveys.scoring: what must hold for any answers, for every scorable kind.

* symmetric: swapping the two sides changes nothing but which side is "more ambitious";
* identical answers score 1;
* every similarity lies in [0, 1];
* labels are monotone in the score (for a scale: within the cap set by the direction rule).
"""

from __future__ import annotations

import math
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.scoring import (
    Comparison,
    Kind,
    Label,
    QuestionSpec,
    aggregate,
    cliffs_delta,
    cohesion,
    compare,
    compare_groups,
    group_consensus,
    label_for,
    ranked_count,
    ranking_similarity,
    role_position,
    scale_direction,
)

SETTINGS = settings(max_examples=100, deadline=None)
SCORABLE = [Kind.SCALE, Kind.SINGLE, Kind.MULTI, Kind.RANKING, Kind.NUMERIC, Kind.ALLOCATION]
CAUTION = {Label.DIFFER: 0, Label.PARTLY: 1, Label.AGREE: 2}
ITEMS = ("a", "b", "c", "d", "e", "f")


# ------------------------------------------------------------------------------------------
# Strategies: a question of a kind, and answers to it
# ------------------------------------------------------------------------------------------


@st.composite
def specs(draw: st.DrawFn, kind: Kind) -> QuestionSpec:
    match kind:
        case Kind.SCALE:
            lo = draw(st.sampled_from([0, 1]))
            return QuestionSpec(kind, scale_min=lo, scale_max=lo + draw(st.integers(2, 10)))
        case Kind.SINGLE:
            items = ITEMS[: draw(st.integers(2, 5))]
            pairs = draw(st.lists(st.sampled_from(list(combinations(items, 2))), unique=True))
            weights = draw(st.lists(st.floats(0, 1), min_size=len(pairs), max_size=len(pairs)))
            credit = tuple((x, y, w) for (x, y), w in zip(pairs, weights, strict=True))
            return QuestionSpec(kind, items=items, partial_credit=credit)
        case Kind.MULTI:
            items = ITEMS[: draw(st.integers(1, 5))]
            if draw(st.booleans()):
                return QuestionSpec(kind, items=(*items, "none"), none_value="none")
            return QuestionSpec(kind, items=items)
        case Kind.RANKING:
            items = ITEMS[: draw(st.integers(2, 6))]
            limit = draw(st.none() | st.integers(2, len(items)))
            return QuestionSpec(kind, items=items, rank_limit=limit)
        case Kind.NUMERIC:
            return QuestionSpec(
                kind,
                tolerance=draw(st.floats(0.01, 0.5)),
                absolute_tolerance=draw(st.none() | st.floats(0.01, 100)),
                higher_is_ambitious=draw(st.booleans()),
            )
        case Kind.ALLOCATION:
            return QuestionSpec(
                kind, items=ITEMS[: draw(st.integers(1, 5))], tolerance=draw(st.floats(0.01, 0.5))
            )
    raise AssertionError(kind)


@st.composite
def answers(draw: st.DrawFn, spec: QuestionSpec) -> object:
    """One non-None answer (it may still be missing, e.g. a ranking of one item)."""
    match spec.kind:
        case Kind.SCALE:
            # whole points, and half points as a role's median can be
            halves = st.integers(2 * spec.scale_min, 2 * spec.scale_max).map(lambda x: x / 2)
            return draw(st.integers(spec.scale_min, spec.scale_max) | halves)
        case Kind.SINGLE:
            return draw(st.sampled_from(spec.items))
        case Kind.MULTI:
            options = [item for item in spec.items if item != spec.none_value]
            chosen = draw(st.lists(st.sampled_from(options), unique=True))
            if not chosen and spec.none_value is not None and draw(st.booleans()):
                return [spec.none_value]
            return chosen
        case Kind.RANKING:
            order = draw(st.permutations(spec.items))
            limit = spec.rank_limit or len(spec.items)
            ranked = order[: draw(st.integers(0, limit))]
            ties = draw(st.lists(st.booleans(), min_size=len(ranked), max_size=len(ranked)))
            buckets: list[list[str]] = []
            for item, tied in zip(ranked, ties, strict=True):
                if tied and buckets:
                    buckets[-1].append(item)
                else:
                    buckets.append([item])
            return [b[0] if len(b) == 1 and draw(st.booleans()) else b for b in buckets]
        case Kind.NUMERIC:
            return draw(
                st.integers(-1000, 1000)
                | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
            )
        case Kind.ALLOCATION:
            n = len(spec.items)
            cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
            shares = [hi - lo for lo, hi in zip([0, *cuts], [*cuts, 100], strict=True)]
            value = dict(zip(spec.items, shares, strict=True))
            if draw(st.booleans()):  # omit zero shares
                value = {item: share for item, share in value.items() if share}
            if draw(st.booleans()):  # a rounding error of one point, renormalised
                key = max(value, key=value.__getitem__)
                value[key] += draw(st.sampled_from([-1, 1]))
            return value
    raise AssertionError(spec.kind)


@st.composite
def scenario(draw: st.DrawFn, kind: Kind, n: int) -> tuple[QuestionSpec, list[object]]:
    spec = draw(specs(kind))
    return spec, [draw(answers(spec)) for _ in range(n)]


@st.composite
def groups(draw: st.DrawFn, kind: Kind) -> tuple[QuestionSpec, list[object], list[object]]:
    spec = draw(specs(kind))
    maybe = answers(spec) | st.none()
    group = st.lists(maybe, min_size=1, max_size=4)
    return spec, draw(group), draw(group)


def check_label(spec: QuestionSpec, a: object, b: object, result: Comparison) -> None:
    """A scored label is label_for(s); for a scale, capped by the direction rule."""
    assert result.similarity is not None and result.label is not None
    expected = label_for(result.similarity)
    if spec.kind is Kind.SCALE:
        expected = min(
            expected, scale_direction(a, b, spec.scale_min, spec.scale_max), key=CAUTION.get
        )
    assert result.label is expected


# ------------------------------------------------------------------------------------------
# Two answers
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SCORABLE)
@SETTINGS
@given(data=st.data())
def test_symmetric_in_the_two_sides(kind: Kind, data: st.DataObject) -> None:
    spec, (a, b) = data.draw(scenario(kind, 2))
    forward, backward = compare(spec, a, b), compare(spec, b, a)
    assert forward.similarity == backward.similarity
    assert forward.label == backward.label
    assert forward.jaccard == backward.jaccard
    swapped = {"a": "b", "b": "a", None: None}
    assert backward.more_ambitious == swapped[forward.more_ambitious]


@pytest.mark.parametrize("kind", SCORABLE)
@SETTINGS
@given(data=st.data())
def test_identical_answers_score_one(kind: Kind, data: st.DataObject) -> None:
    spec, (a,) = data.draw(scenario(kind, 1))
    result = compare(spec, a, a)
    if result.similarity is None:  # only a non-answer: nothing to agree on
        assert (kind is Kind.RANKING and ranked_count(a) < 2) or (
            kind is Kind.MULTI and spec.none_value is None and not a
        )
        return
    assert result.similarity == pytest.approx(1.0)
    assert result.label is Label.AGREE
    assert result.more_ambitious is None


@pytest.mark.parametrize("kind", SCORABLE)
@SETTINGS
@given(data=st.data())
def test_similarity_within_unit_interval_and_labelled_from_it(
    kind: Kind, data: st.DataObject
) -> None:
    spec, (a, b) = data.draw(scenario(kind, 2))
    result = compare(spec, a, b)
    if result.similarity is None:
        assert result.label is None
        return
    assert 0.0 <= result.similarity <= 1.0
    check_label(spec, a, b, result)
    if kind is Kind.MULTI:
        assert 0.0 <= result.jaccard <= result.similarity


@pytest.mark.parametrize("kind", SCORABLE)
@SETTINGS
@given(data=st.data())
def test_labels_monotone_in_the_score(kind: Kind, data: st.DataObject) -> None:
    spec, (a, b, c, d) = data.draw(scenario(kind, 4))
    first, second = compare(spec, a, b), compare(spec, c, d)
    if first.similarity is None or second.similarity is None:
        return
    if kind is Kind.SCALE:
        # The direction rule makes a scale label depend on more than s; monotone once it is
        # held fixed: with equal direction verdicts the higher s never gets the lower label.
        lo, hi = spec.scale_min, spec.scale_max
        if scale_direction(a, b, lo, hi) is not scale_direction(c, d, lo, hi):
            return
    if first.similarity <= second.similarity:
        assert CAUTION[first.label] <= CAUTION[second.label]
    else:
        assert CAUTION[first.label] >= CAUTION[second.label]


@SETTINGS
@given(st.floats(0, 1), st.floats(0, 1))
def test_label_for_is_monotone(s: float, t: float) -> None:
    low, high = sorted((s, t))
    assert CAUTION[label_for(low)] <= CAUTION[label_for(high)]


@SETTINGS
@given(st.permutations(ITEMS), st.permutations(ITEMS))
def test_full_rankings_equal_one_plus_tau_over_two(a: list[str], b: list[str]) -> None:
    pairs = list(combinations(ITEMS, 2))
    concordant = sum((a.index(x) - a.index(y)) * (b.index(x) - b.index(y)) > 0 for x, y in pairs)
    tau = (2 * concordant - len(pairs)) / len(pairs)
    assert ranking_similarity(a, b, ITEMS) == pytest.approx((1 + tau) / 2)


# ------------------------------------------------------------------------------------------
# Roles, whole group, aggregates
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SCORABLE)
@SETTINGS
@given(data=st.data())
def test_one_person_per_role_equals_compare(kind: Kind, data: st.DataObject) -> None:
    spec, (a, b) = data.draw(scenario(kind, 2))
    grouped, direct = compare_groups(spec, [a], [b]), compare(spec, a, b)
    assert grouped.label == direct.label
    assert grouped.more_ambitious == direct.more_ambitious
    if direct.similarity is None:
        assert grouped.similarity is None
    else:
        assert grouped.similarity == pytest.approx(direct.similarity, abs=1e-12)


@pytest.mark.parametrize("kind", SCORABLE)
@SETTINGS
@given(data=st.data())
def test_role_comparison_symmetric_and_bounded(kind: Kind, data: st.DataObject) -> None:
    spec, side_a, side_b = data.draw(groups(kind))
    forward, backward = compare_groups(spec, side_a, side_b), compare_groups(spec, side_b, side_a)
    assert (forward.similarity is None) == (backward.similarity is None)
    if forward.similarity is not None:
        assert forward.similarity == pytest.approx(backward.similarity, abs=1e-12)
        assert 0.0 <= forward.similarity <= 1.0
    for people in (side_a, side_b):
        value = cohesion(spec, people)
        assert value is None or -1e-12 <= value <= 1.0 + 1e-12


@pytest.mark.parametrize("kind", [Kind.SCALE, Kind.NUMERIC, Kind.ALLOCATION, Kind.RANKING])
@SETTINGS
@given(data=st.data())
def test_a_role_of_identical_answers_sits_where_they_do(kind: Kind, data: st.DataObject) -> None:
    spec, (a,) = data.draw(scenario(kind, 1))
    if kind is Kind.RANKING and ranked_count(a) < 2:
        return
    position = role_position(spec, [a, a, a])
    assert compare(spec, position, a).similarity == pytest.approx(1.0)


@pytest.mark.parametrize("kind", SCORABLE)
@SETTINGS
@given(data=st.data())
def test_group_consensus_bounded(kind: Kind, data: st.DataObject) -> None:
    spec, everyone = data.draw(scenario(kind, data.draw(st.integers(0, 6))))
    result = group_consensus(spec, everyone)
    assert result.label in set(Label)
    if result.score is not None:
        assert -1e-12 <= result.score <= 1.0 + 1e-12
    if result.tastle_wierman is not None:
        assert -1e-12 <= result.tastle_wierman <= 1.0 + 1e-12


@SETTINGS
@given(
    st.lists(st.integers(1, 7) | st.none(), max_size=6),
    st.lists(st.integers(1, 7) | st.none(), max_size=6),
)
def test_cliffs_delta_antisymmetric_and_bounded(xs: list[int | None], ys: list[int | None]) -> None:
    d = cliffs_delta(xs, ys)
    if d is None:
        assert not [x for x in xs if x is not None] or not [y for y in ys if y is not None]
        return
    assert -1.0 <= d <= 1.0
    assert cliffs_delta(ys, xs) == -d


@SETTINGS
@given(
    st.lists(
        st.tuples(st.floats(0, 1) | st.none(), st.floats(0.1, 5)),
        max_size=8,
    )
)
def test_aggregate_bounded_and_counts_add_up(rows: list[tuple[float | None, float]]) -> None:
    comparisons = [
        Comparison(
            kind=Kind.SINGLE,
            similarity=s,
            label=None if s is None else label_for(s),
            weight=w,
        )
        for s, w in rows
    ]
    result = aggregate(comparisons)
    assert result.agree + result.partly + result.differ == result.scored
    assert result.scorable == len(rows)
    if result.scored:
        assert -1e-12 <= result.alignment <= 1.0 + 1e-12
        assert 0.0 < result.coverage <= 1.0
    if result.label is not Label.INSUFFICIENT:
        assert result.scored >= 2 and 2 * result.scored >= result.scorable
        assert result.label is label_for(result.alignment)
    assert not math.isnan(result.alignment or 0.0)
