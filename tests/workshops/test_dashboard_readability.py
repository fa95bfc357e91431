"""The dashboard and agenda read without the scoring spec: why each question is on the agenda
and in that order, what "beyond chance" means (the statistic behind a disclosure), and why
fewer questions are scored than the questionnaire has. A fresh-eyes review found all three
confusing; these tests hold the words the facilitator reads."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from workshops.dashboard.sections import Unscored
from workshops.dashboard.wording import chance_words, weight_text
from workshops.demo import CIO_ANSWERS, CMO_ANSWERS
from workshops.models import Workshop

from ..factories import give_answers, question

# aud-split counts double (importance 2) and is on the agenda before obj-channels although its
# answers are closer: gap (1 - 0.125) x 2 = 1.75 against (1 - 0.25) x 1 = 0.75.
WEIGHTED_CIO = {"aud-split": {"b2c": 40, "b2b": 20, "b2e": 40}, "obj-channels": 2}
WEIGHTED_CMO = {"aud-split": {"b2c": 75, "b2b": 20, "b2e": 5}, "obj-channels": 5}
ORDER_NOTE = "Furthest apart first: the lower the alignment (0 to 100), the higher on the list."
WEIGHT_NOTE = "A question that counts double weighs twice"


def page(client, workshop: Workshop, name: str) -> str:
    return client.get(reverse(f"workshops:{name}", args=[workshop.pk])).content.decode()


def between(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def agenda_preview(html: str) -> str:
    return between(html, 'id="agenda-heading"', "</section>")


def preview_item(html: str, code: str) -> str:
    """One question's entry in the dashboard's "Discuss first" list."""
    preview = agenda_preview(html)
    start = preview.index(f"#q-{code}")
    return preview[start : preview.index("</li>", start)]


def overall_panel(html: str) -> str:
    return between(html, 'id="overall-heading"', "</section>")


# Why each question is on the agenda, and in that order ----------------------------------------


def test_discuss_first_names_the_alignment_and_the_double_weight(alice_client, workshop, cio, cmo):
    give_answers(cio, WEIGHTED_CIO, submitted=True)
    give_answers(cmo, WEIGHTED_CMO, submitted=True)
    html = page(alice_client, workshop, "dashboard")
    preview = agenda_preview(html)
    assert preview.index(escape(question("aud-split").prompt)) < preview.index(
        escape(question("obj-channels").prompt)
    )
    split, channels = preview_item(html, "aud-split"), preview_item(html, "obj-channels")
    scores = {
        entry.row.item.code: entry.row.score for entry in html_report(alice_client, workshop).agenda
    }
    # The number beside the label says what it is: the alignment, not a gap.
    caption = '<span class="score-caption">alignment</span> <span class="score">'
    assert f"{caption}{scores['aud-split']}<" in split
    assert f"{caption}{scores['obj-channels']}<" in channels
    assert scores["aud-split"] < scores["obj-channels"] == 25
    # What puts the closer pair first: it counts double.
    assert '<span class="weight-tag">counts double</span>' in split
    assert "counts double" not in channels
    assert ORDER_NOTE in preview and WEIGHT_NOTE in preview
    assert "(1 − similarity)" not in html and "Biggest gaps first" not in html


def test_without_weighted_questions_the_order_is_simply_by_alignment(
    alice_client, workshop, cio, cmo
):
    give_answers(cio, {"obj-channels": 2, "obj-cost-savings": 5}, submitted=True)
    give_answers(cmo, {"obj-channels": 5, "obj-cost-savings": 1}, submitted=True)
    html = page(alice_client, workshop, "dashboard")
    preview = agenda_preview(html)
    assert ORDER_NOTE in preview
    assert WEIGHT_NOTE not in preview and "weight-tag" not in preview
    assert "2 questions are partly or differ." in preview


def test_agenda_page_says_why_each_question_is_there(alice_client, workshop, cio, cmo):
    give_answers(cio, WEIGHTED_CIO, submitted=True)
    give_answers(cmo, WEIGHTED_CMO, submitted=True)
    html = page(alice_client, workshop, "agenda")
    assert ORDER_NOTE in html and WEIGHT_NOTE in html
    assert "Biggest gaps first" not in html
    first = between(html, 'id="agenda-1"', "</li>")
    second = between(html, 'id="agenda-2"', "</li>")
    assert escape(question("aud-split").prompt) in first
    assert '<span class="score-caption">alignment</span>' in first
    assert '<span class="weight-tag">counts double</span>' in first
    assert "counts double" not in second and "counts ×" not in second


# Beyond chance: plain words in view, the statistic behind "How is this computed?" ------------


def test_beyond_chance_reads_in_words_and_the_statistic_sits_behind_a_disclosure(
    alice_client, workshop, cio, cmo
):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    html = page(alice_client, workshop, "dashboard")
    overall = overall_panel(html)
    visible, disclosed = overall.split('<details class="dash-method">', 1)
    summary = html_report(alice_client, workshop).overall
    assert summary.beyond_chance is not None
    assert (
        f"On the {summary.beyond_chance_of} rating-scale and ranking questions, their answers "
        f"are <strong>{escape(chance_words(summary.beyond_chance))}</strong>." in visible
    )
    assert "Beyond chance" not in visible and "S0" not in visible
    assert "<summary>How is this computed?</summary>" in disclosed
    assert f"Beyond chance: <strong>{summary.beyond_chance_text}</strong>" in disclosed
    assert "(S − S0) / (1 − S0)" in disclosed
    # The thresholds stay in view; how a question's score is reached goes in the disclosure.
    assert "75 or more is agree, 50 to 74 partly, below 50 differ." in visible
    assert "opposite sides of the middle" in disclosed


def html_report(client, workshop: Workshop):
    return client.get(reverse("workshops:dashboard", args=[workshop.pk])).context["report"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (-0.20, "less alike than answers picked at random would be"),
        (-0.05, "no more alike than answers picked at random would be"),
        (0.0, "no more alike than answers picked at random would be"),
        (0.05, "no more alike than answers picked at random would be"),
        (0.3, "more alike than answers picked at random, but less than halfway to identical"),
        (0.5, "well beyond chance: more than halfway from random answers to identical"),
        (1.0, "well beyond chance: more than halfway from random answers to identical"),
    ],
)
def test_chance_words(value, words):
    assert chance_words(value) == words


@pytest.mark.parametrize(
    ("importance", "text"),
    [
        (1.0, ""),
        (2.0, "counts double"),
        (0.5, "counts half"),
        (1.5, "counts ×1.5"),
        (3, "counts ×3"),
    ],
)
def test_weight_text(importance, text):
    assert weight_text(importance) == text


# Scored against the questionnaire's questions -------------------------------------------------


def test_coverage_explains_free_text_and_unanswered_questions(alice_client, workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, {k: v for k, v in CMO_ANSWERS.items() if k != "obj-channels"}, submitted=True)
    html = page(alice_client, workshop, "dashboard")
    overall = overall_panel(html)
    assert "41 of 42</strong> questions scored (98 % coverage)" in overall
    explained = (
        "The questionnaire has 44 questions: 2 free-text questions are read, not scored; "
        "1 is missing an answer from CIO or CMO (skipped or “don't know”), so it is not scored."
    )
    assert escape(explained) in overall
    assert escape(explained) in page(alice_client, workshop, "agenda")


def test_coverage_note_when_only_free_text_is_unscored(alice_client, workshop, cio, cmo):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    overall = overall_panel(page(alice_client, workshop, "dashboard"))
    assert "42 of 42</strong> questions scored" in overall
    assert "The questionnaire has 44 questions: 2 free-text questions are read, not scored." in (
        overall
    )


def test_unscored_text_counts_and_plurals():
    assert Unscored(10, 0, 0, "CIO", "CMO").text == ""
    assert Unscored(10, 1, 0, "CIO", "CMO").text == (
        "The questionnaire has 10 questions: 1 free-text question is read, not scored."
    )
    assert Unscored(10, 0, 3, "IT side", "Marketing side").text == (
        "The questionnaire has 10 questions: 3 are missing an answer from IT side or "
        "Marketing side (skipped or “don't know”), so they are not scored."
    )


# The KPI table --------------------------------------------------------------------------------


def test_kpi_table_calls_its_verdict_column_a_verdict_and_explains_the_number(
    alice_client, workshop, cio, cmo
):
    give_answers(cio, CIO_ANSWERS, submitted=True)
    give_answers(cmo, CMO_ANSWERS, submitted=True)
    kpis = between(page(alice_client, workshop, "dashboard"), 'id="kpi-heading"', "</section>")
    assert '<th scope="col">Verdict</th>' in kpis and '<th scope="col">Label</th>' not in kpis
    assert "The number beside each verdict is the alignment, 0 to 100" in kpis
