"""One query set-up per page for the consensus dashboard.

`WorkshopAnswers.load(workshop)` reads a workshop's questions, choices, participants and answers
in four queries, whatever the number of participants and questions (a page that computes its
figures adds the session, the user, the workshop and the free-text codings: eight in all; one
served from the cache reads only the participants: see `views`), and turns them into plain values:
`Item` (a question with its `surveys.scoring.QuestionSpec`), `Person` (a participant with their
response status) and the answer values exactly as the pure functions in `surveys.scoring` take
them. Everything the facilitator sees is computed from this object by the report's parts
(`workshops.dashboard.report` and the modules it gathers); nothing there touches the database.

Drafts count by default: in a live workshop the room wants to see answers as they arrive. Each
draft is marked as such wherever it is shown, and the facilitator can switch to "submitted only".

Two *groups* are compared: a role (``role:cio``) or a side (``side:technology``). With one person
per role, CIO vs CMO is exactly the two-person comparison of CONSENSUS.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any

from django.utils.translation import get_language, gettext

from surveys.kinds import KINDS, BaseKind, spec_for
from surveys.models import Answer, Choice, Question, QuestionKind
from surveys.scoring import QuestionSpec

from ..models import Participant, ProgressState, Role, Side, Workshop
from .meta import OwnershipArea, kpi_name, ownership_area
from .safe import safe_is_missing
from .wording import people_count

DEFAULT_PAIR = ("role:cio", "role:cmo")
FALLBACK_PAIR = ("side:technology", "side:marketing")


@dataclass(frozen=True, slots=True)
class Person:
    """A participant, detached from the ORM, with where their answers stand."""

    pk: int
    name: str
    role: str
    role_label: str
    side: str
    side_label: str
    state: str
    response_id: int | None

    @property
    def is_submitted(self) -> bool:
        return self.state == ProgressState.SUBMITTED

    @property
    def is_draft(self) -> bool:
        """Has a response that is not submitted yet: its answers are shown, marked as a draft."""
        return self.response_id is not None and not self.is_submitted

    @property
    def state_label(self) -> str:
        if self.is_submitted:
            return gettext("Submitted")
        if self.is_draft:
            return gettext("Draft")
        return str(ProgressState(self.state).label)

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


@dataclass(frozen=True, slots=True)
class Item:
    """A question, detached from the ORM: what scoring and display need."""

    pk: int
    code: str
    number: int
    kind: str
    prompt: str
    section_code: str
    section_title: str
    spec: QuestionSpec
    labels: dict[str, str]
    unit: str = ""
    #: The question's own unit (in the file's language): which units have a plural form and
    #: which are percent (`answers._unit`).
    unit_key: str = ""
    scale_min_label: str = ""
    scale_max_label: str = ""
    #: Its place in the ownership matrix, or None (see `meta.ownership_area`; only for a kind
    #: whose `meta_keys` take an `area`).
    ownership: OwnershipArea | None = None
    #: The KPI it proposes a target for, or "" (see `meta.kpi_name`; only for a kind whose
    #: `meta_keys` take a `kpi`: a number in the question's unit, its gap the difference).
    kpi: str = ""
    benchmark: dict[str, Any] = field(default_factory=dict)
    discussion_prompt: str = ""
    #: The question asking each side what the other answered to this one (`Question.predicts`),
    #: or None. Prediction questions are no items of their own: they are never scored, counted
    #: or put on the agenda; their answers are read through this one (`predictions`).
    prediction_pk: int | None = None
    #: A forecast or a value today, not a target (`meta.estimate`): no side is "more ambitious".
    estimate: bool = False

    @property
    def question_kind(self) -> BaseKind:
        """The question's kind (`surveys.kinds`): what to ask instead of branching on `kind`."""
        return KINDS[self.kind]

    @property
    def kind_label(self) -> str:
        return QuestionKind(self.kind).label

    @property
    def importance(self) -> float:
        return self.spec.importance

    def label_of(self, value: str) -> str:
        return self.labels.get(value, value)


@dataclass(frozen=True, slots=True)
class SectionInfo:
    code: str
    title: str
    position: int
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """One side of a comparison: a role or a side, and the people in it whose answers count."""

    key: str
    label: str
    people: tuple[Person, ...]

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def value(self) -> str:
        return self.key.split(":", 1)[1]

    @property
    def names(self) -> str:
        return ", ".join(person.name for person in self.people)

    @property
    def who(self) -> str:
        """The people by name, or how many they are when a list would be too long."""
        return self.names if len(self.people) <= 5 else people_count(len(self.people))


def group_label(key: str) -> str:
    """A role by its name ("CIO"), a side as a side ("Technology side"); the key must name one
    (`is_group_key`)."""
    kind, _, value = key.partition(":")
    if kind == "role":
        return str(Role(value).label)
    return gettext("%(side)s side") % {"side": Side(value).label}


def is_group_key(key: str) -> bool:
    """Whether a key names a role or a side ("role:cio", "side:marketing")."""
    kind, _, value = key.partition(":")
    return (kind == "role" and value in Role.values) or (kind == "side" and value in Side.values)


@dataclass(frozen=True, slots=True)
class GroupChoice:
    """An option of the "compare" picker."""

    key: str
    label: str


def _items_by_questionnaire(
    questionnaire_ids: Iterable[int], language: str | None = None
) -> dict[int, list[SectionInfo]]:
    """Questions (with their sections) and choices of some questionnaires, with their texts in
    `language` (default: the active one; `Translatable.text`): two queries."""
    ids = set(questionnaire_ids)
    language = language or get_language()
    questions = list(
        Question.objects.filter(section__questionnaire_id__in=ids)
        .select_related("section")
        .order_by("section__questionnaire_id", "section__position", "position")
    )
    choices: dict[int, list[Choice]] = defaultdict(list)
    for choice in Choice.objects.filter(question__section__questionnaire_id__in=ids).order_by(
        "question_id", "position"
    ):
        choices[choice.question_id].append(choice)
    by_section: dict[int, list[Item]] = defaultdict(list)
    sections: dict[int, tuple[int, Any]] = {}
    numbers: dict[int, int] = defaultdict(int)
    predicted = {q.predicts_id: q.pk for q in questions if q.predicts_id is not None}
    for question in questions:
        section = question.section
        sections[section.pk] = (section.questionnaire_id, section)
        if question.is_prediction:
            continue  # read through the item of the question it predicts
        numbers[section.questionnaire_id] += 1
        own = choices[question.pk]
        hints = KINDS[question.kind].meta_keys
        meta = {**(question.meta or {}), **_meta_texts(question, language)}
        by_section[section.pk].append(
            Item(
                pk=question.pk,
                code=question.code,
                number=numbers[section.questionnaire_id],
                kind=question.kind,
                prompt=question.text("prompt", language),
                section_code=section.code,
                section_title=section.text("title", language),
                spec=spec_for(question, own),
                labels={choice.value: choice.text("label", language) for choice in own},
                unit=question.text("unit", language),
                unit_key=question.unit,
                scale_min_label=question.text("scale_min_label", language),
                scale_max_label=question.text("scale_max_label", language),
                ownership=ownership_area(meta) if "area" in hints else None,
                kpi=kpi_name(meta) if "kpi" in hints else "",
                benchmark=question.benchmark or {},
                discussion_prompt=question.text("discussion_prompt", language),
                prediction_pk=predicted.get(question.pk),
                estimate="kpi" in hints and bool(meta.get("estimate")),
            )
        )
    result: dict[int, list[SectionInfo]] = defaultdict(list)
    for section_pk, (questionnaire_id, section) in sections.items():
        result[questionnaire_id].append(
            SectionInfo(
                section.code,
                section.text("title", language),
                section.position,
                tuple(by_section[section_pk]),
            )
        )
    return result


def _meta_texts(question: Question, language: str | None) -> dict[str, str]:
    """The texts `meta` holds (the ownership area's name, the KPI's) in `language`."""
    return {
        name.partition(".")[2]: question.text(name, language)
        for name in Question.TEXTS
        if name.startswith("meta.")
    }


def frozen_items(structure_key: tuple, language: str | None = None) -> list[SectionInfo]:
    """The sections and items of a frozen questionnaire version (`Questionnaire.structure_key`)
    with their texts in `language` (default: the active one), read once per process and
    language: a version with a response never changes in place (see
    `surveys.models.Questionnaire.cached_sections` for why a per-process memo is right for
    it; a change of its texts alone gives it a new `structure_key`), and its items are plain
    frozen values shared by every request."""
    return _frozen_items(structure_key, language or get_language())


@lru_cache(maxsize=32)
def _frozen_items(structure_key: tuple, language: str | None) -> list[SectionInfo]:
    return _items_by_questionnaire([structure_key[0]], language).get(structure_key[0], [])


def _frozen_key(workshop: Workshop, frozen: set[int]) -> tuple | None:
    """The structure key of a workshop's questionnaire when someone has a response (it is
    frozen) and the questionnaire was read with the workshop (no query to name it)."""
    if workshop.pk not in frozen or not Workshop.questionnaire.is_cached(workshop):
        return None
    return workshop.questionnaire.structure_key


def people_of(workshops: Sequence[Workshop]) -> dict[int, list[Person]]:
    """Active participants of some workshops as `Person`s, by workshop, in one query.

    Reads plain rows, not model instances: the home list asks for hundreds of participants
    per page, and building ORM objects for them cost more than the query itself."""
    participants = (
        Participant.objects.active()
        .filter(workshop__in=[w.pk for w in workshops])
        .with_opened()
        .order_by("workshop_id", "created_at", "pk")
    )
    fields = [
        "pk",
        "workshop_id",
        "name",
        "role",
        "side",
        "response_id",
        "opened",
        "response__status",
    ]
    role_labels = dict(Role.choices)
    side_labels = dict(Side.choices)
    found: dict[int, list[Person]] = defaultdict(list)
    for row in participants.values_list(*fields):
        pk, workshop_id, name, role, side, response_id, opened, status = row
        state = ProgressState.of(response_id, status, opened=opened)
        found[workshop_id].append(
            Person(
                pk=pk,
                name=name,
                role=role,
                role_label=str(role_labels.get(role, role)),
                side=side,
                side_label=str(side_labels.get(side, side)),
                state=state,
                response_id=response_id,
            )
        )
    return found


@dataclass
class WorkshopAnswers:
    """A workshop's questions, participants and answers as plain values, loaded once per page.

    `counted` are the people whose answers count (everyone with a response, or only those who
    submitted when `submitted_only`); `people` are all active participants, for the legend.
    """

    workshop: Workshop
    sections: list[SectionInfo]
    people: list[Person]
    submitted_only: bool = False
    cells: dict[tuple[int, int], tuple[Any, bool]] = field(default_factory=dict)
    _answered_counts: dict[int, int] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, workshop: Workshop, *, submitted_only: bool = False) -> WorkshopAnswers:
        """Four queries: questions with their sections, choices, participants, answers."""
        return cls.load_many([workshop], submitted_only=submitted_only)[workshop.pk]

    @classmethod
    def load_many(
        cls,
        workshops: Sequence[Workshop],
        *,
        submitted_only: bool = False,
        people: Mapping[int, list[Person]] | None = None,
    ) -> dict[int, WorkshopAnswers]:
        """Several workshops in the same four queries (for the facilitator's home list).

        Answers of every response are read, so the legend can count a draft's answers even when
        only submitted responses count; groups are built from `counted` people only. `people`
        (from `people_of`) saves the participants' query when the caller already made it.
        """
        if not workshops:
            return {}
        if people is None:
            people = people_of(workshops)
        frozen = {w.pk for w in workshops if any(p.response_id for p in people.get(w.pk, []))}
        sections = _items_by_questionnaire(
            w.questionnaire_id for w in workshops if _frozen_key(w, frozen) is None
        )
        for w in workshops:
            if (structure_key := _frozen_key(w, frozen)) is not None:
                sections[w.questionnaire_id] = frozen_items(structure_key)
        responses = {
            person.response_id: (workshop_id, person.pk)
            for workshop_id, members in people.items()
            for person in members
            if person.response_id is not None
        }
        cells: dict[int, dict[tuple[int, int], tuple[Any, bool]]] = defaultdict(dict)
        if responses:
            rows = Answer.objects.filter(response_id__in=list(responses)).values_list(
                "response_id", "question_id", "value", "is_unknown"
            )
            for response_id, question_id, value, is_unknown in rows:
                workshop_id, person_pk = responses[response_id]
                cells[workshop_id][(person_pk, question_id)] = (value, is_unknown)
        return {
            w.pk: cls(
                workshop=w,
                sections=sections.get(w.questionnaire_id, []),
                people=people.get(w.pk, []),
                submitted_only=submitted_only,
                cells=cells.get(w.pk, {}),
            )
            for w in workshops
        }

    def counts(self, person: Person) -> bool:
        """Whether this person's answers are in the figures."""
        if person.response_id is None:
            return False
        return person.is_submitted or not self.submitted_only

    def changed_at(self, question_ids: Iterable[int]) -> dict[tuple[int, int], datetime]:
        """When each counted person last changed their answer to some questions, by
        (person, question): one more query, made only when the page needs it (to tell whether
        a free-text coding is older than the answers it read)."""
        ids = list(question_ids)
        by_response = {p.response_id: p.pk for p in self.counted}
        if not ids or not by_response:
            return {}
        rows = Answer.objects.filter(
            response_id__in=list(by_response), question_id__in=ids
        ).values_list("response_id", "question_id", "updated_at")
        return {(by_response[r], q): changed for r, q, changed in rows}

    # Reading ------------------------------------------------------------------------------

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def counted(self) -> list[Person]:
        return [person for person in self.people if self.counts(person)]

    def cell(self, person: Person, item: Item) -> tuple[Any, bool] | None:
        """(value, is_unknown) as stored, or None when the person has not answered."""
        return self.cells.get((person.pk, item.pk))

    def value(self, person: Person, item: Item) -> Any:
        """The answer as scoring reads it: None when missing or "don't know"."""
        cell = self.cells.get((person.pk, item.pk))
        if cell is None or cell[1]:
            return None
        return cell[0]

    def values(self, item: Item, people: Iterable[Person]) -> list[Any]:
        return [self.value(person, item) for person in people]

    def predictions(self, item: Item, people: Iterable[Person]) -> list[Any]:
        """What these people think the other side answered to `item`, as scoring reads it
        (None when missing or "don't know"); empty for a question without predictions."""
        if item.prediction_pk is None:
            return []
        found = []
        for person in people:
            cell = self.cells.get((person.pk, item.prediction_pk))
            found.append(None if cell is None or cell[1] else cell[0])
        return found

    @cached_property
    def prediction_pks(self) -> frozenset[int]:
        return frozenset(item.prediction_pk for item in self.items if item.prediction_pk)

    def answered(self, item: Item, people: Iterable[Person]) -> list[Person]:
        """The people with a usable (non-missing) answer to a question."""
        return [
            person for person in people if not safe_is_missing(item.spec, self.value(person, item))
        ]

    def answered_count(self, person: Person) -> int:
        """Questions this person answered (a "don't know" counts), among those counted."""
        if self._answered_counts is None:
            counts: dict[int, int] = defaultdict(int)
            predictions = self.prediction_pks
            for pk, question_pk in self.cells:
                if question_pk not in predictions:  # only answers about themselves
                    counts[pk] += 1
            self._answered_counts = counts
        return self._answered_counts.get(person.pk, 0)

    # Groups -------------------------------------------------------------------------------

    def group_choices(self) -> list[GroupChoice]:
        """Roles, then sides, present among the participants (whether or not they answered)."""
        choices = []
        roles = dict.fromkeys(person.role for person in self.people)
        for role in Role.values:
            if role in roles:
                members = [p.name for p in self.people if p.role == role]
                shown = ", ".join(members) if len(members) <= 2 else people_count(len(members))
                key = f"role:{role}"
                choices.append(GroupChoice(key, _with_whom(group_label(key), shown)))
        sides = dict.fromkeys(person.side for person in self.people)
        for side in Side.values:
            if side in sides:
                count = sum(1 for p in self.people if p.side == side)
                key = f"side:{side}"
                choices.append(GroupChoice(key, _with_whom(group_label(key), people_count(count))))
        return choices

    def group(self, key: str) -> Group | None:
        """The counted people of a role or side, or None if the key names neither."""
        kind, _, value = key.partition(":")
        if kind == "role" and value in Role.values:
            members = [p for p in self.counted if p.role == value]
        elif kind == "side" and value in Side.values:
            members = [p for p in self.counted if p.side == value]
        else:
            return None
        return Group(key, group_label(key), tuple(members))

    def default_pair(self) -> tuple[str, str]:
        """CIO vs CMO when both are invited, else technology vs marketing."""
        roles = {person.role for person in self.people}
        if {"cio", "cmo"} <= roles:
            return DEFAULT_PAIR
        return FALLBACK_PAIR

    def pair(self, a: str | None, b: str | None) -> tuple[Group, Group]:
        """The two groups to compare from the request's keys, falling back to the default."""
        default_a, default_b = self.default_pair()
        group_a = self.group(a or "") or self.group(default_a)
        group_b = self.group(b or "") or self.group(default_b)
        assert group_a is not None and group_b is not None
        return group_a, group_b

    def others(self, *groups: Group) -> tuple[Person, ...]:
        """Counted people in neither group (e.g. the CEO when comparing CIO and CMO)."""
        inside = {person.pk for group in groups for person in group.people}
        return tuple(person for person in self.counted if person.pk not in inside)


def _with_whom(group: str, who: str) -> str:
    """An option of the "compare" picker: "CIO (Dana Whitfield)", "Technology side (3 people)"."""
    return gettext("%(group)s (%(who)s)") % {"group": group, "who": who}
