"""What the facilitator sees, computed from a loaded `WorkshopAnswers` without the database.

`Report(answers, a, b)` compares two groups (CIO vs CMO by default) question by question with
`surveys.scoring`, and derives every part of the dashboard from those comparisons: overall and
section alignment, the ownership matrix, the KPI table, the discussion agenda, reference
figures, whole-group consensus and split roles. Parts are computed on first use, so a page pays
only for what it shows. Values come out ready to render (labels as words, scores on 0-100,
bar widths), because templates cannot do arithmetic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby

from django.utils.translation import gettext

from surveys import scoring
from surveys.kinds import KINDS

from ..coding import Coding, codings_for
from ..models import Workshop
from .agenda import AgendaItem, agenda_items
from .consensus import SplitGroup, split_groups
from .kpis import KpiRow, kpi_rows
from .labels import label_key
from .loading import Group, Person, WorkshopAnswers
from .ownership import OwnershipRow, ownership_rows
from .perception import PerceptionRow, perception_rows
from .rows import Row, build_row
from .sections import Summary, Unscored, summarise


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
            and (not self.kind or row.item.question_kind is KINDS[self.kind])
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

    @classmethod
    def load(
        cls,
        workshop: Workshop,
        people: list[Person],
        a: Group,
        b: Group,
        *,
        submitted_only: bool = False,
    ) -> Report:
        """The report for two groups of `people` (the workshop's active participants, from
        `people_of`): the pair's codings, then questions, choices and answers (four queries),
        and perhaps the answers' change times (`rows`, when there are codings)."""
        codings = codings_for(workshop, a.key, b.key)
        answers = WorkshopAnswers.load_many(
            [workshop], submitted_only=submitted_only, people={workshop.pk: people}
        )[workshop.pk]
        return cls(answers, a, b, codings=codings)

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

    @staticmethod
    def by_section(rows: Sequence[Row]) -> list[tuple[str, list[Row]]]:
        """Rows grouped by their section's title, in the order given."""
        return [
            (title, list(section_rows))
            for title, section_rows in groupby(rows, key=lambda row: row.item.section_title)
        ]

    @cached_property
    def overall(self) -> Summary:
        return summarise(gettext("Overall"), self.rows)

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
    def perception(self) -> list[PerceptionRow]:
        """What each group thinks the other answered, beside the real gap, on each question
        marked for prediction (only for a technology group against a marketing group)."""
        return perception_rows(self.answers, self.rows, self.a, self.b, self.cache)

    @cached_property
    def unpredicted(self) -> int:
        """Questions asking for predictions that nobody in the pair has predicted yet."""
        return sum(1 for row in self.perception if not row.predicted)

    @cached_property
    def misperceptions(self) -> list[PerceptionRow]:
        return [row for row in self.perception if row.has_misperception]

    @cached_property
    def agenda(self) -> list[AgendaItem]:
        """Questions to discuss: every partly or differ, biggest importance-weighted gap first.
        Reference figures get footnote numbers in agenda order."""
        return agenda_items(self.rows)

    @cached_property
    def agenda_weighted(self) -> bool:
        """Some question on the agenda counts more (or less) than the others: the order then
        is not simply by alignment, and the page says why."""
        return any(entry.row.item.importance != 1 for entry in self.agenda)

    @cached_property
    def unscored(self) -> Unscored:
        """Why the questionnaire's questions are not all scored, counted."""
        text = sum(
            1 for row in self.rows if row.item.question_kind.coded and not row.comparison.scored
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
            if row.item.question_kind.coded
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
        return split_groups(self.answers, self.everyone, self.cache)

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
