"""What leaves the app in a download: formula injection neutralised in every spreadsheet cell,
script payloads carried as plain text (never served as something a browser renders), and each
download private (no-store, attachment, nosniff)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from surveys.models import Question, QuestionKind
from workshops.exports import FORMULA_TRIGGERS
from workshops.models import Organisation, Role
from workshops.services import add_participant, create_workshop

from ..conftest import client_for
from ..factories import give_answers
from ..workshops.test_exports import body, xlsx_sheets
from .test_injection import PAYLOADS

pytestmark = pytest.mark.django_db

#: Typed texts that a spreadsheet would run as a formula, one per trigger and place.
FORMULAS = {
    "workshop title": '=HYPERLINK("https://evil.example","Click")',
    "participant name": "@SUM(1+9)*cmd|' /C calc'!A0",
    "second participant name": "+1+cmd|' /C notepad'!A0",
    "free-text answer": "-2+3+cmd|' /C calc'!A0",
    "second free-text answer": "\t=1+1",
    "third participant name": "\r=1+1",
}

EXPORTS = ["export_csv", "export_xlsx"]


def _workshop(alice, questionnaire, texts: dict[str, str]):
    """Alice's workshop whose typed texts are `texts` (keys as in FORMULAS), with answers."""
    workshop = create_workshop(
        title=texts["workshop title"],
        organisation=Organisation.objects.create(name=texts.get("organisation", "Acme")),
        owner=alice,
        questionnaire=questionnaire,
        status="collecting",
    )
    free_text = list(
        Question.objects.filter(
            section__questionnaire=questionnaire, kind=QuestionKind.TEXT
        ).order_by("section__position", "position")
    )
    answers = [
        texts[key] for key in ("free-text answer", "second free-text answer") if key in texts
    ]
    names = [
        texts["participant name"],
        texts.get("second participant name", "Marcus Reyes"),
        texts.get("third participant name", "Sam Lee"),
    ]
    for name, role in zip(names, [Role.CIO, Role.CMO, Role.CEO], strict=True):
        invitation = add_participant(workshop=workshop, name=name, role=role, actor=alice)
        # Stored as given (answering strips the whitespace around a text; a value loaded from
        # a transfer file, or written by the admin, need not have been).
        give_answers(
            invitation,
            {q.code: text for q, text in zip(free_text, answers, strict=False)},
        )
    return workshop


def _cells(alice, workshop, name: str) -> list[str]:
    response = client_for(alice).get(reverse(f"workshops:{name}", args=[workshop.pk]))
    assert response.status_code == 200
    data = body(response)
    if name == "export_csv":
        return [cell for row in csv.reader(io.StringIO(data.decode())) for cell in row]
    if name == "export_json":
        return list(_strings(json.loads(data)))
    return [text for rows in xlsx_sheets(data).values() for row in rows for _, _, text in row]


@pytest.mark.parametrize("name", EXPORTS)
def test_no_cell_begins_with_a_formula_trigger(alice, questionnaire, name):
    workshop = _workshop(alice, questionnaire, FORMULAS)
    cells = _cells(alice, workshop, name)
    dangerous = [cell for cell in cells if cell.lstrip("\ufeff").startswith(FORMULA_TRIGGERS)]
    assert not dangerous, f"{name}: cells a spreadsheet would evaluate: {dangerous}"
    # Each was exported, as the text it was, marked as text: the check is not vacuous.
    for field, text in FORMULAS.items():
        assert "'" + text in cells, f"{field} missing from {name}"


def _strings(data: object):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


@pytest.mark.parametrize("name", [*EXPORTS, "export_json"])
def test_script_payloads_are_carried_as_plain_text(alice, questionnaire, name):
    texts = {
        "workshop title": PAYLOADS["workshop title"],
        "organisation": PAYLOADS["organisation"],
        "participant name": PAYLOADS["participant name"],
        "free-text answer": PAYLOADS["free-text answer"],
        "second free-text answer": PAYLOADS["second free-text answer"],
    }
    workshop = _workshop(alice, questionnaire, texts)
    response = client_for(alice).get(reverse(f"workshops:{name}", args=[workshop.pk]))
    # Never something a browser renders in place, whatever it holds.
    assert "html" not in response["Content-Type"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "<" not in response["Content-Disposition"]
    cells = _cells(alice, workshop, name)
    for field in ("workshop title", "participant name", "free-text answer"):
        assert texts[field] in cells, f"{field} not exported as typed in {name}"


def test_every_typed_text_of_every_table_is_neutralised(alice, questionnaire):
    """Every text a person typed that reaches a cell, in each of the five spreadsheets: the
    outcome's (KPI name, unit and owner, action and its owner, decision note), the questions'
    prompts (a builder's questionnaire is typed too), names and free-text answers."""
    from surveys.models import Choice
    from workshops.outcome_models import Action, Decision, SharedKpi

    from ..workshops.populate import populate, record_outcome

    workshop = _workshop(alice, questionnaire, FORMULAS)
    populate(workshop, 3)
    record_outcome(workshop, alice)
    typed = "=cmd|' /C calc'!A0"
    SharedKpi.objects.filter(workshop=workshop).update(name=typed, unit="+%", owner="@Dana")
    Action.objects.filter(workshop=workshop).update(what="-1+1", owner_name="\t=1")
    Action.objects.filter(workshop=workshop, owner_participant__isnull=False).update(
        owner_participant=None
    )
    Decision.objects.filter(workshop=workshop).update(note="\r=2")
    Question.objects.filter(section__questionnaire=questionnaire).update(prompt=typed)
    Choice.objects.filter(question__section__questionnaire=questionnaire).update(label=typed)
    cells = []
    for name in [*EXPORTS, "export_decisions_csv", "export_kpis_csv", "export_actions_csv"]:
        response = client_for(alice).get(reverse(f"workshops:{name}", args=[workshop.pk]))
        assert response.status_code == 200
        data = body(response)
        if name.endswith("csv"):
            cells += [c for row in csv.reader(io.StringIO(data.decode())) for c in row]
        else:
            cells += [t for rows in xlsx_sheets(data).values() for row in rows for _, _, t in row]
    dangerous = [cell for cell in cells if cell.lstrip("\ufeff").startswith(FORMULA_TRIGGERS)]
    assert not dangerous, f"cells a spreadsheet would evaluate: {sorted(set(dangerous))}"
    for text in (typed, "+%", "@Dana", "-1+1", "\t=1", "\r=2"):
        assert "'" + text in cells, f"{text!r} not exported"


#: Typed texts that would make a PDF renderer fetch a URL or read a local file, were they markup.
FETCHING = {
    "workshop title": '<img src="file:///etc/passwd">',
    "organisation": '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    "participant name": "<style>@import url(file:///etc/hostname);</style>",
    "free-text answer": '<div style="background:url(http://127.0.0.1:9/a.png)">x</div>',
    "second free-text answer": "x{background:url(file:///etc/passwd)}",
}


def test_the_report_pdf_fetches_nothing_whatever_was_typed(alice, questionnaire, monkeypatch):
    """WeasyPrint never fetches a URL nor reads a file for what participants typed: each text
    is in the PDF as the text it was."""
    from pypdf import PdfReader
    from weasyprint.urls import URLFetcher

    from workshops.outcome_models import Action, SharedKpi

    from ..workshops.populate import record_outcome

    workshop = _workshop(alice, questionnaire, FETCHING)
    record_outcome(workshop, alice)
    SharedKpi.objects.filter(workshop=workshop).update(name=FETCHING["workshop title"])
    Action.objects.filter(workshop=workshop).update(what=FETCHING["organisation"])
    asked: list[str] = []
    fetch = URLFetcher.__call__
    monkeypatch.setattr(
        URLFetcher, "__call__", lambda self, url: asked.append(url) or fetch(self, url)
    )
    response = client_for(alice).get(reverse("workshops:report_pdf", args=[workshop.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert asked == []
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "root:" not in text
    for field in ("workshop title", "organisation", "participant name"):
        assert FETCHING[field] in text, f"{field} not shown as typed"
