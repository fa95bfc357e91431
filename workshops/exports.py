"""The workshop's answers as tables to take away: CSV (long format) and XLSX (a sheet a table),
and the session's outcome (decisions, shared KPIs, actions) as a table each, in CSV and XLSX.

One row per participant and question answered: workshop, participant (an alias such as
"Participant B" when the workshop hides names), role, side, section, question code, kind, the
value in a plain form (the kind says which: `BaseKind.plain`), whether the response is a draft
or submitted, and when it was submitted. Removed participants are left out, as everywhere the
answers are counted.

Both formats are written row by row as the answers are read (one query each for the
participants, the questions and the answers, the answers through a cursor), so memory stays
flat whatever the size: CSV goes out through a `StreamingHttpResponse`, XLSX is written by
XlsxWriter in constant-memory mode to a temporary file that is then streamed.

Formula injection: a spreadsheet evaluates a cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return. Every text cell that does is written with a leading apostrophe
(`neutralise`), in CSV and XLSX alike, so it is shown as the text it was. Numbers are written
as numbers (in XLSX) or as the digits Python writes (in CSV), which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.db.models import JSONField, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from surveys.kinds import KINDS
from surveys.models import Answer, Choice, Question, ResponseStatus

from .models import Participant, Workshop

#: What a cell may not begin with: a spreadsheet would read it as a formula (or, for tab and
#: carriage return, a formula after the whitespace some spreadsheets strip).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell as it can be written safely: text beginning with a formula trigger gets a
    leading apostrophe (what spreadsheets themselves use to mark text); anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def alias(index: int) -> str:
    """How a participant is named when the workshop hides names: "Participant A", "… B"…"""
    from .results_views import anonymous_label

    return gettext("Participant %(letter)s") % {"letter": anonymous_label(index)}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    #: "text", "number" or "datetime": how XLSX types the cell.
    type: str = "text"
    width: int = 16


def answer_columns() -> list[Column]:
    return [
        Column("workshop", gettext("Workshop"), width=28),
        Column("participant", gettext("Participant"), width=22),
        Column("role", gettext("Role")),
        Column("side", gettext("Side")),
        Column("section", gettext("Section")),
        Column("question", gettext("Question code"), width=24),
        Column("predicts", gettext("Prediction of"), width=24),
        Column("kind", gettext("Kind")),
        Column("value", gettext("Value"), type="value", width=30),
        Column("dont_know", gettext("Don't know"), width=10),
        Column("status", gettext("Status"), width=10),
        Column("submitted_at", gettext("Submitted at"), type="datetime", width=20),
    ]


def decision_columns() -> list[Column]:
    return [
        Column("question", gettext("Question code"), width=24),
        Column("prompt", gettext("Question"), width=60),
        Column("state", gettext("Decision")),
        Column("position", gettext("Agreed position"), type="value", width=30),
        Column("note", gettext("What was said"), width=60),
        Column("updated_at", gettext("Recorded at"), type="datetime", width=20),
    ]


def kpi_columns() -> list[Column]:
    return [
        Column("name", gettext("KPI"), width=30),
        Column("question", gettext("Question code"), width=24),
        Column("unit", gettext("Unit"), width=10),
        Column("current_value", gettext("Current value"), type="number", width=12),
        Column("target", gettext("Agreed target"), type="number", width=12),
        Column("owner", gettext("Owner"), width=22),
        Column("deadline", gettext("Deadline"), type="date", width=12),
        Column("review_on", gettext("Review date"), type="date", width=12),
    ]


def action_columns() -> list[Column]:
    return [
        Column("what", gettext("Action"), width=60),
        Column("owner", gettext("Owner"), width=22),
        Column("due_on", gettext("Due date"), type="date", width=12),
        Column("status", gettext("Status"), width=12),
    ]


def participant_columns() -> list[Column]:
    return [
        Column("participant", gettext("Participant"), width=22),
        Column("role", gettext("Role")),
        Column("side", gettext("Side")),
        Column("status", gettext("Status"), width=10),
        Column("answered", gettext("Questions answered"), type="number", width=12),
        Column("submitted_at", gettext("Submitted at"), type="datetime", width=20),
    ]


def question_columns() -> list[Column]:
    return [
        Column("section", gettext("Section")),
        Column("number", gettext("Number"), type="number", width=8),
        Column("question", gettext("Question code"), width=24),
        Column("predicts", gettext("Prediction of"), width=24),
        Column("kind", gettext("Kind")),
        Column("prompt", gettext("Question"), width=60),
        Column("importance", gettext("Importance"), type="number", width=10),
    ]


@dataclass(frozen=True, slots=True)
class Person:
    pk: int
    shown: str
    role: str
    side: str
    response_id: int | None
    status: str
    submitted_at: datetime | None
    answered: int


class WorkshopTables:
    """A workshop's answers, participants and questions as rows of plain values.

    Reads the participants and the questions (with their sections) when made (two queries);
    `answer_rows` reads the answers as it goes (one more, through a cursor)."""

    def __init__(self, workshop: Workshop, *, with_decisions: bool = False) -> None:
        self.workshop = workshop
        self.people = self._people()
        self.with_decisions = with_decisions
        self.questions = {
            question.pk: question
            for question in self._decided(
                Question.objects.filter(section__questionnaire_id=workshop.questionnaire_id)
            )
            .select_related("section")
            .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position")))
            .order_by("section__position", "position")
            .only(
                "pk",
                "code",
                "kind",
                "prompt",
                "translations",
                "importance",
                "position",
                "predicts",
                "section__code",
                "section__position",
            )
        }

    def _decided(self, questions: QuerySet[Question]) -> QuerySet[Question]:
        """With `with_decisions`, each question's recorded decision, in the questions' query
        (`decision_state` None: none recorded)."""
        if not self.with_decisions:
            return questions
        from .outcome_models import Decision

        decision = Decision.objects.filter(workshop=self.workshop, question=OuterRef("pk"))
        return questions.annotate(
            decision_state=Subquery(decision.values("state")[:1]),
            decision_position=Subquery(decision.values("position")[:1], output_field=JSONField()),
            decision_note=Subquery(decision.values("note")[:1]),
            decision_at=Subquery(decision.values("updated_at")[:1]),
        )

    def _people(self) -> dict[int, Person]:
        rows = (
            Participant.objects.active()
            .filter(workshop=self.workshop)
            .order_by("created_at", "pk")
            .values_list(
                "pk",
                "name",
                "role",
                "side",
                "response_id",
                "response__status",
                "response__submitted_at",
                "response__answered_count",
            )
        )
        people = {}
        for index, (pk, name, role, side, response_id, status, submitted, answered) in enumerate(
            rows
        ):
            people[pk] = Person(
                pk=pk,
                shown=alias(index) if self.workshop.anonymous else name,
                role=role,
                side=side,
                response_id=response_id,
                status=status or "",
                submitted_at=submitted if status == ResponseStatus.SUBMITTED else None,
                answered=answered or 0,
            )
        return people

    def answer_rows(self) -> Iterator[dict[str, Any]]:
        """One row per participant and question answered, participant by participant, in the
        questionnaire's order (sorted by the database); the value as its kind writes it."""
        by_response = {p.response_id: p for p in self.people.values() if p.response_id}
        if not by_response:
            return
        answers = (
            Answer.objects.answered()
            .filter(response_id__in=list(by_response))
            .order_by(
                "response__participant__created_at",
                "response__participant__pk",
                "question__section__position",
                "question__position",
            )
            .values_list("response_id", "question_id", "value", "is_unknown")
        )
        for response_id, question_id, value, is_unknown in answers.iterator(chunk_size=2000):
            question = self.questions[question_id]
            person = by_response[response_id]
            yield {
                "workshop": self.workshop.title,
                "participant": person.shown,
                "role": person.role,
                "side": person.side,
                "section": question.section.code,
                "question": question.code,
                "predicts": self._predicts(question),
                "kind": question.kind,
                "value": ""
                if is_unknown or value is None
                else KINDS[question.kind].plain(question, value),
                "dont_know": "yes" if is_unknown else "",
                "status": person.status,
                "submitted_at": person.submitted_at,
            }

    # The session's outcome (issue 13), a query a table.

    def decision_rows(self) -> Iterator[dict[str, Any]]:
        """Needs `with_decisions`: the decisions are read with the questions, in their order."""
        from .outcome_models import DecisionState

        for question in self.questions.values():
            if question.decision_state is None:
                continue
            position = question.decision_position
            yield {
                "question": question.code,
                "prompt": question.text("prompt"),
                "state": str(DecisionState(question.decision_state).label),
                "position": ""
                if position is None
                else KINDS[question.kind].plain(question, position),
                "note": question.decision_note,
                "updated_at": question.decision_at,
            }

    def kpi_rows(self) -> Iterator[dict[str, Any]]:
        from .outcome_models import SharedKpi

        for kpi in SharedKpi.objects.filter(workshop=self.workshop):
            question = self.questions.get(kpi.question_id)
            yield {
                "name": kpi.name,
                "question": question.code if question else "",
                "unit": kpi.unit,
                "current_value": kpi.current_value,
                "target": kpi.target,
                "owner": kpi.owner,
                "deadline": kpi.deadline,
                "review_on": kpi.review_on,
            }

    def action_rows(self) -> Iterator[dict[str, Any]]:
        from .outcome_models import Action

        for action in Action.objects.filter(workshop=self.workshop).select_related(
            "owner_participant"
        ):
            yield {
                "what": action.what,
                "owner": action.owner_label,
                "due_on": action.due_on,
                "status": action.get_status_display(),
            }

    def participant_rows(self) -> Iterator[dict[str, Any]]:
        for person in self.people.values():
            yield {
                "participant": person.shown,
                "role": person.role,
                "side": person.side,
                "status": person.status or "not_started",
                "answered": person.answered,
                "submitted_at": person.submitted_at,
            }

    def _predicts(self, question: Question) -> str:
        """For a prediction question (what one side thinks the other answered), the code of
        the question it predicts; "" for the others."""
        if question.predicts_id is None:
            return ""
        predicted = self.questions.get(question.predicts_id)
        return predicted.code if predicted is not None else ""

    def question_rows(self) -> Iterator[dict[str, Any]]:
        number = 0
        for question in self.questions.values():
            number += not question.is_prediction  # a prediction shares its question's number
            yield {
                "section": question.section.code,
                "number": number,
                "question": question.code,
                "predicts": self._predicts(question),
                "kind": question.kind,
                "prompt": question.text("prompt"),
                "importance": question.importance,
            }


# Writing ------------------------------------------------------------------------------------


class Echo:
    """A file whose write returns what it was given, for csv.writer in a streaming response."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return neutralise(value)


def csv_lines(columns: list[Column], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The table as CSV lines (a byte-order mark first, so spreadsheets read it as UTF-8)."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow([neutralise(column.title) for column in columns])
    for row in rows:
        yield writer.writerow([_csv_cell(row[column.key]) for column in columns])


def write_xlsx(tables: WorkshopTables, into: IO[bytes]) -> None:
    """The workshop's tables as an XLSX workbook, a sheet each, cells typed (numbers as
    numbers, dates as dates), written row by row (XlsxWriter's constant-memory mode)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        into,
        {
            "constant_memory": True,
            # Strings stay strings: never read as a formula, a number or a link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd hh:mm",
            "tmpdir": tempfile.gettempdir(),
        },
    )
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheets = [
        (gettext("Answers"), answer_columns(), tables.answer_rows()),
        (gettext("Participants"), participant_columns(), tables.participant_rows()),
        (gettext("Questions"), question_columns(), tables.question_rows()),
        (gettext("Decisions"), decision_columns(), tables.decision_rows()),
        (gettext("KPIs"), kpi_columns(), tables.kpi_rows()),
        (gettext("Actions"), action_columns(), tables.action_rows()),
    ]
    for name, columns, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, neutralise(column.title), bold)
        sheet.freeze_panes(1, 0)
        for row_number, row in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                _write_cell(sheet, row_number, col, row[column.key], day)
    workbook.close()


def _write_cell(sheet: Any, row: int, col: int, value: Any, day: Any = None) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime):
        # Excel has no time zones: the workshop's local time, as the pages show it.
        sheet.write_datetime(row, col, timezone.localtime(value).replace(tzinfo=None))
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, day)
    else:
        sheet.write_string(row, col, neutralise(str(value)))
