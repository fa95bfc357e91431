"""Reading, validating and saving one executive's answers.

Each question kind (`surveys.kinds`) turns the posted form fields into the stored value (see
the shapes in `surveys.models`) or raises `AnswerError` with a message the executive can act on.
Saving goes through `save_answer`, which is safe under double submits and concurrent tabs: one
row per (response, question) is enforced by the database, and a stale revision never silently
overwrites a newer value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

from .entry import (  # noqa: F401 - read from here too (tests, the answering views)
    DECIMAL_COMMA,
    ENGLISH,
    READ_AS,
    AnswerError,
    NumberFormat,
    field_name,
    parse_number,
)
from .kinds import kind_for
from .models import Answer, Question, Response, ResponseStatus


class ResponseLocked(Exception):
    """The response was submitted (or its workshop closed): answers can no longer change."""


def parse_answer(question: Question, posted: QueryDict) -> tuple[Any, bool]:
    """Return (value, is_unknown) for the question from posted form fields.

    An empty answer returns (None, False): the question stays unanswered. Raises AnswerError.
    """
    if question.allow_unknown and posted.get(field_name(question, "unknown")):
        return None, True
    return kind_for(question).parse(question, posted), False


@dataclass(frozen=True)
class SaveResult:
    """What happened to one answer: saved, unchanged (a repeat) or conflict (newer elsewhere)."""

    status: str
    answer: Answer | None
    #: Whether the question went from unanswered to answered or back (the count of answered
    #: questions changed).
    answered_changed: bool = False
    #: When it changed: how many questions the response answers now (read with the change).
    answered_count: int | None = None

    @property
    def conflict(self) -> bool:
        return self.status == "conflict"


def _lock_response(
    response: Response, question: Question, now: datetime, *, newly_answered: int = 0
) -> int:
    """Inside a transaction: lock the response (concurrent saves to it wait here), check that
    it is still a draft and record the change and where to resume (the question's section);
    the caller rolls the transaction back when nothing changes.

    `newly_answered` (1 when the caller knows it is about to store a first answer) moves the
    response's stored `answered_count` in the same statement (see `_count_answered`).
    Returns the response's `answered_count` after the change."""
    drafts = Response.objects.filter(pk=response.pk, status=ResponseStatus.DRAFT)
    changes: dict[str, Any] = {
        "updated_at": now,
        "revision": F("revision") + 1,
        "last_section": question.section.position,
    }
    if newly_answered:
        changes["answered_count"] = F("answered_count") + newly_answered
    answered_count = drafts.update_counting(**changes)
    if answered_count is None:
        raise ResponseLocked
    return answered_count


def _count_answered(response: Response, change: int) -> int:
    """Inside the locking transaction: a question became answered (+1) or unanswered (-1).

    The response stores how many questions it answers, so that the pages listing many
    responses read it rather than count answers on every request; changing it here, in the
    transaction that saves the answer, keeps it exact whatever happens concurrently. (The usual
    case, a first answer, counts in `_lock_response`'s statement instead: no extra query.)
    Returns the count after the change."""
    counted = Response.objects.filter(pk=response.pk).update_counting(
        answered_count=F("answered_count") + change
    )
    assert counted is not None  # the response is locked: it is there
    return counted


def _lock_answer(response: Response, question: Question, now: datetime) -> Answer | None:
    """Inside a transaction: lock the response (`_lock_response`) and return its answer to
    `question`, locked."""
    _lock_response(response, question, now)
    return (
        Answer.objects.select_for_update()
        .filter(response_id=response.pk, question=question)
        .first()
    )


def _retrying_a_concurrent_insert[**P, R](change: Callable[P, R]) -> Callable[P, R]:
    """Run `change` in a transaction; once more if a concurrent request inserted the same
    answer between our read and our insert (the unique constraint refused ours)."""

    @wraps(change)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    return change(*args, **kwargs)
            except IntegrityError:
                continue
        raise RuntimeError(
            "Could not save the answer after a concurrent insert."
        )  # pragma: no cover

    return wrapper


def save_answer(
    response: Response,
    question: Question,
    *,
    value: Any,
    is_unknown: bool,
    base_revision: int | None,
) -> SaveResult:
    """Store one answer, at most one row per question, never overwriting a newer value.

    `base_revision` is the revision the executive's page showed (None when the page showed no
    answer yet). If the stored answer moved on since then (another tab or device) and holds a
    different value, nothing is written and the caller shows the newer value. A saved answer
    also moves the response's resume point (`last_section`) to the question's section, and
    clears a draft.

    Most saves are a question's first answer: when the page showed none, the answer is inserted
    at once, without reading first. The unique constraint (one answer per question) refuses the
    insert when an answer or a draft is stored after all (another tab, a kept draft), and the
    answer is then saved the careful way, comparing with what is stored.
    """
    if base_revision is None and (value is not None or is_unknown):
        try:
            return _insert_first_answer(response, question, value=value, is_unknown=is_unknown)
        except IntegrityError:
            pass  # an answer or a draft exists: compare with it
    return _save_over_stored_answer(
        response, question, value=value, is_unknown=is_unknown, base_revision=base_revision
    )


@transaction.atomic
def _insert_first_answer(
    response: Response, question: Question, *, value: Any, is_unknown: bool
) -> SaveResult:
    now = timezone.now()
    # The insert stores an answer (a value or "don't know"): counted in the locking statement.
    answered_count = _lock_response(response, question, now, newly_answered=1)
    return _new_answer(
        response, question, value=value, is_unknown=is_unknown, now=now, counted=answered_count
    )


def _new_answer(
    response: Response,
    question: Question,
    *,
    value: Any,
    is_unknown: bool,
    now: datetime,
    counted: int,
) -> SaveResult:
    """Inside the locking transaction: the question's first stored answer (`counted`: the
    response's answered questions with it)."""
    answer = Answer.objects.create(
        response_id=response.pk,
        question=question,
        value=value,
        is_unknown=is_unknown,
        updated_at=now,
    )
    return SaveResult("saved", answer, answered_changed=True, answered_count=counted)


@_retrying_a_concurrent_insert
def _save_over_stored_answer(
    response: Response,
    question: Question,
    *,
    value: Any,
    is_unknown: bool,
    base_revision: int | None,
) -> SaveResult:
    now = timezone.now()
    answer = _lock_answer(response, question, now)
    if answer is None and value is None and not is_unknown:
        transaction.set_rollback(True)
        return SaveResult("unchanged", None)  # still unanswered: nothing to store
    if answer is None:
        counted = _count_answered(response, +1)
        return _new_answer(
            response, question, value=value, is_unknown=is_unknown, now=now, counted=counted
        )
    if answer.value == value and answer.is_unknown == is_unknown:
        if answer.draft is None:
            transaction.set_rollback(True)
            return SaveResult("unchanged", answer)
        answer.draft = None  # back to the stored answer: the draft goes
        answer.updated_at = now
        answer.save(update_fields=["draft", "updated_at"])
        return SaveResult("saved", answer)
    stale = base_revision is None or base_revision != answer.revision
    if stale and answer.is_answered:
        transaction.set_rollback(True)
        return SaveResult("conflict", answer)
    was_answered = answer.is_answered
    answer.value = value
    answer.is_unknown = is_unknown
    answer.draft = None
    answer.revision += 1
    answer.updated_at = now
    answer.save(update_fields=["value", "is_unknown", "draft", "revision", "updated_at"])
    if answer.is_answered == was_answered:
        return SaveResult("saved", answer)
    counted = _count_answered(response, +1 if answer.is_answered else -1)
    return SaveResult("saved", answer, answered_changed=True, answered_count=counted)


#: What a draft may hold: each input at most DRAFT_MAX_LENGTH characters (a text answer is far
#: shorter; a longer one is kept to be trimmed), and DRAFT_MAX_SIZE characters in all.
DRAFT_MAX_LENGTH = 5000
DRAFT_MAX_SIZE = 10_000


@dataclass(frozen=True)
class DraftInputs:
    """What a draft keeps of a post, and whether all of it fitted."""

    inputs: dict[str, list[str]]
    #: The characters kept, in all.
    size: int = 0
    #: Part of what was entered did not fit: the executive is told, since the boxes on their
    #: page still show all of it.
    cut: bool = False


def question_inputs(question: Question, posted: QueryDict) -> DraftInputs:
    """This question's own inputs from a post, without NUL characters and bounded: what a draft
    keeps. Any other name (a made-up `q40-anything`) is not an input of the page, so not kept."""
    inputs: dict[str, list[str]] = {}
    room = DRAFT_MAX_SIZE
    cut = False
    for name, allowed in kind_for(question).inputs(question).items():
        posted_values = posted.getlist(name)
        if not posted_values:
            continue
        cut |= len(posted_values) > allowed
        values = []
        for raw in posted_values[:allowed]:
            value = raw.replace("\x00", "")
            kept = value[: min(DRAFT_MAX_LENGTH, room)]
            cut |= len(kept) < len(value)
            room -= len(kept)
            values.append(kept)
        inputs[name] = values
    return DraftInputs(inputs, size=DRAFT_MAX_SIZE - room, cut=cut)


def draft_as_post(draft: dict[str, list[str]]) -> QueryDict:
    """A stored draft as the form post it came from, for parsing and redisplay."""
    posted = QueryDict(mutable=True)
    for key, values in draft.items():
        posted.setlist(key, [str(v) for v in values])
    return posted


@_retrying_a_concurrent_insert
def save_draft(response: Response, question: Question, inputs: dict[str, list[str]]) -> Answer:
    """Keep what the respondent entered although it is not a valid answer yet.

    The stored value (if any) stays as it was, and so does its revision: a draft is never
    scored and never overwrites an answer, it only waits to become one.
    """
    now = timezone.now()
    answer = _lock_answer(response, question, now)
    if answer is None:
        return Answer.objects.create(
            response_id=response.pk, question=question, value=None, draft=inputs, updated_at=now
        )
    if answer.draft != inputs:
        answer.draft = inputs
        answer.updated_at = now
        answer.save(update_fields=["draft", "updated_at"])
    return answer


@transaction.atomic
def submit_response(response: Response) -> bool:
    """Mark a draft response submitted; returns False when it already was (a double submit).

    Unfinished drafts are dropped: what is submitted is each question's last complete answer
    (the review page says so before the executive submits).
    """
    now = timezone.now()
    updated = Response.objects.filter(pk=response.pk, status=ResponseStatus.DRAFT).update(
        status=ResponseStatus.SUBMITTED,
        submitted_at=now,
        updated_at=now,
        revision=F("revision") + 1,
    )
    if updated:
        Answer.objects.filter(response_id=response.pk, draft__isnull=False).update(draft=None)
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = now
    return bool(updated)


def reopen_response(response: Response) -> None:
    """Let the executive change a submitted response again (the facilitator's decision)."""
    Response.objects.filter(pk=response.pk).update(
        status=ResponseStatus.DRAFT,
        submitted_at=None,
        updated_at=timezone.now(),
        revision=F("revision") + 1,
    )
    response.status = ResponseStatus.DRAFT
    response.submitted_at = None
