"""The dashboard's figures kept in Django's cache under the workshop's dashboard version
(`workshops.dashboard.caching`): served again while nothing changes, and every change to an
answer, a response, a participant or a coding moves the version on in its own transaction, so
the next refresh shows it (on any app server: see tests/workshops/test_two_app_servers.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from surveys.answering import save_answer
from surveys.models import Answer
from workshops.dashboard import caching
from workshops.dashboard.report import Report
from workshops.models import Workshop
from workshops.services import edit_participant, remove_participant, reopen_answers

from ..conftest import client_for
from ..factories import give_answers, question

pytestmark = pytest.mark.django_db


def dashboard(client, workshop, page="dashboard", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(reverse(f"workshops:{page}", args=[workshop.pk]) + f"?{query}")
    assert response.status_code == 200
    return response


def figures(response) -> str:
    """The part of the dashboard kept in the cache (the header around it is built from the
    participants on every request)."""
    html = response.text
    return html[html.index('id="dashboard-live"') : html.index('class="live-status"')]


def version(workshop) -> int:
    return Workshop.objects.values_list("dashboard_version", flat=True).get(pk=workshop.pk)


def agreement(html: str, code: str) -> str:
    """The label of one question on the comparison page."""
    return re.search(rf'<article class="cmp-row cmp-(\w+)" id="q-{code}"', html).group(1)


@pytest.fixture
def answered(cio, cmo):
    give_answers(cio, {"obj-channels": 5, "val-success": "Faster releases"})
    give_answers(cmo, {"obj-channels": 5})
    return cio, cmo


@pytest.fixture
def computed():
    """How many reports were computed (a page served from the cache computes none)."""
    with mock.patch.object(Report, "load", side_effect=Report.load) as load:
        yield load


def test_an_unchanged_workshop_is_served_from_the_cache(
    alice_client, bob, workshop, answered, computed
):
    first = dashboard(alice_client, workshop).text
    assert computed.call_count == 1
    again = dashboard(alice_client, workshop).text
    assert "Draft · 1 answered" in again and "Draft · 2 answered" in again
    assert dashboard(client_for(bob), workshop).status_code == 200  # any facilitator
    assert computed.call_count == 1
    assert "Marcus Reyes" in first
    dashboard(alice_client, workshop, submitted=1)  # another question asked
    dashboard(alice_client, workshop, page="comparison")  # another page
    assert computed.call_count == 3


def test_nothing_is_kept_before_anyone_has_a_response(alice_client, workshop, cio, cmo, computed):
    dashboard(alice_client, workshop)
    dashboard(alice_client, workshop)
    assert computed.call_count == 2


def test_a_new_answer_changes_the_dashboard(alice_client, workshop, answered):
    cio, cmo = answered
    assert "Draft · 1 answered" in dashboard(alice_client, workshop).text
    before = version(workshop)
    give_answers(cmo, {"obj-engagement": 2})
    assert version(workshop) > before
    refreshed = alice_client.get(
        reverse("workshops:dashboard", args=[workshop.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Draft · 2 answered" in refreshed.text
    assert "Draft · 1 answered" not in refreshed.text


def test_a_changed_answer_changes_the_comparison(alice_client, workshop, answered):
    cio, cmo = answered
    assert agreement(dashboard(alice_client, workshop, "comparison").text, "obj-channels") == (
        "agree"
    )
    stored = Answer.objects.get(response=cmo.participant.response, question__code="obj-channels")
    result = save_answer(
        cmo.participant.response,
        question("obj-channels"),
        value=1,
        is_unknown=False,
        base_revision=stored.revision,
    )
    assert result.status == "saved"
    html = dashboard(alice_client, workshop, "comparison").text
    assert agreement(html, "obj-channels") == "differ"


def test_a_change_rolled_back_leaves_the_version_as_it_was(workshop, answered):
    """The version moves in the transaction that changes the answer: both or neither."""
    cio, cmo = answered
    before = version(workshop)
    with pytest.raises(RuntimeError), transaction.atomic():
        give_answers(cmo, {"obj-engagement": 2})
        assert version(workshop) > before
        raise RuntimeError("the request failed after saving")
    assert version(workshop) == before
    assert not Answer.objects.filter(question__code="obj-engagement").exists()


def test_a_write_that_bypasses_the_models_must_say_so(alice_client, workshop, answered):
    """A queryset update sends no signal: the cache keeps serving what it had, until the
    writer calls `dashboard_changed()` as the rule says (see dashboard/freshness.py)."""
    cio, cmo = answered
    assert agreement(dashboard(alice_client, workshop, "comparison").text, "obj-channels") == (
        "agree"
    )
    stored = Answer.objects.filter(response=cmo.participant.response, question__code="obj-channels")
    stored.update(value=1)
    assert agreement(dashboard(alice_client, workshop, "comparison").text, "obj-channels") == (
        "agree"
    )
    Workshop.objects.filter(pk=workshop.pk).dashboard_changed()
    html = dashboard(alice_client, workshop, "comparison").text
    assert agreement(html, "obj-channels") == "differ"


def test_a_deleted_answer_changes_the_dashboard(alice_client, workshop, answered):
    cio, cmo = answered
    assert "Draft · 1 answered" in dashboard(alice_client, workshop).text
    Answer.objects.filter(response=cmo.participant.response, question__code="obj-channels").delete()
    html = dashboard(alice_client, workshop).text
    assert "Draft · 2 answered" in html and "Opened, nothing answered yet" in html


def test_participant_changes_show(alice, alice_client, workshop, answered):
    cio, cmo = answered
    assert "Marcus Reyes" in figures(dashboard(alice_client, workshop))
    edit_participant(
        cmo.participant, actor=alice, name="Marcus Renamed", email="", role="cmo", side="marketing"
    )
    assert "Marcus Renamed" in figures(dashboard(alice_client, workshop))
    remove_participant(cmo.participant, actor=alice)
    assert "Marcus Renamed" not in figures(dashboard(alice_client, workshop))


def test_submitting_and_reopening_change_the_dashboard(
    alice, alice_client, workshop, questionnaire, answered
):
    """Both change the response's status with a queryset update, and say so."""
    from .test_respond import complete_answers

    cio, cmo = answered
    give_answers(cio, complete_answers(questionnaire))
    cio_client = Client()
    cio_client.get(cio.path)
    assert "Submitted · " not in dashboard(alice_client, workshop).text
    submit_url = reverse("workshops:respond_submit", args=[cio.participant.pk])
    assert cio_client.post(submit_url, {"unfinished_seen": "0"}).status_code == 302
    assert "Submitted · " in dashboard(alice_client, workshop).text
    cio.participant.refresh_from_db()
    reopen_answers(cio.participant, actor=alice)
    assert "Submitted · " not in dashboard(alice_client, workshop).text


def test_a_coding_changes_the_dashboard(alice_client, workshop, answered):
    cio, cmo = answered
    give_answers(cmo, {"val-success": "Customers love it"})
    html = dashboard(alice_client, workshop, "comparison").text
    assert agreement(html, "val-success") == "none"
    code_url = reverse("workshops:code_text", args=[workshop.pk, question("val-success").pk])
    posted = {"a": "role:cio", "b": "role:cmo", "verdict": "agree"}
    assert alice_client.post(code_url, posted).status_code == 302
    assert agreement(dashboard(alice_client, workshop, "comparison").text, "val-success") == "agree"
    assert alice_client.post(code_url, {**posted, "verdict": ""}).status_code == 302
    assert agreement(dashboard(alice_client, workshop, "comparison").text, "val-success") == "none"


def test_an_answer_changed_in_the_admin_changes_the_dashboard(alice_client, workshop, answered):
    from django.contrib.auth import get_user_model

    cio, cmo = answered
    stored = Answer.objects.get(response=cmo.participant.response, question__code="obj-channels")
    assert agreement(dashboard(alice_client, workshop, "comparison").text, "obj-channels") == (
        "agree"
    )
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", password="x" * 20))
    change_url = reverse("admin:surveys_answer_change", args=[stored.pk])
    posted = {
        "response": stored.response_id,
        "question": stored.question_id,
        "value": "1",
        "is_unknown": "",
    }
    assert admin.post(change_url, posted).status_code == 302
    html = dashboard(alice_client, workshop, "comparison").text
    assert agreement(html, "obj-channels") == "differ"


def test_a_stale_copy_of_the_workshop_never_turns_its_version_back(workshop, answered):
    cio, cmo = answered
    stale = Workshop.objects.get(pk=workshop.pk)
    give_answers(cmo, {"obj-engagement": 2})
    moved = version(workshop)
    stale.title = "Renamed from a copy read before the answer"
    stale.save()
    assert version(workshop) == moved
    assert Workshop.objects.get(pk=workshop.pk).title.startswith("Renamed")


def test_the_key_names_the_version_the_pair_the_page_and_the_language(workshop, answered):
    workshop.refresh_from_db()
    key = caching.page_key(workshop, "dashboard", a="role:cio", b="role:cmo")
    assert caching.page_key(workshop, "dashboard", a="role:cio", b="role:cmo") == key
    assert caching.page_key(workshop, "dashboard", a="side:technology", b="role:cmo") != key
    assert caching.page_key(workshop, "comparison", a="role:cio", b="role:cmo") != key
    with translation.override("de"):
        assert caching.page_key(workshop, "dashboard", a="role:cio", b="role:cmo") != key
    workshop.dashboard_version += 1
    assert caching.page_key(workshop, "dashboard", a="role:cio", b="role:cmo") != key


def _figures_without_tokens(html: str) -> str:
    figures = html[html.index('id="comparison-live"') : html.index('class="live-status"')]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", figures)


def test_the_cached_comparison_gives_each_facilitator_a_coding_form_of_their_own(
    alice_client, bob, workshop, answered, computed
):
    """The comparison is kept with its coding forms; each is served with the CSRF token of
    whoever asked, never another facilitator's or the placeholder."""
    cio, cmo = answered
    give_answers(cmo, {"val-success": "Customers love it"})
    first = dashboard(alice_client, workshop, "comparison").text
    again = dashboard(alice_client, workshop, "comparison").text
    assert computed.call_count == 1
    assert _figures_without_tokens(again) == _figures_without_tokens(first)
    assert caching.CSRF_PLACEHOLDER not in first

    bob_client = Client(enforce_csrf_checks=True)
    bob_client.force_login(bob)
    page = dashboard(bob_client, workshop, "comparison").text
    assert computed.call_count == 1  # from the cache
    form = page[page.index('id="q-val-success"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    code_url = reverse("workshops:code_text", args=[workshop.pk, question("val-success").pk])
    posted = {"a": "role:cio", "b": "role:cmo", "verdict": "agree", "csrfmiddlewaretoken": token}
    assert bob_client.post(code_url, posted).status_code == 302


@pytest.mark.parametrize("page", ["dashboard", "comparison", "agenda"])
def test_with_the_production_cache_a_page_stays_within_ten_queries(
    settings, alice_client, workshop, answered, page, django_assert_max_num_queries
):
    """The shared database cache, as in production: computing and keeping a page (a miss) and
    serving it again (a hit) both stay within the project's limit."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.UpsertDatabaseCache",
            "LOCATION": "common_ground_cache",
        },
    }
    call_command("createcachetable", verbosity=0)
    # One write in fifty also prunes expired entries (one statement more): not this one.
    no_prune = mock.patch("config.cache.random.randrange", return_value=1)
    with no_prune, django_assert_max_num_queries(10):
        computed = dashboard(alice_client, workshop, page=page)
    with django_assert_max_num_queries(6):
        served = dashboard(alice_client, workshop, page=page)
    assert computed.status_code == served.status_code == 200
    assert "Marcus Reyes" in served.text


def test_the_upsert_cache_writes_reads_and_replaces_like_djangos(
    settings, django_assert_num_queries
):
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.UpsertDatabaseCache",
            "LOCATION": "common_ground_cache",
        },
    }
    call_command("createcachetable", verbosity=0)
    shared = caches["default"]
    shared.set("a", {"n": 1}, 60)
    shared.set("a", {"n": 2}, 60)  # replaced, not duplicated
    assert shared.get("a") == {"n": 2}
    shared.set("gone", 1, -1)  # already expired
    assert shared.get("gone") is None
    with (
        # several entries, one statement (on a write that does not prune: one in PRUNE_EVERY
        # also deletes what has expired, a second statement checked below)
        mock.patch("config.cache.random.randrange", return_value=1),
        django_assert_num_queries(1),
    ):
        shared.set_many({"a": 3, "b": [4], "c": "five"}, 60)
    assert shared.get_many(["a", "b", "c"]) == {"a": 3, "b": [4], "c": "five"}
    shared.set("old", 1, 60)
    later = timezone.now() + timedelta(hours=1)
    with (
        mock.patch("config.cache.tz_now", return_value=later),
        mock.patch("config.cache.random.randrange", return_value=0),  # prune on this write
    ):
        shared.set("new", 2, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM common_ground_cache")
        kept = {key for (key,) in cursor.fetchall()}
    assert not any(key.endswith(":old") for key in kept)
    assert any(key.endswith(":new") for key in kept)
