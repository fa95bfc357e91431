"""What each side thinks the other answered, end to end: the prediction questions on the
answering pages (asked of the technology and marketing sides only), left out of every score,
and the perception beside the real gap on the dashboard, the run-sheet and the report."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, Question, Response, ResponseStatus
from workshops.dashboard.loading import WorkshopAnswers
from workshops.demo import CIO_ANSWERS, CMO_ANSWERS, HEAD_MARKETING_ANSWERS
from workshops.models import Role, Workshop

from ..conftest import client_for
from ..factories import (
    PREDICTED,
    give_answers,
    invite,
    make_workshop,
    perception_questionnaire,
    question,
)

pytestmark = pytest.mark.django_db

TECHNOLOGY_ASKS = "What do you think the marketing side answered?"
MARKETING_ASKS = "What do you think the technology side answered?"


@pytest.fixture
def pworkshop(alice) -> Workshop:
    return make_workshop(alice, questionnaire=perception_questionnaire())


@pytest.fixture
def people(pworkshop):
    return {
        "cio": invite(pworkshop, "Dana Whitfield", Role.CIO),
        "cmo": invite(pworkshop, "Sam Okafor", Role.CMO),
        "ceo": invite(pworkshop, "Lee Park", Role.CEO),
    }


def _opened(invitation):
    client = client_for_link(invitation)
    return client


def client_for_link(invitation):
    from django.test import Client

    client = Client()
    client.get(invitation.path)
    return client


def _section_of(pworkshop, code: str) -> int:
    return question(code, pworkshop.questionnaire).section.position


def _q(pworkshop, code: str) -> Question:
    return question(code, pworkshop.questionnaire)


def _mispredicting(people) -> None:
    """The CIO wants the apps and expects the CMO to want them too; the CMO wants them and
    reads the CIO right. On security against flexibility (1..7, bipolar) both agree (2 and 3),
    but the CMO expects the CIO to be at the other end: a hidden agreement."""
    give_answers(
        people["cio"],
        {
            "own-apps-should": "cio",
            "own-apps-should-predicted": "cio",
            "wow-security-flex": 2,
            "wow-security-flex-predicted": 3,
        },
        submitted=True,
    )
    give_answers(
        people["cmo"],
        {
            "own-apps-should": "cmo",
            "own-apps-should-predicted": "cio",
            "wow-security-flex": 3,
            "wow-security-flex-predicted": 7,
        },
        submitted=True,
    )


# Answering -----------------------------------------------------------------------------------


def test_a_prediction_follows_its_question_asking_about_the_other_side(pworkshop, people):
    position = _section_of(pworkshop, "own-apps-should")
    own, predicted = _q(pworkshop, "own-apps-should"), _q(pworkshop, "own-apps-should-predicted")
    for who, asks in (("cio", TECHNOLOGY_ASKS), ("cmo", MARKETING_ASKS)):
        client = client_for_link(people[who])
        participant = people[who].participant
        html = client.get(
            reverse("workshops:respond_section", args=[participant.pk, position])
        ).content.decode()
        start = html.index(f'id="question-{own.pk}"')
        after = html.index(f'id="question-{predicted.pk}"')
        assert start < after
        block = html[after:]
        assert asks in block[:1500]
        assert "Joint CIO–CMO ownership" in block  # the question's own options
        numbers = re.findall(r'class="question-number">(\d+)<', html[start:])
        assert numbers[0] == numbers[1]  # the prediction shares its question's number


def test_the_prediction_asks_in_german_too(pworkshop, people):
    participant = people["cio"].participant
    participant.language = "de"
    participant.save(update_fields=["language"])
    client = client_for_link(people["cio"])
    position = _section_of(pworkshop, "own-apps-should")
    html = client.get(
        reverse("workshops:respond_section", args=[participant.pk, position])
    ).content.decode()
    assert "Was hat die Marketingseite Ihrer Einschätzung nach geantwortet?" in html


def test_the_business_side_is_not_asked_predictions_nor_missing_them(pworkshop, people):
    client = client_for_link(people["ceo"])
    participant = people["ceo"].participant
    predicted = _q(pworkshop, "own-apps-should-predicted")
    position = _section_of(pworkshop, "own-apps-should")
    html = client.get(
        reverse("workshops:respond_section", args=[participant.pk, position])
    ).content.decode()
    assert f'id="question-{predicted.pk}"' not in html
    assert TECHNOLOGY_ASKS not in html and MARKETING_ASKS not in html
    autosave = reverse("workshops:respond_autosave", args=[participant.pk, predicted.pk])
    assert client.post(autosave, {f"q{predicted.pk}": "cio"}).status_code == 404
    review = client.get(reverse("workshops:respond_review", args=[participant.pk]))
    assert review.context["progress"]["total"] == 44
    assert all(not row["question"].is_prediction for row in review.context["rows"])


def test_predictions_are_never_required(pworkshop, people):
    client = client_for_link(people["cio"])
    participant = people["cio"].participant
    review = client.get(reverse("workshops:respond_review", args=[participant.pk]))
    assert review.context["progress"]["total"] == 44 + len(PREDICTED)
    assert not any(item["question"].is_prediction for item in review.context["missing"])


def test_a_prediction_is_answered_and_autosaved_like_any_question(pworkshop, people):
    client = client_for_link(people["cio"])
    participant = people["cio"].participant
    predicted = _q(pworkshop, "own-apps-should-predicted")
    autosave = reverse("workshops:respond_autosave", args=[participant.pk, predicted.pk])
    assert client.post(autosave, {f"q{predicted.pk}": "cmo"}).status_code == 200
    answer = Answer.objects.get(question=predicted, response__participant=participant)
    assert answer.value == "cmo"


# The dashboard -------------------------------------------------------------------------------


def test_predictions_are_left_out_of_every_score(pworkshop, people):
    _mispredicting(people)
    answers = WorkshopAnswers.load(pworkshop)
    codes = [item.code for item in answers.items]
    assert len(codes) == 44 and not any(code.endswith("-predicted") for code in codes)
    assert [item.number for item in answers.items] == list(range(1, 45))
    by_code = {item.code: item for item in answers.items}
    assert by_code["own-apps-should"].prediction_pk == _q(pworkshop, "own-apps-should-predicted").pk
    cio = next(p for p in answers.people if p.role == Role.CIO)
    assert answers.answered_count(cio) == 2  # its own answers, not its predictions
    response = client_for(pworkshop.owner).get(reverse("workshops:dashboard", args=[pworkshop.pk]))
    report = response.context["report"]
    assert report.overall.aggregate.scorable == 42  # 44 less the two free-text questions
    assert all(not row.item.code.endswith("-predicted") for row in report.rows)


def test_the_dashboard_shows_a_cio_and_a_cmo_who_mispredict(pworkshop, people):
    _mispredicting(people)
    response = client_for(pworkshop.owner).get(reverse("workshops:dashboard", args=[pworkshop.pk]))
    report = response.context["report"]
    perception = {row.item.code: row for row in report.perception}
    assert set(perception) == set(PREDICTED)
    apps = perception["own-apps-should"]
    assert apps.row.label == "differ"
    assert apps.a.accuracy_label == "differ" and apps.a.misperceives  # the CIO
    assert apps.b.accuracy_label == "agree" and not apps.b.misperceives  # the CMO
    security = perception["wow-security-flex"]
    assert security.row.label == "agree"
    assert security.b.finding_texts == [
        "Misperception: CMO expects a clearly different answer from CIO.",
        "Hidden agreement: CMO believes they are apart, but they agree.",
    ]
    assert not perception["kpi-conversion"].predicted
    html = response.content.decode()
    assert "What each side thinks the other answered" in html
    assert "CIO expects CMO to answer “CIO / IT”; CMO in fact answered “CMO / marketing”." in html
    assert "CMO expects CIO to answer “CIO / IT”, and CIO answered “CIO / IT”." in html
    assert "2 misperceptions" in html
    assert "4 more questions ask for predictions: nobody has made one yet." in html
    assert 'id="perception-kpi-conversion"' not in html  # nobody predicted it


def test_perception_only_for_a_technology_and_a_marketing_group(pworkshop, people):
    _mispredicting(people)
    client = client_for(pworkshop.owner)
    dashboard = reverse("workshops:dashboard", args=[pworkshop.pk])
    response = client.get(dashboard, {"a": "role:cio", "b": "role:ceo"})
    assert response.context["report"].perception == []
    assert "What each side thinks the other answered" not in response.content.decode()
    sides = client.get(dashboard, {"a": "side:marketing", "b": "side:technology"})
    perception = {row.item.code: row for row in sides.context["report"].perception}
    assert perception["own-apps-should"].b.misperceives  # technology, now on the right


def test_the_dashboard_in_german_words_the_perception(pworkshop, people):
    _mispredicting(people)
    client = client_for(pworkshop.owner)
    client.cookies["django_language"] = "de"
    html = client.get(
        reverse("workshops:dashboard", args=[pworkshop.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "Was jede Seite von der anderen erwartet" in html
    assert "erwartet von CMO die Antwort „CIO / IT“" in html


# The run-sheet and the report ------------------------------------------------------------------


def test_the_run_sheet_marks_misperceptions_and_discusses_them(pworkshop, people):
    _mispredicting(people)
    response = client_for(pworkshop.owner).get(reverse("workshops:run_sheet", args=[pworkshop.pk]))
    html = response.content.decode()
    security = _q(pworkshop, "wow-security-flex")
    blocks = response.context["blocks"]
    discussed = {entry.question.pk: entry for block in blocks for entry in block.items}
    confirmed = {entry.question.pk for block in blocks for entry in block.agreements}
    # They agree on security, but the CMO misreads the CIO: discussed, not only confirmed.
    assert security.pk in discussed and security.pk not in confirmed
    assert discussed[security.pk].perception.has_misperception
    item = html[html.index(f'id="item-{security.pk}"') :]
    item = item[: item.index("</li>")]
    assert "Misperception" in item
    assert "CMO expects CIO to answer" in item


def test_the_report_has_a_perception_part(pworkshop, people):
    _mispredicting(people)
    html = (
        client_for(pworkshop.owner)
        .get(reverse("workshops:report", args=[pworkshop.pk]))
        .content.decode()
    )
    part = html[html.index('id="report-perception"') :]
    part = part[: part.index("</section>")]
    assert "What CIO expected" in part and "What CMO expected" in part
    assert "CIO expects CMO to answer “CIO / IT”; CMO in fact answered “CMO / marketing”." in part
    assert "Hidden agreement: CMO believes they are apart, but they agree." in part


# Queries stay constant -----------------------------------------------------------------------


def _populate_with_predictions(workshop: Workshop, participants: int) -> None:
    roles = [Role.CIO, Role.CMO] + [
        Role.HEAD_IT if i % 2 else Role.HEAD_MARKETING for i in range(participants - 2)
    ]
    answer_sets = [CIO_ANSWERS, CMO_ANSWERS, HEAD_MARKETING_ANSWERS]
    codes = {*CIO_ANSWERS, *CMO_ANSWERS} | {f"{code}-predicted" for code in PREDICTED}
    questions = {code: question(code, workshop.questionnaire) for code in codes}
    answers = []
    for index, role in enumerate(roles):
        invitation = invite(workshop, f"Executive {index}", role)
        response = Response.objects.create(
            questionnaire=workshop.questionnaire,
            status=ResponseStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        invitation.participant.response = response
        invitation.participant.save(update_fields=["response"])
        chosen = dict(answer_sets[index % len(answer_sets)])
        other = answer_sets[(index + 1) % 2]  # a guess: what the other side's CxO said
        chosen.update({f"{code}-predicted": other[code] for code in PREDICTED if code in other})
        answers += [
            Answer(response=response, question=questions[code], value=value)
            for code, value in chosen.items()
        ]
    Answer.objects.bulk_create(answers)
    Response.objects.filter(participant__workshop=workshop).recount_answers()


@pytest.mark.parametrize("participants", [2, 60])
@pytest.mark.parametrize("page", ["dashboard", "comparison", "agenda", "run_sheet", "report"])
def test_pages_with_predictions_use_a_constant_number_of_queries(
    pworkshop, django_assert_max_num_queries, participants, page
):
    _populate_with_predictions(pworkshop, participants)
    client = client_for(pworkshop.owner)
    url = reverse(f"workshops:{page}", args=[pworkshop.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    if page in ("dashboard", "run_sheet", "report"):
        assert response.context["report"].perception


# What leaves the app, and what executives read after the reveal --------------------------------


def test_exports_mark_the_predictions(pworkshop, people):
    _mispredicting(people)
    client = client_for(pworkshop.owner)
    response = client.get(reverse("workshops:export_csv", args=[pworkshop.pk]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert "Prediction of" in header
    predicted = [line for line in lines if "own-apps-should-predicted" in line]
    assert len(predicted) == 2 and all(",own-apps-should," in line for line in predicted)


def test_the_results_page_shows_predictions_only_after_the_reveal(pworkshop, people):
    _mispredicting(people)
    client = client_for_link(people["cio"])
    results = reverse("workshops:respond_results", args=[people["cio"].participant.pk])
    assert client.get(results).status_code == 404
    pworkshop.revealed_at = timezone.now()
    pworkshop.results_visible_to_participants = True
    pworkshop.save()
    html = client.get(results).content.decode()
    assert "What each expected the other side to answer:" in html


def test_a_prediction_takes_no_decision(pworkshop, people):
    predicted = _q(pworkshop, "own-apps-should-predicted")
    url = reverse("workshops:outcome_decision", args=[pworkshop.pk, predicted.pk])
    response = client_for(pworkshop.owner).post(url, {"state": "agreed", "revision": ""})
    assert response.status_code == 404


def test_the_demo_shows_what_each_side_expected_of_the_other(db):
    """The default questionnaire (v3; the `questionnaire` fixture is v2) asks predictions;
    the demo's CIO and CMO make them."""
    from surveys.loading import DEFAULT_QUESTIONNAIRE, load_questionnaire
    from workshops.demo import seed_demo

    workshop, _, _ = seed_demo(load_questionnaire(DEFAULT_QUESTIONNAIRE)[0])
    response = client_for(workshop.owner).get(reverse("workshops:dashboard", args=[workshop.pk]))
    report = response.context["report"]
    assert any(row.predicted for row in report.perception)
    assert any(row.findings for row in report.perception)
