"""CSV and XLSX exports of a workshop's answers, through the client."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from workshops.exports import neutralise
from workshops.models import AuditEvent, Workshop

from ..conftest import client_for
from ..factories import give_answers
from .populate import populate, record_outcome

NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def export(client, workshop: Workshop, fmt: str):
    return client.get(reverse(f"workshops:export_{fmt}", args=[workshop.pk]))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict[str, str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _column(reference: str) -> int:
    index = 0
    for letter in re.match(r"[A-Z]+", reference).group():
        index = index * 26 + ord(letter) - 64
    return index - 1


def xlsx_sheets(data: bytes) -> dict[str, list[list[tuple[str, str, str]]]]:
    """Each sheet's rows as (cell type, style, text) by column ("", "", "" for no cell), from
    the workbook's XML."""
    book = zipfile.ZipFile(io.BytesIO(data))
    names = [
        sheet.get("name")
        for sheet in ElementTree.fromstring(book.read("xl/workbook.xml")).iter(
            f"{{{NS['x']}}}sheet"
        )
    ]
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t"))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        ]
    sheets = {}
    for number, name in enumerate(names, start=1):
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{number}.xml"))
        assert not list(root.iter(f"{{{NS['x']}}}f")), "a formula in an export"
        rows = []
        for row in root.iter(f"{{{NS['x']}}}row"):
            cells = []
            for cell in row.iter(f"{{{NS['x']}}}c"):
                cells += [("", "", "")] * (_column(cell.get("r")) - len(cells))
                kind = cell.get("t", "n")
                if kind == "s":
                    text = shared[int(cell.find("x:v", NS).text)]
                elif kind == "inlineStr":
                    text = "".join(t.text or "" for t in cell.iter(f"{{{NS['x']}}}t"))
                else:
                    value = cell.find("x:v", NS)
                    text = value.text if value is not None else ""
                # OOXML writes control characters as _xHHHH_ (a carriage return: _x000D_).
                text = re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), text)
                cells.append((kind, cell.get("s", ""), text))
            rows.append(cells)
        sheets[name] = rows
    return sheets


def test_csv_has_one_row_per_participant_and_question_answered(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4, "obj-ranking": ["channels", "talent"]}, submitted=True)
    give_answers(
        cmo,
        {
            "aud-split": {"b2c": 60, "b2b": 10, "b2e": 30},
            "kpi-conversion": 2.5,
            "wow-testing": None,
        },
    )
    response = export(alice_client, workshop, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-retail-')
    rows = csv_rows(response)
    assert [(r["Participant"], r["Question code"]) for r in rows] == [
        ("Dana Whitfield", "obj-channels"),
        ("Dana Whitfield", "obj-ranking"),
        ("Marcus Reyes", "aud-split"),
        ("Marcus Reyes", "kpi-conversion"),
        ("Marcus Reyes", "wow-testing"),
    ]
    first = rows[0]
    assert first["Workshop"] == "Mobile strategy 2027"
    assert (first["Role"], first["Side"], first["Section"]) == ("cio", "technology", "objectives")
    assert (first["Kind"], first["Value"], first["Status"]) == ("scale", "4", "submitted")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", first["Submitted at"])
    by_code = {row["Question code"]: row for row in rows}
    assert by_code["obj-ranking"]["Value"] == "channels > talent"
    assert by_code["aud-split"]["Value"] == "b2c=60; b2b=10; b2e=30"
    assert by_code["kpi-conversion"]["Value"] == "2.5"
    assert (by_code["wow-testing"]["Value"], by_code["wow-testing"]["Don't know"]) == ("", "yes")
    assert (by_code["kpi-conversion"]["Status"], by_code["kpi-conversion"]["Submitted at"]) == (
        "draft",
        "",
    )


def test_names_are_aliases_when_the_workshop_hides_them(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4})
    give_answers(cmo, {"obj-channels": 2})
    Workshop.objects.filter(pk=workshop.pk).update(anonymous=True)
    rows = csv_rows(export(alice_client, workshop, "csv"))
    assert [row["Participant"] for row in rows] == ["Participant A", "Participant B"]
    text = body(export(alice_client, workshop, "xlsx")) + body(
        export(alice_client, workshop, "csv")
    )
    assert b"Dana" not in text and b"Marcus" not in text


def test_removed_participants_are_left_out(alice_client, workshop, cio, cmo):
    from workshops.services import remove_participant

    give_answers(cio, {"obj-channels": 4})
    give_answers(cmo, {"obj-channels": 2})
    remove_participant(cmo.participant, actor=None)
    rows = csv_rows(export(alice_client, workshop, "csv"))
    assert {row["Participant"] for row in rows} == {"Dana Whitfield"}


def test_xlsx_has_a_sheet_per_table_with_typed_cells(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4, "kpi-conversion": 2.5}, submitted=True)
    give_answers(cmo, {"own-apps-today": "cmo"})
    response = export(alice_client, workshop, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = xlsx_sheets(body(response))
    assert list(sheets) == ["Answers", "Participants", "Questions", "Decisions", "KPIs", "Actions"]
    header, *answers = sheets["Answers"]
    titles = [text for _, _, text in header]
    assert titles[:3] == ["Workshop", "Participant", "Role"]
    value = titles.index("Value")
    submitted = titles.index("Submitted at")
    scale = answers[0]
    assert scale[value][0] == "n" and scale[value][2] == "4"  # a number, not text
    assert answers[1][value][:1] == ("n",) and float(answers[1][value][2]) == 2.5
    # A date: a number with a date style (Excel's serial day), only where submitted.
    assert scale[submitted][0] == "n" and scale[submitted][1] and float(scale[submitted][2]) > 40000
    assert answers[2][value][2] == "cmo" and answers[2][value][0] != "n"
    assert answers[2][submitted:] in ([], [("", "", "")])  # a draft: no "submitted at" cell
    assert len(sheets["Participants"]) == 3
    assert len(sheets["Questions"]) == 45


def test_every_export_is_recorded_and_never_cached(alice_client, workshop, cio):
    give_answers(cio, {"obj-channels": 4})
    for fmt in ("csv", "xlsx"):
        response = export(alice_client, workshop, fmt)
        body(response)
        assert "no-store" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
    events = AuditEvent.objects.filter(workshop=workshop, action="export")
    assert sorted(event.detail for event in events) == ["CSV", "XLSX"]
    assert set(events.values_list("actor__username", flat=True)) == {"alice"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_only_the_workshops_facilitators_export(client, charlie, bob, workshop, cio, fmt):
    assert export(client_for(charlie), workshop, fmt).status_code == 404
    assert export(client, workshop, fmt).status_code == 302
    assert export(client_for(bob), workshop, fmt).status_code == 200
    assert not AuditEvent.objects.filter(
        workshop=workshop, action="export", actor__username="charlie"
    )


def test_the_outcome_s_tables_as_csv_with_formulas_neutralised(alice, alice_client, workshop):
    populate(workshop, 3)
    record_outcome(workshop, alice)
    tables = {}
    for table in ("decisions", "kpis", "actions"):
        response = alice_client.get(reverse(f"workshops:export_{table}_csv", args=[workshop.pk]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Disposition"].endswith(f'.{table}.csv"')
        tables[table] = csv_rows(response)
    [decision] = tables["decisions"]
    assert decision["Question code"] == "kpi-load-time" and decision["Decision"] == "Agreed"
    assert decision["Agreed position"] == "2.5" and decision["What was said"]
    [kpi] = tables["kpis"]
    assert (kpi["KPI"], kpi["Agreed target"], kpi["Current value"]) == (
        "Checkout conversion",
        "3.5",
        "2.0",
    )
    assert (kpi["Owner"], kpi["Deadline"], kpi["Review date"]) == (
        "Dana CMO",
        "2026-06-30",
        "2026-03-31",
    )
    done, formula = tables["actions"]
    assert (done["Action"], done["Owner"], done["Status"]) == (
        "Draft the app brief",
        "Sam Lee",
        "Done",
    )
    assert formula["Action"] == '\'=HYPERLINK("http://evil")'
    details = [e.detail for e in AuditEvent.objects.filter(workshop=workshop, action="export")]
    assert sorted(details) == ["CSV (actions)", "CSV (decisions)", "CSV (shared KPIs)"]
    assert (
        alice_client.get(reverse("workshops:export_actions_csv", args=[workshop.pk])).status_code
        == 200
    )


def test_the_outcome_s_sheets_have_typed_cells(alice, alice_client, workshop):
    populate(workshop, 3)
    record_outcome(workshop, alice)
    sheets = xlsx_sheets(body(export(alice_client, workshop, "xlsx")))
    header, kpi = sheets["KPIs"]
    titles = [text for _, _, text in header]
    target = kpi[titles.index("Agreed target")]
    assert target[0] == "n" and float(target[2]) == 3.5
    review = kpi[titles.index("Review date")]
    assert review[0] == "n" and review[1] and float(review[2]) > 40000  # a date cell
    header, *actions = sheets["Actions"]
    assert actions[1][0][2] == '\'=HYPERLINK("http://evil")' and actions[1][0][0] != "n"
    assert sheets["Decisions"][1][0][2] == "kpi-load-time"


def test_a_german_facilitator_s_sheets_give_the_questions_in_german(alice, alice_client, workshop):
    from ..factories import question

    populate(workshop, 3)
    record_outcome(workshop, alice)
    alice_client.post(reverse("language"), {"language": "de"})
    load_time = question("kpi-load-time", workshop.questionnaire)
    german = load_time.text("prompt", "de")
    assert german != load_time.prompt
    sheets = xlsx_sheets(body(export(alice_client, workshop, "xlsx")))
    header, *questions = sheets["Fragen"]
    prompt = [text for _, _, text in header].index("Frage")
    assert german in [row[prompt][2] for row in questions]
    header, decision = sheets["Entscheidungen"]
    assert decision[[text for _, _, text in header].index("Frage")][2] == german
    table = csv_rows(
        alice_client.get(reverse("workshops:export_decisions_csv", args=[workshop.pk]))
    )
    assert table[0]["Frage"] == german


@pytest.mark.parametrize("participants", [3, 40])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "decisions_csv", "kpis_csv", "actions_csv"])
def test_exports_use_a_constant_number_of_queries(
    alice, alice_client, workshop, django_assert_max_num_queries, participants, fmt
):
    populate(workshop, participants)
    record_outcome(workshop, alice)
    alice_client.get(reverse("workshops:detail", args=[workshop.pk]))  # warm the session
    with django_assert_max_num_queries(10):
        response = export(alice_client, workshop, fmt)
        data = body(response)
    assert len(data) > (1000 if fmt in ("csv", "xlsx") else 50)
    if fmt == "csv":
        assert data.count(b"\n") > participants * 40


def test_neutralise_marks_formula_triggers_as_text():
    for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]:
        assert neutralise(text) == "'" + text
    for safe in ["1+1", "a=b", "", " =1", "'=1"]:
        assert neutralise(safe) == safe
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5


def test_the_workshop_page_offers_the_downloads(alice_client, workshop):
    html = alice_client.get(reverse("workshops:detail", args=[workshop.pk])).text
    assert reverse("workshops:export_csv", args=[workshop.pk]) in html
    assert reverse("workshops:export_xlsx", args=[workshop.pk]) in html
