"""Posting the builder's forms in tests: a question of each kind, as a facilitator types it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from surveys.models import Questionnaire, Section

#: A valid question of each kind: its settings and options, as typed into the builder.
VALID: dict[str, dict[str, Any]] = {
    "scale": {
        "k-scale_min": "1",
        "k-scale_max": "5",
        "k-scale_min_label": "Not at all",
        "k-scale_max_label": "Completely",
        "k-polarity": "bipolar",
    },
    "single": {
        "options": ["The CIO", "The CMO", "Jointly"],
        "pairs": [("the-cio", "jointly", "0.5")],
    },
    "multi": {"options": ["Web", "Apps", "None of these"], "none": 3},
    "ranking": {"options": ["Speed", "Cost", "Reach"], "k-rank_limit": ""},
    "numeric": {
        "k-unit": "seconds",
        "k-min_value": "0",
        "k-max_value": "60",
        "k-tolerance": "0.1",
        "k-higher_is_ambitious": "",
        "k-kpi": "Page load time",
    },
    "allocation": {"options": ["Customers", "Employees"], "k-tolerance": "0.1"},
    "text": {"k-max_length": "500"},
}


def question_post(
    questionnaire: Questionnaire,
    kind: str,
    prompt: str = "",
    *,
    revision: int | None = None,
    german: dict[str, str] | None = None,
    **overrides: Any,
) -> dict[str, str]:
    """The builder's question form as posted: `VALID[kind]` with `overrides` (an "options"
    list of labels, "pairs" of (value, value, weight), form fields by name)."""
    spec = {**VALID[kind], **overrides}
    data: dict[str, str] = {
        "q-kind": kind,
        "q-prompt": prompt or f"A {kind} question?",
        "q-help_text": "",
        "q-required": "on",
        "q-importance": "1",
        "q-topic": "",
        "q-discussion_prompt": "",
        "q-revision": str(questionnaire.edit_revision if revision is None else revision),
    }
    for name, value in spec.items():
        if name.startswith(("k-", "q-")) and value != "":
            data[name] = str(value)
    options = spec.get("options")
    if options is not None:
        data["c-TOTAL_FORMS"] = str(len(options) + 1)  # and an empty row, as the page has
        data["c-INITIAL_FORMS"] = "0"
        for index, label in enumerate(options):
            data[f"c-{index}-label"] = label
            data[f"c-{index}-value"] = ""
            if spec.get("none") == index + 1:
                data[f"c-{index}-is_none"] = "on"
    pairs = spec.get("pairs")
    if kind == "single":
        pairs = pairs or []
        data["pc-TOTAL_FORMS"] = str(len(pairs))
        data["pc-INITIAL_FORMS"] = "0"
        for index, (first, second, weight) in enumerate(pairs):
            data[f"pc-{index}-first"] = first
            data[f"pc-{index}-second"] = second
            data[f"pc-{index}-weight"] = weight
    for name, value in (german or {}).items():
        data[name] = value
    return data


def add_question_url(questionnaire: Questionnaire, section: Section) -> str:
    return reverse("surveys:question_add", args=[questionnaire.pk, section.pk])


def section_post(questionnaire: Questionnaire, title: str, **extra: str) -> dict[str, str]:
    return {"title": title, "intro": "", "revision": str(questionnaire.edit_revision), **extra}
