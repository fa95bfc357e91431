"""Questionnaire files: the export is the data file's format, and an uploaded file is read
whole or refused whole, with every problem named by its place (section, question, field)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from surveys.loading import (
    FORMAT_VERSION,
    V2_QUESTIONNAIRE,
    QuestionnaireInvalid,
    check_definition,
    definition_digest,
    read_definition,
)
from surveys.transfer import MAX_FILE_BYTES, export_definition, export_json, read_upload

# The rows' own validation (`build`) checks the models' constraints, which asks the database.
pytestmark = pytest.mark.django_db


def _default() -> dict[str, Any]:
    return read_definition(V2_QUESTIONNAIRE)


def _as_written(definition: dict[str, Any]) -> dict[str, Any]:
    """A file as an export writes it: with its format, and each scale's polarity, which files
    written before scales had one (versions 1 and 2) leave to its default, in its place."""
    written = {"format": FORMAT_VERSION, **json.loads(json.dumps(definition))}
    for section in written["sections"]:
        for number, question in enumerate(section["questions"]):
            if question["kind"] == "scale" and "polarity" not in question:
                keys = list(question)
                place = keys.index("scale_max_label" if "scale_max_label" in keys else "scale_max")
                keys.insert(place + 1, "polarity")
                section["questions"][number] = {key: question.get(key, "bipolar") for key in keys}
    return written


def _question(definition: dict, code: str) -> dict:
    return next(q for s in definition["sections"] for q in s["questions"] if q["code"] == code)


def _first_of_kind(definition: dict, kind: str) -> dict:
    return next(q for s in definition["sections"] for q in s["questions"] if q["kind"] == kind)


def _section_of(definition: dict, code: str) -> str:
    return next(
        s["code"] for s in definition["sections"] for q in s["questions"] if q["code"] == code
    )


def _refused(data: bytes) -> list[str]:
    with pytest.raises(QuestionnaireInvalid) as refused:
        read_upload(data)
    return refused.value.problems


def _encoded(definition: dict) -> bytes:
    return json.dumps(definition, ensure_ascii=False).encode()


# The export -------------------------------------------------------------------------------------


def test_the_default_questionnaire_exports_as_its_own_data_file_with_its_format(questionnaire):
    exported = export_definition(questionnaire)
    assert exported == _as_written(_default())
    # In the file's order too: a person comparing the two sees the same file.
    assert list(exported) == ["format", *_default()]
    for written, filed in zip(
        exported["sections"], _as_written(_default())["sections"], strict=True
    ):
        assert list(written) == list(filed)
        for question, in_file in zip(written["questions"], filed["questions"], strict=True):
            assert list(question) == list(in_file), question["code"]


def test_the_exported_text_reads_back_as_the_same_definition(questionnaire):
    text = export_json(questionnaire)
    assert read_upload(text.encode()) == export_definition(questionnaire)
    assert "Gemeinsame Mobile-Strategie" in text  # UTF-8, not \u escapes


def test_a_format_key_does_not_change_the_digest_of_a_file():
    """Loading the default file once it names its format is not a change."""
    definition = _default()
    assert definition_digest({"format": 1, **definition}) == definition_digest(definition)


# Each class of error in an uploaded file ---------------------------------------------------------


def _scale_with_one_point(d: dict) -> str:
    question = _first_of_kind(d, "scale")
    question["scale_max"] = question["scale_min"]
    return question["code"]


def _duplicate_choice_values(d: dict) -> str:
    question = _first_of_kind(d, "single")
    question["choices"][1]["value"] = question["choices"][0]["value"]
    return question["code"]


def _duplicate_choice_labels(d: dict) -> str:
    question = _first_of_kind(d, "multi")
    question["choices"][1]["label"] = question["choices"][0]["label"]
    return question["code"]


def _weight_above_one(d: dict) -> str:
    question = _first_of_kind(d, "single")
    question["partial_credit"][0][2] = 1.5
    return question["code"]


def _weight_below_zero(d: dict) -> str:
    question = _first_of_kind(d, "single")
    question["partial_credit"][0][2] = -0.1
    return question["code"]


def _tolerance_zero(d: dict) -> str:
    question = _first_of_kind(d, "numeric")
    question["tolerance"] = 0
    return question["code"]


def _allocation_with_one_segment(d: dict) -> str:
    question = _first_of_kind(d, "allocation")
    question["choices"] = question["choices"][:1]
    question["de"]["choices"] = {
        k: v for k, v in question["de"]["choices"].items() if k == question["choices"][0]["value"]
    }
    return question["code"]


def _ranking_with_one_item(d: dict) -> str:
    question = _first_of_kind(d, "ranking")
    question.pop("rank_limit", None)
    question["choices"] = question["choices"][:1]
    question["de"]["choices"] = {
        k: v for k, v in question["de"]["choices"].items() if k == question["choices"][0]["value"]
    }
    return question["code"]


def _missing_translation(d: dict) -> str:
    question = _first_of_kind(d, "scale")
    del question["de"]["prompt"]
    return question["code"]


def _missing_choice_translation(d: dict) -> str:
    question = _first_of_kind(d, "single")
    del question["de"]["choices"][question["choices"][0]["value"]]
    return question["code"]


def _unknown_kind(d: dict) -> str:
    question = _first_of_kind(d, "text")
    question["kind"] = "essay"
    return question["code"]


def _importance_zero(d: dict) -> str:
    question = _first_of_kind(d, "scale")
    question["importance"] = 0
    return question["code"]


def _required_not_a_flag(d: dict) -> str:
    question = _first_of_kind(d, "text")
    question["required"] = "no"
    return question["code"]


def _prompt_too_long(d: dict) -> str:
    question = _first_of_kind(d, "multi")
    question["prompt"] = "Why " * 150
    return question["code"]


def _option_value_not_a_code(d: dict) -> str:
    question = _first_of_kind(d, "ranking")
    value = question["choices"][0]["value"]
    question["choices"][0]["value"] = "not a code!"
    question["de"]["choices"]["not a code!"] = question["de"]["choices"].pop(value)
    return question["code"]


def _bound_beyond_a_float(d: dict) -> str:
    question = _first_of_kind(d, "numeric")
    question["max_value"] = 10**400  # a whole number JSON allows, which no float holds
    return question["code"]


def _bound_infinite(d: dict) -> str:
    question = _first_of_kind(d, "numeric")
    question["min_value"] = float("-inf")  # written as -Infinity, which Python reads
    return question["code"]


def _prompt_with_nul(d: dict) -> str:
    question = _first_of_kind(d, "scale")
    question["prompt"] = "Why\u0000 not"  # PostgreSQL stores no NUL in a text
    return question["code"]


def _option_label_with_nul(d: dict) -> str:
    question = _first_of_kind(d, "single")
    question["choices"][0]["label"] = "\u0000"
    return question["code"]


QUESTION_ERRORS: list[tuple[str, Callable[[dict], str], str]] = [
    ("a scale with one point", _scale_with_one_point, "scale_max"),
    ("options sharing a value", _duplicate_choice_values, "choices"),
    ("options sharing a label", _duplicate_choice_labels, "choices"),
    ("a weight above 1", _weight_above_one, "partial_credit[1]"),
    ("a weight below 0", _weight_below_zero, "partial_credit[1]"),
    ("a tolerance of zero", _tolerance_zero, "tolerance"),
    ("an allocation with one segment", _allocation_with_one_segment, "choices"),
    ("a ranking with one item", _ranking_with_one_item, "choices"),
    ("a missing translation", _missing_translation, "de.prompt"),
    ("a missing option translation", _missing_choice_translation, "de.choices."),
    ("an unknown kind", _unknown_kind, "kind"),
    ("an importance of zero", _importance_zero, "importance"),
    ("a flag that is not true or false", _required_not_a_flag, "required"),
    ("a prompt too long to store", _prompt_too_long, "prompt"),
    ("an option value that is not a code", _option_value_not_a_code, "choices[1].value"),
    ("a bound beyond a float", _bound_beyond_a_float, "max_value"),
    ("an infinite bound", _bound_infinite, "min_value"),
    ("a NUL character in a prompt", _prompt_with_nul, "prompt"),
    ("a NUL character in an option", _option_label_with_nul, "choices[1].label"),
]


@pytest.mark.parametrize(
    ("change", "field"),
    [pytest.param(change, field, id=what) for what, change, field in QUESTION_ERRORS],
)
def test_each_error_in_a_question_is_named_by_section_question_and_field(change, field):
    definition = _default()
    code = change(definition)
    problems = _refused(_encoded(definition))
    section = _section_of(definition, code)
    place = f"Section “{section}”, question “{code}”, field “{field}"
    assert any(problem.startswith(place) for problem in problems), problems
    # Nothing else is blamed (a figure's rule on the one-point scale is, rightly, too).
    assert all(f"question “{code}”" in problem for problem in problems), problems


def test_a_file_that_is_not_json_is_refused_with_the_line_and_column():
    text = export_text = json.dumps(_default(), indent=2)
    broken = text.replace('"version": 2,', '"version": 2', 1)
    assert broken != export_text
    problems = _refused(broken.encode())
    line = broken[: broken.index('"version": 2')].count("\n") + 2
    assert problems == [f"The file is not valid JSON: line {line}, column 3."]


def test_a_file_in_another_format_is_refused_before_anything_else_is_read():
    definition = {"format": 2, **_default(), "pages": []}
    assert _refused(_encoded(definition)) == [
        "Field “format”: the file is in format 2; this version of Common Ground reads format 1."
    ]
    assert _refused(_encoded({**_default(), "format": "1"}))[0].startswith(
        'Field “format”: the file is in format "1";'
    )


def test_a_file_naming_format_1_or_none_is_read():
    assert read_upload(_encoded({"format": 1, **_default()}))["slug"] == "joint-mobile-strategy"
    assert read_upload(_encoded(_default()))["version"] == 2


def test_a_file_too_large_is_refused_before_it_is_read():
    data = b" " * (MAX_FILE_BYTES + 1)
    assert _refused(data) == [
        "The file is too large: 1001 kB, where a questionnaire file may be at most 1000 kB."
    ]


def test_a_file_that_is_not_utf8_is_refused():
    assert _refused('{"title": "Grüße"}'.encode("latin-1")) == [
        "The file is not UTF-8 text (byte 14 cannot be read)."
    ]


def test_a_number_with_too_many_digits_to_read_is_refused():
    assert _refused(b'{"version": ' + b"1" * 5000 + b"}") == [
        "The file is not valid JSON: a number has more digits than can be read."
    ]


def test_a_key_given_twice_is_refused():
    text = json.dumps(_default()).replace('"version": 2', '"version": 2, "version": 3', 1)
    assert _refused(text.encode()) == ["The file names the key “version” twice in one object."]


def test_a_file_that_is_not_one_questionnaire_is_refused():
    assert _refused(b"[1, 2]") == [
        "The file must hold one questionnaire: an object with “slug”, “title”, “version” and "
        "“sections”."
    ]


def test_unknown_keys_and_a_repeated_section_code_are_named():
    definition = _default()
    definition["author"] = "Mallory"
    definition["sections"][0]["colour"] = "red"
    definition["sections"][1]["code"] = definition["sections"][0]["code"]
    first = definition["sections"][0]["code"]
    assert check_definition(definition) == [
        "Field “author”: is not a field of a questionnaire file.",
        f"Section “{first}”, field “colour”: is not a field of a section.",
        f"Section “{first}”, field “code”: another section has this code.",
    ]


def test_every_problem_of_a_file_is_reported_at_once():
    definition = _default()
    codes = [_scale_with_one_point(definition), _tolerance_zero(definition)]
    definition["sections"][-1]["questions"][-1]["prompt"] = "x" * 401
    problems = _refused(_encoded(definition))
    assert len(problems) == 3  # the checks stop before the rows' validation (the prompt)
    assert all(any(f"“{code}”" in p for p in problems) for code in codes)


def test_the_rows_own_validation_names_every_refused_row_at_once():
    definition = _default()
    last = definition["sections"][-1]["questions"][-1]
    last["prompt"] = "x" * 401
    definition["sections"][0]["code"] = "not a code"
    problems = _refused(_encoded(definition))
    assert [p.split(":")[0] for p in problems] == [
        "Section “not a code”, field “code”",
        f"Section “{definition['sections'][-1]['code']}”, question “{last['code']}”, "
        "field “prompt”",
    ]


def test_a_prediction_and_a_polarity_go_round_the_file(alice):
    """A question marked "prediction" is written so (its companion question is not written:
    the loader adds it again), and a unipolar scale keeps its polarity."""
    from surveys.models import Question
    from surveys.transfer import import_definition

    definition = {**_as_written(_default()), "slug": "predicting"}
    scale = _first_of_kind(definition, "scale")
    scale["prediction"] = True
    scale["polarity"] = "unipolar"
    imported = import_definition(read_upload(_encoded(definition)), owner=alice)
    companion = Question.objects.get(section__questionnaire=imported, predicts__code=scale["code"])
    assert companion.code == scale["code"] + "-predicted"
    exported = export_definition(imported)
    assert exported == definition
    assert list(_question(exported, scale["code"]))[:4] == ["code", "kind", "prompt", "help_text"]


def test_every_shipped_questionnaire_exports_as_its_own_data_file():
    """Version 3 too: its predictions and unipolar scales are written as its file writes them."""
    from surveys.loading import QUESTIONNAIRE_DIR, load_questionnaire

    for path in sorted(QUESTIONNAIRE_DIR.glob("*.json")):
        questionnaire = load_questionnaire(path)[0]
        filed = _as_written(read_definition(path))
        exported = export_definition(questionnaire)
        # The same keys and values (the order is the canonical one, which version 3's
        # hand-edited file does not always keep: a key added after "de" is written in place).
        assert exported == filed, path.name
