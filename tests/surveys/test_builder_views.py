"""The builder's pages: start, edit, reorder, remove, publish; bad input kept and marked beside
its field; a stale page refused; query counts at a small and a large questionnaire."""

import pytest
from django.urls import reverse
from django.utils import translation

from surveys import builder
from surveys.models import (
    ChangeAction,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    Section,
)

from ..conftest import client_for
from .builder_helpers import VALID, add_question_url, question_post, section_post

pytestmark = pytest.mark.django_db

#: The question's texts and the fields they are typed in (their German is typed alike).
TEXT_FIELDS = {
    "help_text": "q-help_text",
    "scale_min_label": "k-scale_min_label",
    "scale_max_label": "k-scale_max_label",
    "unit": "k-unit",
    "discussion_prompt": "q-discussion_prompt",
    "meta.area_label": "k-area_label",
    "meta.kpi": "k-kpi",
}
KINDS = ["scale", "single", "multi", "ranking", "numeric", "allocation", "text"]


@pytest.fixture
def small(alice, bob) -> Questionnaire:
    """Alice's draft from scratch (English and German), one section, shared with Bob."""
    draft = builder.create_questionnaire(owner=alice, title="Acme")
    draft.translations = {"de": {"title": "Acme"}}
    draft.save()
    draft.shared_with.add(bob)
    builder.save_section(
        questionnaire=draft,
        section=None,
        title="Goals",
        intro="",
        translations={"de": {"title": "Ziele"}},
        revision=None,
        actor=alice,
    )
    draft.refresh_from_db()
    return draft


@pytest.fixture
def large(alice, bob, questionnaire) -> Questionnaire:
    """Alice's copy of the default questionnaire (45 questions, two languages), shared."""
    copy = builder.copy_questionnaire(questionnaire, actor=alice, title="Acme large")
    copy.shared_with.add(bob)
    return copy


def fresh(questionnaire: Questionnaire) -> Questionnaire:
    questionnaire.refresh_from_db()
    return questionnaire


def german(**texts: str) -> dict[str, str]:
    return {f"q-de.{name}": value for name, value in texts.items()}


def add(client, questionnaire, kind, prompt="", **overrides):
    questionnaire = fresh(questionnaire)
    section = questionnaire.sections.order_by("position").first()
    options = overrides.get("options", VALID[kind].get("options"))
    data = question_post(
        questionnaire,
        kind,
        prompt,
        german=german(prompt=f"DE {prompt or kind}", **overrides.pop("de", {})),
        **overrides,
    )
    for text, field in TEXT_FIELDS.items():
        if data.get(field):
            data.setdefault(f"q-de.{text}", f"DE {data[field]}")
    for index, _label in enumerate(options or []):
        data.setdefault(f"c-{index}-label_de", f"DE {data[f'c-{index}-label']}")
    return client.post(add_question_url(questionnaire, section), data)


def test_the_list_shows_mine_shared_and_built_in(
    alice_client, bob, charlie, small, questionnaire, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        page = alice_client.get(reverse("surveys:list"))
    assert "Acme" in page.text and questionnaire.title in page.text
    bobs = client_for(bob).get(reverse("surveys:list"))
    assert "Shared with me" in bobs.text and "Acme" in bobs.text
    assert "Acme" not in client_for(charlie).get(reverse("surveys:list")).text


def test_start_from_scratch_from_the_default_and_from_one_of_mine(
    alice, alice_client, questionnaire, small
):
    for source, title in [("", "Scratch"), (questionnaire.pk, "From default"), (small.pk, "Mine")]:
        page = alice_client.post(reverse("surveys:create"), {"title": title, "source": source})
        made = Questionnaire.objects.get(title=title)
        assert page.status_code == 302 and page["Location"] == reverse(
            "surveys:editor", args=[made.pk]
        )
        assert made.owner == alice and made.is_draft
    assert Questionnaire.objects.get(title="From default").sections.count() == (
        questionnaire.sections.count()
    )


def test_a_copy_is_called_what_the_facilitator_typed_in_every_language(alice_client, questionnaire):
    assert questionnaire.text("title", "de") != questionnaire.title  # the default is in German too
    alice_client.post(reverse("language"), {"language": "de"})
    alice_client.post(
        reverse("surveys:create"), {"title": "Northwind 2027", "source": questionnaire.pk}
    )
    made = Questionnaire.objects.get(title="Northwind 2027")
    assert made.text("title", "de") == made.text("title", "en") == "Northwind 2027"
    assert "Northwind 2027" in alice_client.get(reverse("surveys:editor", args=[made.pk])).text
    # The rest of its texts keep their translations.
    assert made.text("description", "de") == questionnaire.text("description", "de")


def test_charlie_cannot_copy_alices_questionnaire(charlie, small):
    page = client_for(charlie).post(
        reverse("surveys:create"), {"title": "Stolen", "source": small.pk}
    )
    assert page.status_code == 404
    assert not Questionnaire.objects.filter(title="Stolen").exists()


@pytest.mark.parametrize("size", ["small", "large"])
def test_pages_cost_a_constant_number_of_queries(
    size, request, alice, alice_client, bob, django_assert_max_num_queries
):
    questionnaire = request.getfixturevalue(size)
    if size == "small":
        for kind in KINDS:
            assert add(alice_client, questionnaire, kind).status_code == 302
    questionnaire = fresh(questionnaire)
    section = questionnaire.sections.order_by("position").first()
    question = Question.objects.filter(section=section).order_by("position").first()
    urls = [
        reverse("surveys:editor", args=[questionnaire.pk]),
        reverse("surveys:changes", args=[questionnaire.pk]),
        reverse("surveys:section_edit", args=[questionnaire.pk, section.pk]),
        reverse("surveys:question_edit", args=[questionnaire.pk, question.pk]),
        add_question_url(questionnaire, section) + "?kind=single",
    ]
    for client in (alice_client, client_for(bob)):
        for url in urls:
            with django_assert_max_num_queries(10):
                assert client.get(url).status_code == 200, url


def test_a_question_of_each_kind_is_added_and_the_draft_published(alice_client, small):
    for kind in KINDS:
        page = add(alice_client, small, kind)
        assert page.status_code == 302, page.text
    small = fresh(small)
    kinds = list(
        Question.objects.filter(section__questionnaire=small)
        .order_by("position")
        .values_list("kind", flat=True)
    )
    assert kinds == KINDS
    single = Question.objects.get(section__questionnaire=small, kind="single")
    assert single.partial_credit == [["the-cio", "jointly", 0.5]]
    assert single.choices.get(value="the-cmo").text("label", "de") == "DE The CMO"
    numeric = Question.objects.get(section__questionnaire=small, kind="numeric")
    assert (numeric.unit, numeric.max_value, numeric.meta) == (
        "seconds",
        60,
        {"kpi": "Page load time"},
    )
    assert builder.publish_problems(small, small.ordered_sections()) == []
    page = alice_client.post(
        reverse("surveys:publish", args=[small.pk]), {"revision": small.edit_revision}
    )
    assert page.status_code == 302
    assert fresh(small).status == QuestionnaireStatus.PUBLISHED
    actions = set(small.changes.values_list("action", flat=True))
    assert {ChangeAction.QUESTION_ADDED, ChangeAction.PUBLISHED} <= actions


def test_a_draft_with_problems_is_not_published(alice_client, small):
    page = alice_client.post(
        reverse("surveys:publish", args=[small.pk]), {"revision": small.edit_revision}
    )
    assert page.status_code == 302 and fresh(small).is_draft  # its section has no question
    editor = alice_client.get(reverse("surveys:editor", args=[small.pk]))
    assert "Before it can be published" in editor.text


BAD_INPUTS = {
    "scale with one point": (
        "scale",
        {"k-scale_min": "3", "k-scale_max": "3"},
        "must be greater than scale_min",
    ),
    "duplicate choices": ("single", {"options": ["Web", "web", "Apps"]}, "two options"),
    "weight above 1": (
        "single",
        {"pairs": [("the-cio", "jointly", "1.5")]},
        "a weight from 0 to 1",
    ),
    "weight below 0": (
        "single",
        {"pairs": [("the-cio", "jointly", "-0.2")]},
        "a weight from 0 to 1",
    ),
    "tolerance zero": ("numeric", {"k-tolerance": "0"}, "must be greater than 0"),
    "allocation with one segment": (
        "allocation",
        {"options": ["Everything"]},
        "needs at least 2 options",
    ),
    "ranking with one item": ("ranking", {"options": ["Only"]}, "needs at least 2 options"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_marked_beside_its_field_and_nothing_is_lost(case, alice_client, small):
    kind, overrides, message = BAD_INPUTS[case]
    prompt = f"Typed prompt for {case}"
    page = add(alice_client, small, kind, prompt, **overrides)
    assert page.status_code == 422
    assert message in page.text
    assert prompt in page.text  # what was typed comes back
    assert "is-invalid" in page.text  # beside the field (Bootstrap marks the field itself)
    assert not Question.objects.filter(section__questionnaire=small).exists()
    assert fresh(small).edit_revision == small.edit_revision


def test_a_missing_translation_is_marked_beside_its_field(alice_client, small):
    data = question_post(small, "scale", "Only English", german={})
    page = alice_client.post(
        add_question_url(small, small.sections.get()),
        data,
    )
    assert page.status_code == 422
    assert "the translation is missing" in page.text
    assert 'id="id_q-de.prompt"' in page.text and "Only English" in page.text
    assert not Question.objects.filter(section__questionnaire=small).exists()


def test_a_save_on_a_stale_page_is_refused_and_keeps_what_was_typed(alice_client, bob, small):
    stale_revision = small.edit_revision
    # Bob saves first, from the same revision.
    assert add(client_for(bob), small, "scale", "Bob's question").status_code == 302
    data = question_post(
        small, "text", "Alice's question", revision=stale_revision, german=german(prompt="DE")
    )
    page = alice_client.post(add_question_url(small, small.sections.get()), data)
    assert page.status_code == 409
    assert "changed since you opened the page" in page.text
    assert "Alice&#x27;s question" in page.text or "Alice's question" in page.text
    prompts = list(
        Question.objects.filter(section__questionnaire=small).values_list("prompt", flat=True)
    )
    assert prompts == ["Bob's question"]
    # Saving again from the refreshed form is a deliberate choice: it goes through.
    data["q-revision"] = str(fresh(small).edit_revision)
    assert alice_client.post(add_question_url(small, small.sections.get()), data).status_code == 302


def test_moving_and_removing_questions(alice_client, small):
    for prompt in ("First", "Second", "Third"):
        assert add(alice_client, small, "scale", prompt).status_code == 302
    first, second, third = Question.objects.filter(section__questionnaire=small).order_by(
        "position"
    )
    small = fresh(small)
    url = reverse("surveys:question_move", args=[small.pk, third.pk])
    page = alice_client.post(url, {"direction": "up", "revision": small.edit_revision})
    assert page.status_code == 302
    order = lambda: list(  # noqa: E731
        Question.objects.filter(section__questionnaire=small)
        .order_by("position")
        .values_list("prompt", flat=True)
    )
    assert order() == ["First", "Third", "Second"]
    # A drag: to place 1.
    small = fresh(small)
    page = alice_client.post(
        url, {"to": "1", "revision": small.edit_revision}, headers={"X-Requested-With": "fetch"}
    )
    assert page.status_code == 204
    assert order() == ["Third", "First", "Second"]
    # A stale page's move is refused.
    page = alice_client.post(url, {"direction": "down", "revision": small.edit_revision})
    assert order() == ["Third", "First", "Second"]
    small = fresh(small)
    remove = reverse("surveys:question_remove", args=[small.pk, first.pk])
    assert alice_client.post(remove, {"revision": small.edit_revision}).status_code == 302
    assert order() == ["Third", "Second"]
    assert list(
        Question.objects.filter(section__questionnaire=small)
        .order_by("position")
        .values_list("position", flat=True)
    ) == [1, 2]


def test_sections_are_added_moved_and_removed(alice_client, small):
    page = alice_client.post(
        reverse("surveys:section_add", args=[small.pk]),
        section_post(small, "Budget", **{"de.title": "Budget"}),
    )
    assert page.status_code == 302
    budget = Section.objects.get(questionnaire=small, title="Budget")
    small = fresh(small)
    alice_client.post(
        reverse("surveys:section_move", args=[small.pk, budget.pk]),
        {"direction": "up", "revision": small.edit_revision},
    )
    assert list(small.sections.order_by("position").values_list("title", flat=True)) == [
        "Budget",
        "Goals",
    ]
    # A section without its German title is refused, beside the field.
    small = fresh(small)
    page = alice_client.post(
        reverse("surveys:section_add", args=[small.pk]), section_post(small, "Untranslated")
    )
    assert page.status_code == 422 and "the translation is missing" in page.text
    small = fresh(small)
    alice_client.post(
        reverse("surveys:section_remove", args=[small.pk, budget.pk]),
        {"revision": small.edit_revision},
    )
    assert list(small.sections.values_list("title", "position")) == [("Goals", 1)]


def test_a_published_or_built_in_questionnaire_is_never_changed_in_place(
    alice_client, questionnaire, small
):
    for kind in KINDS:
        add(alice_client, small, kind)
    small = fresh(small)
    builder.publish(small, revision=small.edit_revision, actor=None)
    question = Question.objects.filter(section__questionnaire=small).first()
    default_question = Question.objects.filter(section__questionnaire=questionnaire).first()
    for url in (
        reverse("surveys:question_edit", args=[small.pk, question.pk]),
        reverse("surveys:question_edit", args=[questionnaire.pk, default_question.pk]),
        reverse("surveys:section_add", args=[questionnaire.pk]),
    ):
        assert alice_client.get(url).status_code == 404
    page = alice_client.get(reverse("surveys:editor", args=[questionnaire.pk]))
    assert "Copy to a new questionnaire" in page.text and "Publish as" not in page.text


def test_changing_what_a_question_measures_asks_first_then_gives_it_a_new_code(
    alice, alice_client, large
):
    question = Question.objects.get(section__questionnaire=large, code="obj-channels")
    url = reverse("surveys:question_edit", args=[large.pk, question.pk])
    data = question_post(
        large,
        "scale",
        question.prompt,
        german={
            "q-de.prompt": question.text("prompt", "de"),
            "q-de.help_text": question.text("help_text", "de"),
            "q-de.scale_min_label": question.text("scale_min_label", "de"),
            "q-de.scale_max_label": question.text("scale_max_label", "de"),
            "q-de.discussion_prompt": question.text("discussion_prompt", "de"),
        },
        **{
            "k-scale_max": "7",
            "q-help_text": question.help_text,
            "q-discussion_prompt": question.discussion_prompt,
        },
    )
    page = alice_client.post(url, data)
    assert page.status_code == 422
    assert "will be compared as a new question in follow-ups" in page.text
    question.refresh_from_db()
    assert (question.code, question.scale_max) == ("obj-channels", 5)
    data["q-confirm_new_code"] = "on"
    assert alice_client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.scale_max == 7 and question.code != "obj-channels"
    change = large.changes.get(action=ChangeAction.QUESTION_RECODED)
    assert change.params["old_code"] == "obj-channels"
    # A change of wording keeps the code without asking.
    other = Question.objects.get(section__questionnaire=large, code="obj-engagement")
    data = question_post(
        large,
        "scale",
        "Reworded?",
        german={
            "q-de.prompt": "Neu formuliert?",
            "q-de.help_text": other.text("help_text", "de"),
            "q-de.scale_min_label": other.text("scale_min_label", "de"),
            "q-de.scale_max_label": other.text("scale_max_label", "de"),
            "q-de.discussion_prompt": other.text("discussion_prompt", "de"),
        },
        **{"q-help_text": other.help_text, "q-discussion_prompt": other.discussion_prompt},
    )
    fresh(large)
    data["q-revision"] = str(large.edit_revision)
    page = alice_client.post(reverse("surveys:question_edit", args=[large.pk, other.pk]), data)
    assert page.status_code == 302, page.text
    other.refresh_from_db()
    assert (other.code, other.prompt) == ("obj-engagement", "Reworded?")


def test_the_audit_trail_is_in_the_readers_language(alice_client, small):
    add(alice_client, small, "scale", "Speed?")
    page = alice_client.get(reverse("surveys:changes", args=[small.pk]))
    assert "Added the question “Speed?”." in page.text
    assert "alice" in page.text
    with translation.override("de"):
        change = small.changes.get(action=ChangeAction.QUESTION_ADDED)
        assert change.text == "Frage „Speed?“ hinzugefügt."


def test_sharing_lets_bob_edit_and_only_the_owner_shares(alice_client, bob, charlie, small):
    page = alice_client.post(reverse("surveys:share", args=[small.pk]), {"user": "charlie"})
    assert page.status_code == 302
    assert set(small.shared_with.all()) == {bob, charlie}
    bobs = client_for(bob).post(reverse("surveys:share", args=[small.pk]), {"user": "bob"})
    assert bobs.status_code == 404
    alice_client.post(reverse("surveys:share", args=[small.pk]), {"user": "charlie", "stop": "1"})
    assert set(small.shared_with.all()) == {bob}
