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


def test_run_again_never_offers_a_version_the_owner_may_not_use(alice_client, charlie, workshop):
    """A newer version its owner has not shared with the workshop's owner (charlie's lineage,
    shared with alice up to the version her workshop uses) is not offered: its questions would
    be shown to someone it is not shared with."""
    newest = load_questionnaire(V2_QUESTIONNAIRE)[0]
    older = type(newest).objects.create(
        slug=newest.slug, version=newest.version - 1, title="Old", owner=charlie
    )
    older.shared_with.add(workshop.owner)
    type(newest).objects.filter(pk=newest.pk).update(owner=charlie)  # not shared with alice
    Workshop.objects.filter(pk=workshop.pk).update(questionnaire=older)
    assert _run_again(alice_client, workshop, newest="on").questionnaire == older


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
    assert "Checkout conversion" in part and "target 3.5 %" in part
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


@pytest.fixture
def fresh_structure():
    """The test adds a question to the loaded questionnaire (as its next version's file would
    have it): forget the per-process memo of its structure before and after."""
    from workshops.dashboard.loading import _frozen_items

    _frozen_items.cache_clear()
    yield
    _frozen_items.cache_clear()


def test_the_client_page_says_whether_each_kpi_met_its_target(
    alice_client, alice, workshop, django_assert_max_num_queries, fresh_structure
):
    """A KPI is judged by a later workshop: the value recorded there for the same KPI, else the
    median of its executives' "today" answers, else "not measured yet"; actions are listed."""
    from datetime import date, datetime

    from django.utils import timezone

    from surveys.models import Question
    from workshops.outcome import save_kpi
    from workshops.services import Invitation

    from ..factories import question
    from .populate import populate, record_outcome

    conversion = question("kpi-conversion", workshop.questionnaire)
    Question.objects.create(
        section=conversion.section,
        position=999,
        code="kpi-conversion-today",
        kind="numeric",
        prompt="What is our mobile conversion rate today?",
        unit="%",
        min_value=0,
        max_value=100,
    )
    populate(workshop, 3)
    record_outcome(workshop, alice, signed=False)  # "Checkout conversion" 2 % -> 3.5 %
    for name, values in (
        ("Conversion (from the question)", {"question": conversion, "target": 3.0}),
        ("Load time", {"target": 2.0, "current_value": 4.0, "unit": "s"}),
        ("Adoption", {"target": 50.0}),
    ):
        save_kpi(
            workshop=workshop,
            kpi=None,
            values={"name": name, "review_on": date(2026, 6, 30), **values},
            base_revision=None,
            actor=alice,
        )
    first_day = timezone.make_aware(datetime(2026, 1, 15, 9))
    Workshop.objects.filter(pk=workshop.pk).update(scheduled_at=first_day)
    spring = _run_again(alice_client, workshop)
    autumn = _run_again(alice_client, spring)
    Workshop.objects.filter(pk=spring.pk).update(
        scheduled_at=timezone.make_aware(datetime(2026, 4, 20, 9))
    )
    Workshop.objects.filter(pk=autumn.pk).update(
        scheduled_at=timezone.make_aware(datetime(2026, 9, 14, 9))
    )
    # Spring: the room records checkout conversion at 3.6 % (met, after its review date)...
    save_kpi(
        workshop=spring,
        kpi=None,
        values={"name": "Checkout conversion", "current_value": 3.6, "target": 4.0},
        base_revision=None,
        actor=alice,
    )
    # ... autumn: the executives estimate today's conversion (2.5, 2.8, 3.4: median 2.8, not
    # met) and the room records the load time at 1.8 s (met: lower is better here).
    for person, value in zip(
        Participant.objects.filter(workshop=autumn).order_by("pk"), (2.5, 2.8, 3.4), strict=True
    ):
        give_answers(Invitation(person, ""), {"kpi-conversion-today": value})
    save_kpi(
        workshop=autumn,
        kpi=None,
        values={"name": "load time", "current_value": 1.8},
        base_revision=None,
        actor=alice,
    )
    alice_client.get(reverse("workshops:client", args=[workshop.organisation_id]))  # warm
    with django_assert_max_num_queries(10):  # the KPIs' "today" answers read too
        response = alice_client.get(reverse("workshops:client", args=[workshop.organisation_id]))
    checks = {kpi.name: kpi for kpi in dict(response.context["outcomes"])[workshop].kpis}
    checkout = checks["Checkout conversion"]
    assert (checkout.measured.value, checkout.measured.workshop, checkout.met) == (
        3.6,
        spring,
        True,
    )
    assert checkout.measured_after_review
    from_question = checks["Conversion (from the question)"]
    assert from_question.measured.source == "estimated" and from_question.measured.answers == 3
    assert (from_question.measured.value, from_question.met) == (2.8, False)
    load_time = checks["Load time"]
    assert (load_time.measured.value, load_time.higher_is_better, load_time.met) == (
        1.8,
        False,
        True,
    )
    assert checks["Adoption"].measured is None and checks["Adoption"].met is None
    part = response.text[response.text.index('id="client-outcomes"') :]
    assert "Target met" in part and "Target not met" in part and "Not measured yet" in part
    assert "by the estimate of 3 executives (median)" in part
    assert "Draft the app brief" in part and "Done" in part  # the actions, with their status
    # The chart dates each workshop by its session: three distinct days on the axis.
    chart = response.text[response.text.index('class="trend-svg"') :]
    for day in ("15 Jan 2026", "20 Apr 2026", "14 Sep 2026"):
        assert day in chart


def test_a_follow_up_s_board_says_nobody_has_been_invited_yet(alice_client, workshop, cio, cmo):
    follow_up = _run_again(alice_client, workshop)
    board = alice_client.get(reverse("workshops:detail", args=[follow_up.pk])).text
    # Their new links were neither shown nor emailed: the board must not say they were.
    assert board.count("Not invited yet") == 2
    assert "Link shown" not in board
    assert "Nobody to remind yet: 2 people have not been invited." in board
    dana, marcus = Participant.objects.filter(workshop=follow_up).order_by("pk")
    alice_client.post(reverse("workshops:participant_invite", args=[follow_up.pk, dana.pk]))
    alice_client.post(reverse("workshops:participant_new_link", args=[follow_up.pk, marcus.pk]))
    board = alice_client.get(reverse("workshops:detail", args=[follow_up.pk])).text
    assert "Not invited yet" not in board
    assert "Email queued" in board
    assert "Link shown" in board


def test_a_follow_up_s_executives_are_invited_in_one_go(alice_client, workshop, cio, cmo):
    from django.core import mail

    from ..factories import run_queued_tasks

    Participant.objects.filter(pk=cmo.participant.pk).update(email="")  # no address: named
    follow_up = _run_again(alice_client, workshop)
    board = alice_client.get(reverse("workshops:detail", args=[follow_up.pk])).text
    assert "Email the invitation to everyone not invited yet (2)" in board
    # Reminders are not for them: nobody is said to hold a link the facilitator passes on.
    page = alice_client.post(reverse("workshops:remind", args=[follow_up.pk]), follow=True).text
    assert "pass their link on yourself" not in page
    assert not mail.outbox
    url = reverse("workshops:invite_not_invited", args=[follow_up.pk])
    assert alice_client.get(url).status_code == 405
    page = alice_client.post(url, follow=True).text
    assert "Invitation queued for 1 participant" in page
    assert "No email address, so not invited: Marcus" in page
    run_queued_tasks()
    assert [message.to for message in mail.outbox] == [[cio.participant.email]]
    invited = Participant.objects.get(workshop=follow_up, email=cio.participant.email)
    assert not invited.link_unsent
    assert invited.token_hash != cio.participant.token_hash
    # The one left without an address keeps the button, and nobody is emailed twice.
    board = alice_client.get(reverse("workshops:detail", args=[follow_up.pk])).text
    assert "Email the invitation to everyone not invited yet (1)" in board
    alice_client.post(url)
    run_queued_tasks()
    assert len(mail.outbox) == 1
