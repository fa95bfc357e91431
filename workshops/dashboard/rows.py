"""One question, two groups: both groups' answers, their comparison, and what goes beside it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from surveys import scoring
from surveys.scoring import Comparison, GroupConsensus

from ..coding import Coding
from .answers import NOT_ANSWERED, Shown, show, show_position
from .charts import OptionMarks, PairedBar, ScaleStrip, _options, _paired_bars, _strip
from .labels import LABEL_TEXT, LIST_UP_TO, label_key, percent
from .loading import Group, Item, Person, WorkshopAnswers
from .references import Reference, reference_for
from .safe import safe_compare_groups, safe_is_missing, unreadable
from .wording import cliffs_text, consensus_text, how_scored, not_scored_reason, weight_text


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
        shown = "; ".join(
            gettext("%(answer)s ×%(count)d") % {"answer": text, "count": n} if n > 1 else text
            for text, n in counts[:3]
        )
        return Shown(shown + more)

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
        unanswered = [side.group.label for side in (self.a, self.b) if not side.answered]
        return not_scored_reason(self.comparison, self.item, unanswered)

    @property
    def details(self) -> tuple[str, ...]:
        """How the score was reached, with the groups by name."""
        return how_scored(self.comparison, self.item, self.a.group.label, self.b.group.label)

    @property
    def cliffs_size(self) -> str:
        return "" if self.cliffs is None else str(scoring.cliffs_magnitude(self.cliffs))

    @property
    def cliffs_text(self) -> str:
        """Cliff's delta in words: which group tends to answer higher, and by how much."""
        return cliffs_text(self.cliffs, self.a.group.label, self.b.group.label)

    @property
    def ambitious_group(self) -> Group | None:
        side = self.comparison.more_ambitious
        if side is None or self.item.estimate:
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
            self.item.question_kind.coded
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
        return consensus_text(self.consensus, self.item)


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


def _safe_position(item: Item, values: list[Any]) -> Any:
    """A group's position (scoring.role_position) for a kind that has one; None for the
    others, which compare pairs."""
    if not item.question_kind.has_position:
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
    if item.question_kind.has_position and None not in positions:
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
    """Cliff's delta for a kind whose answers lie on a line (a scale, a number) when a group
    has several answers."""
    if not item.question_kind.on_a_line:
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
    if item.estimate:
        pass  # a forecast or a value today: nobody is "more ambitious"
    elif comparison.more_ambitious == "a":
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
    chart = item.question_kind.chart  # what the kind draws for both groups
    if chart == "strip":
        row.strip = _strip(item, *positions, a_values, b_values)
    elif chart == "paired_bars":
        row.paired_bars = _paired_bars(item, *positions)
    elif chart == "options":
        row.options = _options(item, a_values, b_values)
    row.cliffs = _cliffs(item, a_values, b_values)
    if len(everyone) > 2:
        values = answers.values(item, everyone)
        if sum(not safe_is_missing(item.spec, v) for v in values) > 2:
            row.consensus = _consensus(item, values, cache)
    row.reference = reference_for(item, answers, [a, b], others)
    return row
