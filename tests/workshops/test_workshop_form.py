"""Creating and editing a workshop: client chosen or typed, dates, questionnaire, helpers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Questionnaire
from workshops.models import AuditEvent, Organisation, Workshop

from ..factories import give_answers

pytestmark = pytest.mark.django_db

CREATE = reverse("workshops:create")


def edit_url(workshop):
    return reverse("workshops:edit", args=[workshop.pk])


def form_data(**overrides):
    data = {
        "title": "Mobile roadmap 2028",
        "client": "",
        "new_client": "Umbrella Travel",
        "scheduled_at": "2097-03-04T09:30",
        "answer_by": "2097-03-01",
        "co_facilitators": "",
    }
    data.update(overrides)
    return data


def test_the_form_preselects_the_latest_questionnaire(alice_client, questionnaire):
    page = alice_client.get(CREATE)
    assert page.status_code == 200
    assert f'<option value="{questionnaire.pk}" selected>' in page.text


def test_creating_with_a_new_client(alice, alice_client, questionnaire):
    response = alice_client.post(CREATE, form_data(questionnaire=questionnaire.pk))
    workshop = Workshop.objects.get(title="Mobile roadmap 2028")
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:detail", args=[workshop.pk])
    assert workshop.owner == alice
    assert workshop.organisation.name == "Umbrella Travel"
    assert workshop.organisation.created_by == alice
    assert workshop.answer_by.isoformat() == "2097-03-01"
    assert workshop.scheduled_at.hour == 9 and workshop.scheduled_at.minute == 30
    assert workshop.status == "draft"
    assert AuditEvent.objects.filter(workshop=workshop, action="create").exists()


def test_a_pasted_title_with_line_breaks_is_kept_on_one_line(alice_client, questionnaire):
    data = form_data(questionnaire=questionnaire.pk) | {"title": "Mobile\r\nroadmap  2028"}
    assert alice_client.post(CREATE, data).status_code == 302
    assert Workshop.objects.filter(title="Mobile roadmap 2028").exists()


def test_a_typed_client_that_exists_is_reused(alice, alice_client, questionnaire):
    existing = Organisation.objects.create(name="Umbrella Travel", created_by=alice)
    alice_client.post(
        CREATE, form_data(new_client="umbrella  travel", questionnaire=questionnaire.pk)
    )
    assert Workshop.objects.get(title="Mobile roadmap 2028").organisation == existing
    assert Organisation.objects.filter(name__iexact="umbrella travel").count() == 1


def test_another_facilitators_client_is_neither_offered_nor_reused(
    alice_client, other_workshop, questionnaire
):
    page = alice_client.get(CREATE)
    assert "Globex" not in page.text
    alice_client.post(CREATE, form_data(new_client="Globex", questionnaire=questionnaire.pk))
    mine = Workshop.objects.get(title="Mobile roadmap 2028").organisation
    assert mine != other_workshop.organisation


def test_picking_an_existing_client(alice_client, workshop, questionnaire):
    alice_client.post(
        CREATE,
        form_data(client=workshop.organisation.pk, new_client="", questionnaire=questionnaire.pk),
    )
    assert Workshop.objects.get(title="Mobile roadmap 2028").organisation == workshop.organisation


def test_a_client_is_required_and_only_one(alice_client, workshop, questionnaire):
    none = alice_client.post(CREATE, form_data(new_client="", questionnaire=questionnaire.pk))
    assert none.status_code == 200
    assert "type a new client" in none.text
    both = alice_client.post(
        CREATE, form_data(client=workshop.organisation.pk, questionnaire=questionnaire.pk)
    )
    assert "not both" in both.text
    assert not Workshop.objects.filter(title="Mobile roadmap 2028").exists()


def test_answers_are_due_before_the_workshop(alice_client, questionnaire):
    page = alice_client.post(
        CREATE, form_data(answer_by="2097-03-10", questionnaire=questionnaire.pk)
    )
    assert "before the workshop" in page.text


def test_an_answer_by_date_already_gone_is_refused_but_an_old_one_can_stay(
    alice, alice_client, questionnaire
):
    yesterday = timezone.localdate() - timedelta(days=1)
    page = alice_client.post(
        CREATE, form_data(answer_by=yesterday.isoformat(), questionnaire=questionnaire.pk)
    )
    assert "This date has passed" in page.text
    assert not Workshop.objects.filter(title="Mobile roadmap 2028").exists()
    # A workshop whose deadline passed meanwhile can still be edited without moving it.
    alice_client.post(CREATE, form_data(questionnaire=questionnaire.pk))
    workshop = Workshop.objects.get(title="Mobile roadmap 2028")
    Workshop.objects.filter(pk=workshop.pk).update(answer_by=yesterday)
    edited = alice_client.post(
        edit_url(workshop),
        form_data(
            title="Renamed",
            answer_by=yesterday.isoformat(),
            client=workshop.organisation.pk,
            new_client="",
            questionnaire=questionnaire.pk,
        ),
    )
    assert edited.status_code == 302
    assert Workshop.objects.get(pk=workshop.pk).title == "Renamed"


def test_co_facilitators_by_username_or_email(alice_client, bob, charlie, questionnaire):
    alice_client.post(
        CREATE,
        form_data(co_facilitators="bob, CHARLIE@example.com", questionnaire=questionnaire.pk),
    )
    workshop = Workshop.objects.get(title="Mobile roadmap 2028")
    assert set(workshop.co_facilitators.all()) == {bob, charlie}


def test_unknown_co_facilitators_are_named_in_the_error(alice_client, questionnaire):
    page = alice_client.post(
        CREATE, form_data(co_facilitators="bob, nobody", questionnaire=questionnaire.pk)
    )
    assert "No facilitator account for: bob, nobody" in page.text


def test_editing_records_what_changed(alice, alice_client, workshop, questionnaire):
    response = alice_client.post(
        edit_url(workshop),
        form_data(
            title="Renamed",
            client=workshop.organisation.pk,
            new_client="",
            questionnaire=questionnaire.pk,
            co_facilitators="bob",
        ),
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.title == "Renamed"
    event = AuditEvent.objects.filter(workshop=workshop, action="edit_workshop").get()
    assert "title" in event.detail
    assert "co facilitators" not in event.detail  # bob was already one
    assert event.actor == alice


def test_editing_shows_current_values(alice_client, workshop):
    page = alice_client.get(edit_url(workshop))
    assert page.status_code == 200
    assert 'value="Mobile strategy 2027"' in page.text
    assert 'value="bob"' in page.text


def test_the_questionnaire_is_fixed_once_someone_answers(
    alice_client, workshop, cio, questionnaire
):
    give_answers(cio, {"obj-channels": 3})
    page = alice_client.get(edit_url(workshop))
    assert "Fixed: participants have started answering" in page.text


def test_a_newer_questionnaire_can_be_chosen_before_anyone_answers(
    alice_client, workshop, questionnaire
):
    newer = Questionnaire.objects.create(
        slug=questionnaire.slug, version=questionnaire.version + 1, title=questionnaire.title
    )
    alice_client.post(
        edit_url(workshop),
        form_data(
            title=workshop.title,
            client=workshop.organisation.pk,
            new_client="",
            questionnaire=newer.pk,
            co_facilitators="bob",
        ),
    )
    workshop.refresh_from_db()
    assert workshop.questionnaire == newer


def test_a_co_facilitator_edits_but_cannot_change_co_facilitators(
    client, bob, charlie, workshop, questionnaire
):
    client.force_login(bob)
    client.post(
        edit_url(workshop),
        form_data(
            title="Bob's edit",
            client=workshop.organisation.pk,
            new_client="",
            questionnaire=questionnaire.pk,
            co_facilitators="charlie",
        ),
    )
    workshop.refresh_from_db()
    assert workshop.title == "Bob's edit"
    assert list(workshop.co_facilitators.all()) == [bob]


def test_saving_an_untouched_form_changes_nothing(alice_client, workshop, questionnaire):
    from django.utils import timezone

    workshop.scheduled_at = timezone.now().replace(second=42)
    workshop.save()
    page = alice_client.get(edit_url(workshop))
    local = timezone.localtime(workshop.scheduled_at)
    alice_client.post(
        edit_url(workshop),
        form_data(
            title=workshop.title,
            client=workshop.organisation.pk,
            new_client="",
            scheduled_at=local.strftime("%Y-%m-%dT%H:%M"),
            answer_by="",
            questionnaire=questionnaire.pk,
            co_facilitators="bob",
        ),
    )
    assert page.status_code == 200
    assert not AuditEvent.objects.filter(workshop=workshop, action="edit_workshop").exists()


def test_a_workshop_of_another_facilitator_cannot_be_edited(client, charlie, workshop):
    client.force_login(charlie)
    assert client.get(edit_url(workshop)).status_code == 404
    assert client.post(edit_url(workshop), form_data()).status_code == 404
