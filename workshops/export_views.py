"""Downloads of a workshop's answers: CSV (long format), XLSX and the JSON transfer file.

Each goes through `access.get_workshop_for_user` (404 for anyone but its facilitators), is
recorded in the workshop's audit trail ("export", with the format), is never kept by a cache
on the way (`Cache-Control: no-store`, since it holds people's answers) and streams: the rows
are written as they are read, so memory stays flat whatever the workshop's size.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from .access import get_workshop_for_user
from .exports import (
    WorkshopTables,
    action_columns,
    answer_columns,
    csv_lines,
    decision_columns,
    kpi_columns,
    write_xlsx,
)
from .models import Workshop
from .services import record
from .transfer import export_parts

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(workshop: Workshop, extension: str) -> str:
    """`acme-retail-mobile-strategy-2027-2026-12-02.csv`: client, title and today's date."""
    stem = slugify(f"{workshop.organisation.name} {workshop.title}")[:80] or "workshop"
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def private_download(response: HttpResponse, workshop: Workshop, extension: str) -> HttpResponse:
    """An attachment no cache keeps and no browser renders in place."""
    response["Content-Disposition"] = f'attachment; filename="{filename(workshop, extension)}"'
    patch_cache_control(response, no_store=True, private=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def head_only(workshop: Workshop, content_type: str, extension: str) -> HttpResponse:
    """A HEAD request (a link checker) learns the download is there; nothing is exported."""
    return private_download(HttpResponse(content_type=content_type), workshop, extension)


@require_safe
@login_required
def export_csv(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Every answer, one row per participant and question (see `exports`)."""
    workshop = get_workshop_for_user(request, workshop_pk)
    if request.method == "HEAD":
        return head_only(workshop, "text/csv; charset=utf-8", "csv")
    tables = WorkshopTables(workshop)
    record(workshop, request.user, "export", format="csv")
    response = StreamingHttpResponse(
        chunks(csv_lines(answer_columns(), tables.answer_rows())),
        content_type="text/csv; charset=utf-8",
    )
    return private_download(response, workshop, "csv")


#: The session's outcome as CSV tables: the URL's name -> (columns, rows).
OUTCOME_TABLES = {
    "decisions": (decision_columns, WorkshopTables.decision_rows),
    "kpis": (kpi_columns, WorkshopTables.kpi_rows),
    "actions": (action_columns, WorkshopTables.action_rows),
}


@require_safe
@login_required
def export_outcome_csv(request: HttpRequest, workshop_pk: int, table: str) -> HttpResponse:
    """One table of the session's outcome: its decisions, shared KPIs or actions."""
    workshop = get_workshop_for_user(request, workshop_pk)
    if request.method == "HEAD":
        return head_only(workshop, "text/csv; charset=utf-8", f"{table}.csv")
    columns, rows = OUTCOME_TABLES[table]
    tables = WorkshopTables(workshop, with_decisions=table == "decisions")
    record(workshop, request.user, "export", format="csv", table=table)
    response = StreamingHttpResponse(
        chunks(csv_lines(columns(), rows(tables))), content_type="text/csv; charset=utf-8"
    )
    return private_download(response, workshop, f"{table}.csv")


@require_safe
@login_required
def export_xlsx(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """The answers, the participants and the questions, a sheet each, cells typed."""
    workshop = get_workshop_for_user(request, workshop_pk)
    if request.method == "HEAD":
        return head_only(workshop, XLSX_TYPE, "xlsx")
    tables = WorkshopTables(workshop, with_decisions=True)
    record(workshop, request.user, "export", format="xlsx")
    # A zip file cannot be streamed as it is made (its directory comes last): it is written
    # to a temporary file row by row, and that file is streamed, then deleted when closed.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    write_xlsx(tables, spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_TYPE)
    return private_download(response, workshop, "xlsx")


@require_safe
@login_required
def export_json(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """The whole workshop as a transfer file (`transfer`), to keep or to import elsewhere."""
    workshop = get_workshop_for_user(request, workshop_pk)
    if request.method == "HEAD":
        return head_only(workshop, "application/json", "json")
    record(workshop, request.user, "export", format="json")
    response = StreamingHttpResponse(
        chunks(export_parts(workshop)), content_type="application/json; charset=utf-8"
    )
    return private_download(response, workshop, "json")


def chunks(lines: Iterator[str]) -> Iterator[bytes]:
    """Lines gathered into chunks of about 64 KB: fewer, larger writes to the client."""
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= 65536:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()
