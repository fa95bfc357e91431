"""The run-sheet the session follows, and the outcome it records ("What we agreed").

Facilitators only (`access.get_workshop_for_outcome`: 404 for anyone else) record; the
participants read "What we agreed" once the facilitator shares the results with them (the same
choice: `Workshop.results_visible_to_participants`, after the reveal). Every recording form
saves as it changes through htmx (the reply updates the form's status line and revision, out of
band, so nothing typed meanwhile is replaced), and works without JavaScript as a plain POST
(redirect back on success; on a problem, a page with the form as typed and what is wrong).
A save based on an older revision is refused and the form comes back with both versions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, router
from django.db.models import F, Value
from django.db.models.functions import JSONObject
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap, retarget

from surveys.entry import AnswerError, format_number
from surveys.kinds import KINDS, kind_for
from surveys.models import Question, Response
from surveys.presenting import QuestionField, build_field, render_field
from surveys.topics import TOPICS, topics_of

from . import runsheet
from .access import get_participant_for_session, get_workshop_for_outcome, outcome_workshops
from .dashboard.answers import Shown, show
from .dashboard.loading import Item, Person, WorkshopAnswers, people_of
from .dashboard.perception import PerceptionRow
from .dashboard.report import Report
from .dashboard.rows import Row
from .models import (
    RACI_PARTIES,
    Action,
    AgreedOwnership,
    BlockKind,
    Decision,
    DecisionState,
    OutcomeNotes,
    Participant,
    RunSheet,
    RunSheetBlock,
    SharedKpi,
    Workshop,
)
from .outcome import (
    DuplicateName,
    NotSignedOff,
    OutcomeLocked,
    StaleRevision,
    reopen_outcome,
    save_action,
    save_decision,
    save_kpi,
    save_notes,
    save_ownership,
    save_run_sheet,
    sign_off,
)
from .outcome_forms import (
    ActionForm,
    DecisionForm,
    KpiForm,
    NotesForm,
    OwnershipForm,
    ReopenForm,
    SignOffForm,
)
from .runsheet import CannotChange, PlanItem

#: What decision an item asks for, by the terms of its kind (`BaseKind.agreed_terms`).
WANTED = {
    "owner": _("Decide who owns it."),
    "target": _("Decide a target in %(unit)s."),
    "target_plain": _("Decide a target."),
    "split": _("Decide a split that adds up to 100 %."),
    "order": _("Decide an order of priority."),
    "position": _("Decide where you both stand on the scale."),
    "choice": _("Decide one answer."),
    "selection": _("Decide which of these apply."),
    "wording": _("Decide a wording you both sign."),
}
#: Other roles' answers shown beside an item (the CEO, a CFO...): more would drown it.
OTHERS_SHOWN = 6
LOCKED = _("The outcome is signed off: reopen it to change anything.")
STALE = _(
    "Someone else saved this meanwhile. Both versions are shown: yours is in the form, theirs "
    "below. Save again to keep yours."
)


# What the pages show ------------------------------------------------------------------------


def wanted(item: Item) -> str:
    terms = "owner" if item.ownership is not None else KINDS[item.kind].agreed_terms
    if terms == "target":
        return (
            str(WANTED["target"]) % {"unit": item.unit}
            if item.unit
            else str(WANTED["target_plain"])
        )
    return str(WANTED[terms])


@dataclass
class DecisionView:
    """One question's decision form: state, the agreed position in the kind's own inputs, and
    free text; with what went wrong, or the version someone else saved meanwhile."""

    question: Question
    item: Item | None
    decision: Decision | None
    form: DecisionForm
    field: QuestionField
    locked: bool
    workshop: Workshop
    status: str = ""
    error: str = ""
    stale: Decision | None = None
    row: Row | None = None
    number: int = 0
    #: Answers of people in neither group (the CEO...), as (person, shown).
    others: list = field(default_factory=list)
    #: What each group expected the other to answer, when the question asks it.
    perception: PerceptionRow | None = None

    @property
    def dom_id(self) -> str:
        return f"decision-{self.question.pk}"

    @property
    def wanted(self) -> str:
        return wanted(self.item) if self.item is not None else ""

    @property
    def agreed(self) -> Shown | None:
        if self.decision is None or self.decision.position is None or self.item is None:
            return None
        return show(self.item, self.decision.position)

    @property
    def stale_position(self) -> Shown | None:
        if self.stale is None or self.stale.position is None or self.item is None:
            return None
        return show(self.item, self.stale.position)

    @property
    def state_label(self) -> str:
        state = self.decision.state if self.decision else ""
        return str(DecisionState(state).label)

    @property
    def action(self) -> str:
        return reverse("workshops:outcome_decision", args=[self.workshop.pk, self.question.pk])


def decision_view(
    workshop: Workshop,
    question: Question,
    decision: Decision | None,
    *,
    item: Item | None = None,
    locked: bool = False,
    posted: QueryDict | None = None,
    structure_key: tuple | None = None,
    **extra: Any,
) -> DecisionView:
    auto_id = f"decision{question.pk}-%s"
    if posted is not None:
        form = DecisionForm(posted, auto_id=auto_id)
        form.is_valid()
        field_view = build_field(question, 0, None, posted=posted)
    else:
        initial = {"revision": decision.revision if decision else None}
        if decision is not None:
            initial.update(state=decision.state, note=decision.note)
        form = DecisionForm(initial=initial, auto_id=auto_id)
        field_view = build_field(question, 0, None)
        if decision is not None and decision.position is not None:
            kind_for(question).show_value(field_view, decision.position)
    if structure_key is not None:  # a frozen questionnaire: a state seen before is cached
        render_field(
            field_view,
            template_name="workshops/outcome/_position_inputs.html",
            locked=False,
            structure_key=structure_key,
        )
    return DecisionView(
        question=question,
        item=item,
        decision=decision,
        form=form,
        field=field_view,
        locked=locked,
        workshop=workshop,
        **extra,
    )


def _structure_key(workshop: Workshop, people: list[Person]) -> tuple | None:
    """The questionnaire's structure key once it is frozen (someone has a response)."""
    if any(person.response_id for person in people):
        return workshop.questionnaire.structure_key
    return None


def _questions(workshop: Workshop, people: list[Person]) -> dict[int, Question]:
    """The questionnaire's questions with their choices: read once per process once someone
    has a response (the questionnaire is frozen then: `Questionnaire.cached_sections`)."""
    response_id = next((person.response_id for person in people if person.response_id), None)
    questionnaire = workshop.questionnaire
    if response_id is not None:
        proof = Response(pk=response_id, questionnaire_id=questionnaire.pk)
        sections = questionnaire.cached_sections(proof)
    else:
        sections = questionnaire.ordered_sections()
    return {question.pk: question for section in sections for question in section.questions.all()}


class SessionReport(Report):
    """The report as the run-sheet and the outcome read it: without the whole-room consensus,
    which they do not show and which took a third of their time at 60 participants."""

    @property
    def whole_group(self) -> bool:
        return False


def _report(
    request: HttpRequest, workshop: Workshop, people: list[Person], *, codings: bool
) -> Report:
    roster = WorkshopAnswers(workshop=workshop, sections=[], people=people)
    a, b = roster.pair(request.GET.get("a"), request.GET.get("b"))
    if codings:
        return SessionReport.load(workshop, people, a, b)
    answers = WorkshopAnswers.load_many([workshop], people={workshop.pk: people})[workshop.pk]
    return SessionReport(answers, a, b)


def _is_locked(workshop: Workshop) -> bool:
    return getattr(workshop, "signed_by", None) is not None


def _notes(workshop: Workshop) -> OutcomeNotes | None:
    try:
        return workshop.outcome_notes
    except OutcomeNotes.DoesNotExist:
        return None


# The run-sheet ------------------------------------------------------------------------------


@dataclass
class BlockView:
    block: runsheet.Block
    title: str
    start: int
    index: int
    count: int
    items: list[DecisionView] = field(default_factory=list)
    agreements: list[DecisionView] = field(default_factory=list)
    topic_questions: list[str] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + self.block.minutes

    @property
    def part(self) -> str:
        return self.block.part

    @property
    def is_theme(self) -> bool:
        return self.block.part == runsheet.THEME


def _plan_items(
    rows: list[Row], topics: dict[str, str], misperceived: frozenset[int] = frozenset()
) -> list[PlanItem]:
    """The rows as the run-sheet plans them; `misperceived`: the questions (by pk) on which a
    side misreads the other."""
    return [
        PlanItem(
            pk=row.item.pk,
            number=number,
            section_code=row.item.section_code,
            topic=row.item.topic or topics.get(row.item.code, ""),
            label=row.label,
            gap=row.gap,
            similarity=row.comparison.similarity,
            importance=row.item.importance,
            has_reference=row.reference is not None,
            misperceived=row.item.pk in misperceived,
        )
        for number, row in enumerate(rows, start=1)
    ]


def _misperceived(report: Report) -> frozenset[int]:
    return frozenset(perception.item.pk for perception in report.misperceptions)


def _stored_run_sheet(workshop: Workshop) -> tuple[int, int | None, list[runsheet.BlockChoice]]:
    """The session's length, the run-sheet's revision and its arrangement, in one query."""
    blocks = list(
        RunSheetBlock.objects.filter(run_sheet__workshop=workshop)
        .select_related("run_sheet")
        .order_by("position", "pk")
    )
    if not blocks:
        return RunSheet.DEFAULT_MINUTES, None, []
    sheet = blocks[0].run_sheet
    choices = [
        runsheet.BlockChoice(b.key, b.kind, b.minutes, b.merged_into, b.dropped) for b in blocks
    ]
    return sheet.minutes, sheet.revision, choices


@dataclass
class Plan:
    blocks: list[runsheet.Block]
    timing: runsheet.Timing
    minutes: int
    revision: int | None


def _plan(workshop: Workshop, report: Report) -> Plan:
    topics = topics_of(workshop.questionnaire.slug)
    minutes, revision, choices = _stored_run_sheet(workshop)
    items = _plan_items(report.rows, topics, _misperceived(report))
    blocks = runsheet.arrange(runsheet.default_blocks(items), choices)
    timing = runsheet.time_boxes(blocks, minutes)
    return Plan(blocks, timing, minutes, revision)


def _theme_title(key: str, sections: dict[str, str]) -> str:
    kind, _, code = key.partition(":")
    if kind == "topic" and code in TOPICS:
        return str(TOPICS[code].title)
    return sections.get(code, code)


@require_safe
@login_required
def run_sheet(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    people = people_of([workshop]).get(workshop.pk, [])
    report = _report(request, workshop, people, codings=True)
    plan = _plan(workshop, report)
    rows = {row.item.pk: row for row in report.rows}
    sections = {section.code: section.title for section in report.answers.sections}
    decisions = {d.question_id: d for d in Decision.objects.filter(workshop=workshop)}
    questions = _questions(workshop, people)
    locked = _is_locked(workshop)
    structure_key = _structure_key(workshop, people)
    others = report.answers.others(report.a, report.b)
    perceptions = {perception.item.pk: perception for perception in report.perception}
    views: list[BlockView] = []
    start = 0
    number = 0
    kept = [block for block in plan.blocks if not block.dropped]
    for block in plan.blocks:
        title = (
            " + ".join(_theme_title(key, sections) for key in block.themes)
            if block.part == runsheet.THEME
            else str(BlockKind(block.part).label)
        )
        view = BlockView(block, title, start, len(views), len(plan.blocks))
        if not block.dropped:
            start += block.minutes
        for plan_item in block.items:
            row = rows[plan_item.pk]
            number += block.part == runsheet.THEME and not block.dropped
            entry = decision_view(
                workshop,
                questions[plan_item.pk],
                decisions.get(plan_item.pk),
                item=row.item,
                locked=locked,
                row=row,
                number=number,
                structure_key=structure_key,
                perception=perceptions.get(plan_item.pk),
                others=[
                    (person, show(row.item, *cell))
                    for person in others[:OTHERS_SHOWN]
                    if (cell := report.answers.cell(person, row.item)) is not None
                ],
            )
            (view.items if block.part == runsheet.THEME else view.agreements).append(entry)
        if block.part == runsheet.THEME:
            view.topic_questions = [
                str(TOPICS[key.partition(":")[2]].question)
                for key in block.themes
                if key.startswith("topic:") and key.partition(":")[2] in TOPICS
            ]
        views.append(view)
    parked = [
        (rows[pk].item, decision)
        for pk, decision in decisions.items()
        if decision.state == DecisionState.PARKED and pk in rows
    ]
    return render(
        request,
        "workshops/run_sheet.html",
        {
            "workshop": workshop,
            "report": report,
            "a": report.a,
            "b": report.b,
            "plan": plan,
            "blocks": views,
            "kept_count": len(kept),
            "locked": locked,
            "parked": parked,
            "notes": _notes(workshop),
            "next": request.get_full_path(),
            # A session length refused (run_sheet_change): shown as typed, to correct.
            "refused_minutes": request.GET.get("minutes", "")[:20],
        },
    )


RUN_SHEET_CHANGES = {
    "up",
    "down",
    "drop",
    "restore",
    "merge",
    "split",
    "minutes",
    "length",
    "reset",
}


@require_POST
@login_required
def run_sheet_change(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """One change to the run-sheet (reorder, merge, drop, re-time a block, the session's
    length), stored with the whole arrangement; refused if the page was out of date."""
    workshop = get_workshop_for_outcome(request, workshop_pk)
    back = reverse("workshops:run_sheet", args=[workshop.pk])
    op = request.POST.get("op", "")
    key = request.POST.get("block", "")[:80]
    people = people_of([workshop]).get(workshop.pk, [])
    report = _report(request, workshop, people, codings=True)
    plan = _plan(workshop, report)
    try:
        base = _revision(request.POST.get("revision", ""))
    except ValueError:
        base = -1
    minutes = plan.minutes
    blocks = plan.blocks
    try:
        if op not in RUN_SHEET_CHANGES:
            raise CannotChange(op)
        if op == "length":
            minutes = _minutes(request.POST.get("minutes", ""), low=15)
        elif op == "reset":
            blocks = runsheet.default_blocks(
                _plan_items(
                    report.rows, topics_of(workshop.questionnaire.slug), _misperceived(report)
                )
            )
        else:
            given = request.POST.get("minutes", "").strip()
            time_box = _minutes(given, low=0) if op == "minutes" and given else None
            blocks = runsheet.change(blocks, op, key, minutes=time_box)
    except (CannotChange, ValueError) as problem:
        message = (
            str(problem.args[0])
            if isinstance(problem, ValueError) and not isinstance(problem, CannotChange)
            else gettext("That change does not apply to the run-sheet as it is now.")
        )
        messages.error(request, message)
        if op == "length":  # what was typed goes back into the field, to correct
            typed = request.POST.get("minutes", "")[:20]
            return redirect(f"{back}?{urlencode({'minutes': typed})}#rs-minutes")
        return redirect(back)
    try:
        save_run_sheet(
            workshop=workshop,
            minutes=minutes,
            blocks=runsheet.choices_of(blocks),
            base_revision=base,
            actor=request.user,
            change={"change": op, "block": key},
        )
    except StaleRevision:
        messages.error(
            request,
            gettext(
                "Someone else changed the run-sheet meanwhile: here it is as it is now. "
                "Make your change again if it still applies."
            ),
        )
        return redirect(back)
    messages.success(request, gettext("Run-sheet updated."))
    anchor = f"#block-{key}" if key and op != "reset" else ""
    return redirect(back + anchor)


def _revision(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise ValueError(raw)
    return int(raw)


def _minutes(raw: str, *, low: int) -> int:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not low <= int(raw) <= 480:
        raise ValueError(
            gettext("Minutes must be a whole number from %(low)s to 480.") % {"low": low}
        )
    return int(raw)


# Recording ----------------------------------------------------------------------------------


def _next(request: HttpRequest, workshop: Workshop, anchor: str) -> str:
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = ""  # only a path of this site: never a name that redirect() would reverse
    return (target or reverse("workshops:outcome", args=[workshop.pk])).split("#")[0] + anchor


def _reply(
    request: HttpRequest,
    workshop: Workshop,
    *,
    dom_id: str,
    template: str,
    context: dict[str, Any],
    saved: bool,
    message: str,
    revision: int | None = None,
    conflict: bool = False,
) -> HttpResponse:
    """Saved: htmx gets the form's status and revision (out of band); without htmx, back to
    the page. Not saved: htmx gets the message (or, for a conflict, the whole form with both
    versions); without htmx, a page with the form as typed and what is wrong."""
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = ""  # only a path of this site: never a name that redirect() would reverse
    context = {**context, "workshop": workshop, "next": target}
    if request.htmx:
        if conflict:
            response = render(request, template, context, status=200)
            return retarget(reswap(response, "outerHTML"), f"#{dom_id}")
        return render(
            request,
            "workshops/outcome/_save_status.html",
            {
                "dom_id": dom_id,
                "message": message,
                "saved": saved,
                "revision": revision,
                "revision_name": context["entry"].form.add_prefix("revision"),
            },
            status=200 if saved else 422,
        )
    if saved:
        messages.success(request, message)
        return redirect(_next(request, workshop, f"#{dom_id}"))
    return render(
        request,
        "workshops/outcome/fix.html",
        {**context, "form_template": template, "message": message},
        status=200 if conflict else 422,
    )


@require_POST
@login_required
def record_decision(request: HttpRequest, workshop_pk: int, question_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    question = get_object_or_404(
        Question.objects.without_predictions().prefetch_related("choices"),
        pk=question_pk,
        section__questionnaire_id=workshop.questionnaire_id,
    )
    decision = Decision.objects.filter(workshop=workshop, question=question).first()
    form = DecisionForm(request.POST)
    problem = ""
    position = None
    try:
        position = kind_for(question).parse(question, request.POST)
    except AnswerError as error:
        problem = str(error)
    if _is_locked(workshop):
        problem = str(LOCKED)
    elif not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    saved = stale = None
    if not problem:
        try:
            saved = save_decision(
                workshop=workshop,
                question=question,
                state=form.cleaned_data["state"],
                position=position,
                note=form.cleaned_data["note"],
                base_revision=form.cleaned_data["revision"],
                actor=request.user,
            )
        except StaleRevision as error:
            stale = error.current
            problem = str(STALE)
        except OutcomeLocked:
            problem = str(LOCKED)
    view = decision_view(
        workshop,
        question,
        stale or decision,
        locked=_is_locked(workshop),
        posted=request.POST,
        error=problem,
        stale=stale,
    )
    if stale is not None:  # saving again keeps theirs in mind: based on the stored revision
        view.form.data = view.form.data.copy()
        view.form.data["revision"] = str(stale.revision)
    return _reply(
        request,
        workshop,
        dom_id=view.dom_id,
        template="workshops/outcome/_decision_form.html",
        context={"entry": view},
        saved=saved is not None,
        message=gettext("✓ Saved") if saved else problem,
        revision=saved.revision if saved else None,
        conflict=stale is not None,
    )


def _ownership_before(report: Report) -> dict[str, list]:
    before: dict[str, list] = {}
    for owner_row in report.ownership:
        before.setdefault(owner_row.area.code, []).append(owner_row)
    return before


@dataclass
class OwnershipView:
    area: str
    area_label: str
    form: OwnershipForm
    row: AgreedOwnership | None
    locked: bool
    before: list = field(default_factory=list)
    error: str = ""
    stale: AgreedOwnership | None = None

    @property
    def dom_id(self) -> str:
        return f"raci-{self.area}"


def ownership_view(
    area: str,
    area_label: str,
    row: AgreedOwnership | None,
    *,
    locked: bool,
    posted: QueryDict | None = None,
    **extra: Any,
) -> OwnershipView:
    if posted is not None:
        form = OwnershipForm(posted, prefix=area)
        form.is_valid()
    else:
        initial: dict[str, Any] = {"revision": row.revision if row else None}
        if row is not None:
            initial.update({party: getattr(row, party) for party in RACI_PARTIES})
            initial["other_label"] = row.other_label
        form = OwnershipForm(initial=initial, prefix=area)
    return OwnershipView(area, area_label, form, row, locked, **extra)


def _areas(workshop: Workshop, report: Report) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for item in report.answers.items:
        if item.ownership is not None:
            seen.setdefault(item.ownership.code, item.ownership.label)
    return list(seen.items())


@require_POST
@login_required
def record_ownership(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    area = request.POST.get("area", "")
    labels = {
        question.meta.get("area"): question.meta.get("area_label", "")
        for question in Question.objects.filter(
            section__questionnaire_id=workshop.questionnaire_id, meta__has_key="area"
        ).only("meta")
    }
    if area not in labels:
        return render(
            request,
            "400.html",
            {"reason": gettext("No such area in this questionnaire.")},
            status=400,
        )
    row = AgreedOwnership.objects.filter(workshop=workshop, area=area).first()
    form = OwnershipForm(request.POST, prefix=area)
    problem = ""
    saved = stale = None
    if _is_locked(workshop):
        problem = str(LOCKED)
    elif not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            saved = save_ownership(
                workshop=workshop,
                area=area,
                area_label=labels[area],
                letters=form.letters(),
                other_label=form.cleaned_data["other_label"].strip(),
                base_revision=form.cleaned_data["revision"],
                actor=request.user,
            )
        except StaleRevision as error:
            stale, problem = error.current, str(STALE)
        except OutcomeLocked:
            problem = str(LOCKED)
    view = ownership_view(
        area,
        labels[area],
        stale or row,
        locked=_is_locked(workshop),
        posted=request.POST,
        error=problem,
        stale=stale,
    )
    if stale is not None:
        view.form.data = view.form.data.copy()
        view.form.data[view.form.add_prefix("revision")] = str(stale.revision)
    return _reply(
        request,
        workshop,
        dom_id=view.dom_id,
        template="workshops/outcome/_raci_form.html",
        context={"entry": view},
        saved=saved is not None,
        message=gettext("✓ Saved") if saved else problem,
        revision=saved.revision if saved else None,
        conflict=stale is not None,
    )


@dataclass
class RowForm:
    """A KPI's or an action's form: a stored row (None: the form that adds one)."""

    kind: str
    form: Any
    row: Any
    locked: bool
    error: str = ""
    stale: Any = None
    before: Any = None

    @property
    def dom_id(self) -> str:
        return f"{self.kind}-{self.row.pk}" if self.row is not None else f"{self.kind}-new"


def kpi_form(
    row: SharedKpi | None, *, locked: bool, posted: QueryDict | None = None, **extra: Any
) -> RowForm:
    prefix = f"kpi{row.pk}" if row is not None else "kpi-new"
    if posted is not None:
        form = KpiForm(posted, prefix=prefix)
        form.is_valid()
    elif row is not None:
        form = KpiForm(
            prefix=prefix,
            initial={
                "name": row.name,
                "unit": row.unit,
                "current_value": _number(row.current_value),
                "target": _number(row.target),
                "owner": row.owner,
                "deadline": row.deadline,
                "review_on": row.review_on,
                "revision": row.revision,
            },
        )
    else:
        form = KpiForm(prefix=prefix, initial=extra.pop("initial", None))
    return RowForm("kpi", form, row, locked, **extra)


def _number(value: float | None) -> str:
    return "" if value is None else format_number(value)


@require_POST
@login_required
def record_kpi(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    row = _row(SharedKpi, workshop, request.POST.get("kpi", ""))
    if row is False:
        return _gone(request, workshop, "kpis")
    prefix = f"kpi{row.pk}" if row is not None else "kpi-new"
    form = KpiForm(request.POST, prefix=prefix)
    question = None
    raw = request.POST.get("question", "")
    if row is None and raw.isascii() and raw.isdigit() and len(raw) <= 12:
        question = (
            Question.objects.without_predictions()
            .filter(
                pk=int(raw),
                section__questionnaire_id=workshop.questionnaire_id,
                meta__has_key="kpi",
            )
            .first()
        )
    problem = ""
    saved = stale = None
    if _is_locked(workshop):
        problem = str(LOCKED)
    elif not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        values = form.values()
        if question is not None:
            values["question"] = question
        try:
            saved = save_kpi(
                workshop=workshop,
                kpi=row,
                values=values,
                base_revision=form.cleaned_data["revision"],
                actor=request.user,
            )
        except StaleRevision as error:
            stale, problem = error.current, str(STALE)
        except DuplicateName:
            problem = gettext("Another shared KPI has this name: give this one another name.")
            form.add_error("name", problem)
        except OutcomeLocked:
            problem = str(LOCKED)
    entry = kpi_form(
        stale or row, locked=_is_locked(workshop), posted=request.POST, error=problem, stale=stale
    )
    if row is None and saved is not None:  # a new KPI: the page shows it in its place
        return _added(request, workshop, "kpis", gettext("Shared KPI added."))
    return _reply(
        request,
        workshop,
        dom_id=entry.dom_id,
        template="workshops/outcome/_kpi_form.html",
        context={"entry": entry, "question_pk": question.pk if question else ""},
        saved=saved is not None,
        message=gettext("✓ Saved") if saved else problem,
        revision=saved.revision if saved else None,
        conflict=stale is not None,
    )


def _row(model: type, workshop: Workshop, raw: str) -> Any:
    """The row named in the post (None: a new one; False: it is not there any more)."""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        return False
    return model.objects.filter(workshop=workshop, pk=int(raw)).first() or False


def _gone(request: HttpRequest, workshop: Workshop, anchor: str) -> HttpResponse:
    messages.error(
        request, gettext("That row was removed meanwhile: here is the outcome as it is now.")
    )
    response = redirect(reverse("workshops:outcome", args=[workshop.pk]) + f"#{anchor}")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("workshops:outcome", args=[workshop.pk]) + f"#{anchor}"
    return response


def _added(request: HttpRequest, workshop: Workshop, anchor: str, message: str) -> HttpResponse:
    messages.success(request, message)
    target = _next(request, workshop, f"#{anchor}")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def action_form(
    row: Action | None,
    people: list[Person],
    *,
    locked: bool,
    posted: QueryDict | None = None,
    **extra: Any,
) -> RowForm:
    prefix = f"action{row.pk}" if row is not None else "action-new"
    if posted is not None:
        form = ActionForm(posted, prefix=prefix, people=people)
        form.is_valid()
    elif row is not None:
        form = ActionForm(
            prefix=prefix,
            people=people,
            initial={
                "what": row.what,
                "owner": str(row.owner_participant_id or ""),
                "owner_name": row.owner_name,
                "due_on": row.due_on,
                "status": row.status,
                "revision": row.revision,
            },
        )
    else:
        form = ActionForm(prefix=prefix, people=people)
    return RowForm("action", form, row, locked, **extra)


@require_POST
@login_required
def record_action(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    row = _row(Action, workshop, request.POST.get("action", ""))
    if row is False:
        return _gone(request, workshop, "actions")
    people = people_of([workshop]).get(workshop.pk, [])
    prefix = f"action{row.pk}" if row is not None else "action-new"
    form = ActionForm(request.POST, prefix=prefix, people=people)
    problem = ""
    saved = stale = None
    if _is_locked(workshop):
        problem = str(LOCKED)
    elif not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        owner_pk = form.owner_participant_pk()
        owner = workshop.participants.active().filter(pk=owner_pk).first() if owner_pk else None
        try:
            saved = save_action(
                workshop=workshop,
                action=row,
                what=form.cleaned_data["what"],
                owner_participant=owner,
                owner_name=form.cleaned_data["owner_name"].strip(),
                due_on=form.cleaned_data["due_on"],
                status=form.cleaned_data["status"],
                base_revision=form.cleaned_data["revision"],
                actor=request.user,
            )
        except StaleRevision as error:
            stale, problem = error.current, str(STALE)
        except OutcomeLocked:
            problem = str(LOCKED)
    if row is None and saved is not None:
        return _added(request, workshop, "actions", gettext("Action added."))
    entry = action_form(
        stale or row,
        people,
        locked=_is_locked(workshop),
        posted=request.POST,
        error=problem,
        stale=stale,
    )
    return _reply(
        request,
        workshop,
        dom_id=entry.dom_id,
        template="workshops/outcome/_action_form.html",
        context={"entry": entry},
        saved=saved is not None,
        message=gettext("✓ Saved") if saved else problem,
        revision=saved.revision if saved else None,
        conflict=stale is not None,
    )


@dataclass
class NotesView:
    form: NotesForm
    row: OutcomeNotes | None
    locked: bool
    error: str = ""
    stale: OutcomeNotes | None = None
    dom_id: str = "notes"


def notes_view(
    row: OutcomeNotes | None, *, locked: bool, posted: QueryDict | None = None, **extra: Any
) -> NotesView:
    if posted is not None:
        form = NotesForm(posted)
        form.is_valid()
    else:
        initial = {"revision": row.revision if row else None}
        if row is not None:
            initial.update(biases=row.biases, parking_lot=row.parking_lot)
        form = NotesForm(initial=initial)
    return NotesView(form, row, locked, **extra)


@require_POST
@login_required
def record_notes(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    row = _notes(workshop)
    form = NotesForm(request.POST)
    problem = ""
    saved = stale = None
    if _is_locked(workshop):
        problem = str(LOCKED)
    elif not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            saved = save_notes(
                workshop=workshop,
                biases=form.cleaned_data["biases"],
                parking_lot=form.cleaned_data["parking_lot"],
                base_revision=form.cleaned_data["revision"],
                actor=request.user,
            )
        except StaleRevision as error:
            stale, problem = error.current, str(STALE)
        except OutcomeLocked:
            problem = str(LOCKED)
    entry = notes_view(
        stale or row, locked=_is_locked(workshop), posted=request.POST, error=problem, stale=stale
    )
    if stale is not None:
        entry.form.data = entry.form.data.copy()
        entry.form.data["revision"] = str(stale.revision)
    return _reply(
        request,
        workshop,
        dom_id="notes",
        template="workshops/outcome/_notes_form.html",
        context={"entry": entry},
        saved=saved is not None,
        message=gettext("✓ Saved") if saved else problem,
        revision=saved.revision if saved else None,
        conflict=stale is not None,
    )


@require_POST
@login_required
def record_sign_off(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    form = SignOffForm(request.POST)
    outcome_url = reverse("workshops:outcome", args=[workshop.pk])
    if not form.is_valid():
        return render(
            request,
            "workshops/outcome/fix.html",
            {
                "workshop": workshop,
                "form_template": "workshops/outcome/_sign_off_form.html",
                "sign_off_form": form,
                "message": gettext("Say who signs the outcome off."),
            },
            status=422,
        )
    try:
        sign_off(
            workshop=workshop, signed_by=form.cleaned_data["signed_by"].strip(), actor=request.user
        )
    except OutcomeLocked:
        messages.info(request, gettext("The outcome is already signed off."))
    else:
        messages.success(request, gettext("Signed off: the outcome is locked."))
    return redirect(outcome_url + "#sign-off")


@require_POST
@login_required
def reopen(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    form = ReopenForm(request.POST)
    outcome_url = reverse("workshops:outcome", args=[workshop.pk])
    if not form.is_valid():
        return render(
            request,
            "workshops/outcome/fix.html",
            {
                "workshop": workshop,
                "form_template": "workshops/outcome/_reopen_form.html",
                "reopen_form": form,
                "message": gettext("Say why the outcome is reopened: it goes in the audit trail."),
            },
            status=422,
        )
    try:
        reopen_outcome(
            workshop=workshop, reason=form.cleaned_data["reason"].strip(), actor=request.user
        )
    except NotSignedOff:
        messages.info(request, gettext("The outcome is not signed off: nothing to reopen."))
    else:
        messages.success(
            request,
            gettext("Reopened: the outcome can change again. The sign-off stays on record."),
        )
    return redirect(outcome_url + "#sign-off")


# What we agreed -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """Everything the "What we agreed" page shows, read in two queries besides the report
    (the decisions; the ownership, KPIs and actions in one)."""

    workshop: Workshop
    report: Report
    decisions: list[DecisionView]
    ownership: list[OwnershipView]
    kpis: list[RowForm]
    actions: list[RowForm]
    notes: NotesView
    proposals: dict[int, Any]

    @property
    def locked(self) -> bool:
        return _is_locked(self.workshop)

    @property
    def empty(self) -> bool:
        return not (
            self.decisions
            or any(v.row for v in self.ownership)
            or self.kpis
            or self.actions
            or (self.notes.row and (self.notes.row.biases or self.notes.row.parking_lot))
        )

    @property
    def counts(self) -> dict[str, int]:
        states: dict[str, int] = {}
        for entry in self.decisions:
            state = entry.decision.state if entry.decision else ""
            states[state] = states.get(state, 0) + 1
        return states


def _json_row(model: type[models.Model], kind: str, workshop: Workshop, **extra: Any) -> Any:
    """A table's rows of one workshop as (kind, JSON object of every column) for a UNION."""
    fields = {column.attname: F(column.attname) for column in model._meta.concrete_fields}
    return (
        model.objects.filter(workshop=workshop)
        .order_by()
        .annotate(kind=Value(kind), data=JSONObject(**fields, **extra))
        .values_list("kind", "data")
    )


def _from_json(model: type[models.Model], data: dict[str, Any]) -> Any:
    """A model instance from its row as the database wrote it in JSON (dates as text; SQLite
    writes a date and time naive, in UTC)."""
    values = []
    names = []
    for column in model._meta.concrete_fields:
        value = data.get(column.attname)
        if value is not None:
            if isinstance(column, models.DateTimeField):
                value = parse_datetime(str(value))
                if value is not None and timezone.is_naive(value):
                    value = timezone.make_aware(value, UTC)
            elif isinstance(column, models.DateField):
                value = parse_date(str(value))
            elif isinstance(column, models.FloatField):
                value = float(value)
        names.append(column.attname)
        values.append(value)
    return model.from_db(router.db_for_read(model), names, values)


def agreed_rows(
    workshop: Workshop,
) -> tuple[list[AgreedOwnership], list[SharedKpi], list[Action]]:
    """The agreed ownership, the shared KPIs and the actions in one query (a UNION of their
    rows as JSON objects): the report's PDF stays within ten queries with its audit line.
    An action's executive owner comes with their name (removed ones too)."""
    union = _json_row(AgreedOwnership, "ownership", workshop).union(
        _json_row(SharedKpi, "kpi", workshop),
        _json_row(Action, "action", workshop, owner_participant_name=F("owner_participant__name")),
        all=True,
    )
    found: dict[str, list[Any]] = {"ownership": [], "kpi": [], "action": []}
    for kind, data in union:
        if isinstance(data, str):
            data = json.loads(data)
        model = {"ownership": AgreedOwnership, "kpi": SharedKpi, "action": Action}[kind]
        row = _from_json(model, data)
        if kind == "action" and row.owner_participant_id is not None:
            row.owner_participant = Participant(
                pk=row.owner_participant_id,
                workshop_id=workshop.pk,
                name=data.get("owner_participant_name") or "",
            )
        found[kind].append(row)
    found["ownership"].sort(key=lambda row: row.pk)
    for kind in ("kpi", "action"):
        found[kind].sort(key=lambda row: (row.created_at, row.pk))
    return found["ownership"], found["kpi"], found["action"]


def load_outcome(
    request: HttpRequest | None,
    workshop: Workshop,
    *,
    with_forms: bool,
    questions: dict[int, Question] | None = None,
    report: Report | None = None,
) -> Outcome:
    """The recorded outcome, beside the answers: two queries besides the report's (the
    workshop is read with `access.outcome_workshops`). The report (board report) may pass
    the `Report` it has already loaded."""
    if report is None:
        people = people_of([workshop]).get(workshop.pk, [])
        report = _report(request, workshop, people, codings=False)
    else:
        people = report.answers.people
    locked = _is_locked(workshop)
    items = {item.pk: item for item in report.answers.items}
    rows = {row.item.pk: row for row in report.rows}
    order = {item.pk: number for number, item in enumerate(report.answers.items)}
    stored = sorted(
        Decision.objects.filter(workshop=workshop).select_related("question"),
        key=lambda d: order.get(d.question_id, 10_000),
    )
    if with_forms and questions is None:
        questions = _questions(workshop, people)
    decisions = [
        decision_view(
            workshop,
            questions[d.question_id] if with_forms and d.question_id in questions else d.question,
            d,
            item=items.get(d.question_id),
            locked=locked,
            row=rows.get(d.question_id),
            structure_key=_structure_key(workshop, people),
        )
        if with_forms
        else DecisionView(
            question=d.question,
            item=items.get(d.question_id),
            decision=d,
            form=DecisionForm(),
            field=QuestionField(question=d.question, number=0),
            locked=True,
            workshop=workshop,
            row=rows.get(d.question_id),
        )
        for d in stored
    ]
    ownership_rows, kpi_stored, action_stored = agreed_rows(workshop)
    agreed = {row.area: row for row in ownership_rows}
    before = _ownership_before(report)
    ownership = [
        ownership_view(area, label, agreed.get(area), locked=locked, before=before.get(area, []))
        for area, label in _areas(workshop, report)
    ]
    kpi_rows = {kpi_row.row.item.pk: kpi_row for kpi_row in report.kpis}
    kpis = [
        kpi_form(kpi, locked=locked, before=kpi_rows.get(kpi.question_id)) for kpi in kpi_stored
    ]
    actions = [action_form(action, people, locked=locked) for action in action_stored]
    taken = {kpi.row.question_id for kpi in kpis}
    proposals = {pk: kpi_row for pk, kpi_row in kpi_rows.items() if pk not in taken}
    return Outcome(
        workshop=workshop,
        report=report,
        decisions=decisions,
        ownership=ownership,
        kpis=kpis,
        actions=actions,
        notes=notes_view(_notes(workshop), locked=locked),
        proposals=proposals,
    )


@require_safe
@login_required
def outcome(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_outcome(request, workshop_pk)
    read = request.GET.get("view") == "read"
    found = load_outcome(request, workshop, with_forms=not read)
    people = found.report.answers.people
    ceo = next((p for p in people if p.role == "ceo"), None)
    return render(
        request,
        "workshops/outcome.html",
        {
            "workshop": workshop,
            "outcome": found,
            "a": found.report.a,
            "b": found.report.b,
            "editing": not read,
            "new_kpi": kpi_form(None, locked=found.locked),
            "new_action": action_form(None, people, locked=found.locked),
            "sign_off_form": SignOffForm(
                initial={"signed_by": f"{ceo.name}, {ceo.role_label}" if ceo else ""}
            ),
            "reopen_form": ReopenForm(),
            "shared": workshop.is_revealed and workshop.results_visible_to_participants,
            "next": request.get_full_path(),
        },
    )


@require_safe
def agreed(request: HttpRequest, participant_pk: int) -> HttpResponse:
    """ "What we agreed" for an executive, once the facilitator shares the results."""
    from .access import NotInQuestionnaire

    participant = get_participant_for_session(request, participant_pk)
    workshop = outcome_workshops(
        Workshop.objects.select_related("questionnaire", "organisation")
    ).get(pk=participant.workshop_id)
    if not (workshop.is_revealed and workshop.results_visible_to_participants):
        raise NotInQuestionnaire(
            participant.pk,
            gettext("What we agreed is not shared yet"),
            gettext("The facilitator shares it with everyone after the session."),
        )
    found = load_outcome(request, workshop, with_forms=False)
    return render(
        request,
        "workshops/agreed.html",
        {
            "workshop": workshop,
            "participant": participant,
            "outcome": found,
            "a": found.report.a,
            "b": found.report.b,
            "editing": False,
        },
    )
