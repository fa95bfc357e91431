"""The questionnaire pages: export and import as files, the preview, and the question library.
Who may use them is in the access matrix (tests/security); here, what they do for those who may."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from surveys.builder import copy_questionnaire, create_questionnaire
from surveys.loading import V2_QUESTIONNAIRE, read_definition
from surveys.models import (
    ChangeAction,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireChange,
    QuestionnaireStatus,
    Section,
)
from surveys.transfer import MAX_FILE_BYTES, export_definition, export_json

from ..conftest import client_for
from .test_questionnaire_files import _as_written

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices(alice, bob, questionnaire) -> Questionnaire:
    """Alice's own draft copy of the default, shared with Bob."""
    draft = copy_questionnaire(questionnaire, actor=alice, title="Acme's questionnaire")
    draft.shared_with.add(bob)
    return draft


def _upload(client: Client, content: bytes, name: str = "questionnaire.json"):
    return client.post(
        reverse("surveys:import"),
        {"file": SimpleUploadedFile(name, content, content_type="application/json")},
    )


def _structure(questionnaire: Questionnaire) -> list[Any]:
    """Everything a questionnaire holds, without ids: sections, questions, choices, texts."""
    skip = {"id", "section", "question", "questionnaire"}
    return [
        (
            {
                f.name: getattr(s, f.name)
                for f in Section._meta.concrete_fields
                if f.name not in skip
            },
            [
                (
                    {
                        f.name: getattr(q, f.name)
                        for f in Question._meta.concrete_fields
                        if f.name not in skip
                    },
                    [
                        {
                            f.name: getattr(c, f.name)
                            for f in Choice._meta.concrete_fields
                            if f.name not in skip
                        }
                        for c in q.choices.all()
                    ],
                )
                for q in s.questions.all()
            ],
        )
        for s in questionnaire.ordered_sections()
    ]


# Export and import ----------------------------------------------------------------------------


def test_export_downloads_the_questionnaire_as_its_data_file(alice_client, questionnaire):
    response = alice_client.get(reverse("surveys:export", args=[questionnaire.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="joint-mobile-strategy.v2.json"'
    assert json.loads(response.content) == _as_written(read_definition(V2_QUESTIONNAIRE))
    # A facilitator's own (perhaps a client's) questions: kept by no cache on the way, and
    # never rendered in place (as every other download).
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_round_trip_export_import_export_gives_the_identical_file(alice, questionnaire):
    """Export the default, import it (as a draft of alice's), export again: the same text, and
    the same sections, questions, choices and translations."""
    exported = export_json(questionnaire)
    structure = _structure(questionnaire)
    Questionnaire.objects.filter(pk=questionnaire.pk).delete()  # its slug and version are free
    response = _upload(client_for(alice), exported.encode())
    imported = Questionnaire.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:preview", args=[imported.pk])
    assert (imported.owner, imported.status) == (alice, QuestionnaireStatus.DRAFT)
    assert export_json(imported) == exported
    assert _structure(imported) == structure


def test_importing_beside_the_original_only_changes_the_slug(alice_client, alice, questionnaire):
    exported = export_definition(questionnaire)
    _upload(alice_client, json.dumps(exported).encode())
    imported = Questionnaire.objects.get(owner=alice)
    assert imported.slug == "joint-mobile-strategy-2"
    assert export_definition(imported) == {**exported, "slug": "joint-mobile-strategy-2"}
    assert _structure(imported) == _structure(questionnaire)


def test_an_import_is_recorded_in_the_audit_trail(alice_client, alice, questionnaire):
    _upload(alice_client, export_json(questionnaire).encode(), name="acme.json")
    imported = Questionnaire.objects.get(owner=alice)
    change = QuestionnaireChange.objects.get(questionnaire=imported)
    assert (change.actor, change.action) == (alice, ChangeAction.IMPORTED)
    assert change.params == {"title": "Joint mobile strategy", "file": "acme.json"}
    assert change.text == "Imported “Joint mobile strategy” from the file acme.json."


def test_a_bad_file_gets_a_report_naming_each_place_and_nothing_is_imported(
    alice_client, questionnaire
):
    definition = read_definition(V2_QUESTIONNAIRE)
    first = definition["sections"][0]["questions"][0]
    first["scale_max"] = first["scale_min"]
    del first["de"]["prompt"]
    before = (Questionnaire.objects.count(), QuestionnaireChange.objects.count())
    response = _upload(alice_client, json.dumps(definition).encode())
    assert response.status_code == 422
    problems = response.context["problems"]
    assert any("question “obj-channels”, field “scale_max”" in p for p in problems)
    assert any("question “obj-channels”, field “de.prompt”" in p for p in problems)
    page = response.content.decode()
    assert "The file was not imported" in page and "field “de.prompt”" in page
    assert (Questionnaire.objects.count(), QuestionnaireChange.objects.count()) == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "The file is not valid JSON: line 1, column 2."),
        (b" " * (MAX_FILE_BYTES + 1), "The file is too large"),
        (b'{"format": 7}', "the file is in format 7"),
    ],
    ids=["bad JSON", "too large", "another format"],
)
def test_a_file_that_cannot_be_read_is_reported(alice_client, content, expected):
    response = _upload(alice_client, content)
    assert response.status_code == 422
    assert expected in response.content.decode()
    assert not Questionnaire.objects.filter(owner__isnull=False).exists()


def test_an_import_that_fails_while_saving_leaves_nothing(alice_client, questionnaire, monkeypatch):
    """All of it or nothing: a failure after the first rows are written rolls them back."""

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Choice.objects, "bulk_create", fail)
    before = Questionnaire.objects.count()
    with pytest.raises(RuntimeError):
        _upload(alice_client, export_json(questionnaire).encode())
    assert Questionnaire.objects.count() == before
    assert not Section.objects.filter(questionnaire__owner__isnull=False).exists()


def test_the_import_page_asks_for_a_file(alice_client):
    response = alice_client.get(reverse("surveys:import"))
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()
    response = alice_client.post(reverse("surveys:import"), {})
    assert response.status_code == 422
    assert response.context["form"].errors["file"]


# Preview --------------------------------------------------------------------------------------


def test_the_preview_frames_the_page_at_a_phone_or_a_laptop_width(alice_client, alices):
    url = reverse("surveys:preview", args=[alices.pk])
    page = alice_client.get(url).content.decode()
    assert 'class="preview-frame preview-phone"' in page
    assert f'src="{reverse("surveys:preview_frame", args=[alices.pk])}?width=phone' in page
    page = alice_client.get(url + "?width=laptop").content.decode()
    assert 'class="preview-frame preview-laptop"' in page
    assert 'aria-current="true">Laptop (1280 px)' in page


def test_the_preview_shows_each_section_as_an_executive_sees_it_without_saving(
    alice_client, alices
):
    frame = reverse("surveys:preview_frame", args=[alices.pk])
    sections = alices.ordered_sections()
    for position, section in enumerate(sections, start=1):
        response = alice_client.get(f"{frame}?section={position}")
        page = response.content.decode()
        assert response.status_code == 200
        assert f'<h1 class="section-title">{section.title}</h1>' in page
        for question in section.questions.all():
            assert f'id="question-{question.pk}"' in page
            assert escape(question.prompt) in page
        assert "hx-post" not in page and 'method="post"' not in page  # nothing saves
    welcome = alice_client.get(frame).content.decode()
    assert alices.description in welcome
    assert all(section.title in welcome for section in sections)


def test_the_preview_renders_the_answering_partial_as_the_answering_page_does(
    alice_client, workshop, cio_client, cio
):
    """The same question in the executive's section page and in the preview: the same HTML,
    but for the autosave address (the preview has none)."""
    import re

    executive = cio_client.get(
        reverse("workshops:respond_section", args=[cio.participant.pk, 1])
    ).content.decode()
    question = workshop.questionnaire.ordered_sections()[0].questions.all()[0]
    frame = reverse("surveys:preview_frame", args=[workshop.questionnaire.pk])
    preview = alice_client.get(f"{frame}?section=1").content.decode()

    def fieldset(page: str) -> str:
        found = re.search(rf'<fieldset id="question-{question.pk}".*?</fieldset>', page, re.S)
        assert found
        return " ".join(re.sub(r'\s*hx-[a-z]+="[^"]*"', "", found.group(0)).split())

    assert fieldset(preview) == fieldset(executive)


def test_the_preview_speaks_each_language_of_the_questionnaire(alice_client, alices):
    frame = reverse("surveys:preview_frame", args=[alices.pk])
    german = alice_client.get(f"{frame}?section=1&lang=de")
    assert '<html lang="de">' in german.content.decode()
    assert "Ziele" in german.content.decode()  # the section's German title
    assert "Speichern und weiter" in german.content.decode()  # the interface too
    english = alice_client.get(f"{frame}?section=1&lang=en").content.decode()
    assert "Objectives" in english
    page = alice_client.get(reverse("surveys:preview", args=[alices.pk])).content.decode()
    assert 'lang="de"' in page and ">Deutsch</a>" in page


def test_unknown_preview_choices_fall_back_rather_than_fail(alice_client, alices):
    frame = reverse("surveys:preview_frame", args=[alices.pk])
    for query in ("?section=99", "?section=x", "?lang=xx&width=tv"):
        assert alice_client.get(frame + query).status_code == 200
        assert (
            alice_client.get(reverse("surveys:preview", args=[alices.pk]) + query).status_code
            == 200
        )


def _bigger(alice, questionnaire: Questionnaire) -> Questionnaire:
    """A copy of the default with every section twice (other codes)."""
    definition = export_definition(questionnaire)
    extra = json.loads(json.dumps(definition["sections"]))
    for section in extra:
        section["code"] += "-again"
        for question in section["questions"]:
            question["code"] += "-again"
    definition["sections"] += extra
    definition["slug"] = "bigger"
    response = _upload(client_for(alice), json.dumps(definition).encode())
    assert response.status_code == 302, response.context and response.context["problems"]
    return Questionnaire.objects.get(slug="bigger")


def test_the_preview_reads_a_constant_number_of_queries(
    alice, alice_client, alices, questionnaire, django_assert_max_num_queries
):
    bigger = _bigger(alice, questionnaire)
    for shown in (alices, bigger):
        for url in (
            reverse("surveys:preview", args=[shown.pk]) + "?section=2",
            reverse("surveys:preview_frame", args=[shown.pk]) + "?section=2",
            reverse("surveys:preview_frame", args=[shown.pk]),
            reverse("surveys:export", args=[shown.pk]),
        ):
            with django_assert_max_num_queries(8):
                assert alice_client.get(url).status_code == 200


# Library --------------------------------------------------------------------------------------


def test_the_library_finds_questions_by_words_and_kind_with_where_they_are_used(
    alice_client, alices, questionnaire
):
    response = alice_client.get(reverse("surveys:library"), {"q": "channels INTERACT"})
    hits = response.context["found"].hits
    assert [hit.code for hit in hits] == ["obj-channels"]
    assert {q.pk for q in hits[0].used_in} == {alices.pk, questionnaire.pk}
    page = response.content.decode()
    assert "Acme&#x27;s questionnaire (version 1, draft)" in page
    assert "Joint mobile strategy (version 2)" in page
    by_code = alice_client.get(reverse("surveys:library"), {"q": "KPI-"}).context["found"]
    assert by_code.hits and all(hit.code.startswith("kpi-") for hit in by_code.hits)
    numeric = alice_client.get(reverse("surveys:library"), {"kind": "numeric"}).context["found"]
    assert numeric.hits and {hit.question.kind for hit in numeric.hits} == {"numeric"}


def test_the_library_holds_only_questionnaires_the_facilitator_may_see(
    alices, charlie, questionnaire
):
    create_questionnaire(owner=charlie, title="Charlie's own")
    hits = client_for(charlie).get(reverse("surveys:library")).context["found"].hits
    used = {q.pk for hit in hits for q in hit.used_in}
    assert used == {questionnaire.pk}  # the built-in one, not alice's draft
    assert client_for(charlie).get(reverse("surveys:library")).context["targets"] == []


def test_the_library_reads_a_constant_number_of_queries(
    alice, alice_client, alices, questionnaire, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        small = alice_client.get(reverse("surveys:library"))
    _bigger(alice, questionnaire)
    for index in range(3):
        copy_questionnaire(questionnaire, actor=alice, title=f"Copy {index}")
    with django_assert_max_num_queries(8):
        big = alice_client.get(reverse("surveys:library"))
    assert len(big.context["found"].hits) > len(small.context["found"].hits) - 1
    assert len(big.context["targets"]) > len(small.context["targets"])


def _add(client: Client, question: Question, draft: Questionnaire, section: Section):
    return client.post(
        reverse("surveys:library_add"),
        {"question": question.pk, "target": f"{draft.pk}:{section.pk}", "q": "x"},
    )


def test_add_to_my_draft_copies_the_question_with_its_choices_and_translations(
    alice, bob, questionnaire
):
    draft = create_questionnaire(owner=alice, title="Fresh")
    Questionnaire.objects.filter(pk=draft.pk).update(translations={"de": {"title": "Neu"}})
    section = Section.objects.create(questionnaire=draft, position=1, code="s", title="S")
    source = Question.objects.get(section__questionnaire=questionnaire, code="own-apps-today")
    draft.shared_with.add(bob)
    response = _add(client_for(bob), source, draft, section)  # bob may edit: it is shared
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:library") + "?q=x"
    copy = Question.objects.get(section=section)
    assert (copy.code, copy.kind, copy.prompt, copy.position) == (
        source.code,
        source.kind,
        source.prompt,
        1,
    )
    assert copy.translations == source.translations
    assert copy.partial_credit == source.partial_credit and copy.meta == source.meta
    assert [(c.value, c.label, c.translations) for c in copy.choices.all()] == [
        (c.value, c.label, c.translations) for c in source.choices.all()
    ]
    change = QuestionnaireChange.objects.get(
        questionnaire=draft, action=ChangeAction.QUESTION_ADDED
    )
    assert change.actor == bob and change.params["code"] == "own-apps-today"
    draft.refresh_from_db()
    assert draft.edit_revision == 1


def test_a_code_the_draft_already_asks_is_refused_with_a_clear_message(alice_client, alices):
    question = Question.objects.get(section__questionnaire=alices, code="obj-channels")
    section = alices.ordered_sections()[-1]
    count = Question.objects.filter(section__questionnaire=alices).count()
    response = _add(alice_client, question, alices, section)
    assert Question.objects.filter(section__questionnaire=alices).count() == count
    page = alice_client.get(response["Location"]).content.decode()
    assert (
        "Not added: “Acme&#x27;s questionnaire” already has a question with the code "
        "“obj-channels”." in page
    )


def test_a_question_goes_only_into_a_draft_the_facilitator_may_edit(
    alice, charlie, alices, questionnaire
):
    question = Question.objects.get(section__questionnaire=questionnaire, code="obj-talent")
    built_in = questionnaire.ordered_sections()[0]
    assert _add(client_for(alice), question, questionnaire, built_in).status_code == 404
    assert (
        _add(client_for(charlie), question, alices, alices.ordered_sections()[0]).status_code == 404
    )
    Questionnaire.objects.filter(pk=alices.pk).update(status=QuestionnaireStatus.PUBLISHED)
    assert (
        _add(client_for(alice), question, alices, alices.ordered_sections()[0]).status_code == 404
    )
    assert not QuestionnaireChange.objects.filter(action=ChangeAction.QUESTION_ADDED).exists()


def test_a_question_the_facilitator_may_not_see_cannot_be_copied(alice, charlie, alices):
    theirs = copy_questionnaire(alices, actor=alice, title="Alice's secret")
    secret = Question.objects.filter(section__questionnaire=theirs).first()
    mine = create_questionnaire(owner=charlie, title="Mine")
    section = Section.objects.create(questionnaire=mine, position=1, code="s", title="S")
    assert _add(client_for(charlie), secret, mine, section).status_code == 404
    assert not Question.objects.filter(section=section).exists()


def test_a_broken_add_form_is_a_message_not_an_error(alice_client):
    response = alice_client.post(reverse("surveys:library_add"), {"question": "1", "target": "x"})
    assert response.status_code == 302
    assert "Choose a draft" in alice_client.get(response["Location"]).content.decode()


def test_a_question_is_added_with_its_prediction_question(alice, alice_client):
    definition = export_definition(Questionnaire.objects.get(slug="joint-mobile-strategy"))
    definition["slug"] = "predicting"
    definition["sections"][0]["questions"][0]["prediction"] = True
    _upload(alice_client, json.dumps(definition).encode())
    source = Question.objects.get(section__questionnaire__slug="predicting", code="obj-channels")
    Questionnaire.objects.filter(slug="predicting").update(status=QuestionnaireStatus.PUBLISHED)
    hits = alice_client.get(reverse("surveys:library"), {"q": "obj-channels"}).context["found"]
    assert [hit.code for hit in hits.hits] == ["obj-channels"]  # not its companion
    draft = create_questionnaire(owner=alice, title="Fresh")
    section = Section.objects.create(questionnaire=draft, position=1, code="s", title="S")
    _add(alice_client, source, draft, section)
    copied = list(Question.objects.filter(section=section).order_by("position"))
    assert [(q.code, q.position) for q in copied] == [
        ("obj-channels", 1),
        ("obj-channels-predicted", 2),
    ]
    assert copied[1].predicts == copied[0] and copied[0].predicts is None
    assert copied[1].choices.count() == source.predictions.get().choices.count()


def test_the_questionnaire_pages_are_german_for_a_german_facilitator(questionnaire):
    from ..workshops.test_languages import _assert_german, _room

    room = _room(questionnaire, "de")
    greta = room["facilitator"]
    client = client_for(greta)
    draft = copy_questionnaire(questionnaire, actor=greta, title="Entwurf")
    bad = read_definition(V2_QUESTIONNAIRE)
    bad["sections"][0]["questions"][0]["scale_max"] = 1
    del bad["sections"][1]["questions"][0]["de"]["prompt"]
    pages = {
        "preview": client.get(reverse("surveys:preview", args=[draft.pk])),
        "preview frame": client.get(reverse("surveys:preview_frame", args=[draft.pk])),
        "preview section": client.get(
            reverse("surveys:preview_frame", args=[draft.pk]) + "?section=3&lang=de"
        ),
        "library": client.get(reverse("surveys:library"), {"q": "budget"}),
        "import": client.get(reverse("surveys:import")),
        "import report": _upload(client, json.dumps(bad).encode()),
    }
    room["typed_extra"] = ["Entwurf"]
    for name, response in pages.items():
        page = response.content.decode()
        assert 'lang="de"' in page, name
        _assert_german(name, page, room)
    assert "Die Datei wurde nicht importiert: 3 Probleme sind zu beheben." in (
        pages["import report"].content.decode()
    )


def test_the_preview_asks_a_prediction_as_the_technology_side_is_asked_it(alice_client):
    from surveys.loading import DEFAULT_QUESTIONNAIRE, load_questionnaire

    v3 = load_questionnaire(DEFAULT_QUESTIONNAIRE)[0]
    sections = v3.ordered_sections()
    position, section = next(
        (n, s)
        for n, s in enumerate(sections, start=1)
        if any(q.is_prediction for q in s.questions.all())
    )
    predicted = next(q for q in section.questions.all() if q.is_prediction).predicts
    frame = reverse("surveys:preview_frame", args=[v3.pk])
    page = alice_client.get(f"{frame}?section={position}").content.decode()
    assert "What do you think the marketing side answered?" in page
    assert f"About the question: “{escape(predicted.prompt)}”" in page
