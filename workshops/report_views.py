"""The workshop report: the page in the app, its PDF, and asking the worker to make a PDF
that takes too long for a request (`reporting`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST, require_safe

from .access import (
    NotInQuestionnaire,
    get_participant_for_session,
    get_workshop_for_outcome,
    outcome_workshops,
)
from .dashboard.caching import TIMEOUT
from .dashboard.loading import WorkshopAnswers, is_group_key, people_of
from .export_views import head_only, private_download
from .models import Workshop
from .reporting import (
    DEFAULT_PAPER,
    PAPERS,
    build_and_keep,
    builds_in_background,
    paper_of,
    pdf_key,
    pending_key,
    report_parts,
)
from .services import record
from .tasks import build_report_pdf


def _pair(source: Any) -> tuple[str, str]:
    a, b = source.get("a", ""), source.get("b", "")
    return (a if is_group_key(a) else ""), (b if is_group_key(b) else "")


@require_safe
@login_required
def report(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """The report in the app, with its PDF on A4 or US Letter (ready, being prepared, or to
    prepare, for a large workshop)."""
    workshop = get_workshop_for_outcome(request, workshop_pk)
    people = people_of([workshop]).get(workshop.pk, [])
    a, b = _pair(request.GET)
    parts = report_parts(workshop, a, b, people)
    background = builds_in_background(people)
    pdfs = []
    keys = {paper: pdf_key(workshop, parts.a.key, parts.b.key, paper) for paper in PAPERS}
    kept = cache.get_many([*keys.values(), *map(pending_key, keys.values())]) if background else {}
    for paper, (_size, label) in PAPERS.items():
        query = urlencode({"a": parts.a.key, "b": parts.b.key, "paper": paper})
        pdfs.append(
            {
                "paper": paper,
                "label": label,
                "url": f"{reverse('workshops:report_pdf', args=[workshop.pk])}?{query}",
                "ready": keys[paper] in kept,
                "pending": pending_key(keys[paper]) in kept,
            }
        )
    roster = WorkshopAnswers(workshop=workshop, sections=[], people=people)
    context = {
        "workshop": workshop,
        "parts": parts,
        "pdfs": pdfs,
        "background": background,
        "group_choices": roster.group_choices(),
    }
    return render(request, "workshops/report.html", context)


@require_safe
@login_required
def report_pdf(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """The report's PDF: kept, or made now for a workshop small enough; a large one's page
    offers to prepare it."""
    workshop = get_workshop_for_outcome(request, workshop_pk)
    paper = paper_of(request.GET.get("paper"))
    if request.method == "HEAD":
        return head_only(workshop, "application/pdf", "pdf")
    people = people_of([workshop]).get(workshop.pk, [])
    roster = WorkshopAnswers(workshop=workshop, sections=[], people=people)
    a, b = roster.pair(*_pair(request.GET))
    pdf = cache.get(pdf_key(workshop, a.key, b.key, paper))
    if pdf is None:
        if builds_in_background(people):
            query = urlencode({"a": a.key, "b": b.key})
            return redirect(f"{reverse('workshops:report', args=[workshop.pk])}?{query}#pdf")
        pdf = build_and_keep(workshop, a.key, b.key, paper, people)
    record(workshop, request.user, "export", format="pdf", paper=paper)
    response = HttpResponse(pdf, content_type="application/pdf")
    return private_download(response, workshop, "pdf")


@require_POST
@login_required
def report_prepare(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    """Ask the worker for a large workshop's PDF; the report page offers it when ready."""
    workshop = get_workshop_for_outcome(request, workshop_pk)
    paper = paper_of(request.POST.get("paper"))
    people = people_of([workshop]).get(workshop.pk, [])
    roster = WorkshopAnswers(workshop=workshop, sections=[], people=people)
    a, b = roster.pair(*_pair(request.POST))
    key = pdf_key(workshop, a.key, b.key, paper)
    # add(): of two clicks at once, one queues the work.
    if cache.get(key) is None and cache.add(pending_key(key), True, TIMEOUT):
        build_report_pdf.enqueue(workshop.pk, a.key, b.key, paper, get_language())
    query = urlencode({"a": a.key, "b": b.key})
    return redirect(f"{reverse('workshops:report', args=[workshop.pk])}?{query}#pdf")


@require_safe
def participant_report_pdf(request: HttpRequest, participant_pk: int) -> HttpResponse:
    """The report's PDF (CIO and CMO, A4) for an executive, once the facilitator shares the
    results, as "What we agreed" (`outcome_views.agreed`) is. A large workshop's PDF is made
    by the worker when the facilitator asks: until then the executive is told so."""
    participant = get_participant_for_session(request, participant_pk)
    workshop = outcome_workshops(
        Workshop.objects.select_related("questionnaire", "organisation")
    ).get(pk=participant.workshop_id)
    if not (workshop.is_revealed and workshop.results_visible_to_participants):
        raise NotInQuestionnaire(
            participant.pk,
            gettext("The report is not shared yet"),
            gettext("The facilitator shares it with everyone after the session."),
        )
    if request.method == "HEAD":
        return head_only(workshop, "application/pdf", "pdf")
    people = people_of([workshop]).get(workshop.pk, [])
    roster = WorkshopAnswers(workshop=workshop, sections=[], people=people)
    a, b = roster.pair("", "")
    paper = DEFAULT_PAPER
    pdf = cache.get(pdf_key(workshop, a.key, b.key, paper))
    if pdf is None:
        if builds_in_background(people):
            raise NotInQuestionnaire(
                participant.pk,
                gettext("The report is being prepared"),
                gettext("Ask the facilitator to prepare the report's PDF, then try again."),
            )
        pdf = build_and_keep(workshop, a.key, b.key, paper, people)
    record(workshop, None, "export", format="pdf", paper=paper, name=participant.name)
    response = HttpResponse(pdf, content_type="application/pdf")
    return private_download(response, workshop, "pdf")
