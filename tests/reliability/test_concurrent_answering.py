"""A room full of executives answering at once, against a live server over real HTTP.

Runs on SQLite (a file database: see tests/settings.py) and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db.models import Count

from surveys.models import Answer, Question, Response, ResponseStatus
from workshops import respond_views
from workshops.models import Role
from workshops.services import Invitation, add_participant

from .. import figures
from .answers import valid_answer
from .browser import Browser, Reply

pytestmark = pytest.mark.django_db(transaction=True)

PARTICIPANTS = 50
ANSWERS_EACH = 8
CHANGED_EACH = 3
THREADS = 16


def _questions(workshop) -> list[Question]:
    return [q for s in workshop.questionnaire.ordered_sections() for q in s.questions.all()]


def _invite_many(workshop, count: int) -> list[Invitation]:
    return [
        add_participant(
            workshop=workshop,
            name=f"Executive {n}",
            role=Role.CIO if n % 2 else Role.CMO,
            email=f"exec{n}@example.com",
        )
        for n in range(count)
    ]


def _autosave_path(invitation: Invitation, question: Question) -> str:
    return f"/respond/{invitation.participant.pk}/autosave/{question.pk}/"


def _acknowledged(reply: Reply) -> bool:
    return reply.status == 200 and "Saved" in reply.text


def _run_all(tasks: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda task: task(), tasks))


def test_fifty_executives_autosaving_at_once_lose_no_answer(live_server, workshop):
    rng = random.Random(20270601)
    invitations = _invite_many(workshop, PARTICIPANTS)
    questions = _questions(workshop)
    browsers = [Browser(live_server.url) for _ in invitations]
    _run_all(
        [
            lambda b=browser, i=invitation: b.open_link(i.path)
            for browser, invitation in zip(browsers, invitations, strict=True)
        ]
    )

    # Round 1: every executive answers 8 questions, all 400 autosaves interleaved.
    expected: dict[tuple[int, int], Any] = {}
    plan = []
    for browser, invitation in zip(browsers, invitations, strict=True):
        for question in rng.sample(questions, ANSWERS_EACH):
            posted, stored = valid_answer(question, rng)
            plan.append((browser, invitation, question, posted, stored))
    rng.shuffle(plan)

    def save(step: tuple) -> tuple[tuple, Reply]:
        browser, invitation, question, posted, _stored = step
        return step, browser.post(_autosave_path(invitation, question), posted)

    results = _run_all([lambda step=step: save(step) for step in plan])

    # Round 2: each changes 3 answers it gave, with the revision its page showed (1).
    changes = []
    for step, reply in results:
        browser, invitation, question, _posted, stored = step
        if _acknowledged(reply):
            expected[(invitation.participant.pk, question.pk)] = stored
    by_participant: dict[int, list[tuple]] = {}
    for step, _reply in results:
        by_participant.setdefault(step[1].participant.pk, []).append(step)
    for steps in by_participant.values():
        for browser, invitation, question, _posted, stored in steps[:CHANGED_EACH]:
            posted, new = valid_answer(question, rng)
            while new == stored:
                posted, new = valid_answer(question, rng)
            posted[f"q{question.pk}-rev"] = "1"
            changes.append((browser, invitation, question, posted, new))
    rng.shuffle(changes)
    results += _run_all([lambda step=step: save(step) for step in changes])
    for step, reply in results[len(plan) :]:
        _browser, invitation, question, _posted, new = step
        if _acknowledged(reply):
            expected[(invitation.participant.pk, question.pk)] = new

    refused = [
        f"{reply.status} {reply.text[:200]}" for _, reply in results if not _acknowledged(reply)
    ]
    stored = {
        (participant_pk, question_pk): value
        for participant_pk, question_pk, value in Answer.objects.values_list(
            "response__participant", "question", "value"
        )
    }
    lost = [key for key, value in expected.items() if stored.get(key) != value]
    duplicates = (
        Answer.objects.values("response", "question").annotate(n=Count("pk")).filter(n__gt=1)
    )
    figures.add(figures.CONCURRENT_WRITES, len(results))
    figures.add(figures.ANSWERS_LOST, len(lost))
    assert not refused, f"{len(refused)} autosaves not acknowledged, e.g. {refused[:3]}"
    assert not lost, f"{len(lost)} acknowledged answers not stored as acknowledged"
    assert not duplicates.exists()
    assert len(expected) == PARTICIPANTS * ANSWERS_EACH == len(stored)
    # What each response stores about its answers (the board and the home read it) stayed
    # exact through the concurrent saves.
    counts = Response.objects.filter(participant__workshop=workshop).values_list(
        "answered_count", flat=True
    )
    assert list(counts) == [ANSWERS_EACH] * PARTICIPANTS


def test_many_tabs_changing_one_answer_at_once_keep_exactly_one(live_server, workshop, cio):
    """Twelve tabs, all showing revision 1, change one answer at the same instant: one wins,
    the others are told of the conflict, and the stored value is the winner's."""
    browser = Browser(live_server.url)
    browser.open_link(cio.path)
    question = next(q for q in _questions(workshop) if q.kind == "scale")
    path = _autosave_path(cio, question)
    assert _acknowledged(browser.post(path, {f"q{question.pk}": "1"}))
    tabs = 12
    start = threading.Barrier(tabs)
    values = [str(2 + n % 4) for n in range(tabs)]

    def change(value: str) -> tuple[str, Reply]:
        start.wait(timeout=30)
        return value, browser.post(path, {f"q{question.pk}": value, f"q{question.pk}-rev": "1"})

    with ThreadPoolExecutor(max_workers=tabs) as pool:
        replies = list(pool.map(change, values))
    assert all(reply.status == 200 for _, reply in replies), [r.status for _, r in replies]
    winners = [int(v) for v, reply in replies if "Saved" in reply.text]
    conflicts = [v for v, reply in replies if "another tab" in reply.text]
    answer = Answer.objects.get(response__participant=cio.participant, question=question)
    figures.add(figures.CONCURRENT_WRITES, tabs)
    # Tabs that posted the winning value again see "Saved" (unchanged); any other is a conflict.
    assert len(set(winners)) == 1 and len(winners) + len(conflicts) == tabs
    assert answer.value == winners[0]
    assert answer.revision == 2


def test_a_double_submit_submits_once(live_server, workshop, cio, monkeypatch):
    browser = Browser(live_server.url)
    browser.open_link(cio.path)
    response = Response.objects.get(participant=cio.participant)
    rng = random.Random(7)
    Answer.objects.bulk_create(
        Answer(response=response, question=question, value=valid_answer(question, rng)[1])
        for question in _questions(workshop)
    )
    submitted = []
    real_submit = respond_views.submit_response

    def counting_submit(response: Response) -> bool:
        done = real_submit(response)
        submitted.append(done)
        return done

    monkeypatch.setattr(respond_views, "submit_response", counting_submit)
    start = threading.Barrier(2)
    path = f"/respond/{cio.participant.pk}/submit/"

    def click(_: int) -> Reply:
        start.wait(timeout=30)
        return browser.post(path, {})

    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(click, range(2)))
    assert [reply.status for reply in replies] == [200, 200]
    assert all(reply.url.endswith(f"/respond/{cio.participant.pk}/review/") for reply in replies)
    assert sorted(submitted) == [False, True]
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    first = response.submitted_at
    assert browser.post(path, {}).status == 200
    response.refresh_from_db()
    assert response.submitted_at == first


def test_sqlite_runs_the_live_server_on_a_file_in_wal_mode(live_server):
    """The concurrency above means something only on a real file with WAL and a busy timeout."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert not connection.is_in_memory_db()
    assert not live_server.thread.connections_override, "requests would share one connection"
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
