"""Rendered questions kept in the "local" cache: the same HTML as a fresh render, never a
stale one (the key names everything the HTML depends on)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import translation

from surveys import presenting
from surveys.models import Answer, Response
from surveys.presenting import build_field, render_field

from ..factories import question

TEMPLATE = "respond/_question.html"


@pytest.fixture
def frozen(questionnaire):
    """A questionnaire with a response (so frozen) and its structure key."""
    Response.objects.create(questionnaire=questionnaire)
    return questionnaire.structure_key


def _render(q, answer=None, *, key, locked=False, url="../../autosave/1/", **state):
    field = build_field(q, 1, answer, **state)
    field.autosave_url = url
    return render_field(field, template_name=TEMPLATE, locked=locked, structure_key=key)


@pytest.fixture
def renders():
    """How many questions were rendered (one served from the cache is not)."""
    with mock.patch.object(
        presenting, "render_to_string", side_effect=presenting.render_to_string
    ) as render:
        yield render


def test_a_repeated_state_comes_from_the_cache_and_matches_a_fresh_render(frozen, renders):
    q = question("obj-channels")
    url = "../../autosave/4141/"  # a state no other test renders
    first = _render(q, key=frozen, url=url)
    assert renders.call_count == 1
    assert _render(q, key=frozen, url=url) == first
    assert renders.call_count == 1
    field = build_field(q, 1, None)
    field.autosave_url = url
    assert first == presenting.render_to_string(TEMPLATE, {"field": field, "locked": False})
    assert f'name="q{q.pk}"' in first and "checked" not in first


def test_every_part_of_the_state_changes_the_html(frozen):
    q = question("obj-channels")
    response = Response.objects.create(questionnaire=q.section.questionnaire)
    blank = _render(q, key=frozen)
    answer = Answer(response=response, question=q, value=4, revision=3)
    answered = _render(q, answer, key=frozen)
    assert 'value="4" checked' in answered and 'value="3"' in answered  # the revision
    assert _render(q, answer, key=frozen, error="Pick one of 1 to 5.") != answered
    assert "Saved" in _render(q, answer, key=frozen, status="saved")
    assert 'value="4" checked' not in blank
    locked = _render(q, key=frozen, locked=True)
    assert "disabled" in locked and "hx-post" not in locked and "disabled" not in blank
    assert 'hx-post="../../autosave/9/"' in _render(q, key=frozen, url="../../autosave/9/")
    load_time = question("kpi-load-time")
    unknown = Answer(response=response, question=load_time, value=None, is_unknown=True, revision=1)
    assert f'id="q{load_time.pk}-unknown" value="1" checked' in _render(
        load_time, unknown, key=frozen
    )
    assert f'id="q{load_time.pk}-unknown" value="1">' in _render(load_time, key=frozen)


def test_numbers_and_free_text_are_escaped_and_kept_apart(frozen):
    q = question("val-success")
    response = Response.objects.create(questionnaire=q.section.questionnaire)
    mine = Answer(response=response, question=q, value="<script>alert(1)</script>", revision=1)
    theirs = Answer(response=response, question=q, value="Faster releases", revision=1)
    html = _render(q, mine, key=frozen)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Faster releases" in _render(q, theirs, key=frozen)
    assert "Faster releases" not in _render(q, mine, key=frozen)


def test_another_version_or_language_is_rendered_afresh(frozen, renders):
    """A frozen questionnaire never changes in place: another version has another key (its
    pk, digest and creation time), and so has another language."""
    q = question("obj-channels")
    url = "../../autosave/4242/"  # a state no other test renders
    _render(q, key=frozen, url=url)
    _render(q, key=(frozen[0], "another digest", frozen[2]), url=url)
    assert renders.call_count == 2
    with translation.override("de"):
        _render(q, key=frozen, url=url)
    assert renders.call_count == 3
    _render(q, key=frozen, url=url)
    assert renders.call_count == 3


def test_a_none_of_these_option_is_explained(frozen, questionnaire):
    from surveys.models import Question

    with_none = next(
        q for q in Question.objects.filter(kind="multi") if any(c.is_none for c in q.choices.all())
    )
    label = next(c.label for c in with_none.choices.all() if c.is_none)
    assert f"Choosing “{label}” clears the other choices." in _render(with_none, key=frozen)
