"""The facilitator's home: their workshops with client, status, date and progress."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshops.models import Organisation, Role, Workshop
from workshops.services import remove_participant

from ..factories import give_answers, invite, make_workshop

pytestmark = pytest.mark.django_db

HOME = reverse("workshops:home")


def test_lists_owned_and_co_facilitated_workshops_only(
    alice, bob, charlie, workshop, other_workshop, client
):
    own = make_workshop(bob, title="Initech roadmap", organisation="Initech")
    client.force_login(bob)
    page = client.get(HOME)
    assert page.status_code == 200
    assert workshop.title in page.text  # co-facilitated
    assert own.title in page.text
    assert other_workshop.title not in page.text
    assert "co-facilitating" in page.text


def test_shows_client_status_and_progress(alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    give_answers(cmo, {"obj-channels": 2})
    page = alice_client.get(HOME)
    assert "Acme Retail" in page.text
    assert "Collecting answers" in page.text
    assert "1 of 2 submitted" in page.text


def test_removed_participants_do_not_count_in_progress(alice, alice_client, workshop, cio, cmo):
    give_answers(cio, {"obj-channels": 4}, submitted=True)
    remove_participant(cmo.participant, actor=alice)
    assert "1 of 1 submitted" in alice_client.get(HOME).text


def test_a_workshop_without_participants_says_so(alice_client, workshop):
    assert "No participants yet" in alice_client.get(HOME).text


def test_leaves_an_alignment_column_for_the_dashboard(alice_client, workshop):
    page = alice_client.get(HOME)
    assert '<th scope="col">Alignment</th>' in page.text


def test_search_matches_title_or_client(alice, alice_client, workshop):
    make_workshop(alice, title="Store apps review", organisation="Globex Foods")
    by_title = alice_client.get(HOME, {"q": "store apps"})
    assert "Store apps review" in by_title.text
    assert workshop.title not in by_title.text
    by_client = alice_client.get(HOME, {"q": "acme"})
    assert workshop.title in by_client.text
    assert "Store apps review" not in by_client.text


def test_search_with_no_match_says_so(alice_client, workshop):
    page = alice_client.get(HOME, {"q": "nothing like this"})
    assert "No workshop matches" in page.text


def test_no_workshops_yet_invites_to_create_one(alice_client):
    page = alice_client.get(HOME)
    assert "No workshops yet" in page.text
    assert reverse("workshops:create") in page.text


def _many_workshops(owner, count, questionnaire):
    organisation = Organisation.objects.create(name="Bulk Client")
    Workshop.objects.bulk_create(
        Workshop(
            title=f"Workshop {number:04d}",
            organisation=organisation,
            owner=owner,
            questionnaire=questionnaire,
        )
        for number in range(count)
    )


def test_paginates_twenty_per_page_and_keeps_the_search(alice, alice_client, questionnaire):
    _many_workshops(alice, 45, questionnaire)
    first = alice_client.get(HOME)
    assert first.text.count("Workshop 00") == 20
    assert "page 1 of 3" in first.text
    third = alice_client.get(HOME, {"page": 3})
    assert third.text.count("Workshop 00") == 5
    searched = alice_client.get(HOME, {"q": "Workshop", "page": 2})
    assert "q=Workshop&amp;page=3" in searched.text


def test_an_out_of_range_page_shows_the_last_one(alice, alice_client, questionnaire):
    _many_workshops(alice, 25, questionnaire)
    assert alice_client.get(HOME, {"page": 99}).status_code == 200
    assert alice_client.get(HOME, {"page": "x"}).status_code == 200


@pytest.mark.parametrize("count", [3, 60])
def test_query_count_is_constant(
    alice, alice_client, questionnaire, django_assert_max_num_queries, count
):
    _many_workshops(alice, count, questionnaire)
    for workshop in Workshop.objects.filter(owner=alice)[:3]:
        invite(workshop, "Dana Whitfield", Role.CIO)
        invite(workshop, "Marcus Reyes", Role.CMO)
    # session, user, count, page of workshops with their progress, then three for the
    # alignment of the page's workshops (questions, participants, answers)
    with django_assert_max_num_queries(8):
        page = alice_client.get(HOME)
    assert page.status_code == 200
    with django_assert_max_num_queries(8):
        alice_client.get(HOME, {"q": "Workshop 00", "page": 2})


def test_anonymous_is_sent_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_shows_each_workshops_alignment(alice, alice_client, workshop, cio, cmo):
    answers = {"obj-channels": 5, "obj-engagement": 4, "obj-compliance": 5, "obj-talent": 2}
    give_answers(cio, answers)
    give_answers(cmo, answers)
    page = alice_client.get(HOME)
    assert "Insufficient data" in page.text  # 4 of 42 questions: too few for a figure
    assert reverse("workshops:dashboard", args=[workshop.pk]) in page.text


def test_home_reuses_alignments_until_an_answer_changes(
    alice_client, workshop, cio, cmo, questionnaire, django_assert_max_num_queries
):
    from .test_respond import complete_answers

    answers = complete_answers(questionnaire)
    give_answers(cio, answers)
    give_answers(cmo, answers)
    assert "<strong>100</strong>" in alice_client.get(HOME).text
    # session, user, count, page of workshops with their progress (participants are read only
    # for an alignment not kept)
    with django_assert_max_num_queries(4):
        assert "<strong>100</strong>" in alice_client.get(HOME).text
    scales = {code: 5 for code in answers if code.startswith("obj-") and code != "obj-ranking"}
    give_answers(cmo, scales)  # the CIO answered 1 to each: they now differ
    page = alice_client.get(HOME).text
    assert "<strong>100</strong>" not in page


def test_a_home_of_unchanged_workshops_reads_no_answers(
    alice_client, workshop, cio, cmo, questionnaire
):
    """Whether an alignment computed earlier still holds is told by what answering stores on
    each response (how many questions it answers, when it last changed): the home never counts
    or reads answers while they are unchanged, however many its workshops hold."""
    from .test_respond import complete_answers

    answers = complete_answers(questionnaire)
    give_answers(cio, answers)
    give_answers(cmo, answers)
    alice_client.get(HOME)  # computes the alignment
    with CaptureQueriesContext(connection) as queries:
        assert "<strong>100</strong>" in alice_client.get(HOME).text
    assert not [q["sql"] for q in queries.captured_queries if "surveys_answer" in q["sql"]]
