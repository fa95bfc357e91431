"""The preview: a questionnaire as an executive answering it sees it, on a phone or a laptop,
in each of its languages, with nothing that can be saved.

The page (`preview`) frames the answering page (`preview_frame`) at a phone's width (390 px)
or a laptop's (1280 px): a real frame, so the page lays itself out for that width as the
executive's browser would. Its choices (width, language, section) are query parameters, so it
works without JavaScript. The frame renders the answering page's own partials
(`respond/_question.html` for each question, `respond/_progress.html`), with no autosave
address and no form that posts: what is entered stays in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.csp import CSP
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from .access import get_questionnaire_for_user
from .models import Questionnaire, Section
from .presenting import QuestionField, build_field

#: The widths the preview frames the page at, by the name its query parameter gives.
WIDTHS = {"phone": 390, "laptop": 1280}


@dataclass(frozen=True)
class PreviewState:
    """What the preview shows: at which width, in which language, which page (0: the welcome
    page, else a section's number)."""

    width: str
    language: str
    position: int

    def query(self, **changes: Any) -> str:
        values = {"width": self.width, "lang": self.language, "section": self.position}
        values.update(changes)
        return "?" + urlencode(values)


def _language_name(code: str) -> str:
    """A language named in itself ("Deutsch"), or its code where Django does not know it."""
    try:
        return translation.get_language_info(code)["name_local"]
    except KeyError:
        return code


def _state(request: HttpRequest, questionnaire: Questionnaire, section_count: int) -> PreviewState:
    """The preview's choices from the query, each falling back to a sensible one: the phone,
    the reader's language where the questionnaire has it (else its own), the welcome page."""
    width = request.GET.get("width", "")
    if width not in WIDTHS:
        width = "phone"
    languages = questionnaire.languages
    language = request.GET.get("lang", "")
    if language not in languages:
        current = (get_language() or "").split("-")[0]
        language = current if current in languages else languages[0]
    try:
        position = int(request.GET.get("section", "0"))
    except ValueError:
        position = 0
    if not 0 <= position <= section_count:
        position = 0
    return PreviewState(width, language, position)


@require_safe
@login_required
def preview(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    """The preview page: the width and language switches, the sections, and the frame."""
    questionnaire = get_questionnaire_for_user(request, questionnaire_pk)
    sections = list(
        questionnaire.sections.order_by("position").only("pk", "title", "position", "translations")
    )
    state = _state(request, questionnaire, len(sections))
    frame = reverse("surveys:preview_frame", args=[questionnaire.pk])
    return render(
        request,
        "surveys/preview/preview.html",
        {
            "questionnaire": questionnaire,
            "state": state,
            "widths": [(name, pixels, state.query(width=name)) for name, pixels in WIDTHS.items()],
            "languages": [
                (code, _language_name(code), state.query(lang=code))
                for code in questionnaire.languages
            ],
            "pages": [(0, None, state.query(section=0))]
            + [(s.position, s, state.query(section=s.position)) for s in sections],
            "frame_url": frame + state.query(),
            "pixels": WIDTHS[state.width],
        },
    )


#: A prediction question as the technology side is asked it (the preview shows that side):
#: the answering page's wording (`workshops.respond_views.PREDICTION_PROMPT`), same msgid.
PREDICTION_PROMPT = gettext_lazy("What do you think the marketing side answered?")


def _fields(sections: list[Section], position: int) -> list[QuestionField]:
    """The questions of section `position` as the answering page shows them unanswered, each
    rendered by its partial (numbered across the questionnaire, as there: a prediction shares
    the number of the question it follows)."""
    number = sum(
        1 for s in sections[: position - 1] for q in s.questions.all() if not q.is_prediction
    )
    fields = []
    for question in sections[position - 1].questions.all():
        number += not question.is_prediction
        field = build_field(question, number, None)
        if question.is_prediction:
            field.prediction_prompt = str(PREDICTION_PROMPT)
        # No autosave address: the partial then posts nothing (`respond/_question.html`).
        field.html = SafeString(
            render_to_string("respond/_question.html", {"field": field, "locked": False})
        )
        fields.append(field)
    return fields


#: The frame may be shown inside this site's own pages (the preview), nowhere else.
_FRAME_CSP = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}


@require_safe
@login_required
@xframe_options_sameorigin
@csp_override(_FRAME_CSP)
def preview_frame(request: HttpRequest, questionnaire_pk: int) -> HttpResponse:
    """The answering page itself, in the chosen language: the welcome page or a section."""
    questionnaire = get_questionnaire_for_user(request, questionnaire_pk)
    sections = questionnaire.ordered_sections()
    state = _state(request, questionnaire, len(sections))
    preview_url = reverse("surveys:preview", args=[questionnaire.pk])
    total = sum(len(s.questions.all()) for s in sections)
    with translation.override(state.language):
        context: dict[str, Any] = {
            "questionnaire": questionnaire,
            "state": state,
            "preview_url": preview_url,
            "steps": [
                (position, section, len(section.questions.all()), state.query(section=position))
                for position, section in enumerate(sections, start=1)
            ],
            "progress": {"answered": 0, "total": total, "percent": 0},
            "section_count": len(sections),
            "position": state.position,
        }
        if state.position == 0:
            return render(request, "surveys/preview/welcome.html", context)
        context.update(
            section=sections[state.position - 1],
            fields=_fields(sections, state.position),
            previous_url=state.query(section=state.position - 1),
            next_url=state.query(
                section=state.position + 1 if state.position < len(sections) else 0
            ),
        )
        return render(request, "surveys/preview/section.html", context)
