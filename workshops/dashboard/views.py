"""The facilitator's consensus dashboard, side-by-side comparison and discussion agenda.

Each page loads the workshop through `access.get_workshop_for_user` (404 for anyone but its
facilitators), gets its `Report` from `report.cached_report` (computed from one
`WorkshopAnswers` load, or reused while the answers are unchanged) and renders it. The pages
poll themselves with htmx: an htmx request gets the live partial the full page includes, for
the same query string, so filters and the chosen pair survive every refresh.

Query string: ``a`` and ``b`` pick the two groups (``role:cio``, ``side:marketing``...),
``submitted=1`` counts submitted responses only; the comparison also takes ``section``,
``label`` and ``kind``; the agenda takes ``all=1`` to list every partly and differ question.
The one write, `code_text`, records the facilitator's coding of a free-text pair (POST, CSRF).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from surveys.models import Question, QuestionKind

from ..access import get_workshop_for_user
from ..coding import SameGroupTwice, code_text_pair
from ..models import CodingVerdict, Workshop
from .labels import LABEL_TEXT, ROW_LABELS
from .loading import is_group_key
from .report import Filters, Report, cached_report
from .wording import LABEL_WORD

#: How often the open dashboard and comparison ask for fresh answers.
REFRESH_SECONDS = 10
#: Agenda items shown unless the facilitator asks for all of them.
AGENDA_LENGTH = 10
DASHBOARD_AGENDA_LENGTH = 5


def _report(request: HttpRequest, workshop: Workshop) -> tuple[Report, dict[str, Any]]:
    """The report for the pair of groups the query string asks for, and the shared context."""
    submitted_only = request.GET.get("submitted") == "1"
    report = cached_report(
        workshop, submitted_only=submitted_only, a=request.GET.get("a"), b=request.GET.get("b")
    )
    answers, a, b = report.answers, report.a, report.b
    pair = QueryDict(mutable=True)
    pair.update({"a": a.key, "b": b.key})
    if submitted_only:
        pair["submitted"] = "1"
    context = {
        "workshop": workshop,
        "answers": answers,
        "report": report,
        "a": a,
        "b": b,
        # Someone in both groups (a side and a role of that side) agrees with themselves.
        "in_both": [person.name for person in a.people if person in b.people],
        "group_choices": answers.group_choices(),
        "submitted_only": submitted_only,
        "pair_query": pair.urlencode(),
        "refresh_seconds": REFRESH_SECONDS,
        "keep_params": [],
        "updated_at": timezone.now(),
    }
    return report, context


def _render(request: HttpRequest, page: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """The full page, or (for htmx's polling) the live partial the page includes."""
    return render(request, partial if request.htmx else page, context)


@require_GET
@login_required
def dashboard(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    report, context = _report(request, workshop)
    context["agenda"] = report.agenda[:DASHBOARD_AGENDA_LENGTH]
    # The figures read only the report, the pair and the workshop's pk (never the request):
    # rendered once per report, then reused by each refresh while the answers are unchanged.
    context["dashboard_body"] = report.rendered(
        "workshops/_dashboard_body.html", context, key=(workshop.pk, context["pair_query"])
    )
    return _render(request, "workshops/dashboard.html", "workshops/_dashboard_live.html", context)


@require_GET
@login_required
def comparison(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    report, context = _report(request, workshop)
    filters = Filters(
        section=_allowed(request, "section", [s.code for s in report.answers.sections]),
        label=_allowed(request, "label", ROW_LABELS),
        kind=_allowed(request, "kind", QuestionKind.values),
    )
    rows = report.filtered(filters)
    context.update(
        keep_params=[(name, value) for name, value in vars(filters).items() if value],
        filters=filters,
        rows=rows,
        label_options=[(key, LABEL_TEXT[key]) for key in ROW_LABELS],
        coding_choices=CodingVerdict.choices,
        kind_options=QuestionKind.choices,
    )
    # Each question's HTML reads the report, the pair and the workshop's pk: rendered once per
    # report, then reused by each refresh and filter (the coding forms are rendered each time).
    context["sections"] = report.rendered_rows(
        rows,
        "workshops/_question_row.html",
        context,
        request,
        key=(workshop.pk, context["pair_query"]),
    )
    return _render(request, "workshops/comparison.html", "workshops/_comparison_live.html", context)


@require_GET
@login_required
def agenda(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    report, context = _report(request, workshop)
    show_all = request.GET.get("all") == "1"
    items = report.agenda if show_all else report.agenda[:AGENDA_LENGTH]
    context.update(
        keep_params=[("all", "1")] if show_all else [],
        items=items,
        show_all=show_all,
        hidden=len(report.agenda) - len(items),
        footnotes=[item for item in items if item.footnote is not None],
    )
    return render(request, "workshops/agenda.html", context)


@require_POST
@login_required
def code_text(request: HttpRequest, workshop_pk: int, question_pk: int) -> HttpResponse:
    """The facilitator codes (or clears) a free-text pair; back to the same question."""
    workshop = get_workshop_for_user(request, workshop_pk)
    question = get_object_or_404(
        Question,
        pk=question_pk,
        kind=QuestionKind.TEXT,
        section__questionnaire_id=workshop.questionnaire_id,
    )
    a, b = request.POST.get("a", ""), request.POST.get("b", "")
    verdict = request.POST.get("verdict", "")
    if not (is_group_key(a) and is_group_key(b)) or verdict not in ["", *CodingVerdict.values]:
        return HttpResponseBadRequest(gettext("Choose agree, partly or differ for two groups."))
    if a == b:
        return render(request, "400.html", {"reason": SameGroupTwice.message}, status=400)
    code_text_pair(
        workshop=workshop, question=question, a=a, b=b, verdict=verdict, actor=request.user
    )
    if verdict:
        messages.success(
            request,
            gettext(
                "Coded “%(verdict)s”: the pair now counts in the alignment, marked as coded by "
                "the facilitator."
            )
            % {"verdict": LABEL_WORD[verdict]},
        )
    else:
        messages.info(request, gettext("Coding cleared: the pair is no longer scored."))
    back = QueryDict(mutable=True)
    back.update({"a": a, "b": b})
    for name in ("submitted", "section", "label", "kind"):
        value = request.POST.get(name, "")
        if value and value.replace("-", "").replace("_", "").isalnum():
            back[name] = value[:60]
    target = reverse("workshops:comparison", args=[workshop.pk])
    return redirect(f"{target}?{back.urlencode()}#q-{question.code}")


def _allowed(request: HttpRequest, name: str, allowed: Any) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""
