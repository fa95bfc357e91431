"""Two executives answering in different languages are compared question by question.

Answers hold no text: a choice is stored by its value, a number as a number, whatever language
the page was in, so a German and an English executive who give the same answers agree exactly,
and everyone sees the same figures; the dashboard words the questions in the viewer's language
and shows free text as it was typed. Each person's language comes from the interface's seam: an
executive's choice on the participant, a facilitator's browser (Accept-Language) here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from workshops.models import Participant, Workshop

from ..factories import question

pytestmark = pytest.mark.django_db

#: The same answers, as each executive enters them in their language's page.
ENTERED = {
    "obj-channels": {"de": {"": "4"}, "en": {"": "4"}},
    "own-apps-today": {"de": {"": "joint"}, "en": {"": "joint"}},
    "aud-customer-channels": {
        "de": {"": ["responsive-web", "ios-app"]},
        "en": {"": ["responsive-web", "ios-app"]},
    },
    "aud-split": {
        "de": {"b2c": "50", "b2b": "30", "b2e": "20"},
        "en": {"b2c": "50", "b2b": "30", "b2e": "20"},
    },
    "kpi-load-time": {"de": {"": "2,5"}, "en": {"": "2.5"}},  # each as people write it
    "kpi-priority": {
        "de": {"conversion": "1", "load-time": "2", "satisfaction": "3"},
        "en": {"conversion": "1", "load-time": "2", "satisfaction": "3"},
    },
    "wow-counterpart": {
        "de": {"": "Frühe Einbindung in Architekturentscheidungen"},
        "en": {"": "Early say in architecture decisions"},
    },
}
SCORED = [code for code in ENTERED if code != "wow-counterpart"]


def _speaks(invitation, language: str) -> None:
    """The executive picked `language` with the switcher on their pages."""
    Participant.objects.filter(pk=invitation.participant.pk).update(language=language)


def _answer(client: Client, invitation, language: str) -> None:
    _speaks(invitation, language)
    client.get(invitation.path)
    for code, by_language in ENTERED.items():
        q = question(code)
        data = {
            (f"q{q.pk}-{suffix}" if suffix else f"q{q.pk}"): value
            for suffix, value in by_language[language].items()
        }
        url = reverse("workshops:respond_autosave", args=[invitation.participant.pk, q.pk])
        reply = client.post(url, data)
        saved = {"de": "Gespeichert", "en": "Saved"}[language]
        assert reply.status_code == 200 and saved in reply.text, (code, reply.text)


def _comparison(client: Client, workshop: Workshop, language: str):
    response = client.get(
        reverse("workshops:comparison", args=[workshop.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    rows = {row.item.code: row for row in response.context["report"].rows}
    return response.text, rows, response.context["report"].overall


def test_a_german_and_an_english_executive_are_compared_question_by_question(
    alice_client, workshop, cio, cmo
):
    german, english = Client(), Client()
    _speaks(cio, "de")
    page = german.get(cio.path, follow=True)
    section = german.get(reverse("workshops:respond_section", args=[cio.participant.pk, 1])).text
    assert page.status_code == 200
    assert "Wie wichtig ist es, dass Mobile unseren Kunden mehr Kanäle bietet" in section
    assert "<span>Nicht wichtig</span><span>Äußerst wichtig</span>" in section
    _answer(german, cio, "de")
    _answer(english, cmo, "en")

    seen = {language: _comparison(alice_client, workshop, language) for language in ("de", "en")}

    for language, (_, rows, _) in seen.items():
        for code in SCORED:
            assert (rows[code].label, rows[code].score) == ("agree", 100), (language, code)
    (_, rows_de, overall_de), (_, rows_en, overall_en) = seen["de"], seen["en"]
    assert overall_de.score == overall_en.score
    assert overall_de.aggregate == overall_en.aggregate
    assert {c: (r.label, r.score) for c, r in rows_de.items()} == {
        c: (r.label, r.score) for c, r in rows_en.items()
    }

    html_de, html_en = seen["de"][0], seen["en"][0]
    # The questions and answers in the viewer's language...
    assert "Wer verantwortet heute in der Praxis unsere mobilen Apps?" in html_de
    assert "CIO und CMO gemeinsam" in html_de and re.search(r"2[.,]5 Sekunden", html_de)
    assert "Today, who in practice owns our mobile apps?" not in html_de
    assert "Today, who in practice owns our mobile apps?" in html_en
    assert "Joint CIO–CMO ownership" in html_en and "2.5 seconds" in html_en
    assert "Wer verantwortet heute" not in html_en
    # ...and free text as each executive typed it, in both.
    for html in (html_de, html_en):
        assert "Frühe Einbindung in Architekturentscheidungen" in html
        assert "Early say in architecture decisions" in html


def test_the_dashboard_names_sections_and_kpis_in_the_viewers_language(
    alice_client, workshop, cio, cmo
):
    _answer(Client(), cio, "de")
    _answer(Client(), cmo, "en")
    url = reverse("workshops:dashboard", args=[workshop.pk])
    german = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    english = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert german.context["report"].overall.score == english.context["report"].overall.score
    assert "Verantwortung" in german.text and "Seitenladezeit" in german.text
    assert "Mobile Apps" in german.text  # the ownership matrix's area
    assert "Page load time" in english.text and "Verantwortung" not in english.text
