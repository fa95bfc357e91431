"""How agreement is measured: pure functions behind every number on the consensus dashboard.

This module implements the scoring specification in ``design/CONSENSUS.md``. It imports nothing
from Django and touches no database: callers hand in plain answer values (the JSON stored on an
``Answer``) and a :class:`QuestionSpec`, and get back small frozen dataclasses they can render.

The vocabulary is the workshop's:

* Two *sides* (``a`` and ``b``, typically the CIO and the CMO, or two roles) answer a question.
  :func:`compare` turns their answers into a **similarity** ``s`` in [0, 1] (1 = identical) and a
  **label**: *agree* (s >= 0.75), *partly* (s >= 0.50) or *differ*. 75 % is the median consensus
  threshold of Delphi studies (Diamond et al. 2014, J Clin Epidemiol 67:401); on a 5-point scale it
  is one step apart, and for rankings it means three item pairs in four are in the same order.
* A **missing** answer (skipped, "don't know", "not applicable", mapped to ``None`` by the caller)
  is never imputed: a question is scored only when both sides answered.
* A **role** with several people has a *position* (:func:`role_position`) and a *cohesion*
  (:func:`cohesion`); :func:`compare_groups` compares two roles.
* :func:`group_consensus` describes the whole room on one question (Delphi band rule, modal share,
  Kendall's W...).
* :func:`aggregate` rolls questions up into a section or overall *alignment* with coverage, label
  counts and a chance-corrected figure; :func:`biggest_gaps` orders the discussion agenda.

No function here computes a p-value: with three people against four no test can reach p < .05,
and showing one would suggest a rigour the data cannot have. Effect sizes (Cliff's delta) are
shown instead.

Floating-point: every threshold is compared with :data:`EPSILON` slack so that a value that is
mathematically on a boundary (e.g. a difference of exactly the tolerance) never falls to the lower
label because of rounding. Where the maths is a ratio of counts (rankings, band shares, Kendall's
W, allocation shares) it is done exactly with integers or :class:`fractions.Fraction`.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import combinations, product
from operator import sub
from typing import Any, Literal

__all__ = [
    "AGREE_AT",
    "EPSILON",
    "PARTLY_AT",
    "Aggregate",
    "BandCounts",
    "Comparison",
    "Detail",
    "DetailCode",
    "GroupConsensus",
    "Kind",
    "Label",
    "Magnitude",
    "OptionConsensus",
    "OptionVerdict",
    "Perception",
    "PerceptionFinding",
    "Polarity",
    "PreparedAnswers",
    "QuestionSpec",
    "aggregate",
    "allocation_similarity",
    "biggest_gaps",
    "chance_baseline",
    "chance_corrected",
    "cliffs_delta",
    "cliffs_magnitude",
    "coded_similarity",
    "cohesion",
    "compare",
    "compare_groups",
    "dice",
    "group_consensus",
    "is_missing",
    "is_split",
    "perceive",
    "perceived_similarity",
    "perception_findings",
    "prediction_accuracy",
    "jaccard_from_dice",
    "kendalls_w",
    "label_for",
    "more_ambitious",
    "normalise_allocation",
    "numeric_similarity",
    "partial_kendall_distance",
    "ranked_count",
    "ranking_buckets",
    "ranking_similarity",
    "role_position",
    "scale_direction",
    "scale_label",
    "scale_similarity",
    "single_similarity",
    "tastle_wierman",
    "total_variation_distance",
]

# --------------------------------------------------------------------------------------------
# Constants and small types
# --------------------------------------------------------------------------------------------

#: Slack for every threshold comparison, so floating-point error never flips a label.
EPSILON = 1e-9
#: s at or above this is "agree" (Delphi median consensus threshold, Diamond et al. 2014).
AGREE_AT = 0.75
#: s at or above this (and below :data:`AGREE_AT`) is "partly".
PARTLY_AT = 0.50
#: A role whose cohesion is below this is split: its position is not representative.
SPLIT_BELOW = 0.50
#: Kendall's W thresholds for a whole group's ranking (Schmidt 1997 reads W >= .7 as strong).
W_AGREE_AT = 0.70
W_PARTLY_AT = 0.50
#: Default relative tolerance T for numeric targets and allocations.
DEFAULT_TOLERANCE = 0.10
#: Allocations are percent shares summing to this; within +-ALLOCATION_ROUNDING they are
#: renormalised (rounding at entry), beyond that they are rejected.
ALLOCATION_TOTAL = 100
ALLOCATION_ROUNDING = 1
#: Coding a free-text pair: the facilitator's verdict and the similarity it counts as.
CODED_SIMILARITY: Mapping[str, float] = {"agree": 1.0, "partly": 0.5, "differ": 0.0}

type Side = Literal["a", "b"]
#: One element of a ranking: an item, or a bucket of items the respondent ranked as tied.
type Bucket = str | Sequence[str]
#: A ranking, best first. Elements are items or tied buckets; unlisted items share the bottom.
type RankingValue = Sequence[Bucket]
#: An answer as stored (see ``surveys.models``); ``None`` is missing.
type AnswerValue = int | float | str | RankingValue | Mapping[str, float] | None


class Kind(StrEnum):
    """Question kinds, with the same values as ``surveys.models.QuestionKind``."""

    SCALE = "scale"
    SINGLE = "single"
    MULTI = "multi"
    RANKING = "ranking"
    NUMERIC = "numeric"
    ALLOCATION = "allocation"
    TEXT = "text"


class Polarity(StrEnum):
    """What a scale's two ends are. **Bipolar**: opposites ("security first" ... "flexibility
    first"), with a neutral middle, so the direction rule applies. **Unipolar**: one quantity
    from none to most (importance, frequency, confidence), with no neutral middle: the size rule
    alone labels it. A scale that declares none is bipolar (older questionnaires keep their
    scores). Same values as ``surveys.models.ScalePolarity``."""

    BIPOLAR = "bipolar"
    UNIPOLAR = "unipolar"


class Label(StrEnum):
    """The verdict shown to the room. INSUFFICIENT is for groups and aggregates only."""

    AGREE = "agree"
    PARTLY = "partly"
    DIFFER = "differ"
    INSUFFICIENT = "insufficient"


class OptionVerdict(StrEnum):
    """Whole-group verdict on one option of a multiple-choice question."""

    IN = "in"  # chosen by >= 75 %: consensus in
    OUT = "out"  # chosen by <= 25 %: consensus out
    CONTESTED = "contested"


class Magnitude(StrEnum):
    """Size of Cliff's delta (Romano et al. 2006 thresholds)."""

    NEGLIGIBLE = "negligible"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class DetailCode(StrEnum):
    """What one line of a comparison's or a group's ``detail`` says. Scoring writes no prose:
    each line is a code with the numbers it names (:class:`Detail`), and the presentation layer
    words it (in the room's language). The values each code carries are listed beside it."""

    # Why a comparison is not scored.
    NOT_ANSWERED = "not_answered"  # sides: the sides ("a", "b") that did not answer
    NOBODY_ANSWERED = "nobody_answered"  # sides: the groups in which nobody answered
    NOTHING_CHOSEN = "nothing_chosen"  # both chose nothing and there is no "none of these"
    NOT_CODED = "not_coded"  # free text the facilitator has not coded
    NO_COMPARABLE_PAIR = "no_comparable_pair"  # no cross-group pair had a similarity
    UNREADABLE = "unreadable"  # a stored answer could not be read (the caller's verdict)
    # How a comparison was scored.
    SCALE = "scale"  # a, b, scale_min, scale_max, similarity
    SCALE_RULES = "scale_rules"  # size, direction: the two rules' labels (bipolar scales)
    UNIPOLAR_SCALE = "unipolar_scale"  # size: the size rule's label, the only rule
    SAME_CHOICE = "same_choice"  # a, b
    PARTIAL_CREDIT = "partial_credit"  # a, b
    DIFFERENT_CHOICES = "different_choices"  # a, b
    DICE = "dice"  # dice, jaccard
    PAIRS_IN_ORDER = "pairs_in_order"  # share: of item pairs in the same order, 0-1
    GAP = "gap"  # difference, tolerance: in the question's unit (absolute tolerance)
    RELATIVE_GAP = "relative_gap"  # share, tolerance: 0-1 of the larger target
    MORE_AMBITIOUS = "more_ambitious"  # side: "a" or "b"
    SAME_TARGET = "same_target"
    BUDGET_MOVED = "budget_moved"  # share: of the budget that would have to move, 0-1
    CODED = "coded"  # verdict: the facilitator's agree, partly or differ
    MEAN_OVER_PAIRS = "mean_over_pairs"  # pairs: cross-group pairs the mean is over
    # The whole group on one question.
    TEXT_NOT_SCORED = "text_not_scored"
    TOO_FEW_ANSWERS = "too_few_answers"  # answered (fewer than 2)
    MEDIAN = "median"  # median
    BANDS = "bands"  # above, at, below, answered: answers by side of the scale's midpoint
    MODAL_SHARE = "modal_share"  # chosen, answered, modal: the modal choice(s)
    MEAN_DICE = "mean_dice"  # value (None when undefined)
    KENDALLS_W = "kendalls_w"  # value (None when undefined)
    MEAN_SIMILARITY = "mean_similarity"  # value


@dataclass(frozen=True, slots=True)
class Detail:
    """One line of how a figure was reached, or why it was not: a code and the values it names
    (as ``(name, value)`` pairs, so that the line stays hashable and comparable)."""

    code: DetailCode
    values: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: DetailCode, **values: Any) -> Detail:
        return cls(code, tuple(values.items()))

    @property
    def params(self) -> dict[str, Any]:
        """The values by name, e.g. ``{"a": 3, "b": 4, ...}`` for :attr:`DetailCode.SCALE`."""
        return dict(self.values)

    def __getitem__(self, name: str) -> Any:
        return self.params[name]


_CAUTION = {Label.DIFFER: 0, Label.PARTLY: 1, Label.AGREE: 2}

#: Kinds with a role position (median, mean composition, mean-rank order).
POSITION_KINDS = frozenset({Kind.SCALE, Kind.NUMERIC, Kind.ALLOCATION, Kind.RANKING})


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """What scoring needs to know about a question, detached from the ORM.

    ``items`` are the choice values in questionnaire order (single, multi, ranking, allocation).
    ``partial_credit`` holds unordered pairs ``(value, value, weight)`` for single choice, e.g.
    ``("cio", "joint", 0.5)``. ``tolerance`` is the relative tolerance T (numeric, allocation);
    ``absolute_tolerance`` (in the question's unit) replaces it for numeric quantities that can be
    zero or negative. ``rank_limit`` marks a top-k ranking (``None``: rank all). ``importance`` is
    the facilitator's weight in section scores and the agenda. ``polarity`` says whether a
    scale's direction rule applies (:class:`Polarity`). Lists are accepted and frozen to
    tuples; ``kind`` and ``polarity`` may be given as plain strings.
    """

    kind: Kind
    scale_min: int = 1
    scale_max: int = 5
    items: tuple[str, ...] = ()
    none_value: str | None = None
    partial_credit: tuple[tuple[str, str, float], ...] = ()
    tolerance: float = DEFAULT_TOLERANCE
    absolute_tolerance: float | None = None
    higher_is_ambitious: bool = True
    rank_limit: int | None = None
    importance: float = 1.0
    polarity: Polarity = Polarity.BIPOLAR

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))
        object.__setattr__(self, "polarity", Polarity(self.polarity))
        object.__setattr__(self, "items", tuple(self.items))
        credit = tuple((str(x), str(y), float(w)) for x, y, w in self.partial_credit)
        object.__setattr__(self, "partial_credit", credit)
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must be greater than scale_min")
        if not self.tolerance > 0:
            raise ValueError("tolerance must be positive")
        if self.absolute_tolerance is not None and not self.absolute_tolerance > 0:
            raise ValueError("absolute_tolerance must be positive when set")
        if not self.importance > 0:
            raise ValueError("importance must be positive")
        if self.rank_limit is not None and self.rank_limit < 1:
            raise ValueError("rank_limit must be at least 1 when set")
        if len(set(self.items)) != len(self.items):
            raise ValueError("items must be distinct")
        if any(not 0.0 <= w <= 1.0 for _, _, w in credit):
            raise ValueError("partial credit weights must lie in [0, 1]")

    @property
    def points(self) -> int:
        """K, the number of points on the scale."""
        return self.scale_max - self.scale_min + 1

    @property
    def midpoint(self) -> float:
        """The scale's midpoint m = (min + max) / 2 (not a scale point when K is even)."""
        return (self.scale_min + self.scale_max) / 2

    @property
    def is_full_ranking(self) -> bool:
        """True when respondents rank every item (ranking all but one is the same order)."""
        return self.rank_limit is None or (
            bool(self.items) and self.rank_limit >= len(self.items) - 1
        )


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two sides compared on one question.

    ``similarity`` is ``None`` when the question is not scored (a side is missing, or free text
    the facilitator has not coded); ``label`` is then ``None`` too. ``jaccard`` is shown beside
    Dice for multiple choice; ``more_ambitious`` names the side with the more ambitious numeric
    target. ``weight`` (the question's importance) and ``baseline`` (the chance similarity, when
    one is known) travel with the comparison so that :func:`aggregate` needs nothing else.
    """

    kind: Kind
    similarity: float | None
    label: Label | None
    jaccard: float | None = None
    more_ambitious: Side | None = None
    facilitator_coded: bool = False
    weight: float = 1.0
    baseline: float | None = None
    detail: tuple[Detail, ...] = ()

    @property
    def scored(self) -> bool:
        return self.similarity is not None

    @property
    def gap(self) -> float | None:
        """Importance-weighted gap (1 - s) * weight: how much this question needs discussing."""
        return None if self.similarity is None else (1.0 - self.similarity) * self.weight


@dataclass(frozen=True, slots=True)
class BandCounts:
    """How many answers fall below, at and above a scale's midpoint."""

    below: int
    at: int
    above: int

    @property
    def total(self) -> int:
        return self.below + self.at + self.above


@dataclass(frozen=True, slots=True)
class OptionConsensus:
    """One multiple-choice option across the whole group: chosen by ``chosen`` of ``answered``."""

    value: str
    chosen: int
    answered: int
    verdict: OptionVerdict


@dataclass(frozen=True, slots=True)
class GroupConsensus:
    """Everyone in the room on one question.

    ``label`` is INSUFFICIENT with fewer than two answers and ``None`` for free text (never
    scored). ``score`` is the statistic the label rests on: the largest band's share (scale), the
    modal share (single), mean pairwise Dice (multi), Kendall's W (ranking) or mean pairwise s
    (numeric, allocation). ``position`` is the group's position as in :func:`role_position`
    (the median for scale and numeric).
    """

    kind: Kind
    label: Label | None
    answered: int
    score: float | None = None
    position: AnswerValue = None
    bands: BandCounts | None = None
    tastle_wierman: float | None = None
    modal: tuple[str, ...] = ()
    options: tuple[OptionConsensus, ...] = ()
    kendall_w: float | None = None
    detail: tuple[Detail, ...] = ()


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A section's (or the whole questionnaire's) alignment.

    ``alignment`` is the weighted mean similarity over scored questions; ``coverage`` is
    scored / scorable. ``label`` is INSUFFICIENT below 50 % coverage or with fewer than two scored
    questions. ``chance_corrected`` is A = (S - S0) / (1 - S0), given only when every scored
    question has a known chance baseline (S0 is then their weighted mean, ``baseline``).
    """

    alignment: float | None
    label: Label
    scored: int
    scorable: int
    coverage: float | None
    agree: int
    partly: int
    differ: int
    facilitator_coded: int
    baseline: float | None
    chance_corrected: float | None


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------


def _threshold_label(value: float, agree_at: float, partly_at: float) -> Label:
    if math.isnan(value):
        raise ValueError("cannot label NaN")
    if value >= agree_at - EPSILON:
        return Label.AGREE
    if value >= partly_at - EPSILON:
        return Label.PARTLY
    return Label.DIFFER


def label_for(s: float) -> Label:
    """agree if s >= 0.75, partly if s >= 0.50, else differ (with :data:`EPSILON` slack).

    The slack makes 0.7499999999999999 (a difference of exactly the tolerance, after rounding)
    read as agree, as the formula intends.
    """
    return _threshold_label(s, AGREE_AT, PARTLY_AT)


def _more_cautious(*labels: Label) -> Label:
    return min(labels, key=_CAUTION.__getitem__)


# --------------------------------------------------------------------------------------------
# Per kind: two answers -> similarity
# --------------------------------------------------------------------------------------------


def _check_scale(value: float, scale_min: int, scale_max: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"scale answer must be a number, not {value!r}")
    if not scale_min <= value <= scale_max:
        raise ValueError(f"scale answer {value!r} outside {scale_min}..{scale_max}")


def scale_similarity(a: float, b: float, scale_min: int = 1, scale_max: int = 5) -> float:
    """s = 1 - |a - b| / (K - 1) on a K-point scale: one step on a 5-point scale is 0.75.

    Accepts half points, since a role's median can be x.5.
    """
    _check_scale(a, scale_min, scale_max)
    _check_scale(b, scale_min, scale_max)
    return 1.0 - abs(a - b) / (scale_max - scale_min)


def _side_of(value: float, midpoint: float) -> int:
    return (value > midpoint) - (value < midpoint)


def scale_direction(a: float, b: float, scale_min: int = 1, scale_max: int = 5) -> Label:
    """The direction rule: same side of the midpoint m agree, one side vs exactly m partly,
    opposite sides differ.

    Two answers one step apart can still mean "for" versus "undecided" (3 vs 4 on 1..5), which a
    distance alone would call agreement; the direction rule keeps that visible.
    """
    _check_scale(a, scale_min, scale_max)
    _check_scale(b, scale_min, scale_max)
    midpoint = (scale_min + scale_max) / 2
    side_a, side_b = _side_of(a, midpoint), _side_of(b, midpoint)
    if side_a == side_b:
        return Label.AGREE
    if side_a == 0 or side_b == 0:
        return Label.PARTLY
    return Label.DIFFER


def scale_label(
    a: float,
    b: float,
    scale_min: int = 1,
    scale_max: int = 5,
    polarity: Polarity | str = Polarity.BIPOLAR,
) -> Label:
    """A bipolar scale: the more cautious of the size rule (:func:`label_for` on s) and
    :func:`scale_direction`. A unipolar scale: the size rule alone (it has no neutral middle:
    3 vs 4 on "how important" is a near-agreement, not a change of side).

    Consequently a scale label is never more favourable than ``label_for(s)``, and on a bipolar
    scale it is not a function of s alone: 5 vs 6 on 1..9 (s = 0.875) is partly while 1 vs 3
    (s = 0.75) is agree.
    """
    size = label_for(scale_similarity(a, b, scale_min, scale_max))
    if Polarity(polarity) is Polarity.UNIPOLAR:
        return size
    return _more_cautious(size, scale_direction(a, b, scale_min, scale_max))


def single_similarity(
    a: str, b: str, partial_credit: Iterable[tuple[str, str, float]] = ()
) -> float:
    """1 if the same choice, else the partial credit declared for the (unordered) pair, else 0.

    Partial credit expresses near-misses the questionnaire designer anticipated, e.g. ownership
    "CIO" vs "joint" = 0.5 (half the decision is shared), so it labels partly.
    """
    if a == b:
        return 1.0
    for first, second, weight in partial_credit:
        if {first, second} == {a, b}:
            return float(weight)
    return 0.0


def _selection(value: Iterable[str], none_value: str | None) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"multiple-choice answer must be a list of values, not {value!r}")
    chosen = frozenset(value)
    # "None of these" is the empty set; if it was ticked together with real options (which the
    # form should prevent) the real options are what the respondent affirmed.
    return chosen - {none_value} if none_value is not None else chosen


def dice(a: Iterable[str], b: Iterable[str], none_value: str | None = None) -> float | None:
    """Dice similarity 2|A and B| / (|A| + |B|) of two selections.

    Dice rather than Jaccard because it reads as "the share of ticks in common" and is gentler on
    small selections; Jaccard = D / (2 - D) is shown beside it (:func:`jaccard_from_dice`).
    A selection equal to ``[none_value]`` is the empty set. Both empty is agreement (1.0) only if
    "none of these" is an explicit option (``none_value`` given); otherwise nobody affirmed
    "nothing" and the pair is missing (``None``). One empty: 0.
    """
    set_a, set_b = _selection(a, none_value), _selection(b, none_value)
    if not set_a and not set_b:
        return 1.0 if none_value is not None else None
    return 2 * len(set_a & set_b) / (len(set_a) + len(set_b))


def jaccard_from_dice(d: float) -> float:
    """Jaccard J = D / (2 - D): shared options over all options either side chose."""
    if not 0.0 <= d <= 1.0:
        raise ValueError("Dice similarity must lie in [0, 1]")
    return d / (2.0 - d)


def ranked_count(value: RankingValue) -> int:
    """How many items a ranking places explicitly (buckets count every item in them)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"ranking must be a list, not {value!r}")
    return sum(1 if isinstance(el, str) else len(el) for el in value)


def _explicit_buckets(value: RankingValue) -> list[tuple[str, ...]]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"ranking must be a list, not {value!r}")
    buckets: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for element in value:
        bucket = (element,) if isinstance(element, str) else tuple(element)
        if not all(isinstance(item, str) for item in bucket):
            raise ValueError(f"ranking elements must be items or lists of items: {element!r}")
        if seen.intersection(bucket) or len(set(bucket)) != len(bucket):
            raise ValueError(f"item ranked twice in {value!r}")
        seen.update(bucket)
        if bucket:
            buckets.append(bucket)
    return buckets


def _ranking_universe(items: Sequence[str], rankings: Iterable[RankingValue]) -> tuple[str, ...]:
    """The items a ranking is over: the question's item list, or (if none is given) every item
    any of the rankings mentions, in order of first appearance."""
    mentioned: dict[str, None] = {}
    for ranking in rankings:
        for bucket in _explicit_buckets(ranking):
            mentioned.update(dict.fromkeys(bucket))
    if not items:
        return tuple(mentioned)
    unknown = set(mentioned) - set(items)
    if unknown:
        raise ValueError(f"ranked items not in the question's item list: {sorted(unknown)}")
    return tuple(items)


def ranking_buckets(value: RankingValue, items: Sequence[str] = ()) -> list[tuple[str, ...]]:
    """A ranking as a complete bucket order over ``items``, best first.

    Tied items share a bucket; items the respondent did not rank (top-k) form one tied bucket at
    the bottom, within which the question's item order is kept.
    """
    universe = _ranking_universe(items, [value])
    buckets = _explicit_buckets(value)
    ranked = {item for bucket in buckets for item in bucket}
    bottom = tuple(item for item in universe if item not in ranked)
    return [*buckets, bottom] if bottom else buckets


def _bucket_index(value: RankingValue, universe: Sequence[str]) -> dict[str, int]:
    return {
        item: index
        for index, bucket in enumerate(ranking_buckets(value, universe))
        for item in bucket
    }


def partial_kendall_distance(a: RankingValue, b: RankingValue, items: Sequence[str] = ()) -> float:
    """Fagin et al. (2006) Kendall distance K^(p) with p = 1/2 between two bucket orders.

    Per item pair: 0 if in the same order or tied in both, 1 if in opposite orders, 1/2 if tied
    in one ranking only. Counted in half-units so the result is exact.
    """
    universe = _ranking_universe(items, [a, b])
    rank_a, rank_b = _bucket_index(a, universe), _bucket_index(b, universe)
    half_units = 0
    for x, y in combinations(universe, 2):
        order_a = (rank_a[x] > rank_a[y]) - (rank_a[x] < rank_a[y])
        order_b = (rank_b[x] > rank_b[y]) - (rank_b[x] < rank_b[y])
        if order_a == order_b:
            continue
        half_units += 1 if order_a == 0 or order_b == 0 else 2
    return half_units / 2


def ranking_similarity(a: RankingValue, b: RankingValue, items: Sequence[str] = ()) -> float | None:
    """s = 1 - K^(1/2) / C(n, 2), n = number of items (the question's full item list).

    The share of item pairs two people put in the same order, with half credit where one of them
    left the pair tied. For full rankings it equals (1 + Kendall's tau) / 2. Bucket positions
    are deliberately not fed to tau-b, which normalises ties differently and flips labels.
    A ranking with fewer than two ranked items says nothing about order: ``None`` (missing).
    """
    if ranked_count(a) < 2 or ranked_count(b) < 2:
        return None
    universe = _ranking_universe(items, [a, b])
    pairs = math.comb(len(universe), 2)
    half_units = round(2 * partial_kendall_distance(a, b, universe))
    return float(1 - Fraction(half_units, 2 * pairs))


def _check_number(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"numeric answer must be a finite number, not {value!r}")
    return float(value)


def numeric_similarity(
    a: float,
    b: float,
    tolerance: float = DEFAULT_TOLERANCE,
    absolute_tolerance: float | None = None,
) -> float:
    """s = max(0, 1 - r / (4T)) with r = |a - b| / max(|a|, |b|).

    So a gap within the tolerance T agrees (s >= 0.75) and within 2T is partly (s >= 0.50):
    "10 % apart" is a statement executives accept about targets of any size. Quantities that can
    be zero or negative (a change, a margin) use ``absolute_tolerance`` in the question's unit:
    r = |a - b| and T = absolute_tolerance. Both zero is identical: 1.
    """
    a, b = _check_number(a), _check_number(b)
    if absolute_tolerance is not None:
        if not absolute_tolerance > 0:
            raise ValueError("absolute_tolerance must be positive")
        return max(0.0, 1.0 - abs(a - b) / (4 * absolute_tolerance))
    if not tolerance > 0:
        raise ValueError("tolerance must be positive")
    scale = max(abs(a), abs(b))
    if scale == 0:
        return 1.0
    return max(0.0, 1.0 - (abs(a - b) / scale) / (4 * tolerance))


def more_ambitious(a: float, b: float, higher_is_ambitious: bool = True) -> Side | None:
    """Which side set the more ambitious target ("a", "b"), or None when they are equal."""
    a, b = _check_number(a), _check_number(b)
    if a == b:
        return None
    return "a" if (a > b) == higher_is_ambitious else "b"


def _shares(value: Mapping[str, float], items: Sequence[str] = ()) -> dict[str, Fraction]:
    """An allocation as exact shares summing to 1, validated as the spec asks."""
    if not isinstance(value, Mapping):
        raise ValueError(f"allocation must be a mapping of item to percent, not {value!r}")
    if items:
        unknown = set(value) - set(items)
        if unknown:
            raise ValueError(f"allocation to items not in the question: {sorted(unknown)}")
    exact = {key: Fraction(_check_number(amount)) for key, amount in value.items()}
    if any(amount < 0 for amount in exact.values()):
        raise ValueError("allocation shares cannot be negative")
    total = sum(exact.values(), Fraction(0))
    if abs(total - ALLOCATION_TOTAL) > ALLOCATION_ROUNDING:
        raise ValueError(
            f"allocation sums to {float(total):g}, not {ALLOCATION_TOTAL} "
            f"(+-{ALLOCATION_ROUNDING} for rounding)"
        )
    keys = list(items) + [key for key in value if key not in items]
    return {key: exact.get(key, Fraction(0)) / total for key in keys}


def normalise_allocation(value: Mapping[str, float], items: Sequence[str] = ()) -> dict[str, float]:
    """Validate an allocation and return it as percent shares summing to 100 over all items.

    Rejects (ValueError) negative shares, unknown items and totals more than 1 point away from
    100; totals within rounding (99..101) are renormalised. Forms can call this at entry.
    """
    return {key: float(share * ALLOCATION_TOTAL) for key, share in _shares(value, items).items()}


def total_variation_distance(
    a: Mapping[str, float], b: Mapping[str, float], items: Sequence[str] = ()
) -> float:
    """TVD = half the sum of |p_i - q_i|: the share of the budget that would have to move."""
    shares_a, shares_b = _shares(a, items), _shares(b, items)
    keys = dict.fromkeys([*shares_a, *shares_b])
    moved = sum(
        (abs(shares_a.get(k, Fraction(0)) - shares_b.get(k, Fraction(0))) for k in keys),
        Fraction(0),
    )
    return float(moved / 2)


def allocation_similarity(
    a: Mapping[str, float],
    b: Mapping[str, float],
    items: Sequence[str] = (),
    tolerance: float = DEFAULT_TOLERANCE,
) -> float:
    """s = max(0, 1 - TVD / (4T)): moving up to T of the budget agrees, up to 2T is partly."""
    if not tolerance > 0:
        raise ValueError("tolerance must be positive")
    return max(0.0, 1.0 - total_variation_distance(a, b, items) / (4 * tolerance))


def coded_similarity(coding: str) -> float:
    """A facilitator's coding of a free-text pair: agree 1, partly 0.5, differ 0."""
    try:
        return CODED_SIMILARITY[str(coding)]
    except KeyError:
        raise ValueError(f"coding must be agree, partly or differ, not {coding!r}") from None


# --------------------------------------------------------------------------------------------
# One question, two sides
# --------------------------------------------------------------------------------------------


def is_missing(spec: QuestionSpec, value: AnswerValue) -> bool:
    """Whether an answer counts as missing for scoring (never imputed).

    ``None`` always; a ranking with fewer than two ranked items; blank free text; an empty
    allocation. An empty multiple-choice selection is *not* missing on its own: see :func:`dice`.
    """
    if value is None:
        return True
    match spec.kind:
        case Kind.RANKING:
            return ranked_count(value) < 2  # type: ignore[arg-type]
        case Kind.TEXT:
            return not str(value).strip()
        case Kind.ALLOCATION:
            return isinstance(value, Mapping) and not value
    return False


def chance_baseline(spec: QuestionSpec) -> float | None:
    """Expected s for two people answering at random, where it is known.

    Scale 1..K: E|a - b| = (K^2 - 1) / (3K) for independent uniform answers, so
    S0 = 1 - (K + 1) / (3K) (0.60 on 1..5). Full ranking: every pair is discordant with
    probability 1/2, so S0 = 0.5. Other kinds (and top-k rankings): None.
    """
    if spec.kind is Kind.SCALE:
        points = spec.points
        return 1.0 - (points + 1) / (3 * points)
    if spec.kind is Kind.RANKING and spec.is_full_ranking:
        return 0.5
    return None


def chance_corrected(s: float, s0: float) -> float:
    """A = (S - S0) / (1 - S0): 0 is no better than chance, 1 is identical, < 0 worse than chance.

    Makes visible a "partly" section (S = 0.6 on 5-point scales) that random answers would reach.
    """
    if s0 >= 1.0:
        raise ValueError("a chance baseline of 1 leaves nothing to correct for")
    return (s - s0) / (1.0 - s0)


def _unscored(spec: QuestionSpec, reason: Detail) -> Comparison:
    return Comparison(
        kind=spec.kind, similarity=None, label=None, weight=spec.importance, detail=(reason,)
    )


def _scored(
    spec: QuestionSpec, s: float, label: Label | None = None, **extra: object
) -> Comparison:
    return Comparison(
        kind=spec.kind,
        similarity=s,
        label=label_for(s) if label is None else label,
        weight=spec.importance,
        baseline=chance_baseline(spec),
        **extra,  # type: ignore[arg-type]
    )


def compare(
    spec: QuestionSpec, a: AnswerValue, b: AnswerValue, coding: str | None = None
) -> Comparison:
    """Compare two sides' answers to one question: similarity, label and what to show beside it.

    ``coding`` is the facilitator's agree/partly/differ for a free-text pair (only for text).
    Missing answers make the comparison unscored; nothing is imputed.
    """
    if coding is not None and spec.kind is not Kind.TEXT:
        raise ValueError("only free-text pairs are coded by the facilitator")
    missing = [side for side, value in (("a", a), ("b", b)) if is_missing(spec, value)]
    if missing:
        return _unscored(spec, Detail.of(DetailCode.NOT_ANSWERED, sides=tuple(missing)))

    match spec.kind:
        case Kind.SCALE:
            lo, hi = spec.scale_min, spec.scale_max
            s = scale_similarity(a, b, lo, hi)  # type: ignore[arg-type]
            scale = Detail.of(DetailCode.SCALE, a=a, b=b, scale_min=lo, scale_max=hi, similarity=s)
            if spec.polarity is Polarity.UNIPOLAR:
                size = label_for(s)
                return _scored(
                    spec, s, size, detail=(scale, Detail.of(DetailCode.UNIPOLAR_SCALE, size=size))
                )
            size, direction = label_for(s), scale_direction(a, b, lo, hi)  # type: ignore[arg-type]
            return _scored(
                spec,
                s,
                _more_cautious(size, direction),
                detail=(
                    scale,
                    Detail.of(DetailCode.SCALE_RULES, size=size, direction=direction),
                ),
            )
        case Kind.SINGLE:
            s = single_similarity(str(a), str(b), spec.partial_credit)
            if a == b:
                how = DetailCode.SAME_CHOICE
            else:
                how = DetailCode.PARTIAL_CREDIT if s else DetailCode.DIFFERENT_CHOICES
            return _scored(spec, s, detail=(Detail.of(how, a=a, b=b),))
        case Kind.MULTI:
            s = dice(a, b, spec.none_value)  # type: ignore[arg-type]
            if s is None:
                return _unscored(spec, Detail.of(DetailCode.NOTHING_CHOSEN))
            j = jaccard_from_dice(s)
            return _scored(
                spec, s, jaccard=j, detail=(Detail.of(DetailCode.DICE, dice=s, jaccard=j),)
            )
        case Kind.RANKING:
            s = ranking_similarity(a, b, spec.items)  # type: ignore[arg-type]
            assert s is not None  # fewer than two ranked items was caught as missing
            return _scored(spec, s, detail=(Detail.of(DetailCode.PAIRS_IN_ORDER, share=s),))
        case Kind.NUMERIC:
            s = numeric_similarity(a, b, spec.tolerance, spec.absolute_tolerance)  # type: ignore[arg-type]
            side = more_ambitious(a, b, spec.higher_is_ambitious)  # type: ignore[arg-type]
            difference = abs(a - b)  # type: ignore[operator]
            if spec.absolute_tolerance is not None:
                gap = Detail.of(
                    DetailCode.GAP, difference=difference, tolerance=spec.absolute_tolerance
                )
            else:
                larger = max(abs(a), abs(b))  # type: ignore[arg-type]
                relative = difference / larger if larger else 0.0
                gap = Detail.of(DetailCode.RELATIVE_GAP, share=relative, tolerance=spec.tolerance)
            if side:
                ambition = Detail.of(DetailCode.MORE_AMBITIOUS, side=side)
            else:
                ambition = Detail.of(DetailCode.SAME_TARGET)
            return _scored(spec, s, more_ambitious=side, detail=(gap, ambition))
        case Kind.ALLOCATION:
            tvd = total_variation_distance(a, b, spec.items)  # type: ignore[arg-type]
            s = allocation_similarity(a, b, spec.items, spec.tolerance)  # type: ignore[arg-type]
            return _scored(spec, s, detail=(Detail.of(DetailCode.BUDGET_MOVED, share=tvd),))
        case Kind.TEXT:
            if coding is None:
                return _unscored(spec, Detail.of(DetailCode.NOT_CODED))
            s = coded_similarity(coding)
            return Comparison(
                kind=spec.kind,
                similarity=s,
                label=label_for(s),
                facilitator_coded=True,
                weight=spec.importance,
                detail=(Detail.of(DetailCode.CODED, verdict=str(coding)),),
            )
    raise AssertionError(f"unhandled kind {spec.kind}")  # pragma: no cover


# --------------------------------------------------------------------------------------------
# Roles with several people
# --------------------------------------------------------------------------------------------


def _answered(spec: QuestionSpec, answers: Iterable[AnswerValue]) -> list[AnswerValue]:
    return [value for value in answers if not is_missing(spec, value)]


def _midranks(value: RankingValue, universe: Sequence[str]) -> dict[str, Fraction]:
    """Rank of each item, tied items sharing the mean of the positions they occupy."""
    ranks: dict[str, Fraction] = {}
    position = 1
    for bucket in ranking_buckets(value, universe):
        mid = Fraction(2 * position + len(bucket) - 1, 2)
        ranks.update(dict.fromkeys(bucket, mid))
        position += len(bucket)
    return ranks


def _mean_rank_order(
    rankings: Sequence[RankingValue], items: Sequence[str]
) -> list[str | list[str]]:
    universe = _ranking_universe(items, rankings)
    totals = {item: Fraction(0) for item in universe}
    for ranking in rankings:
        for item, rank in _midranks(ranking, universe).items():
            totals[item] += rank
    order: list[str | list[str]] = []
    for total in sorted(set(totals.values())):
        bucket = [item for item in universe if totals[item] == total]
        order.append(bucket[0] if len(bucket) == 1 else bucket)
    return order


def role_position(spec: QuestionSpec, answers: Iterable[AnswerValue]) -> AnswerValue:
    """A role's position on a question, from its members' (non-missing) answers.

    Scale and numeric: the median (a scale median may be x.5). Allocation: the mean composition,
    as percent shares. Ranking: items in order of mean rank (tied buckets by midrank, unranked
    items at the bottom), with equal mean ranks as a tied bucket, e.g. ``["a", ["b", "c"], "d"]``.
    ``None`` when nobody answered, and for single choice, multiple choice and free text, which
    have no position (:func:`compare_groups` uses the mean cross-role similarity instead).
    """
    if spec.kind not in POSITION_KINDS:
        return None
    answered = _answered(spec, answers)
    if not answered:
        return None
    match spec.kind:
        case Kind.SCALE:
            for value in answered:
                _check_scale(value, spec.scale_min, spec.scale_max)  # type: ignore[arg-type]
            return statistics.median(answered)  # type: ignore[type-var]
        case Kind.NUMERIC:
            return statistics.median(_check_number(v) for v in answered)  # type: ignore[arg-type]
        case Kind.ALLOCATION:
            shares = [_shares(value, spec.items) for value in answered]  # type: ignore[arg-type]
            keys = dict.fromkeys(key for share in shares for key in share)
            return {
                key: float(
                    sum((s.get(key, Fraction(0)) for s in shares), Fraction(0))
                    * ALLOCATION_TOTAL
                    / len(shares)
                )
                for key in keys
            }
        case _:
            return _mean_rank_order(answered, spec.items)  # type: ignore[arg-type]


def compare_groups(
    spec: QuestionSpec,
    answers_a: Iterable[AnswerValue],
    answers_b: Iterable[AnswerValue],
    coding: str | None = None,
    *,
    prepared: PreparedAnswers | None = None,
) -> Comparison:
    """Compare two roles, each with one or more people.

    Kinds with a position: the two-person formula applied to the roles' positions. Single and
    multiple choice: the mean similarity over all cross-role pairs (missing pairs skipped), with
    Jaccard derived from that mean Dice. Free text: scored only through ``coding``. Missing
    answers are ignored, and with one person per role the result is :func:`compare`'s.
    """
    answered_a, answered_b = _answered(spec, answers_a), _answered(spec, answers_b)
    missing = [side for side, group in (("a", answered_a), ("b", answered_b)) if not group]
    if missing:
        return _unscored(spec, Detail.of(DetailCode.NOBODY_ANSWERED, sides=tuple(missing)))
    if spec.kind is Kind.TEXT:
        return compare(spec, answered_a[0], answered_b[0], coding)
    if spec.kind in POSITION_KINDS:
        return compare(
            spec, role_position(spec, answered_a), role_position(spec, answered_b), coding
        )
    if coding is not None:
        raise ValueError("only free-text pairs are coded by the facilitator")
    if len(answered_a) == 1 and len(answered_b) == 1:
        return compare(spec, answered_a[0], answered_b[0])
    s, compared = _mean_across(spec, answered_a, answered_b, prepared)
    if s is None:
        return _unscored(spec, Detail.of(DetailCode.NO_COMPARABLE_PAIR))
    extra: dict[str, object] = {}
    if spec.kind is Kind.MULTI:
        extra["jaccard"] = jaccard_from_dice(min(1.0, s))
    return _scored(
        spec, s, detail=(Detail.of(DetailCode.MEAN_OVER_PAIRS, pairs=compared),), **extra
    )


def cohesion(
    spec: QuestionSpec,
    answers: Iterable[AnswerValue],
    *,
    prepared: PreparedAnswers | None = None,
) -> float | None:
    """Mean within-role pairwise similarity; None with fewer than two answers (or for text).

    A low cohesion means the role's position (a median, a mean) averages people who disagree.
    """
    answered = _answered(spec, answers)
    if spec.kind is Kind.TEXT or len(answered) < 2:
        return None
    return _mean_within(spec, answered, prepared)


def is_split(cohesion_value: float | None) -> bool:
    """True when a role's cohesion is below 0.5: "this role is split: its position is not
    representative". Unknown cohesion (fewer than two people) is not a split."""
    return cohesion_value is not None and cohesion_value < SPLIT_BELOW - EPSILON


def cliffs_delta(xs: Iterable[float | None], ys: Iterable[float | None]) -> float | None:
    """Cliff's delta d = (#(x > y) - #(x < y)) / (n_x n_y) over all cross pairs.

    An ordinal effect size: the probability that a member of the first role answers higher minus
    the probability they answer lower. It needs no distributional assumption and is meaningful
    with three people against four, where a p-value is not. Missing values are ignored; None if a
    side has no answers.
    """
    left = [_check_number(x) for x in xs if x is not None]
    right = [_check_number(y) for y in ys if y is not None]
    if not left or not right:
        return None
    balance = sum((x > y) - (x < y) for x, y in product(left, right))
    return balance / (len(left) * len(right))


def cliffs_magnitude(d: float) -> Magnitude:
    """|d| < .147 negligible, < .33 small, < .474 medium, else large (Romano et al. 2006)."""
    size = abs(d)
    if size < 0.147:
        return Magnitude.NEGLIGIBLE
    if size < 0.33:
        return Magnitude.SMALL
    if size < 0.474:
        return Magnitude.MEDIUM
    return Magnitude.LARGE


# --------------------------------------------------------------------------------------------
# Whole group
# --------------------------------------------------------------------------------------------


def tastle_wierman(values: Sequence[float], scale_min: int = 1, scale_max: int = 5) -> float:
    """Tastle & Wierman (2007) consensus: 1 + sum p_i log2(1 - |X_i - mean| / (max - min)).

    1 when everyone gives the same answer, 0 when the group is split evenly between the two
    extremes; unlike a standard deviation it is bounded and comparable across scales.
    """
    if not values:
        raise ValueError("no values")
    for value in values:
        _check_scale(value, scale_min, scale_max)
    width = scale_max - scale_min
    mean = statistics.fmean(values)
    counts = Counter(values)
    total = len(values)
    return 1.0 + math.fsum(
        (count / total) * math.log2(1.0 - abs(value - mean) / width)
        for value, count in counts.items()
    )


def kendalls_w(rankings: Sequence[RankingValue], items: Sequence[str] = ()) -> float | None:
    """Kendall's coefficient of concordance W for m rankings of n items, corrected for ties.

    W = 12 S / (m^2 (n^3 - n) - m sum T), S the squared deviations of the items' rank sums from
    their mean, T = sum (t^3 - t) over each ranking's tied groups (including the unranked bottom
    bucket of a top-k answer). 1 = everyone ranks identically, 0 = no shared order. None when it
    is undefined (fewer than two rankings or items, or nobody ordered anything).
    """
    rankings = [r for r in rankings if ranked_count(r) >= 2]
    universe = _ranking_universe(items, rankings)
    m, n = len(rankings), len(universe)
    if m < 2 or n < 2:
        return None
    sums = {item: Fraction(0) for item in universe}
    ties = 0
    for ranking in rankings:
        for item, rank in _midranks(ranking, universe).items():
            sums[item] += rank
        ties += sum(len(b) ** 3 - len(b) for b in ranking_buckets(ranking, universe))
    mean = Fraction(m * (n + 1), 2)
    spread = sum(((total - mean) ** 2 for total in sums.values()), Fraction(0))
    denominator = m * m * (n**3 - n) - m * ties
    if denominator == 0:
        return None
    return float(12 * spread / denominator)


def _share_label(count: int, total: int) -> Label:
    """>= 75 % agree, > 50 % partly, exactly in integers."""
    if 4 * count >= 3 * total:
        return Label.AGREE
    if 2 * count > total:
        return Label.PARTLY
    return Label.DIFFER


def group_consensus(
    spec: QuestionSpec,
    answers: Iterable[AnswerValue],
    *,
    prepared: PreparedAnswers | None = None,
) -> GroupConsensus:
    """How far the whole room agrees on one question.

    * Scale, Delphi band rule: agree if one band (below / at / above the midpoint) holds >= 75 %
      and, when that is a side band, the opposite side holds < 15 %; partly if one band holds
      > 50 %; else differ. Reports the median, the band counts ("6 of 8") and Tastle-Wierman.
    * Single choice: modal share >= 75 % agree, > 50 % partly.
    * Multiple choice: mean pairwise Dice, and per option in (>= 75 % chose it), out (<= 25 %)
      or contested.
    * Ranking: Kendall's W >= 0.7 agree, >= 0.5 partly.
    * Numeric and allocation: mean pairwise similarity.

    INSUFFICIENT with fewer than two answers; free text is never scored (label None).
    """
    answered = _answered(spec, answers)
    n = len(answered)
    if spec.kind is Kind.TEXT:
        return GroupConsensus(spec.kind, None, n, detail=(Detail.of(DetailCode.TEXT_NOT_SCORED),))
    if n < 2:
        return GroupConsensus(
            spec.kind,
            Label.INSUFFICIENT,
            n,
            detail=(Detail.of(DetailCode.TOO_FEW_ANSWERS, answered=n),),
        )
    position = role_position(spec, answered)
    match spec.kind:
        case Kind.SCALE:
            midpoint = spec.midpoint
            bands = BandCounts(
                below=sum(v < midpoint for v in answered),  # type: ignore[operator]
                at=sum(v == midpoint for v in answered),
                above=sum(v > midpoint for v in answered),  # type: ignore[operator]
            )
            sides = ((bands.above, bands.below), (bands.below, bands.above))
            if 4 * bands.at >= 3 * n or any(
                4 * side >= 3 * n and 100 * opposite < 15 * n for side, opposite in sides
            ):
                label = Label.AGREE
            elif 2 * max(bands.below, bands.at, bands.above) > n:
                label = Label.PARTLY
            else:
                label = Label.DIFFER
            largest = max(bands.below, bands.at, bands.above)
            return GroupConsensus(
                spec.kind,
                label,
                n,
                score=largest / n,
                position=position,
                bands=bands,
                tastle_wierman=tastle_wierman(answered, spec.scale_min, spec.scale_max),  # type: ignore[arg-type]
                detail=(
                    Detail.of(DetailCode.MEDIAN, median=position),
                    Detail.of(
                        DetailCode.BANDS,
                        above=bands.above,
                        at=bands.at,
                        below=bands.below,
                        answered=n,
                    ),
                ),
            )
        case Kind.SINGLE:
            counts = Counter(str(v) for v in answered)
            top = max(counts.values())
            order = {item: i for i, item in enumerate(spec.items)}
            modal = tuple(
                sorted(
                    (v for v, c in counts.items() if c == top),
                    key=lambda v: (order.get(v, len(order)), v),
                )
            )
            return GroupConsensus(
                spec.kind,
                _share_label(top, n),
                n,
                score=top / n,
                modal=modal,
                detail=(Detail.of(DetailCode.MODAL_SHARE, chosen=top, answered=n, modal=modal),),
            )
        case Kind.MULTI:
            chosen = [_selection(v, spec.none_value) for v in answered]  # type: ignore[arg-type]
            values = [v for v in spec.items if v != spec.none_value]
            values += sorted({v for c in chosen for v in c} - set(values))
            options = []
            for value in values:
                count = sum(value in c for c in chosen)
                if 4 * count >= 3 * n:
                    verdict = OptionVerdict.IN
                elif 4 * count <= n:
                    verdict = OptionVerdict.OUT
                else:
                    verdict = OptionVerdict.CONTESTED
                options.append(OptionConsensus(value, count, n, verdict))
            mean_dice = _mean_within(spec, answered, prepared)
            return GroupConsensus(
                spec.kind,
                Label.INSUFFICIENT if mean_dice is None else label_for(mean_dice),
                n,
                score=mean_dice,
                options=tuple(options),
                detail=(Detail.of(DetailCode.MEAN_DICE, value=mean_dice),),
            )
        case Kind.RANKING:
            w = kendalls_w(answered, spec.items)  # type: ignore[arg-type]
            if w is None:
                label = Label.INSUFFICIENT
            else:
                label = _threshold_label(w, W_AGREE_AT, W_PARTLY_AT)
            return GroupConsensus(
                spec.kind,
                label,
                n,
                score=w,
                position=position,
                kendall_w=w,
                detail=(Detail.of(DetailCode.KENDALLS_W, value=w),),
            )
        case _:  # numeric, allocation
            mean_s = _mean_within(spec, answered, prepared)
            assert mean_s is not None  # two or more non-missing answers are always comparable
            return GroupConsensus(
                spec.kind,
                label_for(mean_s),
                n,
                score=mean_s,
                position=position,
                detail=(Detail.of(DetailCode.MEAN_SIMILARITY, value=mean_s),),
            )


# --------------------------------------------------------------------------------------------
# Mean similarity over many pairs: cohesion, whole-room consensus, roles with several people
# --------------------------------------------------------------------------------------------

#: Up to this many answers in a group (this many squared across two groups), the means below
#: call :func:`compare` on every pair; beyond it they take the prepared path, which gives the
#: same numbers to floating-point precision (property tests pin the two together).
SMALL_GROUP = 4

type _Prepared = Any
type _PairScore = Callable[[_Prepared, _Prepared], float | None]


class PreparedAnswers:
    """Answers validated and prepared once for one report (a dashboard build), so that an answer
    compared for the whole room, its role and its side is read once. Keyed by the identity of
    the stored value, which it keeps alive (an identity is never reused while it lives). Pass
    one to :func:`cohesion`, :func:`compare_groups` and :func:`group_consensus`; without one,
    each call prepares its own answers."""

    def __init__(self) -> None:
        self._forms: dict[tuple[int, int], tuple[QuestionSpec, Any, Hashable, _Prepared]] = {}

    def prepare(self, spec: QuestionSpec, value: AnswerValue) -> tuple[Hashable, _Prepared]:
        slot = (id(spec), id(value))
        hit = self._forms.get(slot)
        if hit is not None and hit[0] is spec and hit[1] is value:
            return hit[2], hit[3]
        key, form = _prepare(spec, value)
        self._forms[slot] = (spec, value, key, form)
        return key, form


def _finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return float(value)


def _prepare(spec: QuestionSpec, value: Any) -> tuple[Hashable, _Prepared]:
    """A hashable key (equal for answers that score identically) and the form the per-pair
    formula of :func:`_pair_score` reads; ValueError for an answer that does not fit."""
    match spec.kind:
        case Kind.SCALE:
            number = _finite(value)
            _check_scale(number, spec.scale_min, spec.scale_max)
            return number, number
        case Kind.NUMERIC:
            number = _finite(value)
            return number, number
        case Kind.SINGLE:
            return str(value), str(value)
        case Kind.MULTI:
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise ValueError(f"not a selection: {value!r}")
            chosen = _selection(value, spec.none_value)
            return chosen, chosen
        case Kind.ALLOCATION:
            shares = normalise_allocation(value, spec.items)
            if spec.items:  # every share is over the question's items, in their order
                aligned = tuple(shares[item] for item in spec.items)
                return aligned, aligned
            return tuple(sorted(shares.items())), shares
        case Kind.RANKING:
            if not spec.items:
                raise ValueError("a ranking question needs its item list")
            index = _bucket_index(value, spec.items)
            # The order of every item pair (-1, 0 for tied, 1): two rankings then differ by
            # the L1 distance of these vectors in half-units, Fagin's K^(1/2) doubled.
            orders = tuple(
                (index[x] > index[y]) - (index[x] < index[y])
                for x, y in combinations(spec.items, 2)
            )
            return orders, orders
    raise ValueError(f"no pairwise similarity for {spec.kind}")


def _pair_score(spec: QuestionSpec) -> _PairScore:
    """s for two prepared answers: :func:`compare`'s similarity for the kind, in floats."""
    match spec.kind:
        case Kind.SCALE:
            width = spec.scale_max - spec.scale_min
            return lambda a, b: 1.0 - abs(a - b) / width
        case Kind.NUMERIC:
            if spec.absolute_tolerance is not None:
                absolute_reach = 4 * spec.absolute_tolerance
                return lambda a, b: max(0.0, 1.0 - abs(a - b) / absolute_reach)
            relative_reach = 4 * spec.tolerance

            def numeric(a: float, b: float) -> float:
                scale = max(abs(a), abs(b))
                return 1.0 if scale == 0 else max(0.0, 1.0 - (abs(a - b) / scale) / relative_reach)

            return numeric
        case Kind.SINGLE:
            credit: dict[frozenset[str], float] = {}
            for x, y, w in spec.partial_credit:
                credit.setdefault(frozenset((x, y)), w)
            return lambda a, b: 1.0 if a == b else credit.get(frozenset((a, b)), 0.0)
        case Kind.MULTI:
            both_empty = 1.0 if spec.none_value is not None else None

            def multi(a: frozenset[str], b: frozenset[str]) -> float | None:
                if not a and not b:
                    return both_empty
                return 2 * len(a & b) / (len(a) + len(b))

            return multi
        case Kind.ALLOCATION:
            moved_reach = 4 * spec.tolerance

            def allocation(a: Any, b: Any) -> float:
                if isinstance(a, tuple):
                    moved = math.fsum(map(abs, map(sub, a, b))) / 200
                else:
                    keys = a.keys() | b.keys()
                    moved = math.fsum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys) / 200
                return max(0.0, 1.0 - moved / moved_reach)

            return allocation
        case Kind.RANKING:
            half_units_per_pair = 2 * math.comb(len(spec.items), 2)

            def ranking(a: tuple[int, ...], b: tuple[int, ...]) -> float:
                return 1.0 - sum(map(abs, map(sub, a, b))) / half_units_per_pair

            return ranking
    raise ValueError(f"no pairwise similarity for {spec.kind}")


def _distinct(
    spec: QuestionSpec, answered: Sequence[AnswerValue], prepared: PreparedAnswers | None
) -> list[tuple[_Prepared, int]]:
    """Each distinct answer, prepared once, with how many gave it."""
    counts: Counter[Hashable] = Counter()
    forms: dict[Hashable, _Prepared] = {}
    prepare = prepared.prepare if prepared is not None else _prepare
    for value in answered:
        try:
            key, form = prepare(spec, value)
        except (TypeError, KeyError) as error:
            raise ValueError(str(error)) from error
        counts[key] += 1
        forms.setdefault(key, form)
    return [(forms[key], count) for key, count in counts.items()]


def _weighted_mean(weighted: Iterable[tuple[float | None, int]]) -> tuple[float | None, int]:
    """The mean of the known scores, each counted `n` times, and how many pairs it covers."""
    known = [(s, n) for s, n in weighted if s is not None and n]
    pairs = sum(n for _, n in known)
    if not pairs:
        return None, 0
    return math.fsum(s * n for s, n in known) / pairs, pairs


def _numeric_mean_within(spec: QuestionSpec, distinct: list[tuple[float, int]]) -> float:
    """:func:`_mean_within` for numeric targets in one tight loop (the pair formula inlined)."""
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


def _mean_within(
    spec: QuestionSpec, answered: Sequence[AnswerValue], prepared: PreparedAnswers | None = None
) -> float | None:
    """Mean s over every pair of answers within one group (pairs with no s are skipped)."""
    if len(answered) <= SMALL_GROUP:
        return _weighted_mean(
            (compare(spec, x, y).similarity, 1) for x, y in combinations(answered, 2)
        )[0]
    distinct = _distinct(spec, answered, prepared)
    if spec.kind is Kind.NUMERIC:
        return _numeric_mean_within(spec, distinct)
    score = _pair_score(spec)
    weighted: list[tuple[float | None, int]] = []
    for index, (form, count) in enumerate(distinct):
        if count > 1:
            weighted.append((score(form, form), count * (count - 1) // 2))
        for other, other_count in distinct[index + 1 :]:
            weighted.append((score(form, other), count * other_count))
    return _weighted_mean(weighted)[0]


def _mean_across(
    spec: QuestionSpec,
    answered_a: Sequence[AnswerValue],
    answered_b: Sequence[AnswerValue],
    prepared: PreparedAnswers | None = None,
) -> tuple[float | None, int]:
    """Mean s over every pair with one answer from each group, and how many pairs had an s."""
    if len(answered_a) * len(answered_b) <= SMALL_GROUP * SMALL_GROUP:
        return _weighted_mean(
            (compare(spec, x, y).similarity, 1) for x, y in product(answered_a, answered_b)
        )
    score = _pair_score(spec)
    right = _distinct(spec, answered_b, prepared)
    return _weighted_mean(
        (score(form, other), count * other_count)
        for form, count in _distinct(spec, answered_a, prepared)
        for other, other_count in right
    )


# --------------------------------------------------------------------------------------------
# Sections, overall, agenda
# --------------------------------------------------------------------------------------------


def aggregate(
    comparisons: Iterable[Comparison | tuple[Comparison, float]], scorable: int | None = None
) -> Aggregate:
    """Roll questions up into a section or overall alignment.

    ``comparisons`` are the questions' comparisons, optionally paired with a weight that
    overrides ``Comparison.weight``. Alignment is the weighted mean s over scored questions.
    ``scorable`` defaults to the questions passed, not counting free text the facilitator has
    not coded (which is never scored by design, so it should not lower coverage).
    Label: INSUFFICIENT below 50 % coverage or with fewer than two scored questions, else
    :func:`label_for` of the alignment. The label counts use each question's own label (for a
    scale that includes the direction rule).
    """
    weighted = [(c, c.weight) if isinstance(c, Comparison) else c for c in comparisons]
    for _, weight in weighted:
        if not weight > 0:
            raise ValueError("weights must be positive")
    scored = [(c, w) for c, w in weighted if c.similarity is not None]
    if scorable is None:
        scorable = sum(
            1 for c, _ in weighted if c.similarity is not None or c.kind is not Kind.TEXT
        )
    if scorable < len(scored):
        raise ValueError("more questions scored than scorable")
    counts = Counter(c.label for c, _ in scored)
    alignment = baseline = corrected = None
    if scored:
        total_weight = math.fsum(w for _, w in scored)
        alignment = math.fsum(c.similarity * w for c, w in scored) / total_weight  # type: ignore[operator]
        if all(c.baseline is not None for c, _ in scored):
            baseline = math.fsum(c.baseline * w for c, w in scored) / total_weight  # type: ignore[operator]
            corrected = chance_corrected(alignment, baseline) if baseline < 1 else None
    if alignment is None or len(scored) < 2 or 2 * len(scored) < scorable:
        label = Label.INSUFFICIENT
    else:
        label = label_for(alignment)
    return Aggregate(
        alignment=alignment,
        label=label,
        scored=len(scored),
        scorable=scorable,
        coverage=len(scored) / scorable if scorable else None,
        agree=counts[Label.AGREE],
        partly=counts[Label.PARTLY],
        differ=counts[Label.DIFFER],
        facilitator_coded=sum(1 for c, _ in scored if c.facilitator_coded),
        baseline=baseline,
        chance_corrected=corrected,
    )


def biggest_gaps[K](
    entries: Iterable[tuple[K, Comparison]], limit: int | None = None
) -> list[tuple[K, Comparison]]:
    """The discussion agenda: scored questions by importance-weighted gap (1 - s) * weight,
    largest first, then by s ascending; unscored questions are left out. ``entries`` pair any key
    (a question code, a Question) with its comparison; ``limit`` keeps the first few."""
    ranked = sorted(
        ((key, c) for key, c in entries if c.similarity is not None),
        key=lambda entry: (-(entry[1].gap or 0.0), entry[1].similarity),
    )
    return ranked if limit is None else ranked[:limit]


# --------------------------------------------------------------------------------------------
# Perception: what each side thinks the other answered
# --------------------------------------------------------------------------------------------


class PerceptionFinding(StrEnum):
    """What a side's prediction reveals (CONSENSUS.md, "Perception")."""

    #: The side's prediction of the other side is labelled differ: it misreads them.
    MISPERCEPTION = "misperception"
    #: They agree, but the side believes they are partly apart or differ.
    HIDDEN_AGREEMENT = "hidden_agreement"
    #: They are partly apart or differ, but the side believes they agree.
    HIDDEN_DISAGREEMENT = "hidden_disagreement"


@dataclass(frozen=True, slots=True)
class Perception:
    """Two sides ``a`` and ``b`` on one prediction-marked question.

    ``real`` is s(a, b) from their answers (as :func:`compare_groups`). ``accuracy_a`` is a's
    accuracy about b: a's prediction of b against b's answers; ``perceived_a`` is how far apart
    a believes they are: a's own answers against a's prediction of b (likewise for b). A
    comparison is unscored where an answer or a prediction is missing: no prediction, no
    accuracy. ``findings_a`` and ``findings_b`` are what each side's predictions reveal.
    """

    real: Comparison
    accuracy_a: Comparison
    accuracy_b: Comparison
    perceived_a: Comparison
    perceived_b: Comparison
    findings_a: tuple[PerceptionFinding, ...] = ()
    findings_b: tuple[PerceptionFinding, ...] = ()

    @property
    def findings(self) -> tuple[tuple[Side, PerceptionFinding], ...]:
        """Every finding with the side whose prediction it is about."""
        return tuple(("a", f) for f in self.findings_a) + tuple(("b", f) for f in self.findings_b)

    @property
    def has_misperception(self) -> bool:
        return PerceptionFinding.MISPERCEPTION in self.findings_a + self.findings_b


def prediction_accuracy(
    spec: QuestionSpec,
    predictions_of_y: Iterable[AnswerValue],
    answers_y: Iterable[AnswerValue],
    *,
    prepared: PreparedAnswers | None = None,
) -> Comparison:
    """X's accuracy about Y: X's predictions of Y (the role's position of them, with several
    people) against Y's answers, with the question's own formula and labels. Unscored when X
    made no prediction or Y gave no answer."""
    return compare_groups(spec, predictions_of_y, answers_y, prepared=prepared)


def perceived_similarity(
    spec: QuestionSpec,
    answers_x: Iterable[AnswerValue],
    predictions_of_y: Iterable[AnswerValue],
    *,
    prepared: PreparedAnswers | None = None,
) -> Comparison:
    """How far apart X believes X and Y are: X's own answers against X's predictions of Y."""
    return compare_groups(spec, answers_x, predictions_of_y, prepared=prepared)


def perception_findings(
    real: Comparison, accuracy: Comparison, perceived: Comparison
) -> tuple[PerceptionFinding, ...]:
    """What one side's prediction reveals: a misperception (its accuracy is labelled differ),
    a hidden agreement (a real agree, perceived as partly or differ) or a hidden disagreement
    (a real partly or differ, perceived as agree). Only scored comparisons count."""
    findings: list[PerceptionFinding] = []
    if accuracy.label is Label.DIFFER:
        findings.append(PerceptionFinding.MISPERCEPTION)
    if real.label is not None and perceived.label is not None:
        if real.label is Label.AGREE and perceived.label is not Label.AGREE:
            findings.append(PerceptionFinding.HIDDEN_AGREEMENT)
        elif real.label is not Label.AGREE and perceived.label is Label.AGREE:
            findings.append(PerceptionFinding.HIDDEN_DISAGREEMENT)
    return tuple(findings)


def perceive(
    spec: QuestionSpec,
    answers_a: Iterable[AnswerValue],
    answers_b: Iterable[AnswerValue],
    predictions_a: Iterable[AnswerValue],
    predictions_b: Iterable[AnswerValue],
    *,
    real: Comparison | None = None,
    prepared: PreparedAnswers | None = None,
) -> Perception:
    """Both sides' perception on one question: ``predictions_a`` are a's predictions of b's
    answers, ``predictions_b`` b's of a's. ``real`` may pass the comparison already made of the
    two sides' answers (else it is made here)."""
    answers_a, answers_b = list(answers_a), list(answers_b)
    predictions_a, predictions_b = list(predictions_a), list(predictions_b)
    if real is None:
        real = compare_groups(spec, answers_a, answers_b, prepared=prepared)
    accuracy_a = prediction_accuracy(spec, predictions_a, answers_b, prepared=prepared)
    accuracy_b = prediction_accuracy(spec, predictions_b, answers_a, prepared=prepared)
    perceived_a = perceived_similarity(spec, answers_a, predictions_a, prepared=prepared)
    perceived_b = perceived_similarity(spec, answers_b, predictions_b, prepared=prepared)
    return Perception(
        real=real,
        accuracy_a=accuracy_a,
        accuracy_b=accuracy_b,
        perceived_a=perceived_a,
        perceived_b=perceived_b,
        findings_a=perception_findings(real, accuracy_a, perceived_a),
        findings_b=perception_findings(real, accuracy_b, perceived_b),
    )
