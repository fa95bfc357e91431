"""What the facilitator sees, computed from a loaded `WorkshopAnswers` without the database.

`Report(answers, a, b)` compares two groups (CIO vs CMO by default) question by question with
`surveys.scoring`, and derives every part of the dashboard from those comparisons: overall and
section alignment, the ownership matrix, the KPI table, the discussion agenda, reference
figures, whole-group consensus and split roles. Parts are computed on first use, so a page pays
only for what it shows. Values come out ready to render (labels as words, scores on 0-100,
bar widths), because templates cannot do arithmetic.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from itertools import groupby
from typing import Any

from django.http import HttpRequest
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string

from surveys import scoring
from surveys.presenting import scale_text
from surveys.scoring import Aggregate, Comparison, GroupConsensus, Kind, Label

from .coding import Coding, codings_for
from .dashboard import (
    OWNER_FOR_SIDE,
    Group,
    Item,
    Person,
    WorkshopAnswers,
    people_of,
    safe_compare_groups,
    safe_is_missing,
    unreadable,
)
from .models import Role, Side, Workshop

#: How each label reads, with a symbol so that colour is never the only cue.
LABEL_TEXT = {
    "agree": "Agree",
    "partly": "Partly",
    "differ": "Differ",
    "insufficient": "Insufficient data",
    "none": "Not scored",
}
LABEL_SYMBOL = {"agree": "✓", "partly": "≈", "differ": "✕", "insufficient": "?", "none": "–"}
ROW_LABELS = ("agree", "partly", "differ", "none")
#: Groups up to this size are listed person by person; larger ones are summarised.
LIST_UP_TO = 5

#: Which published figure an executive is held against: their own role's, else (for questions
#: about the organisation, e.g. who owns the mobile web today) the organisations' figure.
#: Heads of IT and marketing were not in the surveyed population (C-level executives).
FIGURE_GROUP_FOR_ROLE = {
    Role.CIO: "cio",
    Role.CMO: "cmo",
    Role.CEO: "other_c_level",
    Role.CTO: "other_c_level",
    Role.CDO: "other_c_level",
    Role.CFO: "other_c_level",
}


def label_key(label: Label | None) -> str:
    return "none" if label is None else str(label)


def percent(value: float | None) -> int | None:
    """A similarity or alignment in [0, 1] as a whole number on 0-100."""
    return None if value is None else round(value * 100)


def weight_text(importance: float) -> str:
    """ "counts double", "counts ×1.5", "counts half"; "" for the usual weight of 1."""
    if importance == 1:
        return ""
    if importance == 2:
        return "counts double"
    if importance == 0.5:
        return "counts half"
    return f"counts ×{_number(importance)}"


def chance_words(beyond_chance: float) -> str:
    """Beyond chance, A = (S - S0) / (1 - S0), in the room's words: 0 is what two people
    answering at random would reach and 1 identical answers, so below 0 is less alike than
    random and 0.5 halfway from random to identical. Within 0.05 of 0 reads as no better than
    random (the figure moves by more than that with one answer)."""
    if beyond_chance < -CHANCE_BAND:
        return "less alike than answers picked at random would be"
    if beyond_chance <= CHANCE_BAND:
        return "no more alike than answers picked at random would be"
    if beyond_chance < 0.5:
        return "more alike than answers picked at random, but less than halfway to identical"
    return "well beyond chance: more than halfway from random answers to identical"


#: How close to 0 "beyond chance" reads as "no better than random answers".
CHANCE_BAND = 0.05


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) >= 0.01 or value == 0 else f"{value:.2g}"


# --------------------------------------------------------------------------------------------
# One answer in its own terms
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    share: float

    @property
    def text(self) -> str:
        return f"{self.share:.0f} %"


@dataclass(frozen=True, slots=True)
class Shown:
    """An answer (or a group's position) ready to render: `text` always, plus the ranked or
    chosen items, the allocation bars, or the full free text."""

    text: str
    items: tuple[str, ...] = ()
    bars: tuple[Bar, ...] = ()
    long: bool = False
    missing: bool = False
    ordered: bool = False

    @property
    def brief(self) -> str:
        """A short form for the dashboard's agenda preview: the top three of a ranking, the two
        largest shares of an allocation, the first options of a selection."""
        if self.bars:
            top = sorted(self.bars, key=lambda bar: -bar.share)[:2]
            more = " …" if len([b for b in self.bars if b.share]) > 2 else ""
            return ", ".join(f"{bar.label} {bar.text}" for bar in top) + more
        if self.ordered and self.items:
            more = " …" if len(self.items) > 3 else ""
            return " › ".join(self.items[:3]) + more
        if self.items and len(self.items) > 3:
            return "; ".join(self.items[:3]) + f" and {len(self.items) - 3} more"
        return self.text if len(self.text) <= 120 else self.text[:117].rstrip() + "…"


NOT_ANSWERED = Shown("Not answered", missing=True)
UNKNOWN = Shown("Don't know / not applicable", missing=True)


def _unit(item: Item, value: float) -> str:
    return f"{_number(value)} {item.unit}" if item.unit else _number(value)


def _scale_text(item: Item, value: float) -> str:
    """ "5 of 5 (Critically important)", "2 of 7, towards “Security first”", "3 of 5"."""
    return scale_text(
        float(value),
        scale_min=item.spec.scale_min,
        scale_max=item.spec.scale_max,
        low_label=item.scale_min_label,
        high_label=item.scale_max_label,
    )


def _bucket_label(item: Item, bucket: Any) -> str:
    if isinstance(bucket, str):
        return item.label_of(bucket)
    return " = ".join(item.label_of(value) for value in bucket)


def show(item: Item, value: Any, is_unknown: bool = False) -> Shown:
    """One stored answer in its own terms: scale labels, the option picked, the ranked list,
    the target with its unit, the allocation as bars, the free text in full."""
    if is_unknown:
        return UNKNOWN
    if safe_is_missing(item.spec, value):
        return NOT_ANSWERED
    try:
        return _show(item, value)
    except (TypeError, ValueError, AttributeError):
        return Shown(str(value))


def _show(item: Item, value: Any) -> Shown:
    match item.spec.kind:
        case Kind.SCALE:
            return Shown(_scale_text(item, float(value)))
        case Kind.SINGLE:
            return Shown(item.label_of(str(value)))
        case Kind.MULTI:
            chosen = [v for v in value if v != item.spec.none_value]
            if not chosen:
                label = item.label_of(item.spec.none_value or "") or "None of these"
                return Shown(label, items=(label,))
            order = {v: i for i, v in enumerate(item.spec.items)}
            labels = tuple(item.label_of(v) for v in sorted(chosen, key=lambda v: order.get(v, 99)))
            return Shown("; ".join(labels), items=labels)
        case Kind.RANKING:
            labels = tuple(_bucket_label(item, bucket) for bucket in value)
            return Shown(
                " › ".join(f"{n}. {label}" for n, label in enumerate(labels, 1)),
                items=labels,
                ordered=True,
            )
        case Kind.NUMERIC:
            return Shown(_unit(item, float(value)))
        case Kind.ALLOCATION:
            bars = tuple(
                Bar(item.label_of(key), float(value.get(key, 0))) for key in item.spec.items
            )
            bars += tuple(
                Bar(item.label_of(key), float(share))
                for key, share in value.items()
                if key not in item.spec.items
            )
            text = ", ".join(f"{bar.label} {bar.text}" for bar in bars if bar.share)
            return Shown(text, bars=bars)
        case _:
            return Shown(str(value), long=True)


def show_position(item: Item, position: Any) -> Shown | None:
    """A group's position (median, mean composition, mean-rank order) in its own terms."""
    if position is None:
        return None
    shown = show(item, position)
    match item.spec.kind:
        case Kind.SCALE | Kind.NUMERIC:
            return Shown(f"median {shown.text}")
        case Kind.RANKING:
            return Shown(f"by mean rank: {shown.text}", items=shown.items, ordered=True)
        case Kind.ALLOCATION:
            return Shown(f"mean split: {shown.text}", bars=shown.bars)
    return shown


# --------------------------------------------------------------------------------------------
# Reference figures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    group: str
    group_label: str
    percent: float
    qualifier: str = ""

    @property
    def text(self) -> str:
        """E.g. "76 % of CIOs", "over 50 % of CMOs", "44 % of organisations"."""
        qualifier = f"{self.qualifier} " if self.qualifier else ""
        group = self.group_label
        if group[1:2].islower():  # "Organisations", not "CIOs"
            group = group[0].lower() + group[1:]
        return f"{qualifier}{_number(self.percent)} % of {group}"

    @property
    def short(self) -> str:
        qualifier = f"{self.qualifier} " if self.qualifier else ""
        return f"{self.group_label} {qualifier}{_number(self.percent)} %"


@dataclass(frozen=True, slots=True)
class Check:
    """One executive's answer held against the published figure for their role."""

    person: Person
    shown: Shown
    in_bucket: bool | None
    figure: Figure | None


@dataclass(frozen=True, slots=True)
class BucketCount:
    """A large group against a published figure: how many of those who answered are in it."""

    label: str
    in_bucket: int
    answered: int


@dataclass(frozen=True, slots=True)
class Reference:
    """A published figure with its provenance (BENCHMARKS.md): never shown as a bare number."""

    source: str
    date: str
    population: str
    question: str
    bucket: str
    also_published: str
    seed: str
    figures: tuple[Figure, ...]
    checks: tuple[Check, ...] = ()
    other_checks: tuple[Check, ...] = ()
    counts: tuple[BucketCount, ...] = ()

    @property
    def headline(self) -> str:
        figures = ", ".join(figure.short for figure in self.figures)
        return f"{figures}: “{self.bucket}”"

    @property
    def provenance(self) -> str:
        """One line for a tooltip; the templates also print it in full as a footnote."""
        return (
            f"{self.source}, {self.date}; {self.population}. Question: “{self.question}” "
            f"Answer bucket: “{self.bucket}”."
        )


def _counts_as_yes(rule: Mapping[str, Any], value: Any) -> bool | None:
    try:
        if "scale_at_least" in rule:
            return float(value) >= float(rule["scale_at_least"])
        if "choice_in" in rule:
            return str(value) in {str(v) for v in rule["choice_in"]}
        if "value_equals" in rule:
            return float(value) == float(rule["value_equals"])
    except (TypeError, ValueError):
        return None
    return None


def reference_for(
    item: Item,
    answers: WorkshopAnswers,
    groups: Sequence[Group],
    others: Iterable[Person] = (),
) -> Reference | None:
    """The question's published figure, and each person's answer against their role's figure
    (the two groups' people in `checks`, anyone else who answered and has a figure in
    `other_checks`); a group too large to list gets a count in `counts` instead."""
    data = item.benchmark
    if not data or not data.get("figures"):
        return None
    figures = tuple(
        Figure(
            group=str(f.get("group", "")),
            group_label=str(f.get("group_label", f.get("group", ""))),
            percent=float(f.get("percent", 0)),
            qualifier=str(f.get("qualifier", "")),
        )
        for f in data["figures"]
    )
    by_group = {figure.group: figure for figure in figures}
    rule = data.get("answer_counts_as_yes", {})

    def check(person: Person) -> Check:
        value = answers.value(person, item)
        figure = by_group.get(FIGURE_GROUP_FOR_ROLE.get(person.role, "")) or by_group.get(
            "organisations"
        )
        cell = answers.cell(person, item)
        shown = show(item, value, bool(cell and cell[1]))
        in_bucket = None if shown.missing else _counts_as_yes(rule, value)
        return Check(person, shown, in_bucket, figure)

    # Beyond the two groups, only people who answered and have a figure for their role.
    others_checked = [
        check(p) for p in others if not safe_is_missing(item.spec, answers.value(p, item))
    ]
    others_checked = [c for c in others_checked if c.figure is not None]
    return Reference(
        source=str(data.get("source", "")),
        date=str(data.get("date", "")),
        population=str(data.get("population", "")),
        question=str(data.get("question", "")),
        bucket=str(data.get("bucket", "")),
        also_published=str(data.get("also_published", "")),
        seed=str(data.get("seed", "")),
        figures=figures,
        checks=tuple(
            check(person)
            for group in groups
            if len(group.people) <= LIST_UP_TO
            for person in group.people
        ),
        other_checks=tuple(others_checked),
        counts=tuple(
            BucketCount(
                group.label,
                sum(1 for c in group_checks if c.in_bucket),
                sum(1 for c in group_checks if c.in_bucket is not None),
            )
            for group in groups
            if len(group.people) > LIST_UP_TO
            for group_checks in [[check(person) for person in group.people]]
        ),
    )


# --------------------------------------------------------------------------------------------
# One question, two groups
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    person: Person
    shown: Shown


@dataclass(frozen=True, slots=True)
class SideView:
    """One group's answers to one question: each person's, and the group's position."""

    group: Group
    entries: tuple[Entry, ...]
    position: Shown | None
    answered: int
    cohesion: float | None
    split: bool
    more_ambitious: bool = False

    @property
    def single(self) -> Shown:
        """The one answer to show when the group is one person (or nobody)."""
        return self.entries[0].shown if len(self.entries) == 1 else NOT_ANSWERED

    @property
    def summary(self) -> Shown:
        """A one-line answer for tables and the agenda: the position, or the only answer."""
        if self.position is not None and self.answered > 1:
            return self.position
        answered = [entry.shown for entry in self.entries if not entry.shown.missing]
        if len(answered) == 1:
            return answered[0]
        if not answered:
            return NOT_ANSWERED
        counts = Counter(shown.text for shown in answered).most_common()
        more = " …" if len(counts) > 3 else ""
        return Shown("; ".join(f"{text} ×{n}" if n > 1 else text for text, n in counts[:3]) + more)

    @property
    def has_drafts(self) -> bool:
        return any(entry.person.is_draft and not entry.shown.missing for entry in self.entries)

    @property
    def many(self) -> bool:
        """More people than a list can show readably: show how the answers are spread."""
        return len(self.entries) > LIST_UP_TO

    @property
    def spread(self) -> list[tuple[str, int]]:
        """How many gave each answer, most frequent first (for a large group)."""
        counts = Counter(entry.shown.text for entry in self.entries if not entry.shown.missing)
        return counts.most_common()

    @property
    def unanswered(self) -> int:
        return sum(1 for entry in self.entries if entry.shown.missing)


@dataclass(frozen=True, slots=True)
class SideKey:
    key: str
    view: SideView


@dataclass(frozen=True, slots=True)
class ScaleMark:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class ScaleStrip:
    """Both groups' scale positions on one line (SVG coordinates on a 0-100 wide box)."""

    ticks: tuple[ScaleMark, ...]
    a: float | None
    b: float | None
    a_people: tuple[float, ...]
    b_people: tuple[float, ...]
    min_label: str
    max_label: str

    @property
    def b_corner(self) -> float | None:
        """Left edge of B's square marker (6 wide), centred on B's position."""
        return None if self.b is None else round(self.b - 3, 2)

    @property
    def b_people_corners(self) -> tuple[float, ...]:
        return tuple(round(x - 1.2, 2) for x in self.b_people)


@dataclass(frozen=True, slots=True)
class PairedBar:
    label: str
    a: float
    b: float

    @property
    def a_text(self) -> str:
        return f"{self.a:.0f} %"

    @property
    def b_text(self) -> str:
        return f"{self.b:.0f} %"


@dataclass(frozen=True, slots=True)
class OptionMarks:
    """A multiple-choice option: how many in each group chose it."""

    label: str
    a: int
    a_of: int
    b: int
    b_of: int

    @property
    def shared(self) -> bool:
        return self.a > 0 and self.b > 0


@dataclass
class Row:
    """A question with both groups' answers, its comparison, and what goes beside it."""

    item: Item
    a: SideView
    b: SideView
    comparison: Comparison
    consensus: GroupConsensus | None = None
    cliffs: float | None = None
    reference: Reference | None = None
    strip: ScaleStrip | None = None
    paired_bars: tuple[PairedBar, ...] = ()
    options: tuple[OptionMarks, ...] = ()
    coding: Coding | None = None
    coding_stale: bool = False
    positions: tuple[Any, Any] = (None, None)

    @property
    def label(self) -> str:
        return label_key(self.comparison.label)

    @property
    def label_text(self) -> str:
        return LABEL_TEXT[self.label]

    @property
    def score(self) -> int | None:
        return percent(self.comparison.similarity)

    @property
    def gap(self) -> float | None:
        return self.comparison.gap

    @property
    def weight_text(self) -> str:
        """The question's importance in words when it is not the usual 1 ("counts double"): it
        weighs that much in the alignment and in the agenda's order."""
        return weight_text(self.item.importance)

    @property
    def reason(self) -> str:
        """Why a question is not scored, in the room's words."""
        if self.comparison.scored:
            return ""
        if self.item.spec.kind is Kind.TEXT:
            return "Free text: read both answers together (the facilitator may code the pair)."
        missing = [side.group.label for side in (self.a, self.b) if not side.answered]
        if missing:
            return f"Not scored: no answer yet from {' or '.join(missing)}."
        return "Not scored: " + "; ".join(self.comparison.detail).removeprefix("not scored: ")

    @property
    def details(self) -> tuple[str, ...]:
        """How the score was reached, with "side a/b" replaced by the groups' names."""
        names = {"side a": self.a.group.label, "side b": self.b.group.label}
        result = []
        for line in self.comparison.detail:
            for old, new in names.items():
                line = line.replace(old, new)
            result.append(line)
        return tuple(result)

    @property
    def cliffs_size(self) -> str:
        return "" if self.cliffs is None else str(scoring.cliffs_magnitude(self.cliffs))

    @property
    def cliffs_text(self) -> str:
        """Cliff's delta in words: which group tends to answer higher, and by how much."""
        d = self.cliffs
        if d is None:
            return ""
        a, b = self.a.group.label, self.b.group.label
        if scoring.cliffs_magnitude(d) is scoring.Magnitude.NEGLIGIBLE:
            trend = "no meaningful difference between the groups"
        else:
            trend = f"{a} tends to answer {'higher' if d > 0 else 'lower'} than {b}"
        return f"Cliff's delta {d:+.2f} ({self.cliffs_size}): {trend}."

    @property
    def ambitious_group(self) -> Group | None:
        side = self.comparison.more_ambitious
        if side is None:
            return None
        return self.a.group if side == "a" else self.b.group

    @property
    def has_drafts(self) -> bool:
        return self.a.has_drafts or self.b.has_drafts

    @property
    def codable(self) -> bool:
        """A free-text pair of two groups that both answered: the comparison offers the coding
        form (never for a group compared with itself)."""
        return (
            self.item.kind == "text"
            and self.a.group.key != self.b.group.key
            and bool(self.a.answered and self.b.answered)
        )

    @property
    def sides(self) -> tuple[SideKey, SideKey]:
        """Both sides with their marker key, for templates that loop over them."""
        return SideKey("a", self.a), SideKey("b", self.b)

    @property
    def consensus_label(self) -> str:
        return "" if self.consensus is None else label_key(self.consensus.label)

    @property
    def consensus_text(self) -> str:
        """The whole group on this question, e.g. "5 of 6 above the midpoint"."""
        consensus = self.consensus
        if consensus is None or consensus.label is None:
            return ""
        if consensus.kind is Kind.SINGLE and consensus.modal and consensus.score is not None:
            chosen = round(consensus.score * consensus.answered)
            labels = " or ".join(f"“{self.item.label_of(v)}”" for v in consensus.modal)
            return f"{chosen} of {consensus.answered} chose {labels}"
        if consensus.kind is Kind.SCALE and consensus.position is not None:
            return "; ".join(consensus.detail).replace(
                f"median {consensus.position:g}",
                f"median {_scale_text(self.item, consensus.position)}",
            )
        return "; ".join(consensus.detail)


def _strip(item: Item, a: Any, b: Any, a_values: list[Any], b_values: list[Any]) -> ScaleStrip:
    spec = item.spec
    width = spec.scale_max - spec.scale_min

    def x(value: float) -> float:
        return round(6 + 88 * (float(value) - spec.scale_min) / width, 2)

    def xs(values: list[Any]) -> tuple[float, ...]:
        return tuple(x(v) for v in values if v is not None and not isinstance(v, bool))

    return ScaleStrip(
        ticks=tuple(
            ScaleMark(x(point), str(point)) for point in range(spec.scale_min, spec.scale_max + 1)
        ),
        a=None if a is None else x(a),
        b=None if b is None else x(b),
        a_people=xs(a_values) if len(xs(a_values)) > 1 else (),
        b_people=xs(b_values) if len(xs(b_values)) > 1 else (),
        min_label=item.scale_min_label,
        max_label=item.scale_max_label,
    )


def _paired_bars(item: Item, a: Any, b: Any) -> tuple[PairedBar, ...]:
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return ()
    keys = list(item.spec.items) + [k for k in {**a, **b} if k not in item.spec.items]
    return tuple(
        PairedBar(item.label_of(key), float(a.get(key, 0)), float(b.get(key, 0))) for key in keys
    )


def _options(item: Item, a_values: list[Any], b_values: list[Any]) -> tuple[OptionMarks, ...]:
    a_answered = [set(v) for v in a_values if isinstance(v, list | tuple)]
    b_answered = [set(v) for v in b_values if isinstance(v, list | tuple)]
    options = []
    for value in item.spec.items:
        a_count = sum(value in chosen for chosen in a_answered)
        b_count = sum(value in chosen for chosen in b_answered)
        if a_count or b_count:
            options.append(
                OptionMarks(
                    item.label_of(value), a_count, len(a_answered), b_count, len(b_answered)
                )
            )
    return tuple(options)


def _side(
    answers: WorkshopAnswers,
    item: Item,
    group: Group,
    values: list[Any],
    position_value: Any,
    cache: scoring.PreparedAnswers | None = None,
) -> SideView:
    entries = []
    for person, value in zip(group.people, values, strict=True):
        cell = answers.cell(person, item)
        entries.append(Entry(person, show(item, value, bool(cell and cell[1]))))
    answered = [v for v in values if not safe_is_missing(item.spec, v)]
    position = cohesion = None
    try:
        if len(answered) > 1:
            position = show_position(item, position_value)
            cohesion = scoring.cohesion(item.spec, answered, prepared=cache)
    except (TypeError, ValueError):
        position = cohesion = None
    return SideView(
        group=group,
        entries=tuple(entries),
        position=position,
        answered=len(answered),
        cohesion=cohesion,
        split=scoring.is_split(cohesion),
    )


#: Kinds whose groups have a position (scoring.role_position); the others compare pairs.
POSITION_KINDS = frozenset({Kind.SCALE, Kind.NUMERIC, Kind.ALLOCATION, Kind.RANKING})


def _safe_position(item: Item, values: list[Any]) -> Any:
    if item.spec.kind not in POSITION_KINDS:
        return None
    try:
        return scoring.role_position(item.spec, [v for v in values if v is not None])
    except (TypeError, ValueError):
        return None


def _compare(
    item: Item,
    a_values: list[Any],
    b_values: list[Any],
    positions: tuple[Any, Any],
    coding: str | None,
    cache: scoring.PreparedAnswers | None,
) -> Comparison:
    """`scoring.compare_groups`, reusing the positions already computed for display: for kinds
    with a position, compare_groups is by definition `compare` of the two positions."""
    if item.spec.kind in POSITION_KINDS and None not in positions:
        try:
            return scoring.compare(item.spec, *positions)
        except (TypeError, ValueError):
            return unreadable(item.spec)
    return safe_compare_groups(item.spec, a_values, b_values, coding, cache)


def _consensus(
    item: Item, values: list[Any], cache: scoring.PreparedAnswers | None = None
) -> GroupConsensus | None:
    try:
        return scoring.group_consensus(item.spec, values, prepared=cache)
    except (TypeError, ValueError):
        return None


def _cliffs(item: Item, a_values: list[Any], b_values: list[Any]) -> float | None:
    """Cliff's delta for scale and numeric questions when a group has several answers."""
    if item.spec.kind not in (Kind.SCALE, Kind.NUMERIC):
        return None
    xs = [v for v in a_values if v is not None]
    ys = [v for v in b_values if v is not None]
    if not xs or not ys or (len(xs) < 2 and len(ys) < 2):
        return None
    try:
        return scoring.cliffs_delta(xs, ys)
    except (TypeError, ValueError):
        return None


def build_row(
    answers: WorkshopAnswers,
    item: Item,
    a: Group,
    b: Group,
    *,
    coding: Coding | None = None,
    everyone: Sequence[Person] = (),
    others: Sequence[Person] = (),
    cache: scoring.PreparedAnswers | None = None,
    changed_at: Mapping[tuple[int, int], datetime] | None = None,
) -> Row:
    """Compare two groups on one question and gather what the comparison view shows.

    `everyone` (more than two people) adds whole-group consensus; `others` (people in neither
    group) are held against the published figures too.
    """
    a_values, b_values = answers.values(item, a.people), answers.values(item, b.people)
    verdict = coding.verdict if coding is not None else None
    positions = (_safe_position(item, a_values), _safe_position(item, b_values))
    comparison = _compare(item, a_values, b_values, positions, verdict, cache)
    side_a = _side(answers, item, a, a_values, positions[0], cache)
    side_b = _side(answers, item, b, b_values, positions[1], cache)
    if comparison.more_ambitious == "a":
        side_a = replace(side_a, more_ambitious=True)
    elif comparison.more_ambitious == "b":
        side_b = replace(side_b, more_ambitious=True)
    row = Row(item, side_a, side_b, comparison, coding=coding, positions=positions)
    if coding is not None and changed_at is not None:
        # An answer changed after the facilitator read the pair: the coding may be out of date.
        row.coding_stale = any(
            changed > coding.coded_at
            for person in (*a.people, *b.people)
            if (changed := changed_at.get((person.pk, item.pk))) is not None
        )
    kind = item.spec.kind
    if kind is Kind.SCALE:
        row.strip = _strip(item, *positions, a_values, b_values)
    elif kind is Kind.ALLOCATION:
        row.paired_bars = _paired_bars(item, *positions)
    elif kind is Kind.MULTI:
        row.options = _options(item, a_values, b_values)
    row.cliffs = _cliffs(item, a_values, b_values)
    if len(everyone) > 2:
        values = answers.values(item, everyone)
        if sum(not safe_is_missing(item.spec, v) for v in values) > 2:
            row.consensus = _consensus(item, values, cache)
    row.reference = reference_for(item, answers, [a, b], others)
    return row


# --------------------------------------------------------------------------------------------
# Sections, overall, ownership, KPIs, agenda, splits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    """An `Aggregate` ready to render: score on 0-100, label as words, bar geometry."""

    title: str
    aggregate: Aggregate
    beyond_chance: float | None = None
    beyond_chance_of: int = 0
    code: str = ""

    @property
    def score(self) -> int | None:
        return percent(self.aggregate.alignment)

    @property
    def label(self) -> str:
        return str(self.aggregate.label)

    @property
    def label_text(self) -> str:
        return LABEL_TEXT[self.label]

    @property
    def coverage(self) -> int | None:
        return percent(self.aggregate.coverage)

    @property
    def width(self) -> float:
        """Bar length on the 0-100 chart (0 when nothing is scored)."""
        return round((self.aggregate.alignment or 0.0) * 100, 1)

    @property
    def beyond_chance_text(self) -> str:
        if self.beyond_chance is None:
            return ""
        return f"{self.beyond_chance:+.2f}"

    @property
    def beyond_chance_words(self) -> str:
        return "" if self.beyond_chance is None else chance_words(self.beyond_chance)

    @property
    def counts(self) -> tuple[tuple[str, int, float], ...]:
        """(label, count, share of scored) for the stacked agree/partly/differ bar."""
        scored = self.aggregate.scored or 1
        return tuple(
            (name, count, round(100 * count / scored, 2))
            for name, count in (
                ("agree", self.aggregate.agree),
                ("partly", self.aggregate.partly),
                ("differ", self.aggregate.differ),
            )
        )

    @property
    def count_offsets(self) -> tuple[tuple[str, int, float, float], ...]:
        """(label, count, x, width) for drawing the stacked bar as SVG rectangles."""
        x = 0.0
        result = []
        for name, count, share in self.counts:
            result.append((name, count, round(x, 2), share))
            x += share
        return tuple(result)


def _beyond_chance(comparisons: Iterable[Comparison]) -> tuple[float | None, int]:
    """A = (S - S0) / (1 - S0) over the questions whose chance baseline is known (scale and
    full-ranking questions): is the agreement there better than random answers would give?"""
    known = [c for c in comparisons if c.scored and c.baseline is not None]
    if len(known) < 2:
        return None, len(known)
    return scoring.aggregate(known).chance_corrected, len(known)


def summarise(title: str, rows: Sequence[Row], code: str = "") -> Summary:
    comparisons = [row.comparison for row in rows]
    beyond, of = _beyond_chance(comparisons)
    return Summary(title, scoring.aggregate(comparisons), beyond, of, code)


@dataclass(frozen=True, slots=True)
class OwnerCount:
    label: str
    names: str
    count: int


@dataclass(frozen=True, slots=True)
class OwnershipRow:
    """One area at one time (today, should): who each group names as owner, and any conflict."""

    area_label: str
    tense: str
    row: Row
    a: tuple[OwnerCount, ...]
    b: tuple[OwnerCount, ...]
    others: tuple[OwnerCount, ...]
    conflict: str = ""
    conflict_text: str = ""
    first_of_area: bool = True
    area_rows: int = 1

    @property
    def tense_label(self) -> str:
        return "Today" if self.tense == "today" else "Should"


def _owners(
    answers: WorkshopAnswers, item: Item, people: Sequence[Person]
) -> tuple[OwnerCount, ...]:
    named: dict[str, list[str]] = {}
    for person in people:
        cell = answers.cell(person, item)
        if cell is None:
            continue
        value, unknown = cell
        label = "Don't know" if unknown or value is None else item.label_of(str(value))
        named.setdefault(label, []).append(person.name)
    listed = len(people) <= LIST_UP_TO
    ranked = sorted(named.items(), key=lambda entry: -len(entry[1]))
    return tuple(
        OwnerCount(label, ", ".join(names) if listed else "", len(names)) for label, names in ranked
    )


def _owner_view(answers: WorkshopAnswers, item: Item, group: Group) -> set[str]:
    """A group's answer to an ownership question: its most frequent choice(s)."""
    counts = Counter(
        str(value) for person in group.people if (value := answers.value(person, item)) is not None
    )
    if not counts:
        return set()
    top = max(counts.values())
    return {value for value, count in counts.items() if count == top}


def _own_function(group: Group) -> str | None:
    """The sole owner a group would name for itself: "cio" for technology, "cmo" for marketing."""
    functions = {OWNER_FOR_SIDE.get(person.side) for person in group.people}
    return functions.pop() if len(functions) == 1 else None


def ownership_conflict(answers: WorkshopAnswers, item: Item, a: Group, b: Group) -> tuple[str, str]:
    """("rival" | "nobody" | "", text), from each group's view (its most frequent answer).

    Rival: one group names the CIO and the other the CMO as sole owner; "both claim sole
    ownership" when each names its own function (the CIO claims it for IT, the CMO for
    marketing). Nobody: neither names the CIO, the CMO or joint ownership, or each hands it to
    the other. A group that has not answered makes no conflict.
    """
    view_a, view_b = _owner_view(answers, item, a), _owner_view(answers, item, b)
    if not view_a or not view_b:
        return "", ""
    if len(view_a) == 1 and len(view_b) == 1 and view_a | view_b == {"cio", "cmo"}:
        (named_a,), (named_b,) = view_a, view_b
        own_a, own_b = _own_function(a), _own_function(b)
        if (named_a, named_b) == (own_a, own_b):
            return "rival", "Both claim sole ownership"
        if (named_a, named_b) == (own_b, own_a):
            return "nobody", "Each hands it to the other: nobody claims it"
        return "rival", "Rival sole owners named"
    if not (view_a | view_b) & {"cio", "cmo", "joint"}:
        return "nobody", "Nobody claims it for the CIO, the CMO or jointly"
    return "", ""


def _tense_order(tense: str) -> int:
    return 0 if tense == "today" else 1


def ownership_rows(
    answers: WorkshopAnswers, rows: Sequence[Row], a: Group, b: Group
) -> list[OwnershipRow]:
    """The ownership matrix: every area (from question meta) today and should."""
    others = answers.others(a, b)
    areas: dict[str, list[Row]] = {}
    for row in rows:
        meta = row.item.meta
        if meta.get("area") and meta.get("tense") and row.item.spec.kind is Kind.SINGLE:
            areas.setdefault(meta["area"], []).append(row)
    result = []
    for area_rows in areas.values():
        area_rows.sort(key=lambda r: _tense_order(r.item.meta["tense"]))
        for index, row in enumerate(area_rows):
            item = row.item
            conflict, text = ownership_conflict(answers, item, a, b)
            result.append(
                OwnershipRow(
                    area_label=str(item.meta.get("area_label", item.meta["area"])),
                    tense=str(item.meta["tense"]),
                    row=row,
                    a=_owners(answers, item, a.people),
                    b=_owners(answers, item, b.people),
                    others=_owners(answers, item, others),
                    conflict=conflict,
                    conflict_text=text,
                    first_of_area=index == 0,
                    area_rows=len(area_rows),
                )
            )
    return result


@dataclass(frozen=True, slots=True)
class KpiRow:
    kpi: str
    row: Row
    gap: str

    @property
    def item(self) -> Item:
        return self.row.item


def _gap_text(item: Item, a: Any, b: Any) -> str:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return ""
    difference = abs(a - b)
    larger = max(abs(a), abs(b))
    text = _unit(item, difference)
    if item.spec.absolute_tolerance is None and larger:
        text += f" ({round(100 * difference / larger)} % apart)"
    return text


def kpi_rows(answers: WorkshopAnswers, rows: Sequence[Row], a: Group, b: Group) -> list[KpiRow]:
    """The KPI table: each group's target (median for several people), gap, more ambitious."""
    result = []
    for row in rows:
        kpi = row.item.meta.get("kpi")
        if not kpi or row.item.spec.kind is not Kind.NUMERIC:
            continue
        result.append(KpiRow(str(kpi), row, _gap_text(row.item, *row.positions)))
    return result


@dataclass(frozen=True, slots=True)
class AgendaItem:
    number: int
    row: Row
    footnote: int | None = None


@dataclass(frozen=True, slots=True)
class Unscored:
    """The questionnaire's questions against those scored: free text is read, not scored
    (unless the facilitator codes it), and a question is scored only when both groups answered.
    """

    questions: int
    free_text: int
    unanswered: int
    a: str
    b: str

    @property
    def text(self) -> str:
        """E.g. "The questionnaire has 44 questions: 1 free-text question is read, not scored;
        1 is missing an answer from CIO or CMO (skipped or “don't know”), so it is not scored."
        ("" when every question is scored.)"""
        parts = []
        if self.free_text == 1:
            parts.append("1 free-text question is read, not scored")
        elif self.free_text:
            parts.append(f"{self.free_text} free-text questions are read, not scored")
        if self.unanswered:
            one = self.unanswered == 1
            parts.append(
                f"{self.unanswered} {'is' if one else 'are'} missing an answer from {self.a} or "
                f"{self.b} (skipped or “don't know”), so {'it is' if one else 'they are'} not "
                "scored"
            )
        if not parts:
            return ""
        return f"The questionnaire has {self.questions} questions: {'; '.join(parts)}."


@dataclass(frozen=True, slots=True)
class SplitGroup:
    """A role or side whose members disagree among themselves on some questions."""

    group: Group
    rows: tuple[tuple[Item, float], ...]
    checked: int
    #: The rows with each cohesion as the page writes it (`floatformat:2`): formatted once per
    #: report, not on every refresh.
    shown: tuple[tuple[Item, str], ...] = ()


def _group_key_label(key: str) -> str:
    kind, _, value = key.partition(":")
    if kind == "role":
        return Role(value).label
    return f"{Side(value).label} side"


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegendEntry:
    person: Person
    answered: int
    side: str
    counted: bool


@dataclass
class Filters:
    """The comparison's filters, as given in the query string (unknown values are ignored)."""

    section: str = ""
    label: str = ""
    kind: str = ""

    def keep(self, row: Row) -> bool:
        return (
            (not self.section or row.item.section_code == self.section)
            and (not self.label or row.label == self.label)
            and (not self.kind or row.item.kind == self.kind)
        )

    @property
    def active(self) -> bool:
        return bool(self.section or self.label or self.kind)


@dataclass
class Report:
    """Everything the dashboard, comparison and agenda show for one pair of groups."""

    answers: WorkshopAnswers
    a: Group
    b: Group
    codings: Mapping[int, Coding] = field(default_factory=dict)
    cache: scoring.PreparedAnswers = field(default_factory=scoring.PreparedAnswers, repr=False)
    #: Parts of pages rendered from this report alone, by template and pair (see `rendered`).
    _rendered: dict[tuple[Any, ...], str] = field(default_factory=dict, repr=False)

    def rendered(self, template: str, context: Mapping[str, Any], key: tuple[Any, ...]) -> str:
        """A template that reads nothing but this report and what `key` names, rendered once
        per report: a reused report (see `cached_report`) serves it again to every refresh."""
        html = self._rendered.get((template, *key))
        if html is None:
            html = render_to_string(template, context)
            self._rendered[(template, *key)] = html
        return html

    def rendered_rows(
        self,
        rows: Sequence[Row],
        template: str,
        context: Mapping[str, Any],
        request: HttpRequest,
        key: tuple[Any, ...],
    ) -> list[tuple[str, list[str]]]:
        """Each row rendered with `template` (the row as `row`), grouped by section in the
        order given. A row reads this report and what `key` names, so it is rendered once per
        report (see `rendered`), except a pair the facilitator can code: its form carries the
        request's CSRF token and filters, and is rendered afresh."""
        sections = []
        for title, section_rows in groupby(rows, key=lambda row: row.item.section_title):
            html = []
            for row in section_rows:
                row_context = {**context, "row": row}
                if row.codable:
                    html.append(render_to_string(template, row_context, request))
                else:
                    html.append(self.rendered(template, row_context, key=(*key, row.item.pk)))
            sections.append((title, html))
        return sections

    @cached_property
    def everyone(self) -> list[Person]:
        """Counted people with at least one answer (whole-group consensus is over them)."""
        return [p for p in self.answers.counted if self.answers.answered_count(p)]

    @property
    def whole_group(self) -> bool:
        return len(self.everyone) > 2

    @cached_property
    def rows(self) -> list[Row]:
        everyone = self.everyone if self.whole_group else ()
        # In a small room everyone's answer is held against the published figures; in a large
        # one only the two groups', or the list would drown the figure.
        others = self.answers.others(self.a, self.b) if len(self.everyone) <= 8 else ()
        changed_at = self.answers.changed_at(self.codings) if self.codings else None
        return [
            build_row(
                self.answers,
                item,
                self.a,
                self.b,
                coding=self.codings.get(item.pk),
                everyone=everyone,
                others=others,
                cache=self.cache,
                changed_at=changed_at,
            )
            for item in self.answers.items
        ]

    def filtered(self, filters: Filters) -> list[Row]:
        return [row for row in self.rows if filters.keep(row)]

    @cached_property
    def overall(self) -> Summary:
        return summarise("Overall", self.rows)

    @cached_property
    def sections(self) -> list[Summary]:
        by_section: dict[str, list[Row]] = {}
        for row in self.rows:
            by_section.setdefault(row.item.section_code, []).append(row)
        return [
            summarise(section.title, by_section.get(section.code, []), section.code)
            for section in self.answers.sections
        ]

    @cached_property
    def ownership(self) -> list[OwnershipRow]:
        return ownership_rows(self.answers, self.rows, self.a, self.b)

    @cached_property
    def ownership_conflicts(self) -> int:
        return sum(1 for row in self.ownership if row.conflict)

    @cached_property
    def kpis(self) -> list[KpiRow]:
        return kpi_rows(self.answers, self.rows, self.a, self.b)

    @cached_property
    def agenda(self) -> list[AgendaItem]:
        """Questions to discuss: every partly or differ, biggest importance-weighted gap first.
        Reference figures get footnote numbers in agenda order."""
        gaps = scoring.biggest_gaps((row, row.comparison) for row in self.rows)
        items = []
        footnote = 0
        for row, comparison in gaps:
            if comparison.label not in (Label.PARTLY, Label.DIFFER):
                continue
            number = None
            if row.reference is not None:
                footnote += 1
                number = footnote
            items.append(AgendaItem(len(items) + 1, row, number))
        return items

    @cached_property
    def agenda_weighted(self) -> bool:
        """Some question on the agenda counts more (or less) than the others: the order then
        is not simply by alignment, and the page says why."""
        return any(entry.row.item.importance != 1 for entry in self.agenda)

    @cached_property
    def unscored(self) -> Unscored:
        """Why the questionnaire's questions are not all scored, counted."""
        text = sum(
            1 for row in self.rows if row.item.spec.kind is Kind.TEXT and not row.comparison.scored
        )
        aggregate = self.overall.aggregate
        return Unscored(
            questions=len(self.rows),
            free_text=text,
            unanswered=aggregate.scorable - aggregate.scored,
            a=self.a.label,
            b=self.b.label,
        )

    @cached_property
    def read_together(self) -> list[Row]:
        """Free-text questions not yet coded: read both answers side by side."""
        return [
            row
            for row in self.rows
            if row.item.spec.kind is Kind.TEXT
            and not row.comparison.scored
            and (row.a.answered or row.b.answered)
        ]

    @cached_property
    def references(self) -> list[Row]:
        return [row for row in self.rows if row.reference is not None]

    @cached_property
    def splits(self) -> list[SplitGroup]:
        """Every role and side with two or more counted people, and the questions on which it
        is split (cohesion below 0.5: its position is not representative)."""
        keys = [f"role:{p.role}" for p in self.everyone] + [f"side:{p.side}" for p in self.everyone]
        result = []
        for key in dict.fromkeys(keys):
            group = self.answers.group(key)
            if group is None:
                continue
            members = [p for p in group.people if p in self.everyone]
            if len(members) < 2:
                continue
            split_rows = []
            checked = 0
            for item in self.answers.items:
                values = self.answers.values(item, members)
                try:
                    cohesion = scoring.cohesion(item.spec, values, prepared=self.cache)
                except (TypeError, ValueError):
                    continue
                if cohesion is None:
                    continue
                checked += 1
                if scoring.is_split(cohesion):
                    split_rows.append((item, cohesion))
            if checked:
                named = Group(group.key, _group_key_label(key), tuple(members))
                shown = tuple((item, floatformat(c, 2)) for item, c in split_rows)
                result.append(SplitGroup(named, tuple(split_rows), checked, shown))
        return result

    @cached_property
    def consensus_counts(self) -> dict[str, int]:
        """Whole-group labels over the questions (with more than two participants)."""
        counts: Counter[str] = Counter()
        for row in self.rows:
            if row.consensus is not None and row.consensus.label is not None:
                counts[label_key(row.consensus.label)] += 1
        return dict(counts)

    @property
    def has_drafts(self) -> bool:
        return any(p.is_draft for p in (*self.a.people, *self.b.people))

    @cached_property
    def legend_counts(self) -> dict[str, int]:
        """How many participants have submitted, are in draft, or have no answers yet."""
        counts = Counter(
            "submitted" if entry.person.is_submitted else "draft" if entry.answered else "none"
            for entry in self.legend
        )
        return {"submitted": counts["submitted"], "draft": counts["draft"], "none": counts["none"]}

    @cached_property
    def legend(self) -> list[LegendEntry]:
        """Every active participant: status, answers given, and which group they are in."""
        in_a = {p.pk for p in self.a.people}
        in_b = {p.pk for p in self.b.people}
        return [
            LegendEntry(
                person=person,
                answered=self.answers.answered_count(person),
                side="a" if person.pk in in_a else "b" if person.pk in in_b else "",
                counted=self.answers.counts(person),
            )
            for person in self.answers.people
        ]


# Reports reused while nothing they read changed ------------------------------------------------
# The dashboard and comparison poll every few seconds and a room of facilitators views the same
# workshop: most requests ask for a report computed moments ago from the same answers. A report
# depends only on (a) the questionnaire's structure, (b) the active participants (name, role,
# side, response and its status), (c) their answers and (d) the pair's free-text codings. Two
# queries read (b) with a stamp of (c) per participant (count, sum of revisions, latest change:
# every write of an answer adds a revision and sets its change time, deleting one lowers the
# count) and (d) itself; the key holds all of them, so any change is a different key and a fresh
# report. (a) cannot change once any participant has a response (the questionnaire is frozen);
# before that there are no answers to score, and nothing is kept.

#: Reports kept per process, least recently used dropped first.
REPORT_CACHE_SIZE = 16
_REPORTS: OrderedDict[tuple[Any, ...], Report] = OrderedDict()
_REPORTS_LOCK = threading.Lock()


def cached_report(
    workshop: Workshop, *, submitted_only: bool = False, a: str | None = None, b: str | None = None
) -> Report:
    """The report for a workshop and a pair of groups (see `WorkshopAnswers.pair`), reused from
    this process's cache while its participants, answers and codings are unchanged.

    Two queries (participants with their answers' stamps, the pair's codings), then, only when
    the report must be computed, three more (questions, choices, answers) and perhaps one for
    the answers' change times (`Report.rows`, with codings).

    A cached report is shared by every request (and thread) of the process: its parts are
    computed on first use (twice at worst, when two threads get there at once, with the same
    result) and nothing changes them afterwards.
    """
    people, stamps = people_of([workshop], stamped=True).get(workshop.pk, ([], []))
    roster = WorkshopAnswers(
        workshop=workshop, sections=[], people=people, submitted_only=submitted_only
    )
    group_a, group_b = roster.pair(a, b)
    codings = codings_for(workshop, group_a.key, group_b.key)
    key = (
        workshop.pk,
        workshop.questionnaire_id,
        submitted_only,
        group_a.key,
        group_b.key,
        tuple(people),
        tuple(stamps),
        tuple(sorted(codings.items())),
    )
    frozen = any(person.response_id is not None for person in people)
    if frozen:
        with _REPORTS_LOCK:
            report = _REPORTS.get(key)
            if report is not None:
                _REPORTS.move_to_end(key)
                return report
    answers = WorkshopAnswers.load_many(
        [workshop], submitted_only=submitted_only, people={workshop.pk: people}
    )[workshop.pk]
    report = Report(answers, group_a, group_b, codings=codings)
    if frozen:
        with _REPORTS_LOCK:
            _REPORTS[key] = report
            while len(_REPORTS) > REPORT_CACHE_SIZE:
                _REPORTS.popitem(last=False)
    return report


def clear_report_cache() -> None:
    with _REPORTS_LOCK:
        _REPORTS.clear()
