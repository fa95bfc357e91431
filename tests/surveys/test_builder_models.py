"""The builder's models: who owns, sees and edits a questionnaire, drafts and versions, the
audit trail, and that a draft is never offered to a workshop nor answered."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from surveys.access import can_edit, get_questionnaire_for_user
from surveys.builder import NotADraft, StaleRevision, claim, copy_questionnaire
from surveys.models import (
    ChangeAction,
    Question,
    Questionnaire,
    QuestionnaireChange,
    QuestionnaireStatus,
    Response,
)
from workshops.forms import WorkshopForm

from ..factories import make_workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices(alice, bob, questionnaire) -> Questionnaire:
    """Alice's own copy of the default, shared with Bob."""
    draft = copy_questionnaire(questionnaire, actor=alice, title="Acme's questionnaire")
    draft.shared_with.add(bob)
    return draft


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_loaded_questionnaire_is_built_in_and_published(questionnaire):
    assert questionnaire.owner is None
    assert questionnaire.status == QuestionnaireStatus.PUBLISHED
    assert questionnaire.is_built_in and not questionnaire.is_draft


def test_the_status_is_checked_by_the_database(questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.filter(pk=questionnaire.pk).update(status="archived")


def test_a_change_action_is_checked_by_the_database(questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireChange.objects.create(questionnaire=questionnaire, action="rewrote")


def test_a_copy_is_a_draft_of_every_question_keeping_their_codes(alices, alice, questionnaire):
    assert alices.owner == alice and alices.is_draft and alices.based_on == questionnaire
    assert alices.slug != questionnaire.slug and alices.version == 1
    codes = list(
        Question.objects.filter(section__questionnaire=questionnaire)
        .order_by("section__position", "position")
        .values_list("code", "kind", "scale_max")
    )
    copied = list(
        Question.objects.filter(section__questionnaire=alices)
        .order_by("section__position", "position")
        .values_list("code", "kind", "scale_max")
    )
    assert copied == codes and len(codes) > 10
    change = alices.changes.get()
    assert change.action == ChangeAction.COPIED and change.actor == alice


def test_copying_costs_the_same_queries_whatever_the_size(
    alice, questionnaire, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        copy_questionnaire(questionnaire, actor=alice)


def test_a_new_version_keeps_the_lineage_and_an_open_draft_is_reused(alice, bob, alices):
    Questionnaire.objects.filter(pk=alices.pk).update(status=QuestionnaireStatus.PUBLISHED)
    alices.refresh_from_db()
    draft = copy_questionnaire(alices, actor=bob, new_version=True)
    assert (draft.slug, draft.version, draft.owner) == (alices.slug, 2, alice)
    assert list(draft.shared_with.all()) == [bob]
    assert copy_questionnaire(alices, actor=bob, new_version=True) == draft


def test_who_sees_and_who_edits(alice, bob, charlie, alices, questionnaire):
    assert set(Questionnaire.objects.visible_to(charlie)) == {questionnaire}
    assert set(Questionnaire.objects.visible_to(bob)) == {questionnaire, alices}
    assert set(Questionnaire.objects.editable_by(alice)) == {alices}
    assert set(Questionnaire.objects.editable_by(bob)) == {alices}
    assert not Questionnaire.objects.editable_by(charlie).exists()
    assert get_questionnaire_for_user(request_by(bob), alices.pk, edit=True) == alices
    assert get_questionnaire_for_user(request_by(charlie), questionnaire.pk) == questionnaire
    with pytest.raises(Http404):
        get_questionnaire_for_user(request_by(charlie), alices.pk)
    with pytest.raises(Http404):
        get_questionnaire_for_user(request_by(alice), questionnaire.pk, edit=True)
    assert can_edit(request_by(bob), alices) and not can_edit(request_by(alice), questionnaire)


def test_a_stale_revision_is_refused_and_a_published_version_never_changes(alices, questionnaire):
    with transaction.atomic():
        assert claim(alices, 0) == 1
    with pytest.raises(StaleRevision):
        claim(alices, 0)
    with pytest.raises(NotADraft):
        claim(questionnaire, questionnaire.edit_revision)


def test_a_draft_is_never_answered(alices):
    with pytest.raises(ValueError, match="draft"):
        Response.objects.create(questionnaire=alices)


def test_a_workshop_cannot_use_a_draft(alice, alices):
    with pytest.raises(ValidationError):
        make_workshop(alice, questionnaire=alices)


def test_the_workshop_form_offers_only_published_questionnaires_one_may_use(
    alice, bob, charlie, alices, questionnaire
):
    mine_published = copy_questionnaire(questionnaire, actor=alice, title="Published one")
    Questionnaire.objects.filter(pk=mine_published.pk).update(status=QuestionnaireStatus.PUBLISHED)
    offered = {
        who: set(WorkshopForm(user=user).fields["questionnaire"].queryset)
        for who, user in {"alice": alice, "bob": bob, "charlie": charlie}.items()
    }
    assert offered["alice"] == {questionnaire, mine_published}
    assert offered["charlie"] == {questionnaire}
    assert offered["bob"] == {questionnaire}  # not shared with him
    mine_published.shared_with.add(bob)
    assert set(WorkshopForm(user=bob).fields["questionnaire"].queryset) == {
        questionnaire,
        mine_published,
    }


def test_posting_a_draft_for_a_workshop_is_refused(alice_client, alices):
    page = alice_client.post(
        reverse("workshops:create"),
        {
            "title": "Drafty",
            "new_client": "Acme",
            "questionnaire": alices.pk,
            "scheduled_at": "2097-03-04T09:30",
            "answer_by": "2097-03-01",
        },
    )
    assert page.status_code == 200
    assert "Select a valid choice" in page.text


def test_a_change_is_words_in_the_readers_language(alices):
    change = alices.changes.get()
    assert "Copied from" in change.text
    with translation.override("de"):
        assert "Kopiert" in change.text
