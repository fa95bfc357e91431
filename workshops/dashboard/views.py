"""The facilitator's consensus dashboard, side-by-side comparison and discussion agenda.

Each page loads the workshop through `access.get_workshop_for_user` (404 for anyone but its
facilitators) and its participants (one query: the pair and the "compare" picker come from
them). What the figures show is rendered from a `Report` into a page part kept in the cache
under the workshop's dashboard version (`caching`): while nothing changes, every refresh and
every facilitator gets it from there, without loading or scoring the answers; the report is
computed only when something reads it (`context["report"]` is lazy). The pages poll
themselves with htmx: an htmx request gets the live partial the full page includes, for the
same query string, so filters and the chosen pair survive every refresh.

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
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from surveys.kinds import CODED_KINDS
from surveys.models import Question, QuestionKind, Section

from ..access import get_workshop_for_user
from ..coding import SameGroupTwice, code_text_pair
from ..models import CodingVerdict, Workshop
from .caching import fragment, page_key
from .labels import LABEL_TEXT, ROW_LABELS
from .loading import WorkshopAnswers, frozen_items, is_group_key, people_of
from .report import Filters, Report
from .wording import LABEL_WORD

#: How often the open dashboard and comparison ask for fresh answers.
REFRESH_SECONDS = 10
#: Agenda items shown unless the facilitator asks for all of them.
AGENDA_LENGTH = 10
DASHBOARD_AGENDA_LENGTH = 5


def _context(request: HttpRequest, workshop: Workshop) -> dict[str, Any]:
    """What every page shows around its figures: the pair of groups the query string asks for
    (from the participants alone), the "compare" picker, and the report, computed lazily."""
    submitted_only = request.GET.get("submitted") == "1"
    people = people_of([workshop]).get(workshop.pk, [])
    roster = WorkshopAnswers(
        workshop=workshop, sections=[], people=people, submitted_only=submitted_only
    )
    a, b = roster.pair(request.GET.get("a"), request.GET.get("b"))
    pair = QueryDict(mutable=True)
    pair.update({"a": a.key, "b": b.key})
    if submitted_only:
        pair["submitted"] = "1"
    return {
        "workshop": workshop,
        "report": SimpleLazyObject(
            lambda: Report.load(workshop, people, a, b, submitted_only=submitted_only)
        ),
        "a": a,
        "b": b,
        # Someone in both groups (a side and a role of that side) agrees with themselves.
        "in_both": [person.name for person in a.people if person in b.people],
        "group_choices": roster.group_choices(),
        "submitted_only": submitted_only,
        "pair_query": pair.urlencode(),
        "refresh_seconds": REFRESH_SECONDS,
        "keep_params": [],
        "updated_at": timezone.now(),
        # Nothing is kept before anyone has a response: the questionnaire may still change.
        "frozen": any(person.response_id is not None for person in people),
    }


def _key(context: dict[str, Any], page: str, **params: Any) -> str | None:
    """The cache key of this page's figures, or None when nothing is kept yet."""
    if not context["frozen"]:
        return None
    return page_key(
        context["workshop"],
        page,
        a=context["a"].key,
        b=context["b"].key,
        submitted_only=context["submitted_only"],
        **params,
    )


def _figures(context: dict[str, Any], *names: str) -> dict[str, Any]:
    """The context a cached page part reads: the report, the pair, the workshop (for its
    links), and `names`; never the request."""
    shared = ("workshop", "report", "a", "b", "submitted_only", "pair_query", "keep_params")
    return {name: context[name] for name in (*shared, *names)}


def _render(request: HttpRequest, page: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """The full page, or (for htmx's polling) the live partial the page includes."""
    return render(request, partial if request.htmx else page, context)


@require_safe
@login_required
def dashboard(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    context = _context(request, workshop)

    def figures() -> dict[str, Any]:
        agenda = context["report"].agenda[:DASHBOARD_AGENDA_LENGTH]
        return {**_figures(context), "agenda": agenda}

    context["dashboard_body"] = fragment(
        request, "workshops/_dashboard_body.html", figures, key=_key(context, "dashboard")
    )
    return _render(request, "workshops/dashboard.html", "workshops/_dashboard_live.html", context)


@require_safe
@login_required
def comparison(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    context = _context(request, workshop)
    if context["frozen"]:  # the report's own items, read once per process
        structure = frozen_items(workshop.questionnaire.structure_key)
        sections = [(section.code, section.title) for section in structure]
    else:
        sections = [
            (section.code, section.text("title"))
            for section in Section.objects.filter(questionnaire_id=workshop.questionnaire_id)
            .order_by("position")
            .only("code", "title", "translations")
        ]
    filters = Filters(
        section=_allowed(request, "section", [code for code, _ in sections]),
        label=_allowed(request, "label", ROW_LABELS),
        kind=_allowed(request, "kind", QuestionKind.values),
    )
    rows = SimpleLazyObject(lambda: context["report"].filtered(filters))
    context.update(
        keep_params=[(name, value) for name, value in vars(filters).items() if value],
        filters=filters,
        rows=rows,
        section_options=sections,
        label_options=[(key, LABEL_TEXT[key]) for key in ROW_LABELS],
        coding_choices=CodingVerdict.choices,
        kind_options=QuestionKind.choices,
    )

    def figures() -> dict[str, Any]:
        return {
            **_figures(context, "filters", "coding_choices"),
            "rows": rows,
            "sections": Report.by_section(rows),
        }

    context["comparison_body"] = fragment(
        request,
        "workshops/_comparison_body.html",
        figures,
        key=_key(context, "comparison", **vars(filters)),
    )
    return _render(request, "workshops/comparison.html", "workshops/_comparison_live.html", context)


@require_safe
@login_required
def agenda(request: HttpRequest, workshop_pk: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_pk)
    context = _context(request, workshop)
    show_all = request.GET.get("all") == "1"
    context.update(keep_params=[("all", "1")] if show_all else [], show_all=show_all)

    def items() -> list[Any]:
        agenda = context["report"].agenda
        return agenda if show_all else agenda[:AGENDA_LENGTH]

    shown = SimpleLazyObject(items)
    context["items"] = shown

    def figures() -> dict[str, Any]:
        return {
            **_figures(context, "show_all", "updated_at"),
            "items": shown,
            "hidden": len(context["report"].agenda) - len(shown),
            "footnotes": [item for item in shown if item.footnote is not None],
        }

    # The agenda sheet names the workshop and its client, and says when it was prepared: the
    # time its figures were computed, kept with them.
    context["agenda_body"] = fragment(
        request,
        "workshops/_agenda_body.html",
        figures,
        key=_key(
            context,
            "agenda",
            show_all=show_all,
            title=workshop.title,
            organisation=workshop.organisation.name,
        ),
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
        kind__in=CODED_KINDS,
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
