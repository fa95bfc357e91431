"""Numbers are read and written the way the page's language writes them: in German "2,5" is
two and a half and "1.000" a thousand; in English "1,000" is a thousand, as before."""

import pytest
from django.urls import reverse
from django.utils import translation

from surveys.entry import AnswerError, format_number, parse_number
from surveys.models import Answer, Question, QuestionKind
from workshops.models import Participant, Workshop


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2,5", 2.5),
        ("1.000", 1000.0),
        ("1.500,5", 1500.5),
        ("1,500", 1.5),
        ("-3", -3.0),
        ("25 %", 25.0),
        ("2.5", 2.5),  # a dot with no group of three after it is still a decimal point
        ("1 000", 1000.0),
    ],
)
def test_german_reads_a_decimal_comma_first(raw, expected):
    with translation.override("de"):
        assert parse_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2.5", 2.5), ("1,000", 1000.0), ("1,500.5", 1500.5), ("2,5", 2.5), ("1.000", 1.0)],
)
def test_english_reads_as_before(raw, expected):
    with translation.override("en"):
        assert parse_number(raw) == expected


def test_a_refusal_gives_the_example_in_the_language():
    with translation.override("de"), pytest.raises(AnswerError, match="zum Beispiel 2,5"):
        parse_number("viel")
    with translation.override("en"), pytest.raises(AnswerError, match="for example 2.5"):
        parse_number("lots")


def test_numbers_are_written_back_in_the_language():
    with translation.override("de"):
        assert format_number(2.5) == "2,5"
        assert format_number(1000.0) == "1000"
        assert parse_number(format_number(1234.5)) == 1234.5
    with translation.override("en"):
        assert format_number(2.5) == "2.5"
        assert parse_number(format_number(1234.5)) == 1234.5


@pytest.mark.django_db
def test_an_executive_types_numbers_the_way_their_language_writes_them(workshop, cio, cio_client):
    """Through the answer form: in English "1.000" is one; in German "2,5" is saved as 2.5
    and shown back as "2,5", and "1.000" is a thousand (over this question's limit)."""
    numeric = Question.objects.get(  # page load time, 0.5 to 30 seconds
        section__questionnaire=workshop.questionnaire, code="kpi-load-time"
    )
    assert numeric.kind == QuestionKind.NUMERIC
    sections = list(workshop.questionnaire.ordered_sections())
    page = reverse(
        "workshops:respond_section", args=[cio.participant.pk, sections.index(numeric.section) + 1]
    )
    participant = Participant.objects.get(pk=cio.participant.pk)
    cio_client.post(page, {f"q{numeric.pk}": "1.000", "go": "stay"})
    answer = Answer.objects.get(response=participant.response, question=numeric)
    assert answer.value == 1.0
    Workshop.objects.filter(pk=workshop.pk).update(language="de")
    rev = f"q{numeric.pk}-rev"  # the revision the page showed, as a browser sends it
    cio_client.post(page, {f"q{numeric.pk}": "2,5", rev: answer.revision, "go": "stay"})
    answer.refresh_from_db()
    assert answer.value == 2.5
    assert f'id="q{numeric.pk}-input" value="2,5"' in cio_client.get(page).content.decode()
    refused = cio_client.post(page, {f"q{numeric.pk}": "1.000", rev: answer.revision, "go": "stay"})
    assert "Geben Sie einen Wert von höchstens 30 " in refused.content.decode()
    answer.refresh_from_db()
    assert answer.value == 2.5


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    "value", [12345678.0, 1e-07, 1e40, 2.5, -12.75, 0.0, 123456789.123, 1500.5, 1000.0]
)
def test_a_number_written_back_reads_back_as_the_same_number(language, value):
    """What an input shows is read back unchanged: never an exponent (12345678 was shown as
    1.23457e+07, which the parser refuses and which had lost digits)."""
    with translation.override(language):
        shown = format_number(value)
        assert "e" not in shown.lower()
        assert parse_number(shown) == value


def test_a_sum_of_shares_is_written_without_float_noise():
    assert format_number(33.3 + 33.3 + 33.4) == "100"
    assert format_number(0.1 + 0.2) == "0.3"
