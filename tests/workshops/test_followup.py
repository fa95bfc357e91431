"""Run again: a follow-up workshop, the client's trend across workshops, then and now."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.loading import V2_QUESTIONNAIRE, load_questionnaire
from workshops.dashboard.loading import WorkshopAnswers, people_of
from workshops.dashboard.report import Report
from workshops.models import AuditEvent, Participant, Workshop, WorkshopStatus

from ..conftest import client_for
from ..factories import give_answers, invite, make_workshop


def _dashboard_score(workshop: Workshop) -> int | None:
    workshop = Workshop.objects.select_related("questionnaire").get(pk=workshop.pk)
    people = people_of([workshop])[workshop.pk]
    a, b = WorkshopAnswers(workshop=workshop, sections=[], people=people).pair("", "")
    return Report.load(workshop, people, a, b).overall.score


def _run_again(client, workshop: Workshop, **data) -> Workshop:
    response = client.post(
        reverse("workshops:run_again", args=[workshop.pk]), {"title": "Again", **data}
    )
    assert response.status_code == 302
    return Workshop.objects.get(follows=workshop)


def test_run_again_makes_a_linked_draft_with_the_same_executives(
    alice_client, bob, workshop, cio, cmo
):
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    page = alice_client.get(reverse("workshops:run_again", args=[workshop.pk]))
    assert page.status_code == 200
    assert "Mobile strategy 2027: follow-up" in page.text
    follow_up = _run_again(alice_client, workshop, newest="on")
    assert (follow_up.organisation, follow_up.follows) == (workshop.organisation, workshop)
    assert follow_up.status == WorkshopStatus.DRAFT
    assert list(follow_up.co_facilitators.all()) == [bob]
    people = list(Participant.objects.filter(workshop=follow_up).order_by("pk"))
    assert [(p.name, p.role, p.email) for p in people] == [
        ("Dana Whitfield", "cio", "dana@example.com"),
        ("Marcus Reyes", "cmo", "marcus@example.com"),
    ]
    assert all(p.response_id is None and p.invited_at is None for p in people)
    assert not {p.token_hash for p in people} & {cio.participant.token_hash}
    assert AuditEvent.objects.filter(workshop=follow_up, action="run_again").exists()


def test_run_again_offers_the_newest_questionnaire_version(alice_client, workshop):
    newest = load_questionnaire(V2_QUESTIONNAIRE)[0]
    older = type(newest).objects.create(slug=newest.slug, version=newest.version - 1, title="Old")
    Workshop.objects.filter(pk=workshop.pk).update(questionnaire=older)
    workshop.refresh_from_db()
    page = alice_client.get(reverse("workshops:run_again", args=[workshop.pk]))
    assert "Use the newest version of the questionnaire" in page.text
    assert _run_again(alice_client, workshop, newest="on").questionnaire == newest
    Workshop.objects.filter(follows=workshop).delete()
    assert _run_again(alice_client, workshop).questionnaire == older


def test_the_client_page_charts_alignment_over_time(alice_client, alice, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 2, "obj-engagement": 2, "own-apps-today": "cio"})
    give_answers(cmo, {"obj-channels": 5, "obj-engagement": 5, "own-apps-today": "cmo"})
    follow_up = _run_again(alice_client, workshop)
    again = {p.role: p for p in Participant.objects.filter(workshop=follow_up)}
    from workshops.services import Invitation

    give_answers(Invitation(again["cio"], ""), {"obj-channels": 4, "obj-engagement": 4})
    give_answers(Invitation(again["cmo"], ""), {"obj-channels": 4, "obj-engagement": 5})
    response = alice_client.get(reverse("workshops:client", args=[workshop.organisation_id]))
    assert response.status_code == 200
    trend = response.context["trend"]
    # The dashboard's own figures, workshop by workshop.
    assert trend.overall.scores == [_dashboard_score(workshop), _dashboard_score(follow_up)]
    assert trend.overall.scores[1] > trend.overall.scores[0]
    objectives = next(s for s in trend.sections if s.code == "objectives")
    assert objectives.change == trend.overall.change or objectives.change > 0
    codes = [q.code for q in trend.questions]
    assert "obj-channels" in codes
    channels = next(q for q in trend.questions if q.code == "obj-channels")
    assert channels.scores[1] == 100
    html = response.text
    assert "<polyline" in html and "Alignment over time" in html
    assert follow_up.title in html and workshop.title in html


def test_then_and_now_compares_a_follow_up_with_the_workshop_it_follows(
    alice_client, workshop, cio, cmo
):
    give_answers(cio, {"obj-channels": 2})
    give_answers(cmo, {"obj-channels": 5})
    follow_up = _run_again(alice_client, workshop)
    dashboard = alice_client.get(reverse("workshops:dashboard", args=[follow_up.pk]))
    url = reverse("workshops:then_and_now", args=[follow_up.pk])
    assert url in dashboard.text
    response = alice_client.get(url + "?a=side:technology&b=side:marketing")
    assert response.status_code == 200
    assert response.context["trend"].a_label == "Technology side"
    assert [w.pk for w in response.context["trend"].workshops] == [workshop.pk, follow_up.pk]
    # A workshop that follows none has no "then".
    first = alice_client.get(reverse("workshops:then_and_now", args=[workshop.pk]))
    assert first.status_code == 200 and first.context["trend"] is None
    assert "is not a follow-up" in first.text


def test_the_client_page_follows_up_each_workshop_s_kpis_and_actions(alice_client, alice, workshop):
    from .populate import populate, record_outcome

    populate(workshop, 3)
    record_outcome(workshop, alice)  # review 31 March 2026, passed; one action of two done
    html = alice_client.get(reverse("workshops:client", args=[workshop.organisation_id])).text
    part = html[html.index('id="client-outcomes"') :]
    assert "1 of 2 actions done" in part
    assert "Checkout conversion" in part and "target 3.50 %" in part
    assert "2 % at the session" in part and "review was due 31 Mar 2026" in part


def test_a_client_page_is_only_for_its_facilitators(charlie, alice_client, workshop):
    url = reverse("workshops:client", args=[workshop.organisation_id])
    assert client_for(charlie).get(url).status_code == 404
    assert alice_client.get(url).status_code == 200


@pytest.mark.parametrize("size", [2, 4])
def test_follow_up_pages_use_a_constant_number_of_queries(
    alice, alice_client, django_assert_max_num_queries, size
):
    first = make_workshop(alice, organisation="Northwind")
    for index in range(size):
        give_answers(invite(first, f"CIO {index}", "cio"), {"obj-channels": 3})
        give_answers(invite(first, f"CMO {index}", "cmo"), {"obj-channels": 4})
    latest = first
    for _ in range(size):
        latest = _run_again(alice_client, latest)
    for person in Participant.objects.filter(workshop=latest):
        from workshops.services import Invitation

        give_answers(Invitation(person, ""), {"obj-channels": 4})
    from .populate import record_outcome

    record_outcome(first, alice)
    for url in [
        reverse("workshops:client", args=[first.organisation_id]),
        reverse("workshops:then_and_now", args=[latest.pk]),
        reverse("workshops:run_again", args=[latest.pk]),
    ]:
        with django_assert_max_num_queries(10):
            assert alice_client.get(url).status_code == 200
