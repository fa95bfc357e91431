"""Mean pairwise similarity for large rooms: the same numbers as `surveys.scoring`, faster.

Whole-group consensus (numeric, allocation, multiple choice), a role's cohesion and the
cross-role mean for single and multiple choice are means of `scoring.compare` over every pair of
answers. That is O(n^2) calls, each re-validating its two answers with exact fractions: about a
second for 60 participants. Here each distinct answer is validated and prepared once (an
allocation normalised with `scoring.normalise_allocation`, a ranking turned into bucket indexes
with `scoring.ranking_buckets`), identical answers are counted rather than repeated, and the
per-pair formula of CONSENSUS.md is applied to the prepared forms.

The results equal the mean of `scoring.compare` to floating-point precision; the property
tests in tests/workshops/test_pairwise.py check this against `surveys.scoring` for every kind.
Small groups go straight to `surveys.scoring` (see `SMALL`), so the two-person and small-role
numbers the room usually sees are computed by the reference implementation itself.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from itertools import combinations
from operator import sub
from typing import Any

from surveys import scoring
from surveys.scoring import Comparison, GroupConsensus, Kind, Label, QuestionSpec

#: Up to this many answers, the reference functions in `surveys.scoring` are called directly.
SMALL = 4

type Prepared = Any
type PairScore = Callable[[Prepared, Prepared], float | None]


class Unreadable(ValueError):
    """An answer does not fit its question (scoring would raise ValueError too)."""


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Unreadable(f"not a finite number: {value!r}")
    return float(value)


def _prepare(spec: QuestionSpec, value: Any) -> tuple[Hashable, Prepared]:
    """A hashable key (equal for answers that score identically) and the prepared form."""
    match spec.kind:
        case Kind.SCALE:
            number = _number(value)
            if not spec.scale_min <= number <= spec.scale_max:
                raise Unreadable(f"outside the scale: {value!r}")
            return number, number
        case Kind.NUMERIC:
            number = _number(value)
            return number, number
        case Kind.SINGLE:
            return str(value), str(value)
        case Kind.MULTI:
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise Unreadable(f"not a selection: {value!r}")
            chosen = frozenset(value) - ({spec.none_value} if spec.none_value else set())
            return chosen, chosen
        case Kind.ALLOCATION:
            shares = scoring.normalise_allocation(value, spec.items)
            if spec.items:  # every share is over the question's items, in their order
                aligned = tuple(shares[item] for item in spec.items)
                return aligned, aligned
            key = tuple(sorted(shares.items()))
            return key, shares
        case Kind.RANKING:
            if not spec.items:
                raise Unreadable("a ranking question needs its item list")
            buckets = scoring.ranking_buckets(value, spec.items)
            index = {item: i for i, bucket in enumerate(buckets) for item in bucket}
            # The order of every item pair (-1, 0 for tied, 1): two rankings then differ by
            # the L1 distance of these vectors in half-units, Fagin's K^(1/2) doubled.
            orders = tuple(
                (index[x] > index[y]) - (index[x] < index[y])
                for x, y in combinations(spec.items, 2)
            )
            return orders, orders
    raise Unreadable(f"no pairwise similarity for {spec.kind}")


def _pair_score(spec: QuestionSpec) -> PairScore:
    """s for two prepared answers, as `scoring.compare` defines it for the kind."""
    match spec.kind:
        case Kind.SCALE:
            width = spec.scale_max - spec.scale_min
            return lambda a, b: 1.0 - abs(a - b) / width
        case Kind.NUMERIC:
            if spec.absolute_tolerance is not None:
                reach = 4 * spec.absolute_tolerance
                return lambda a, b: max(0.0, 1.0 - abs(a - b) / reach)
            reach = 4 * spec.tolerance

            def numeric(a: float, b: float) -> float:
                scale = max(abs(a), abs(b))
                return 1.0 if scale == 0 else max(0.0, 1.0 - (abs(a - b) / scale) / reach)

            return numeric
        case Kind.SINGLE:
            credit: dict[frozenset[str], float] = {}
            for x, y, w in spec.partial_credit:
                credit.setdefault(frozenset((x, y)), w)
            return lambda a, b: 1.0 if a == b else credit.get(frozenset((a, b)), 0.0)
        case Kind.MULTI:
            both_empty = 1.0 if spec.none_value is not None else None

            def dice(a: frozenset[str], b: frozenset[str]) -> float | None:
                if not a and not b:
                    return both_empty
                return 2 * len(a & b) / (len(a) + len(b))

            return dice
        case Kind.ALLOCATION:
            reach = 4 * spec.tolerance

            def allocation(a: Any, b: Any) -> float:
                if isinstance(a, tuple):
                    moved = math.fsum(map(abs, map(sub, a, b))) / 200
                else:
                    keys = a.keys() | b.keys()
                    moved = math.fsum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys) / 200
                return max(0.0, 1.0 - moved / reach)

            return allocation
        case Kind.RANKING:
            half_units_per_pair = 2 * math.comb(len(spec.items), 2)

            def ranking(a: tuple[int, ...], b: tuple[int, ...]) -> float:
                return 1.0 - sum(map(abs, map(sub, a, b))) / half_units_per_pair

            return ranking
    raise Unreadable(f"no pairwise similarity for {spec.kind}")


class Cache:
    """Prepared answers, kept for the life of one report so that an answer compared for the
    whole room, its role and its side is validated and prepared once. Keyed by the identity of
    the stored value (which the cache keeps alive, so an identity is never reused)."""

    def __init__(self) -> None:
        self._forms: dict[tuple[int, int], tuple[QuestionSpec, Any, Hashable, Prepared]] = {}

    def prepare(self, spec: QuestionSpec, value: Any) -> tuple[Hashable, Prepared]:
        slot = (id(spec), id(value))
        hit = self._forms.get(slot)
        if hit is not None and hit[0] is spec and hit[1] is value:
            return hit[2], hit[3]
        key, form = _prepare(spec, value)
        self._forms[slot] = (spec, value, key, form)
        return key, form


def _as_shares(spec: QuestionSpec, form: Any) -> dict[str, float]:
    """A prepared allocation (aligned tuple or mapping) as percent shares by item."""
    return dict(zip(spec.items, form, strict=True)) if isinstance(form, tuple) else dict(form)


def _distinct(
    spec: QuestionSpec, values: Sequence[Any], cache: Cache | None = None
) -> list[tuple[Prepared, int]]:
    """Each distinct non-missing answer, prepared once, with how many gave it."""
    counts: Counter[Hashable] = Counter()
    prepared: dict[Hashable, Prepared] = {}
    prepare = cache.prepare if cache is not None else _prepare
    for value in values:
        if scoring.is_missing(spec, value):
            continue
        try:
            key, form = prepare(spec, value)
        except (TypeError, KeyError) as error:
            raise Unreadable(str(error)) from error
        counts[key] += 1
        prepared.setdefault(key, form)
    return [(prepared[key], count) for key, count in counts.items()]


def _mean(weighted: list[tuple[float | None, int]]) -> float | None:
    known = [(s, n) for s, n in weighted if s is not None and n]
    total = sum(n for _, n in known)
    if not total:
        return None
    return math.fsum(s * n for s, n in known) / total


def _numeric_mean_pairwise(spec: QuestionSpec, distinct: list[tuple[float, int]]) -> float:
    """`mean_pairwise` for numeric targets in one tight loop (the per-pair formula inlined)."""
    absolute = spec.absolute_tolerance
    reach = 4 * (absolute if absolute is not None else spec.tolerance)
    total = 0.0
    pairs = 0
    for index, (a, count) in enumerate(distinct):
        same = count * (count - 1) // 2
        total += same  # identical targets: s = 1
        pairs += same
        for b, other in distinct[index + 1 :]:
            weight = count * other
            pairs += weight
            gap = abs(a - b)
            if absolute is None:
                scale = max(abs(a), abs(b))
                gap = gap / scale if scale else 0.0
            s = 1.0 - gap / reach
            if s > 0:
                total += s * weight
    return total / pairs


def mean_pairwise(
    spec: QuestionSpec, values: Sequence[Any], cache: Cache | None = None
) -> float | None:
    """Mean s over all pairs of answers within one group (pairs with no s are skipped)."""
    distinct = _distinct(spec, values, cache)
    if spec.kind is Kind.NUMERIC and distinct and sum(n for _, n in distinct) > 1:
        return _numeric_mean_pairwise(spec, distinct)
    score = _pair_score(spec)
    weighted: list[tuple[float | None, int]] = []
    for index, (form, count) in enumerate(distinct):
        if count > 1:
            weighted.append((score(form, form), count * (count - 1) // 2))
        for other, other_count in distinct[index + 1 :]:
            weighted.append((score(form, other), count * other_count))
    return _mean(weighted)


def mean_cross(
    spec: QuestionSpec, xs: Sequence[Any], ys: Sequence[Any], cache: Cache | None = None
) -> float | None:
    """Mean s over all pairs with one answer from each group (pairs with no s are skipped)."""
    score = _pair_score(spec)
    right = _distinct(spec, ys, cache)
    return _mean(
        [
            (score(form, other), count * other_count)
            for form, count in _distinct(spec, xs, cache)
            for other, other_count in right
        ]
    )


def _answered(spec: QuestionSpec, values: Sequence[Any]) -> list[Any]:
    return [value for value in values if not scoring.is_missing(spec, value)]


def cohesion(spec: QuestionSpec, values: Sequence[Any], cache: Cache | None = None) -> float | None:
    """`scoring.cohesion`, computed fast for large groups."""
    answered = _answered(spec, values)
    if spec.kind is Kind.TEXT or len(answered) <= SMALL:
        return scoring.cohesion(spec, answered)
    return mean_pairwise(spec, answered, cache)


def compare_groups(
    spec: QuestionSpec,
    xs: Sequence[Any],
    ys: Sequence[Any],
    coding: str | None = None,
    cache: Cache | None = None,
) -> Comparison:
    """`scoring.compare_groups`, with the cross-role mean (single and multiple choice) computed
    fast when both groups are large. Kinds with a position go to scoring unchanged."""
    answered_x, answered_y = _answered(spec, xs), _answered(spec, ys)
    small = len(answered_x) * len(answered_y) <= SMALL * SMALL
    if small or spec.kind not in (Kind.SINGLE, Kind.MULTI) or not answered_x or not answered_y:
        return scoring.compare_groups(spec, answered_x, answered_y, coding)
    s = mean_cross(spec, answered_x, answered_y, cache)
    if s is None:
        return scoring.compare_groups(spec, answered_x[:1], answered_y[:1])
    pairs = len(answered_x) * len(answered_y)
    return Comparison(
        kind=spec.kind,
        similarity=s,
        label=scoring.label_for(s),
        jaccard=scoring.jaccard_from_dice(min(1.0, s)) if spec.kind is Kind.MULTI else None,
        weight=spec.importance,
        baseline=scoring.chance_baseline(spec),
        detail=(f"mean similarity over {pairs} cross-role pairs",),
    )


def group_consensus(
    spec: QuestionSpec, values: Sequence[Any], cache: Cache | None = None
) -> GroupConsensus:
    """`scoring.group_consensus`, with the mean pairwise s (numeric, allocation, multiple choice)
    computed fast for large groups; every other figure comes from scoring itself."""
    answered = _answered(spec, values)
    if len(answered) <= SMALL or spec.kind not in (Kind.NUMERIC, Kind.ALLOCATION, Kind.MULTI):
        return scoring.group_consensus(spec, answered)
    cache = cache if cache is not None else Cache()
    s = mean_pairwise(spec, answered, cache)
    n = len(answered)
    if spec.kind is Kind.MULTI:
        # The per-option verdicts, by scoring's rule: chosen by >= 75 % in, <= 25 % out.
        chosen = [cache.prepare(spec, value)[1] for value in answered]
        values_in_order = [v for v in spec.items if v != spec.none_value]
        values_in_order += sorted({v for c in chosen for v in c} - set(values_in_order))
        options = []
        for value in values_in_order:
            count = sum(value in c for c in chosen)
            if 4 * count >= 3 * n:
                verdict = scoring.OptionVerdict.IN
            elif 4 * count <= n:
                verdict = scoring.OptionVerdict.OUT
            else:
                verdict = scoring.OptionVerdict.CONTESTED
            options.append(scoring.OptionConsensus(value, count, n, verdict))
        return GroupConsensus(
            spec.kind,
            Label.INSUFFICIENT if s is None else scoring.label_for(s),
            n,
            score=s,
            options=tuple(options),
            detail=("mean pairwise Dice " + ("undefined" if s is None else f"{s:.2f}"),),
        )
    assert s is not None
    if spec.kind is Kind.ALLOCATION:
        # The mean composition (scoring.role_position), from the already normalised shares.
        shares = [_as_shares(spec, cache.prepare(spec, value)[1]) for value in answered]
        keys = dict.fromkeys(key for share in shares for key in share)
        position: Any = {
            key: math.fsum(share.get(key, 0.0) for share in shares) / n for key in keys
        }
    else:
        position = scoring.role_position(spec, answered)
    return GroupConsensus(
        spec.kind,
        scoring.label_for(s),
        n,
        score=s,
        position=position,
        detail=(f"mean pairwise similarity {s:.2f}",),
    )
