"""The board-ready report of a workshop: an HTML page in the app, and the same as a PDF.

The report shows who took part (aliases when the workshop hides names), the overall and
per-section alignment of a pair of groups (CIO and CMO by default) with the section chart,
what they agree on, where they differ and by how much, who owns what today and who should,
and the published figures with their sources; then the session's outcome once one is recorded
(decisions, ownership after the session, shared KPIs, the action plan, the notes and the
sign-off), shown as the outcome's "What we agreed" page shows it
(`templates/workshops/_report_outcome.html`).

The PDF is the same report rendered on the server by WeasyPrint, charts as vector SVG, text
selectable, pages numbered, on A4 or US Letter (`PAPERS`). A PDF is kept in Django's cache
under a key naming everything it shows (`pdf_key`: the workshop's dashboard version, the pair,
the paper, its title and client, whether names are hidden, the language, the release). A small
workshop's PDF is made in the request; a larger one (`builds_in_background`: measured at about
two seconds and more) is made by the task queue's worker (`tasks.build_report_pdf`) and
offered on the report page once it is ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from .dashboard.caching import TIMEOUT, page_key
from .dashboard.loading import Group, Person, WorkshopAnswers, people_of
from .dashboard.report import Report
from .exports import alias
from .models import Workshop

#: The paper sizes offered, by the name in the URL: (CSS page size, label).
PAPERS: dict[str, tuple[str, Any]] = {
    "a4": ("A4", gettext_lazy("A4")),
    "letter": ("letter", gettext_lazy("US Letter")),
}
DEFAULT_PAPER = "a4"

#: Participants with a response above which the PDF is built by the worker, not in the
#: request. WeasyPrint's layout is most of the cost, and it grows with the answers shown: on a
#: quiet two-core machine (`make bench`) two executives' report takes 0.78 s in the request and
#: the 60-participant report 1.9 s, and a busy app server takes several times as long. The line
#: is drawn at half the 60-participant workshop, so a PDF made in a request stays well under
#: the two seconds a request may take.
BACKGROUND_FROM = 30

#: The section chart's geometry (SVG user units): label column, bar column, row height.
CHART_LABEL_WIDTH = 210
CHART_BAR_WIDTH = 300
CHART_ROW = 26


@dataclass(frozen=True, slots=True)
class Taking:
    """A participant as the report names them."""

    shown: str
    role: str
    side: str
    state: str


@dataclass(frozen=True, slots=True)
class ChartRow:
    title: str
    score: int | None
    label: str
    y: float
    width: float

    @property
    def text_y(self) -> float:
        return self.y + 14

    @property
    def value_x(self) -> float:
        return CHART_LABEL_WIDTH + self.width + 6


@dataclass
class ReportParts:
    """What the report shows, for one pair of groups."""

    workshop: Workshop
    report: Report
    a: Group
    b: Group
    people: list[Taking]
    made_at: Any
    #: The session's outcome (`outcome_views.Outcome`: decisions, RACI after, KPIs, actions,
    #: notes, sign-off): `templates/workshops/_report_outcome.html` shows it. None until one
    #: is recorded.
    outcome: Any = None

    @property
    def chart(self) -> list[ChartRow]:
        return [
            ChartRow(
                title=section.title,
                score=section.score,
                label=section.label,
                y=10 + index * CHART_ROW,
                width=round(CHART_BAR_WIDTH * (section.aggregate.alignment or 0.0), 1),
            )
            for index, section in enumerate(self.report.sections)
        ]

    @property
    def chart_height(self) -> int:
        return 10 + len(self.report.sections) * CHART_ROW + 22

    @property
    def chart_axis_y(self) -> int:
        return self.chart_height - 8

    @property
    def chart_ticks(self) -> list[tuple[float, int]]:
        return [(CHART_LABEL_WIDTH + CHART_BAR_WIDTH * t / 100, t) for t in (0, 50, 75, 100)]

    @property
    def agreements(self) -> list[Any]:
        """Scored questions they agree on, most alike first."""
        rows = [row for row in self.report.rows if row.label == "agree"]
        return sorted(rows, key=lambda row: -(row.comparison.similarity or 0))

    @property
    def differences(self) -> list[Any]:
        """Partly and differ, biggest importance-weighted gap first (the agenda's order)."""
        return [entry.row for entry in self.report.agenda]


def taking_part(workshop: Workshop, people: list[Person]) -> list[Taking]:
    """Every active participant, by name, or by an alias when the workshop hides names."""
    return [
        Taking(
            shown=alias(index) if workshop.anonymous else person.name,
            role=person.role_label,
            side=person.side_label,
            state=person.state_label,
        )
        for index, person in enumerate(people)
    ]


def report_parts(
    workshop: Workshop, a_key: str = "", b_key: str = "", people: list[Person] | None = None
) -> ReportParts:
    """The report of a pair (default CIO and CMO): participants (unless given), codings,
    questions, choices and answers, in five queries at most."""
    if people is None:
        people = people_of([workshop]).get(workshop.pk, [])
    roster = WorkshopAnswers(workshop=workshop, sections=[], people=people)
    a, b = roster.pair(a_key, b_key)
    report = Report.load(workshop, people, a, b)
    return ReportParts(
        workshop=workshop,
        report=report,
        a=a,
        b=b,
        people=taking_part(workshop, people),
        made_at=timezone.now(),
        outcome=recorded_outcome(workshop, report),
    )


def recorded_outcome(workshop: Workshop, report: Report) -> Any:
    """The session's outcome as "What we agreed" shows it (`outcome_views.load_outcome`), or
    None when nothing is recorded: two queries, or four for a workshop not read with
    `access.outcome_workshops` (its notes and standing sign-off)."""
    from .outcome import standing_sign_off
    from .outcome_views import load_outcome

    if not hasattr(workshop, "signed_by"):
        standing = standing_sign_off(workshop)
        workshop.signed_by = standing.signed_by if standing else None
        workshop.signed_at = standing.signed_at if standing else None
    found = load_outcome(None, workshop, with_forms=False, report=report)
    if found.empty and workshop.signed_by is None:
        return None
    return found


def paper_of(value: str | None) -> str:
    return value if value in PAPERS else DEFAULT_PAPER


def responses_of(people: list[Person]) -> int:
    return sum(1 for person in people if person.response_id is not None)


def builds_in_background(people: list[Person]) -> bool:
    """Whether this workshop's PDF takes long enough to be made by the worker."""
    return responses_of(people) > BACKGROUND_FROM


def pdf_key(workshop: Workshop, a: str, b: str, paper: str) -> str:
    """The cache key of a report PDF: names everything it shows (see `dashboard.caching`)."""
    return page_key(
        workshop,
        "report-pdf",
        a=a,
        b=b,
        paper=paper,
        title=workshop.title,
        organisation=workshop.organisation.name,
        anonymous=workshop.anonymous,
    )


def pending_key(key: str) -> str:
    return f"{key}:pending"


def render_pdf(parts: ReportParts, paper: str) -> bytes:
    """The report as a PDF (WeasyPrint): the report's stylesheet, then the page size."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        """A report needs nothing from outside: it fetches no URL, ever."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"not fetched: {url[:40]}")

    html = render_to_string(
        "workshops/report_pdf.html",
        {"parts": parts, "workshop": parts.workshop, "paper": paper, "for_pdf": True},
    )
    page = PAPERS[paper][0]
    stylesheets = [
        CSS(filename=finders.find("css/report.css"), url_fetcher=NoFetching()),
        CSS(string=f"@page {{ size: {page}; }}"),
    ]
    return HTML(string=html, url_fetcher=NoFetching()).write_pdf(stylesheets=stylesheets)


def build_and_keep(
    workshop: Workshop, a: str, b: str, paper: str, people: list[Person] | None = None
) -> bytes:
    """Render the PDF and keep it under its key (for the request that asked, or the worker)."""
    parts = report_parts(workshop, a, b, people)
    pdf = render_pdf(parts, paper)
    cache.set(pdf_key(workshop, parts.a.key, parts.b.key, paper), pdf, TIMEOUT)
    return pdf


def pdf_title(workshop: Workshop) -> str:
    return gettext("%(client)s · %(title)s: workshop report") % {
        "client": workshop.organisation.name,
        "title": workshop.title,
    }
