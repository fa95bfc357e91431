"""The workshop's answers as tables to take away: CSV (long format) and XLSX (a sheet a table).

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

from django.db.models import Prefetch
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
        Column("kind", gettext("Kind")),
        Column("value", gettext("Value"), type="value", width=30),
        Column("dont_know", gettext("Don't know"), width=10),
        Column("status", gettext("Status"), width=10),
        Column("submitted_at", gettext("Submitted at"), type="datetime", width=20),
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

    def __init__(self, workshop: Workshop) -> None:
        self.workshop = workshop
        self.people = self._people()
        self.questions = {
            question.pk: question
            for question in Question.objects.filter(
                section__questionnaire_id=workshop.questionnaire_id
            )
            .select_related("section")
            .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position")))
            .order_by("section__position", "position")
            .only(
                "pk",
                "code",
                "kind",
                "prompt",
                "importance",
                "position",
                "section__code",
                "section__position",
            )
        }

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
                "kind": question.kind,
                "value": ""
                if is_unknown or value is None
                else KINDS[question.kind].plain(question, value),
                "dont_know": "yes" if is_unknown else "",
                "status": person.status,
                "submitted_at": person.submitted_at,
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

    def question_rows(self) -> Iterator[dict[str, Any]]:
        for number, question in enumerate(self.questions.values(), start=1):
            yield {
                "section": question.section.code,
                "number": number,
                "question": question.code,
                "kind": question.kind,
                "prompt": question.prompt,
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
    sheets = [
        (gettext("Answers"), answer_columns(), tables.answer_rows()),
        (gettext("Participants"), participant_columns(), tables.participant_rows()),
        (gettext("Questions"), question_columns(), tables.question_rows()),
        # Issue 13 (the session's outcome): its decisions, KPIs and actions join here, a sheet
        # each, and as CSV tables of their own beside `export_csv`.
    ]
    for name, columns, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, neutralise(column.title), bold)
        sheet.freeze_panes(1, 0)
        for row_number, row in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                _write_cell(sheet, row_number, col, row[column.key])
    workbook.close()


def _write_cell(sheet: Any, row: int, col: int, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime):
        # Excel has no time zones: the workshop's local time, as the pages show it.
        sheet.write_datetime(row, col, timezone.localtime(value).replace(tzinfo=None))
    else:
        sheet.write_string(row, col, neutralise(str(value)))
