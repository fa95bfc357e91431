"""The board-ready report: the page in the app and its PDF (opened with pypdf)."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from workshops import reporting
from workshops.models import AuditEvent, Workshop

from ..conftest import client_for
from ..factories import run_queued_tasks
from .populate import populate, record_outcome

PARTS = [
    "Alignment",
    "Alignment by section",
    "Who took part",
    "What they agree on",
    "Where they differ, and by how much",
    "Who owns what: today and who should",
    "Against published figures",
    "How the figures are computed",
]


def pdf_of(client, workshop: Workshop, **query: str):
    url = reverse("workshops:report_pdf", args=[workshop.pk])
    response = client.get(url, query)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    return response


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def room(workshop):
    populate(workshop, 6)
    return workshop


def test_the_report_page_shows_every_part(alice_client, room):
    response = alice_client.get(reverse("workshops:report", args=[room.pk]))
    assert response.status_code == 200
    html = response.text
    for part in PARTS:
        assert part in html, part
    assert "Executive 0" in html and "<svg" in html
    assert reverse("workshops:report_pdf", args=[room.pk]) in html


def test_the_pdf_has_every_part_numbered_pages_and_selectable_text(alice_client, room, tmp_path):
    response = pdf_of(alice_client, room)
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].endswith('.pdf"')
    reader, text = text_of(response.content)
    assert len(reader.pages) >= 3
    for part in PARTS[:1] + PARTS[2:]:
        assert part in text.replace("\n", " "), part
    # Page numbers "n / total" in the footer of every page, and the running title.
    for number, page in enumerate(reader.pages, start=1):
        assert f"{number} / {len(reader.pages)}" in page.extract_text()
    assert "Acme Retail · Mobile strategy 2027" in reader.pages[-1].extract_text()
    # The section chart is vector: its labels are text in the PDF, not pixels.
    assert "Objectives" in reader.pages[0].extract_text()
    assert not any("/Image" in str(page.get("/Resources", {})) for page in reader.pages)
    # A4: 595 x 842 points.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert AuditEvent.objects.filter(
        workshop=room, action="export", params={"format": "pdf", "paper": "a4"}
    ).exists()
    _keep_images(response.content, "report-a4")


def test_the_pdf_prints_on_us_letter(alice_client, room):
    reader, _ = text_of(pdf_of(alice_client, room, paper="letter").content)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_names_are_hidden_in_the_report_when_the_workshop_hides_them(alice_client, room):
    Workshop.objects.filter(pk=room.pk).update(anonymous=True)
    page = alice_client.get(reverse("workshops:report", args=[room.pk])).text
    html = page.split('<article class="report report-page">')[1]  # the report itself
    _, text = text_of(pdf_of(alice_client, room).content)
    for shown in (html, text):
        assert "Executive 0" not in shown and "Participant A" in shown


def test_a_large_workshops_pdf_is_made_by_the_worker_and_offered_when_ready(
    alice_client, workshop, monkeypatch
):
    monkeypatch.setattr(reporting, "BACKGROUND_FROM", 2)
    populate(workshop, 4)
    page = reverse("workshops:report", args=[workshop.pk])
    assert "Prepare the PDF, A4" in alice_client.get(page).text
    # Not made in the request: the PDF link leads back to the page.
    response = alice_client.get(reverse("workshops:report_pdf", args=[workshop.pk]))
    assert response.status_code == 302 and "#pdf" in response["Location"]
    prepare = reverse("workshops:report_prepare", args=[workshop.pk])
    alice_client.post(prepare, {"paper": "a4"})
    alice_client.post(prepare, {"paper": "a4"})  # a second click queues nothing more
    assert "being prepared" in alice_client.get(page).text
    assert run_queued_tasks() == 1
    html = alice_client.get(page).text
    assert "being prepared" not in html and "PDF, A4" in html
    _, text = text_of(pdf_of(alice_client, workshop).content)
    assert "Who took part" in text


def test_a_changed_workshop_is_never_served_an_older_pdf(alice_client, room):
    first = pdf_of(alice_client, room).content
    Workshop.objects.filter(pk=room.pk).update(title="Renamed for the board")
    _, text = text_of(pdf_of(alice_client, room).content)
    assert "Renamed for the board" in text and first != b""


def test_the_report_shows_the_recorded_outcome_and_its_pdf_changes_with_it(
    alice, alice_client, room
):
    page = alice_client.get(reverse("workshops:report", args=[room.pk])).text
    assert 'id="report-outcome"' not in page
    before = pdf_of(alice_client, room).content
    record_outcome(room, alice)
    page = alice_client.get(reverse("workshops:report", args=[room.pk])).text
    assert 'id="report-outcome"' in page and "2.5 seconds" in page
    with_outcome = pdf_of(alice_client, room).content
    _keep_images(with_outcome, "report-a4-outcome")
    _, text = text_of(with_outcome)
    flat = " ".join(text.split())
    for shown in (
        "Agreed on load time",  # the decision
        "2.5 seconds",  # its position in the question's terms
        "Checkout conversion",  # the KPI, its target and owner
        "3.5",
        "Dana CMO",
        "Draft the app brief",  # the action plan
        "Sam Lee",
        "Budget frozen until Q3",
        "Wearables",
        "Signed off by Ruth Board, CEO",
    ):
        assert shown in flat, shown
    assert pdf_of(alice_client, room).content != before


@pytest.mark.parametrize("participants", [3, 30])
def test_report_pages_use_a_constant_number_of_queries(
    alice, alice_client, workshop, django_assert_max_num_queries, participants
):
    populate(workshop, participants)
    record_outcome(workshop, alice)
    alice_client.get(reverse("workshops:detail", args=[workshop.pk]))
    # The frozen questionnaire's questions are read once per process (`frozen_items`).
    alice_client.get(reverse("workshops:report", args=[workshop.pk]))
    with django_assert_max_num_queries(10):
        assert alice_client.get(reverse("workshops:report", args=[workshop.pk])).status_code == 200
    cache.clear()
    # Making the PDF: the page's nine reads (two of them the outcome's), and the audit's line.
    with django_assert_max_num_queries(10):
        pdf_of(alice_client, workshop)
    with django_assert_max_num_queries(10):
        pdf_of(alice_client, workshop)  # kept


def test_only_the_workshops_facilitators_get_the_report(charlie, workshop):
    for name in ("report", "report_pdf"):
        url = reverse(f"workshops:{name}", args=[workshop.pk])
        assert client_for(charlie).get(url).status_code == 404


def test_the_60_participant_pdf_is_made_by_the_worker_and_whole(workshop):
    populate(workshop, 60)
    people = reporting.people_of([workshop])[workshop.pk]
    assert reporting.builds_in_background(people)
    pdf = reporting.render_pdf(reporting.report_parts(workshop, people=people), "a4")
    reader, text = text_of(pdf)
    assert "Who took part" in text and "Executive 59" in text
    assert f"1 / {len(reader.pages)}" in reader.pages[0].extract_text()


def _keep_images(data: bytes, name: str) -> None:
    """Render the PDF's pages to PNG (poppler's pdftoppm) into test-artifacts/, to look at."""
    if not Path("/usr/bin/pdftoppm").exists():
        return
    out = Path(os.environ.get("ARTIFACTS", "test-artifacts")) / "report"
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(  # noqa: S603
        ["/usr/bin/pdftoppm", "-png", "-r", "60", str(pdf), str(out / name)], check=True
    )


def test_executives_get_the_report_pdf_once_results_are_shared(
    alice, cio, cio_client, workshop, django_assert_max_num_queries
):
    from django.utils import timezone

    from workshops.demo import CIO_ANSWERS

    from ..factories import give_answers

    give_answers(cio, CIO_ANSWERS, submitted=True)
    record_outcome(workshop, alice)
    url = reverse("workshops:respond_report_pdf", args=[cio.participant.pk])
    agreed = reverse("workshops:respond_agreed", args=[cio.participant.pk])
    assert cio_client.get(url).status_code == 404  # not shared yet
    Workshop.objects.filter(pk=workshop.pk).update(
        revealed_at=timezone.now(), results_visible_to_participants=True
    )
    assert url in cio_client.get(agreed).text
    cio_client.get(url)  # the frozen questionnaire is read once per process
    cache.clear()
    with django_assert_max_num_queries(10):
        response = cio_client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    _, text = text_of(response.content)
    assert "Draft the app brief" in " ".join(text.split())
    assert AuditEvent.objects.filter(workshop=workshop, action="export").exists()
