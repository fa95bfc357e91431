"""The questionnaire in several languages: the file's "de" blocks checked like any setting,
stored beside the texts they translate, shown in the active language (falling back to the
questionnaire's own), and updated in place in a questionnaire that has answers as long as the
file changes nothing but texts."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from surveys import presenting
from surveys.loading import (
    V2_QUESTIONNAIRE,
    Outcome,
    QuestionnaireFrozen,
    check_definition,
    load,
    read_definition,
)
from surveys.models import Answer, Choice, Question, Questionnaire, Response, Section
from surveys.presenting import build_field, display_answer, render_field

from ..factories import question

V1 = V2_QUESTIONNAIRE.with_name("joint-mobile-strategy.v1.json")


def _question(definition: dict, code: str) -> dict:
    return next(q for s in definition["sections"] for q in s["questions"] if q["code"] == code)


def _section(definition: dict, code: str) -> dict:
    return next(s for s in definition["sections"] if s["code"] == code)


def _write(tmp_path, definition: dict, name: str = "changed.json"):
    path = tmp_path / name
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    return path


def _untranslated(definition: dict) -> dict:
    """The file as it was before it had German texts (what production loaded first)."""
    definition = json.loads(json.dumps(definition))
    definition.pop("languages")
    definition.pop("de")
    for section in definition["sections"]:
        section.pop("de")
        for q in section["questions"]:
            q.pop("de")
    return definition


# The file: every text translated, nothing else -----------------------------------------------


def test_the_default_questionnaire_is_in_english_and_german_throughout():
    definition = read_definition(V2_QUESTIONNAIRE)
    assert definition["languages"] == ["en", "de"]
    questions = [q for s in definition["sections"] for q in s["questions"]]
    assert len(questions) == 44
    for q in questions:
        german = q["de"]
        assert german["prompt"] != q["prompt"]
        assert set(german.get("choices", {})) == {c["value"] for c in q.get("choices", [])}
    assert check_definition(definition) == []


def test_the_untranslated_first_version_still_passes():
    assert check_definition(read_definition(V1)) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param(
            lambda d: _question(d, "own-apps-today")["de"].pop("prompt"),
            "Section “ownership”, question “own-apps-today”, field “de.prompt”: "
            "the translation is missing.",
            id="prompt",
        ),
        pytest.param(
            lambda d: _question(d, "obj-channels")["de"].pop("scale_max_label"),
            "Section “objectives”, question “obj-channels”, field “de.scale_max_label”: "
            "the translation is missing.",
            id="scale end",
        ),
        pytest.param(
            lambda d: _question(d, "own-apps-today")["de"]["choices"].pop("joint"),
            "Section “ownership”, question “own-apps-today”, field “de.choices.joint”: "
            "the translation is missing.",
            id="choice label",
        ),
        pytest.param(
            lambda d: _question(d, "kpi-load-time")["de"]["meta"].pop("kpi"),
            "Section “kpis”, question “kpi-load-time”, field “de.meta.kpi”: "
            "the translation is missing.",
            id="KPI name",
        ),
        pytest.param(
            lambda d: _question(d, "kpi-load-time")["de"].pop("unit"),
            "Section “kpis”, question “kpi-load-time”, field “de.unit”: "
            "the translation is missing.",
            id="unit",
        ),
        pytest.param(
            lambda d: _question(d, "wow-counterpart").pop("de"),
            "Section “ways-of-working”, question “wow-counterpart”, field “de”: "
            "the translation is missing.",
            id="whole block",
        ),
        pytest.param(
            lambda d: _section(d, "value")["de"].pop("intro"),
            "Section “value”, field “de.intro”: the translation is missing.",
            id="section intro",
        ),
        pytest.param(
            lambda d: d["de"].pop("description"),
            "Field “de.description”: the translation is missing.",
            id="description",
        ),
        pytest.param(
            lambda d: _question(d, "obj-mobile-sales")["de"].update(help_text="Hilfe"),
            "Section “objectives”, question “obj-mobile-sales”, field “de.help_text”: "
            "translates a text that is not there.",
            id="extra text",
        ),
        pytest.param(
            lambda d: _question(d, "obj-channels")["de"].update(scale_max=7),
            "Section “objectives”, question “obj-channels”, field “de.scale_max”: "
            "is not a text that can be translated.",
            id="a setting",
        ),
        pytest.param(
            lambda d: _question(d, "aud-split")["de"]["choices"].update(b2g="Behörden"),
            "Section “audiences”, question “aud-split”, field “de.choices.b2g”: "
            "is not an option of the question.",
            id="extra choice",
        ),
        pytest.param(
            lambda d: _question(d, "obj-talent")["de"].update(prompt=" "),
            "Section “objectives”, question “obj-talent”, field “de.prompt”: "
            "the translation is missing.",
            id="blank",
        ),
        pytest.param(
            lambda d: _question(d, "obj-talent").update(fr={"prompt": "Talents ?"}),
            "Section “objectives”, question “obj-talent”, field “fr”: "
            "“fr” is not one of the file's “languages”.",
            id="undeclared language",
        ),
        pytest.param(
            lambda d: _question(d, "obj-talent").update(en={"prompt": "Talent?"}),
            "Section “objectives”, question “obj-talent”, field “en”: the texts themselves "
            "are in “en”: only other languages take a block.",
            id="own language",
        ),
        pytest.param(
            lambda d: _question(d, "obj-talent")["de"].update(choices={"1": "Eins"}),
            "Section “objectives”, question “obj-talent”, field “de.choices.1”: "
            "is not a text that can be translated.",
            id="options of a question without any",
        ),
        pytest.param(
            lambda d: d.update(languages=["en", "de", "de"]),
            "Field “languages”: must list distinct language codes",
            id="languages",
        ),
    ],
)
def test_a_missing_or_stray_translation_is_reported_with_its_place(change, problem):
    definition = read_definition(V2_QUESTIONNAIRE)
    change(definition)
    problems = check_definition(definition)
    assert len(problems) == 1, problems
    assert problems[0].startswith(problem)


def test_a_file_that_declares_a_language_it_does_not_give_lists_every_gap():
    definition = read_definition(V2_QUESTIONNAIRE)
    definition["languages"] = ["en", "de", "fr"]
    problems = check_definition(definition)
    # The questionnaire, its six sections and its 44 questions each lack their "fr" block.
    assert len(problems) == 1 + 6 + 44
    assert all(p.endswith("“fr”: the translation is missing.") for p in problems)


# Stored with the rows, read in the active language -------------------------------------------


def test_loading_stores_the_translations_beside_the_texts(questionnaire):
    assert questionnaire.language == "en"
    assert questionnaire.languages == ["en", "de"]
    assert questionnaire.translations["de"]["title"] == "Gemeinsame Mobile-Strategie"
    assert Section.objects.get(questionnaire=questionnaire, code="ownership").translations == {
        "de": {
            "title": "Verantwortung",
            "intro": _section(read_definition(V2_QUESTIONNAIRE), "ownership")["de"]["intro"],
        }
    }
    apps = question("own-apps-today")
    assert "choices" not in apps.translations["de"]
    assert apps.translations["de"]["meta"] == {"area_label": "Mobile Apps"}
    joint = apps.choices.get(value="joint")
    assert (joint.label, joint.translations) == (
        "Joint CIO–CMO ownership",
        {"de": {"label": "CIO und CMO gemeinsam"}},
    )


def test_a_text_is_read_in_the_active_language_and_falls_back_to_the_questionnaires_own(
    questionnaire,
):
    q = question("obj-channels")
    english = "How important is it that mobile gives customers more channels to interact with us?"
    german = (
        "Wie wichtig ist es, dass Mobile unseren Kunden mehr Kanäle bietet, um mit uns in "
        "Kontakt zu treten?"
    )
    with translation.override("de"):
        assert q.text("prompt") == german
        assert q.localized.scale_max_label == "Äußerst wichtig"
    for language in ("de-at", "de-ch"):  # a regional variant reads its language's texts
        with translation.override(language):
            assert q.text("prompt") == german
    for language in ("en", "en-gb", "fr"):  # no French: the questionnaire's own texts
        with translation.override(language):
            assert q.text("prompt") == english
    with translation.override(None):
        assert q.text("prompt") == english
    assert q.text("prompt", "de") == german  # a language named, whatever is active
    assert q.prompt == english  # the field itself is untouched
    # A translation without some text (an older row, a hand edit) shows the source's.
    partial = Question(prompt="Why?", help_text="Because.", translations={"de": {}})
    with translation.override("de"):
        assert (partial.text("prompt"), partial.text("help_text")) == ("Why?", "Because.")
    with pytest.raises(AttributeError):
        q.text("code")


def test_texts_in_meta_and_choices_are_translated_too(questionnaire):
    apps = question("own-apps-today")
    load_time = question("kpi-load-time")
    with translation.override("de"):
        assert apps.text("meta.area_label") == "Mobile Apps"
        assert load_time.text("meta.kpi") == "Seitenladezeit"
        assert load_time.localized.unit == "Sekunden"
        assert [c.localized.label for c in apps.choices.all()][:2] == [
            "CIO / IT",
            "CMO / Marketing",
        ]
    assert load_time.text("meta.kpi", "en") == "Page load time"
    assert question("obj-channels").text("meta.kpi", "de") == ""  # not a KPI question


def test_templates_read_the_localized_texts(questionnaire):
    template = Template("{{ q.localized.prompt }} | {{ q.localized.help_text }}")
    apps = question("own-apps-today")
    with translation.override("de"):
        assert template.render(Context({"q": apps})) == (
            "Wer verantwortet heute in der Praxis unsere mobilen Apps? | "
            "Native Apps für Kunden und Mitarbeitende (iPhone, iPad, Android)."
        )


def test_an_untranslated_questionnaire_shows_its_one_language_in_german(questionnaire):
    v1, _ = load(V1)
    assert v1.languages == ["en"]
    q = Question.objects.get(section__questionnaire=v1, code="obj-channels")
    with translation.override("de"):
        assert q.text("prompt") == q.prompt
        assert Choice.objects.filter(question__section__questionnaire=v1).first().localized.label


def test_reading_a_translation_costs_no_query(questionnaire, django_assert_num_queries):
    sections = questionnaire.ordered_sections()
    with translation.override("de"), django_assert_num_queries(0):
        texts = [
            (q.localized.prompt, [c.localized.label for c in q.choices.all()])
            for s in sections
            for q in s.questions.all()
        ]
    assert len(texts) == 44


# The answering page in German ----------------------------------------------------------------


@pytest.fixture
def frozen(questionnaire):
    Response.objects.create(questionnaire=questionnaire)
    return questionnaire.structure_key


def _render(q, frozen, answer=None):
    field = build_field(q, 1, answer)
    field.autosave_url = "../../autosave/7/"
    return render_field(
        field, template_name="respond/_question.html", locked=False, structure_key=frozen
    )


def test_a_question_renders_in_german_when_the_language_is_german(frozen):
    scale, apps, load_time = (
        question("obj-channels"),
        question("own-apps-today"),
        question("kpi-load-time"),
    )
    with translation.override("de"):
        html = _render(scale, frozen) + _render(apps, frozen) + _render(load_time, frozen)
    assert "Wie wichtig ist es, dass Mobile unseren Kunden mehr Kanäle bietet" in html
    assert "Zum Beispiel eine für Mobilgeräte optimierte Website" in html
    assert "<span>Nicht wichtig</span><span>Äußerst wichtig</span>" in html
    assert "CIO und CMO gemeinsam" in html and "Jemand anderes" in html
    assert '<span class="input-group-text">Sekunden</span>' in html
    assert "How important" not in html and "Someone else" not in html and "seconds" not in html


def test_the_rendered_question_cache_keeps_each_language_apart(frozen):
    q = question("obj-channels")
    with translation.override("en"):
        english = _render(q, frozen)
        english_key = presenting._rendered_key(frozen, "t", False, ())
    with translation.override("de"):
        german = _render(q, frozen)
        german_key = presenting._rendered_key(frozen, "t", False, ())
    assert english_key != german_key
    assert "How important" in english and "Wie wichtig" in german
    with translation.override("en"):
        assert _render(q, frozen) == english  # from the cache, still English


def test_an_answer_is_shown_in_words_of_the_active_language(questionnaire):
    apps, load_time, ranking = (
        question("own-apps-today"),
        question("kpi-load-time"),
        question("obj-ranking"),
    )
    with translation.override("de"):
        assert display_answer(apps, "joint", False) == "CIO und CMO gemeinsam"
        assert display_answer(load_time, 2.5, False) in ("2.5 Sekunden", "2,5 Sekunden")
        assert display_answer(ranking, ["talent", "channels"], False).startswith(
            "1. Talente gewinnen und halten"
        )
    assert display_answer(apps, "joint", False) == "Joint CIO–CMO ownership"


# Updating the texts of a questionnaire that has answers --------------------------------------


def _answered(questionnaire: Questionnaire) -> Answer:
    response = Response.objects.create(questionnaire=questionnaire)
    return Answer.objects.create(
        response=response, question=question("own-apps-today", questionnaire), value="joint"
    )


def test_the_german_texts_reach_a_questionnaire_loaded_and_answered_before_them(db, tmp_path):
    """Production: v2 was loaded without German and has answers; loading the file with its
    German texts updates them in place, and every answer keeps its question."""
    shipped = read_definition(V2_QUESTIONNAIRE)
    before, outcome = load(_write(tmp_path, _untranslated(shipped), "v2-before.json"))
    assert outcome in (Outcome.CREATED, Outcome.REBUILT) and before.languages == ["en"]
    answer = _answered(before)
    key_before = before.structure_key
    questions_before = dict(
        Question.objects.filter(section__questionnaire=before).values_list("code", "pk")
    )

    after, outcome = load(V2_QUESTIONNAIRE)

    assert outcome == Outcome.TEXTS_UPDATED
    assert after.pk == before.pk and after.languages == ["en", "de"]
    assert after.structure_key != key_before  # memos and rendered questions are read afresh
    assert (
        dict(Question.objects.filter(section__questionnaire=after).values_list("code", "pk"))
        == questions_before
    )
    answer.refresh_from_db()
    assert answer.value == "joint"
    with translation.override("de"):
        assert (
            answer.question.text("prompt") == _question(shipped, "own-apps-today")["de"]["prompt"]
        )
        assert answer.question.choices.get(value="joint").localized.label == "CIO und CMO gemeinsam"
    assert load(V2_QUESTIONNAIRE)[1] == Outcome.UNCHANGED


def test_a_corrected_wording_or_translation_is_updated_in_place(questionnaire, tmp_path):
    _answered(questionnaire)
    definition = read_definition(V2_QUESTIONNAIRE)
    apps = _question(definition, "own-apps-today")
    apps["prompt"] = "Today, who actually owns our mobile apps?"
    apps["de"]["prompt"] = "Wer verantwortet heute tatsächlich unsere mobilen Apps?"
    apps["de"]["choices"]["other"] = "Eine andere Stelle"
    apps["meta"]["area_label"] = "Apps"
    _section(definition, "ownership")["de"]["title"] = "Zuständigkeit"
    out = StringIO()
    call_command("load_questionnaire", str(_write(tmp_path, definition)), stdout=out)
    assert out.getvalue().startswith("Texts updated")
    # Read as stored (the factory's `question` would load the shipped file again).
    apps_row = Question.objects.get(section__questionnaire=questionnaire, code="own-apps-today")
    assert apps_row.prompt == "Today, who actually owns our mobile apps?"
    assert apps_row.meta == {"area": "apps", "area_label": "Apps", "tense": "today"}
    with translation.override("de"):
        assert (
            apps_row.localized.prompt == "Wer verantwortet heute tatsächlich unsere mobilen Apps?"
        )
        assert apps_row.choices.get(value="other").localized.label == "Eine andere Stelle"
        assert apps_row.section.localized.title == "Zuständigkeit"


def _renamed_option(definition: dict) -> None:
    split = _question(definition, "aud-split")
    split["choices"][2]["value"] = "staff"
    split["de"]["choices"]["staff"] = split["de"]["choices"].pop("b2e")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: _question(d, "obj-channels").update(scale_max=7), id="scale range"),
        pytest.param(_renamed_option, id="choice value"),
        pytest.param(
            lambda d: _question(d, "own-apps-today")["partial_credit"][0].__setitem__(2, 0.75),
            id="partial credit",
        ),
        pytest.param(lambda d: _question(d, "kpi-load-time").update(unit="ms"), id="unit"),
        pytest.param(
            lambda d: _question(d, "own-apps-today")["meta"].update(tense="should"), id="tense"
        ),
        pytest.param(lambda d: _question(d, "obj-talent").update(importance=2), id="importance"),
        pytest.param(
            lambda d: _section(d, "value")["questions"].reverse(), id="order of questions"
        ),
    ],
)
def test_a_change_of_meaning_still_needs_a_new_version(questionnaire, tmp_path, change):
    _answered(questionnaire)
    definition = read_definition(V2_QUESTIONNAIRE)
    change(definition)
    _question(definition, "own-apps-today")["de"]["prompt"] = "Geänderter Text"
    digest = questionnaire.source_digest
    with pytest.raises(QuestionnaireFrozen, match="changes more than its texts"):
        load(_write(tmp_path, definition))
    questionnaire.refresh_from_db()
    assert questionnaire.source_digest == digest
    apps = Question.objects.get(section__questionnaire=questionnaire, code="own-apps-today")
    assert apps.text("prompt", "de") != "Geänderter Text"  # nothing written
