"""Measuring a client again: "Run again" makes a follow-up workshop, and the client's page
shows how the alignment moved from one workshop to the next.

A follow-up (`Workshop.follows`) is for the same client, with the same executives (each with a
new personal link; nobody is emailed until the facilitator invites them) and the same
questionnaire or its newest version. Questions keep their code across versions, so a question
is followed from workshop to workshop by its code.

The trend is computed from each workshop's answers as the dashboard computes them (a `Report`
per workshop, the same pair of groups), all workshops loaded together: the participants, the
questions, the choices and the answers in four queries, whatever their number. Free-text
codings are left out here (as on the facilitator's home): the trend compares rule-scored
questions only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext

from surveys.models import Questionnaire

from .dashboard.labels import percent
from .dashboard.loading import GroupChoice, WorkshopAnswers, people_of
from .dashboard.report import Report
from .models import Participant, Workshop, WorkshopStatus
from .services import record


def newest_version(questionnaire: Questionnaire, owner: Any = None) -> Questionnaire:
    """The latest published version of a questionnaire (itself when it is the latest): a
    draft of the next version, still being built, is never offered; with `owner`, nor a
    version that facilitator may not give a workshop (one its owner has not shared)."""
    versions = (
        Questionnaire.objects.published()
        if owner is None
        else Questionnaire.objects.usable_by(owner)
    )
    return versions.filter(slug=questionnaire.slug).order_by("-version").first() or questionnaire


@transaction.atomic
def run_again(
    workshop: Workshop,
    *,
    actor: AbstractBaseUser,
    title: str,
    questionnaire: Questionnaire,
) -> Workshop:
    """A follow-up of `workshop`: same client, facilitators and executives (new links, not
    emailed), `questionnaire` (the same or a newer version of it), as a draft."""
    follow_up = Workshop.objects.create(
        title=title,
        organisation=workshop.organisation,
        questionnaire=questionnaire,
        owner=workshop.owner,
        status=WorkshopStatus.DRAFT,
        anonymous=workshop.anonymous,
        follows=workshop,
    )
    follow_up.co_facilitators.set(workshop.co_facilitators.all())
    people = []
    for person in (
        Participant.objects.active().filter(workshop=workshop).order_by("created_at", "pk")
    ):
        copy = Participant(
            workshop=follow_up,
            name=person.name,
            email=person.email,
            role=person.role,
            side=person.side,
        )
        copy.issue_token()  # a new link: nobody has it until emailed or copied from the board
        copy.link_unsent = True
        people.append(copy)
    Participant.objects.bulk_create(people)
    record(follow_up, actor, "run_again", follows=workshop.title, count=len(people))
    record(workshop, actor, "run_again", follow_up=title)
    return follow_up


# The trend -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    """One workshop's figure on the trend chart (SVG coordinates on a 0-100 x 0-50 box)."""

    x: float
    y: float
    score: int

    @property
    def label_y(self) -> float:
        """Where its figure is written, above the point."""
        return round(self.y - 2.5, 2)


@dataclass
class Series:
    """One line of the chart: overall, or a section (by its code), across the workshops."""

    code: str
    title: str
    scores: list[int | None]
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.2f},{p.y:.2f}" for p in self.points)

    @property
    def change(self) -> int | None:
        """From the first workshop with a figure to the last one."""
        known = [score for score in self.scores if score is not None]
        return known[-1] - known[0] if len(known) > 1 else None


@dataclass(frozen=True, slots=True)
class QuestionTrend:
    code: str
    prompt: str
    section: str
    scores: tuple[int | None, ...]
    labels: tuple[str, ...]


@dataclass
class Trend:
    """The alignment of one pair of groups across a client's workshops, oldest first."""

    workshops: list[Workshop]
    a_key: str
    b_key: str
    a_label: str
    b_label: str
    #: The "compare" picker's options, from the latest workshop's executives.
    choices: list[GroupChoice]
    overall: Series
    sections: list[Series]
    questions: list[QuestionTrend]
    #: Each workshop's answers as loaded for the trend (the client page's KPI follow-up reads
    #: the executives' "today" estimates from them: no query of its own).
    answers: dict[int, WorkshopAnswers] = field(default_factory=dict)

    @property
    def series(self) -> list[Series]:
        return [self.overall, *self.sections]

    @property
    def ticks(self) -> list[tuple[float, Workshop]]:
        return [(_x(index, len(self.workshops)), w) for index, w in enumerate(self.workshops)]


#: The chart's box: 100 wide, 50 high; scores 0-100 drawn from y=46 (0) to y=4 (100).
def _x(index: int, count: int) -> float:
    return 50.0 if count < 2 else round(8 + 84 * index / (count - 1), 2)


def _y(score: float) -> float:
    return round(46 - 42 * score / 100, 2)


def _series(code: str, title: str, scores: list[int | None]) -> Series:
    series = Series(code, title, scores)
    series.points = [
        Point(_x(index, len(scores)), _y(score), score)
        for index, score in enumerate(scores)
        if score is not None
    ]
    return series


def trend(workshops: Sequence[Workshop], a_key: str = "", b_key: str = "") -> Trend:
    """The trend of the pair (`a_key` and `b_key`, default CIO and CMO) over `workshops`, oldest
    first. Four queries for all of them (participants, questions, choices, answers)."""
    workshops = list(workshops)
    people = people_of(workshops)
    loaded = WorkshopAnswers.load_many(workshops, people=people)
    reports = []
    for workshop in workshops:
        answers = loaded[workshop.pk]
        a, b = answers.pair(a_key, b_key)
        reports.append(Report(answers, a, b))
    overall = _series(
        "", gettext("Overall"), [percent(r.overall.aggregate.alignment) for r in reports]
    )
    titles: dict[str, str] = {}
    for report in reports:
        for section in report.sections:
            titles[section.code] = section.title  # the latest wording of a section's title
    by_section = [
        {section.code: percent(section.aggregate.alignment) for section in report.sections}
        for report in reports
    ]
    sections = [
        _series(code, title, [scores.get(code) for scores in by_section])
        for code, title in titles.items()
    ]
    rows = [{row.item.code: row for row in report.rows} for report in reports]
    prompts: dict[str, tuple[str, str]] = {}
    for report in reports:
        for row in report.rows:
            prompts[row.item.code] = (row.item.prompt, row.item.section_title)
    questions = [
        QuestionTrend(
            code=code,
            prompt=prompt,
            section=section,
            scores=tuple(r[code].score if code in r else None for r in rows),
            labels=tuple(r[code].label if code in r else "" for r in rows),
        )
        for code, (prompt, section) in prompts.items()
        if sum(1 for r in rows if code in r) > 1
    ]
    last = reports[-1] if reports else None
    return Trend(
        workshops=workshops,
        a_key=last.a.key if last else "",
        b_key=last.b.key if last else "",
        a_label=last.a.label if last else "",
        b_label=last.b.label if last else "",
        choices=last.answers.group_choices() if last else [],
        overall=overall,
        sections=sections,
        questions=questions,
        answers=dict(loaded),
    )


# What became of the outcome (the client page) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Measurement:
    """A shared KPI's value measured after its session, in a later workshop of the client:
    the value the room recorded for the same KPI there ("recorded"), or else the median of
    its executives' answers to the KPI's "today" question (`<code>-today`: "estimated")."""

    value: float
    workshop: Workshop
    source: str
    answers: int = 0

    @property
    def on(self) -> Any:
        return self.workshop.session_date


@dataclass(frozen=True, slots=True)
class KpiCheck:
    """A shared KPI as the client page follows it up: the value at the session, the target,
    and whether a later measurement met it (`met`: None while nothing was measured, or no
    target was set). A target is met when the measured value is at it or beyond it in the
    KPI's direction (the question's "higher is ambitious", else the way from the value at the
    session to the target)."""

    name: str
    unit: str
    current_value: float | None
    target: float | None
    review_on: Any
    review_passed: bool
    higher_is_better: bool = True
    measured: Measurement | None = None

    @property
    def met(self) -> bool | None:
        if self.measured is None or self.target is None:
            return None
        if self.higher_is_better:
            return self.measured.value >= self.target
        return self.measured.value <= self.target

    @property
    def measured_after_review(self) -> bool:
        """Measured on or after the review date (or no review date was set)."""
        return self.measured is not None and (
            self.review_on is None or self.measured.on >= self.review_on
        )


@dataclass(frozen=True, slots=True)
class ActionCheck:
    what: str
    owner: str
    due_on: Any
    status: str
    status_label: str

    @property
    def done(self) -> bool:
        return self.status == "done"


@dataclass
class OutcomeFollowUp:
    """One workshop's shared KPIs and its actions, with how many are done."""

    kpis: list[KpiCheck] = field(default_factory=list)
    action_list: list[ActionCheck] = field(default_factory=list)

    @property
    def actions(self) -> int:
        return len(self.action_list)

    @property
    def done(self) -> int:
        return sum(1 for action in self.action_list if action.status == "done")

    @property
    def dropped(self) -> int:
        return sum(1 for action in self.action_list if action.status == "dropped")


#: The code of the question that asks for a KPI's value today, beside the KPI's target question.
TODAY_SUFFIX = "-today"


def _measurement(kpi: Any, later: Sequence[Workshop], recorded: Any, estimates: Any) -> Any:
    """The measurement of `kpi` to judge it by: the first later one on or after its review date,
    else the latest one before it; None when no later workshop measured it."""
    found = []
    for workshop in later:
        same = None
        if kpi.question_id is not None:  # the same KPI question: by its code, across versions
            same = recorded.get((workshop.pk, kpi.question.code))
        same = same or recorded.get((workshop.pk, kpi.name.casefold()))
        if same is not None and same.current_value is not None:
            found.append(Measurement(same.current_value, workshop, "recorded"))
        elif kpi.question_id is not None:
            values = estimates.get((workshop.pk, kpi.question.code + TODAY_SUFFIX))
            if values:
                found.append(Measurement(float(median(values)), workshop, "estimated", len(values)))
    if not found:
        return None
    if kpi.review_on is not None:
        on_time = [m for m in found if m.on >= kpi.review_on]
        if on_time:
            return on_time[0]
    return found[-1]


def _estimates(
    codes: set[str], answers: Mapping[int, WorkshopAnswers]
) -> dict[tuple[int, str], list[float]]:
    """The counted executives' numbers for some questions, by workshop and question code."""
    found: dict[tuple[int, str], list[float]] = {}
    for workshop_id, loaded in answers.items():
        for item in loaded.items:
            if item.code not in codes:
                continue
            for person in loaded.counted:
                value = loaded.value(person, item)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    found.setdefault((workshop_id, item.code), []).append(float(value))
    return found


def outcomes_of(
    workshops: Sequence[Workshop], answers: Mapping[int, WorkshopAnswers] | None = None
) -> dict[int, OutcomeFollowUp]:
    """The outcome's follow-up of each workshop that recorded KPIs or actions, each KPI
    measured by the client's later workshops (two queries, KPIs and actions, when the
    workshops' `answers` are given, as the trend loads them; else a third for the answers to
    the KPIs' "today" questions)."""
    from django.utils import timezone

    from surveys.models import Answer

    from .outcome_models import Action, ActionStatus, SharedKpi

    today = timezone.localdate()
    found: dict[int, OutcomeFollowUp] = {}
    workshops = sorted(workshops, key=lambda w: (w.session_date, w.created_at, w.pk))
    pks = [workshop.pk for workshop in workshops]
    kpis = list(
        SharedKpi.objects.filter(workshop_id__in=pks)
        .select_related("question")
        .order_by("workshop_id", "created_at", "pk")
    )
    recorded = {(k.workshop_id, k.name.casefold()): k for k in kpis}
    recorded |= {(k.workshop_id, k.question.code): k for k in kpis if k.question_id is not None}
    codes = {k.question.code + TODAY_SUFFIX for k in kpis if k.question_id is not None}
    estimates: dict[tuple[int, str], list[float]] = {}
    if codes and answers is not None:
        estimates = _estimates(codes, answers)
    elif codes:
        answers = Answer.objects.filter(
            response__participant__workshop_id__in=pks,
            response__participant__removed_at__isnull=True,
            question__code__in=codes,
            is_unknown=False,
            value__isnull=False,
        ).values_list("response__participant__workshop_id", "question__code", "value")
        for workshop_id, code, value in answers:
            if isinstance(value, int | float) and not isinstance(value, bool):
                estimates.setdefault((workshop_id, code), []).append(float(value))
    position = {pk: index for index, pk in enumerate(pks)}
    for kpi in kpis:
        later = workshops[position[kpi.workshop_id] + 1 :]
        if kpi.question_id is not None:
            higher = kpi.question.higher_is_ambitious
        elif kpi.current_value is not None and kpi.target is not None:
            higher = kpi.target >= kpi.current_value
        else:
            higher = True
        found.setdefault(kpi.workshop_id, OutcomeFollowUp()).kpis.append(
            KpiCheck(
                name=kpi.name,
                unit=kpi.unit,
                current_value=kpi.current_value,
                target=kpi.target,
                review_on=kpi.review_on,
                review_passed=kpi.review_on is not None and kpi.review_on < today,
                higher_is_better=higher,
                measured=_measurement(kpi, later, recorded, estimates),
            )
        )
    labels = dict(ActionStatus.choices)
    for action in (
        Action.objects.filter(workshop_id__in=pks)
        .select_related("owner_participant")
        .order_by("workshop_id", "created_at", "pk")
    ):
        found.setdefault(action.workshop_id, OutcomeFollowUp()).action_list.append(
            ActionCheck(
                what=action.what,
                owner=action.owner_label,
                due_on=action.due_on,
                status=action.status,
                status_label=str(labels.get(action.status, action.status)),
            )
        )
    return found
