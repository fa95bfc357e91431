"""One home per question kind: one list of kinds, one class each, asked instead of branched on;
each kind's settings typed and checked when a questionnaire file loads."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.template.loader import get_template

from surveys import scoring
from surveys.kinds import KINDS, kind_for, spec_for
from surveys.kinds.single import Ownership
from surveys.loading import (
    V2_QUESTIONNAIRE,
    QuestionnaireInvalid,
    check_definition,
    load_questionnaire,
    read_definition,
)
from surveys.models import KIND_LABELS, Question, QuestionKind, Questionnaire
from surveys.scoring import Kind, QuestionSpec

from ..factories import question

# One list of kinds -------------------------------------------------------------------------


def test_the_database_kinds_are_the_scoring_kinds_and_every_kind_has_one_class():
    """`QuestionKind` is built from `scoring.Kind`: same names, same values, same order, so the
    two can never drift; each has a label, and exactly one class in `KINDS`."""
    assert [(k.name, k.value) for k in QuestionKind] == [(k.name, k.value) for k in Kind]
    assert all(QuestionKind[k.name] == k for k in Kind)
    assert set(KIND_LABELS) == set(Kind)
    assert QuestionKind.choices == [(k.value, KIND_LABELS[k]) for k in Kind]
    assert Question._meta.get_field("kind").choices == QuestionKind.choices
    assert list(KINDS) == list(Kind)
    assert all(kind.kind is key for key, kind in KINDS.items())
    assert len({type(kind) for kind in KINDS.values()}) == len(Kind)
    assert str(KINDS[Kind.NUMERIC].label) == "Numeric target"


def test_what_the_kinds_say_of_themselves_agrees_with_scoring():
    assert {k for k, kind in KINDS.items() if kind.has_position} == scoring.POSITION_KINDS
    coded = [k for k, kind in KINDS.items() if kind.coded]
    assert coded == [Kind.TEXT]
    for key in Kind:  # only a coded kind takes the facilitator's coding
        spec = QuestionSpec(kind=key, items=("a", "b"))
        if key in coded:
            scoring.compare(spec, "x", "y", "agree")
        else:
            with pytest.raises(ValueError):
                scoring.compare(spec, None, None, "agree")


def test_every_kind_has_its_template(questionnaire):
    for kind in KINDS.values():
        get_template(kind.template_name)
        if kind.autosave_template_name:
            get_template(kind.autosave_template_name)
    assert KINDS[Kind.SCALE].template_name == "surveys/kinds/scale.html"


# Nothing else branches on the kind ---------------------------------------------------------

BRANCHING = re.compile(
    r"QuestionKind\.[A-Z]+\b|\bKind\.[A-Z]+\b|\.kind\s*(==|!=|\bin\b|\bis\b)|case Kind\."
    r"|\bmatch\s+[\w.]*\bkind\b|\bkind\s+(not\s+)?in\s+\w+_KINDS\b"
)
#: In a template, a condition that compares a kind (`item.kind`, `kind`, `kind_label`, ...) to
#: a value written in the template, either way round: `{% if row.item.kind == "text" %}`.
TEMPLATE_CONDITION = re.compile(r"{%\s*(?:if|elif)\b(.*?)%}", re.DOTALL)
TEMPLATE_BRANCHING = re.compile(
    r"""\bkind\w*(?:\.\w+)*\s*(==|!=|\bin\b|\bnot in\b)"""
    r"""|(["'][^"']*["']|\b\d+)\s*(==|!=|\bin\b|\bnot in\b)\s*[\w.]*\bkind"""
)


def branching_in_template(text: str) -> list[str]:
    """The conditions of `{% if %}` / `{% elif %}` tags in a template that branch on a kind."""
    return [
        condition.strip()
        for condition in TEMPLATE_CONDITION.findall(text)
        if TEMPLATE_BRANCHING.search(condition)
    ]


def test_only_the_kinds_and_scoring_branch_on_the_kind():
    """The dashboard included: it asks the kind (`Item.question_kind`) what to show."""
    root = Path(settings.BASE_DIR)
    found = []
    for path in [*root.glob("surveys/**/*.py"), *root.glob("workshops/**/*.py")]:
        relative = path.relative_to(root).as_posix()
        if (
            relative.startswith(("surveys/kinds/", "surveys/migrations/"))
            or "/migrations/" in relative
            or relative in ("surveys/scoring.py", "surveys/models.py")
        ):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if BRANCHING.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    for path in root.glob("templates/**/*.html"):
        for condition in branching_in_template(path.read_text()):
            found.append(f"{path.relative_to(root)}: {{% if {condition} %}}")
    assert found == []


@pytest.mark.parametrize(
    ("template", "branches"),
    [
        ('{% if row.item.kind == "text" %}', True),
        ("{% elif item.spec.kind == 'scale' %}", True),
        ('{% if kind != "numeric" %}', True),
        ('{% if item.kind in "scale numeric" %}', True),
        ('{% if "ranking" == row.item.kind %}', True),
        ('{% if row.item.kind_label == "Free text" %}', True),
        ("{% if value == filters.kind %}", False),  # the filter's chosen kind, not a branch
        ("{% if row.item.kind %}{{ item.kind_label }}", False),
        ("{% if x == 1 %} the kind == nothing {% endif %}", False),
    ],
)
def test_the_template_check_finds_a_branch_on_the_kind(template, branches):
    assert bool(branching_in_template(template)) is branches


def test_python_branching_is_found():
    for line in (
        "if item.spec.kind is Kind.TEXT:",
        'if self.item.kind == "text":',
        "if kind in POSITION_KINDS:",
        "match item.spec.kind:",
        "kind=QuestionKind.TEXT,",
    ):
        assert BRANCHING.search(line), line
    assert not BRANCHING.search("if item.question_kind.coded:")


def test_each_kind_s_dashboard_codes_are_ones_the_dashboard_shows():
    """A kind names its dashboard forms by code; the dashboard words and draws each one."""
    from dataclasses import fields

    from workshops.dashboard.answers import ANSWER_FORMS
    from workshops.dashboard.rows import Row
    from workshops.dashboard.wording import POSITION_TEXT

    charts = {f.name for f in fields(Row)}
    for kind in KINDS.values():
        assert kind.answer_form in ANSWER_FORMS, kind
        assert bool(kind.position_form) is kind.has_position, kind
        assert not kind.position_form or kind.position_form in POSITION_TEXT, kind
        assert not kind.chart or kind.chart in charts, kind


# The scoring view and the typed settings ---------------------------------------------------


def test_the_scoring_view_of_a_question(questionnaire):
    ownership = question("own-apps-today")
    spec = spec_for(ownership)
    assert spec.kind is Kind.SINGLE
    assert spec.items == tuple(c.value for c in ownership.choices.all())
    assert ("cio", "joint", 0.5) in spec.partial_credit
    channels = question("aud-customer-channels")
    none = next(c.value for c in channels.choices.all() if c.is_none)
    assert spec_for(channels).none_value == none
    load_time = question("kpi-load-time")
    spec = kind_for(load_time).spec(load_time, [])
    assert (spec.kind, spec.tolerance, spec.higher_is_ambitious) == (Kind.NUMERIC, 0.2, False)
    ranking = question("obj-ranking")
    assert spec_for(ranking).rank_limit == ranking.rank_limit
    assert spec_for(question("obj-channels")).importance == question("obj-channels").importance


def test_each_kind_reads_its_settings_typed(questionnaire):
    today = question("own-mobile-web-today")
    assert kind_for(today).settings(today).ownership == Ownership(
        "mobile_web", "Mobile web", "today"
    )
    assert (
        kind_for(question("aud-web-vs-apps")).settings(question("aud-web-vs-apps")).ownership
        is None
    )
    load_time = question("kpi-load-time")
    numeric = kind_for(load_time).settings(load_time)
    assert (numeric.kpi, numeric.unit, numeric.min_value, numeric.max_value) == (
        "Page load time",
        "seconds",
        0.5,
        30.0,
    )
    assert numeric.absolute_tolerance is None and not numeric.higher_is_ambitious
    scale = kind_for(question("obj-channels")).settings(question("obj-channels"))
    assert (scale.scale_min, scale.scale_max) == (1, 5) and scale.high_label
    channels = question("aud-customer-channels")
    assert kind_for(channels).settings(channels).none_value is not None
    split = next(q for q in Question.objects.filter(kind="allocation"))
    assert [s.value for s in kind_for(split).settings(split).segments] == [
        c.value for c in split.choices.all()
    ]
    text = Question.objects.filter(kind="text").first()
    assert kind_for(text).settings(text).max_length == text.max_length


@pytest.mark.parametrize(
    ("code", "rule", "value", "expected"),
    [
        ("obj-channels", {"scale_at_least": 4}, 4, True),
        ("obj-channels", {"scale_at_least": 4}, 3, False),
        ("own-mobile-web-today", {"choice_in": ["cio"]}, "cio", True),
        ("own-mobile-web-today", {"choice_in": ["cio"]}, "cmo", False),
        ("kpi-load-time", {"value_equals": 3}, 3.0, True),
        ("kpi-load-time", {"value_equals": 3}, 2.5, False),
        ("kpi-load-time", {"value_equals": 3}, "soon", None),
        ("obj-channels", {"choice_in": ["cio"]}, 4, None),  # not a rule of its kind
    ],
)
def test_a_published_figure_s_bucket_is_read_by_the_kind(
    questionnaire, code, rule, value, expected
):
    q = question(code)
    assert kind_for(q).counts_as_yes(rule, value) is expected


def test_a_dont_know_is_missing_for_scoring(questionnaire):
    q = question("kpi-load-time")
    assert kind_for(q).scoring_value(None, True) is None
    assert kind_for(q).scoring_value(2.5, False) == 2.5


# Checked when a questionnaire loads ----------------------------------------------------------


def _find(definition: dict, code: str) -> dict:
    return next(q for s in definition["sections"] for q in s["questions"] if q["code"] == code)


def _section_of(definition: dict, code: str) -> str:
    return next(
        s["code"] for s in definition["sections"] for q in s["questions"] if q["code"] == code
    )


def _set(question_code, /, **changes):
    def change(definition):
        _find(definition, question_code).update(changes)

    return change


def _meta(code, **changes):
    def change(definition):
        _find(definition, code)["meta"].update(changes)

    return change


def _choices(code, edit):
    def change(definition):
        edit(_find(definition, code)["choices"])

    return change


def _benchmark_rule(code, rule):
    def change(definition):
        _find(definition, code)["benchmark"]["answer_counts_as_yes"] = rule

    return change


BROKEN = [
    # (what is broken, the question, the field named, the change)
    ("no prompt", "obj-channels", "prompt", lambda d: _find(d, "obj-channels").pop("prompt")),
    ("a code twice", "obj-channels", "code", _set("obj-engagement", code="obj-channels")),
    ("an ownership tense", "own-apps-today", "meta.tense", _meta("own-apps-today", tense="later")),
    ("a misspelt hint", "own-apps-today", "meta.tence", _meta("own-apps-today", tence="today")),
    (
        "an ownership area missing",
        "own-apps-today",
        "meta.area",
        lambda d: _find(d, "own-apps-today")["meta"].pop("area"),
    ),
    (
        "a KPI hint on a scale",
        "obj-channels",
        "meta.kpi",
        _set("obj-channels", meta={"kpi": "Reach"}),
    ),
    ("a unit on a scale", "obj-channels", "unit", _set("obj-channels", unit="%")),
    (
        "a reversed scale",
        "obj-channels",
        "scale_max",
        _set("obj-channels", scale_min=5, scale_max=1),
    ),
    ("an unknown kind", "obj-channels", "kind", _set("obj-channels", kind="slider")),
    ("a misspelt setting", "obj-channels", "scale_mx", _set("obj-channels", scale_mx=7)),
    ("a top-k beyond the items", "obj-ranking", "rank_limit", _set("obj-ranking", rank_limit=40)),
    ("bounds the wrong way", "kpi-load-time", "max_value", _set("kpi-load-time", min_value=40)),
    ("a zero tolerance", "kpi-load-time", "tolerance", _set("kpi-load-time", tolerance=0)),
    (
        "a tolerance in words",
        "kpi-load-time",
        "absolute_tolerance",
        _set("kpi-load-time", absolute_tolerance="two"),
    ),
    (
        "a partial credit for a stranger",
        "own-apps-today",
        "partial_credit[1]",
        _set("own-apps-today", partial_credit=[["cio", "cfo", 0.5]]),
    ),
    (
        "one option only",
        "aud-web-vs-apps",
        "choices",
        _choices("aud-web-vs-apps", lambda c: c.__delitem__(slice(1, None))),
    ),
    (
        "two options with one value",
        "aud-web-vs-apps",
        "choices",
        _choices("aud-web-vs-apps", lambda c: c.append(dict(c[0]))),
    ),
    (
        "an option without a label",
        "aud-web-vs-apps",
        "choices[1]",
        _choices("aud-web-vs-apps", lambda c: c[0].pop("label")),
    ),
    (
        "a rule of another kind",
        "obj-channels",
        "benchmark.answer_counts_as_yes.choice_in",
        _benchmark_rule("obj-channels", {"choice_in": ["cio"]}),
    ),
    (
        "a point off the scale",
        "obj-channels",
        "benchmark.answer_counts_as_yes.scale_at_least",
        _benchmark_rule("obj-channels", {"scale_at_least": 9}),
    ),
    (
        "a bucket of strangers",
        "own-mobile-web-today",
        "benchmark.answer_counts_as_yes.choice_in",
        _benchmark_rule("own-mobile-web-today", {"choice_in": ["cfo"]}),
    ),
]


def _allocation_with_none(definition):
    split = next(
        q for s in definition["sections"] for q in s["questions"] if q["kind"] == "allocation"
    )
    split["choices"][0]["is_none"] = True
    return split["code"]


def _text_of_no_length(definition):
    text = next(q for s in definition["sections"] for q in s["questions"] if q["kind"] == "text")
    text["max_length"] = 0
    return text["code"]


@pytest.mark.parametrize(
    ("code", "field", "change"),
    [pytest.param(code, field, change, id=what) for what, code, field, change in BROKEN],
)
def test_a_broken_setting_is_refused_naming_section_question_and_field(
    questionnaire, tmp_path, code, field, change
):
    definition = read_definition(V2_QUESTIONNAIRE)
    definition["version"] = 99
    change(definition)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(definition))
    before = Questionnaire.objects.count()
    with pytest.raises(QuestionnaireInvalid) as refused:
        load_questionnaire(path)
    section = _section_of(definition, code)
    assert f"Section “{section}”, question “{code}”, field “{field}”:" in str(refused.value)
    assert Questionnaire.objects.count() == before  # nothing written


@pytest.mark.parametrize("break_it", [_allocation_with_none, _text_of_no_length])
def test_kind_specific_checks_of_the_other_kinds(break_it):
    definition = read_definition(V2_QUESTIONNAIRE)
    code = break_it(definition)
    problems = check_definition(definition)
    assert len(problems) == 1 and f"question “{code}”" in problems[0]


def test_every_problem_of_a_file_is_listed_at_once():
    definition = read_definition(V2_QUESTIONNAIRE)
    _meta("own-apps-today", tense="later")(definition)
    _set("kpi-load-time", tolerance=-1)(definition)
    problems = check_definition(definition)
    assert len(problems) == 2
    assert "“own-apps-today”, field “meta.tense”" in problems[0]
    assert "“kpi-load-time”, field “tolerance”" in problems[1]


@pytest.mark.parametrize("name", ["joint-mobile-strategy.v1.json", "joint-mobile-strategy.v2.json"])
def test_the_shipped_questionnaires_pass_the_checks(name):
    assert check_definition(read_definition(V2_QUESTIONNAIRE.with_name(name))) == []


def test_the_load_command_reports_the_problems(questionnaire, tmp_path):
    definition = read_definition(V2_QUESTIONNAIRE)
    definition = copy.deepcopy(definition)
    definition["version"] = 99
    _meta("own-apps-today", tense="later")(definition)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(definition))
    with pytest.raises(CommandError, match="question “own-apps-today”, field “meta.tense”"):
        call_command("load_questionnaire", str(path))


def test_a_file_without_sections_or_a_section_without_questions_is_refused():
    assert check_definition({"slug": "x", "title": "X", "version": 1}) == [
        "Field “sections”: is missing."
    ]
    definition = read_definition(V2_QUESTIONNAIRE)
    definition["sections"][1]["questions"] = []
    definition["sections"][2].pop("title")
    assert check_definition(definition) == [
        f"Section “{definition['sections'][1]['code']}”, field “questions”: is missing.",
        f"Section “{definition['sections'][2]['code']}”, field “title”: is missing.",
    ]
