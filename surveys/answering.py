"""Reading, validating and saving one executive's answers.

Each question kind has one parser that turns the posted form fields into the stored value (see
the shapes in `surveys.models`) or raises `AnswerError` with a message the executive can act on.
Saving goes through `save_answer`, which is safe under double submits and concurrent tabs: one
row per (response, question) is enforced by the database, and a stale revision never silently
overwrites a newer value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

from .models import Answer, Question, QuestionKind, Response, ResponseStatus

UNKNOWN_LABEL = "Don't know / not applicable"


class AnswerError(ValueError):
    """An answer that cannot be stored, with a message to show next to the question."""


class ResponseLocked(Exception):
    """The response was submitted (or its workshop closed): answers can no longer change."""


def field_name(question: Question, suffix: str = "") -> str:
    return f"q{question.pk}-{suffix}" if suffix else f"q{question.pk}"


def _clean_text(raw: str) -> str:
    if "\x00" in raw:
        raise AnswerError("This answer contains a character that cannot be stored (NUL).")
    return raw.strip()


def _choice_values(question: Question) -> list[str]:
    return [choice.value for choice in question.choices.all()]


@dataclass(frozen=True)
class NumberFormat:
    """One way of writing numbers: the decimal separator, and the separators allowed between
    groups of three digits (one kind per number). A locale plugs in its own.

    Only what a person writes is read: ASCII digits, an optional sign, one decimal separator
    and digit groups of three. Python's own readings (`1_2`, `1e3`, `nan`, Arabic-Indic or
    mathematical digits) are refused, since no one typing a target means them.
    """

    decimal: str
    groups: str

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        group = f"[{re.escape(self.groups)}]"
        return re.compile(
            rf"(?P<sign>[-+\u2212])?"
            rf"(?P<whole>[0-9]{{1,3}}(?P<group>{group})[0-9]{{3}}(?:(?P=group)[0-9]{{3}})*"
            rf"|[0-9]*)"
            rf"(?:{re.escape(self.decimal)}(?P<fraction>[0-9]*))?"
        )

    def read(self, text: str) -> float | None:
        """The number `text` writes in this format, or None if it does not write one."""
        match = self.pattern.fullmatch(text)
        if match is None or not (match["whole"] or match["fraction"]):
            return None
        digits = match["whole"].replace(match["group"] or " ", "") or "0"
        number = float(f"{digits}.{match['fraction'] or '0'}")
        return -number if match["sign"] in ("-", "\u2212") else number


_SPACES = " \u00a0\u202f"
ENGLISH = NumberFormat(decimal=".", groups="," + _SPACES)
DECIMAL_COMMA = NumberFormat(decimal=",", groups="." + _SPACES)
#: The formats a number is read in, the first that reads it wins: 1,500 and 1,500.5 the
#: English way, then 2,5 and 1.500,5 with a decimal comma (dropping that comma would turn
#: 2,5 % into 25 %). A locale's own format would go first, or alone.
READ_AS = (ENGLISH, DECIMAL_COMMA)


def parse_number(
    raw: str, *, what: str = "a number", formats: tuple[NumberFormat, ...] = READ_AS
) -> float:
    """The number a person wrote (a trailing % allowed), or AnswerError asking for `what`."""
    text = _clean_text(raw)
    if text.endswith("%"):
        text = text[:-1].rstrip()
    number = None
    for number_format in formats:
        number = number_format.read(text)
        if number is not None:
            break
    if number is None or not math.isfinite(number):
        raise AnswerError(f"Enter {what}, for example 2.5.")
    return number


def _parse_whole_number(raw: str) -> int | None:
    """A whole number as a person writes it (ASCII digits, an optional sign), else None."""
    if re.fullmatch(r"[-+]?[0-9]{1,9}", raw) is None:
        return None
    return int(raw)


def parse_answer(question: Question, posted: QueryDict) -> tuple[Any, bool]:
    """Return (value, is_unknown) for the question from posted form fields.

    An empty answer returns (None, False): the question stays unanswered. Raises AnswerError.
    """
    if question.allow_unknown and posted.get(field_name(question, "unknown")):
        return None, True
    parser = _PARSERS[question.kind]
    return parser(question, posted), False


def _parse_scale(question: Question, posted: QueryDict) -> int | None:
    raw = _clean_text(posted.get(field_name(question), ""))
    if not raw:
        return None
    point = _parse_whole_number(raw)
    if point is None or not question.scale_min <= point <= question.scale_max:
        raise AnswerError(f"Pick a point between {question.scale_min} and {question.scale_max}.")
    return point


def _parse_single(question: Question, posted: QueryDict) -> str | None:
    raw = _clean_text(posted.get(field_name(question), ""))
    if not raw:
        return None
    if raw not in _choice_values(question):
        raise AnswerError("Pick one of the options listed.")
    return raw


def _parse_multi(question: Question, posted: QueryDict) -> list[str] | None:
    picked = [_clean_text(v) for v in posted.getlist(field_name(question)) if v.strip()]
    if not picked:
        return None
    choices = {choice.value: choice for choice in question.choices.all()}
    if any(value not in choices for value in picked):
        raise AnswerError("Pick only from the options listed.")
    picked = list(dict.fromkeys(picked))
    nones = [value for value in picked if choices[value].is_none]
    if nones and len(picked) > 1:
        raise AnswerError(f"“{choices[nones[0]].label}” cannot be combined with other options.")
    order = list(choices)
    return sorted(picked, key=order.index)


def _parse_ranking(question: Question, posted: QueryDict) -> list[str] | None:
    values = _choice_values(question)
    limit = question.rank_limit or len(values)
    ranks: dict[str, int] = {}
    for value in values:
        raw = _clean_text(posted.get(field_name(question, value), ""))
        if not raw:
            continue
        rank = _parse_whole_number(raw)
        if rank is None:
            raise AnswerError("Ranks must be whole numbers.")
        if not 1 <= rank <= limit:
            raise AnswerError(f"Use ranks from 1 to {limit}.")
        ranks[value] = rank
    if not ranks:
        return None
    used = sorted(ranks.values())
    if len(set(used)) != len(used):
        raise AnswerError("Each rank can be used once: two items share the same rank.")
    if used != list(range(1, len(used) + 1)):
        raise AnswerError("Ranks must run 1, 2, 3… without gaps.")
    # The question asks for every item, or for the top few: a ranking stopped halfway waits
    # as a draft (scoring would read the unranked items as tied last, which nobody said).
    needed = min(limit, len(values))
    if len(used) < needed:
        if question.rank_limit:
            raise AnswerError(f"Give your top {needed} ({len(used)} ranked so far).")
        raise AnswerError(f"Rank every item ({len(used)} of {needed} so far).")
    return sorted(ranks, key=ranks.__getitem__)


def _parse_numeric(question: Question, posted: QueryDict) -> float | None:
    raw = posted.get(field_name(question), "")
    if not _clean_text(raw):
        return None
    unit = f" {question.unit}" if question.unit else ""
    number = parse_number(raw)
    if question.min_value is not None and number < question.min_value:
        raise AnswerError(f"Enter a value of at least {question.min_value:g}{unit}.")
    if question.max_value is not None and number > question.max_value:
        raise AnswerError(f"Enter a value of at most {question.max_value:g}{unit}.")
    return number


#: What keeps one box of a split from being read, by problem code (shown next to the box).
SHARE_UNREADABLE = "unreadable"
SHARE_OUT_OF_RANGE = "out_of_range"


def share_problems(question: Question, posted: QueryDict) -> dict[str, str]:
    """Each box of a split that cannot count, by choice value: `SHARE_UNREADABLE` (not a
    number) or `SHARE_OUT_OF_RANGE` (outside 0-100 %). Empty boxes count as 0."""
    problems: dict[str, str] = {}
    for choice in question.choices.all():
        raw = posted.get(field_name(question, choice.value), "")
        try:
            if not _clean_text(raw):
                continue
            share = parse_number(raw, what="a percentage")
        except AnswerError:
            problems[choice.value] = SHARE_UNREADABLE
            continue
        if share < 0 or share > 100:
            problems[choice.value] = SHARE_OUT_OF_RANGE
    return problems


def _parse_allocation(question: Question, posted: QueryDict) -> dict[str, int] | None:
    problems = share_problems(question, posted)
    if problems:
        labels = {choice.value: choice.label for choice in question.choices.all()}
        unreadable = [labels[v] for v, code in problems.items() if code == SHARE_UNREADABLE]
        out_of_range = [labels[v] for v, code in problems.items() if code == SHARE_OUT_OF_RANGE]
        messages = []
        if unreadable:
            messages.append(f"{_quoted(unreadable)}: enter a percentage, for example 25.")
        if out_of_range:
            verb = "must" if len(out_of_range) == 1 else "must each"
            messages.append(f"{_quoted(out_of_range)} {verb} be between 0 and 100 %.")
        raise AnswerError(" ".join(messages))
    shares: dict[str, float] = {}
    for choice in question.choices.all():
        raw = posted.get(field_name(question, choice.value), "")
        shares[choice.value] = parse_number(raw, what="a percentage") if _clean_text(raw) else 0.0
    total = sum(shares.values())
    if total == 0:
        return None
    if abs(total - 100) > 1:
        raise AnswerError(f"The shares add up to {total:g} %: they must total 100 %.")
    return _round_to_hundred(shares)


def _quoted(labels: list[str]) -> str:
    """“A”, “B” and “C”: options named in a message."""
    quoted = [f"“{label}”" for label in labels]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def rounded_from_entry(question: Question, posted: QueryDict, value: Any) -> bool:
    """Whether a parsed allocation differs from the shares as entered: they were rounded to
    whole percents totalling 100 (say 33.3 three times), which the respondent should be told."""
    if question.kind != QuestionKind.ALLOCATION or not value:
        return False
    for choice in question.choices.all():
        raw = posted.get(field_name(question, choice.value), "")
        entered = parse_number(raw, what="a percentage") if _clean_text(raw) else 0.0
        if entered != value.get(choice.value, 0):
            return True
    return False


def _round_to_hundred(shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder rounding: whole percents that total exactly 100 (for ±1 rounding)."""
    total = sum(shares.values())
    scaled = {key: share * 100 / total for key, share in shares.items()}
    floors = {key: math.floor(value) for key, value in scaled.items()}
    missing = 100 - sum(floors.values())
    for key in sorted(scaled, key=lambda k: scaled[k] - floors[k], reverse=True)[:missing]:
        floors[key] += 1
    return floors


def _parse_text(question: Question, posted: QueryDict) -> str | None:
    text = _clean_text(posted.get(field_name(question), ""))
    if not text:
        return None
    if len(text) > question.max_length:
        raise AnswerError(f"Keep this to {question.max_length} characters (it has {len(text)}).")
    return text


_PARSERS = {
    QuestionKind.SCALE: _parse_scale,
    QuestionKind.SINGLE: _parse_single,
    QuestionKind.MULTI: _parse_multi,
    QuestionKind.RANKING: _parse_ranking,
    QuestionKind.NUMERIC: _parse_numeric,
    QuestionKind.ALLOCATION: _parse_allocation,
    QuestionKind.TEXT: _parse_text,
}


@dataclass(frozen=True)
class SaveResult:
    """What happened to one answer: saved, unchanged (a repeat) or conflict (newer elsewhere)."""

    status: str
    answer: Answer | None
    #: Whether the question went from unanswered to answered or back (the count of answered
    #: questions changed).
    answered_changed: bool = False

    @property
    def conflict(self) -> bool:
        return self.status == "conflict"


def _lock_response(
    response: Response, question: Question, now: datetime, *, newly_answered: int = 0
) -> None:
    """Inside a transaction: lock the response (concurrent saves to it wait here), check that
    it is still a draft and record the change and where to resume (the question's section);
    the caller rolls the transaction back when nothing changes.

    `newly_answered` (1 when the caller knows it is about to store a first answer) moves the
    response's stored `answered_count` in the same statement (see `_count_answered`)."""
    drafts = Response.objects.filter(pk=response.pk, status=ResponseStatus.DRAFT)
    changes: dict[str, Any] = {
        "updated_at": now,
        "revision": F("revision") + 1,
        "last_section": question.section.position,
    }
    if newly_answered:
        changes["answered_count"] = F("answered_count") + newly_answered
    if not drafts.update(**changes):
        raise ResponseLocked


def _count_answered(response: Response, change: int) -> None:
    """Inside the locking transaction: a question became answered (+1) or unanswered (-1).

    The response stores how many questions it answers, so that the pages listing many
    responses read it rather than count answers on every request; changing it here, in the
    transaction that saves the answer, keeps it exact whatever happens concurrently. (The usual
    case, a first answer, counts in `_lock_response`'s statement instead: no extra query.)"""
    Response.objects.filter(pk=response.pk).update(answered_count=F("answered_count") + change)


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
    _lock_response(response, question, now, newly_answered=1)
    return _new_answer(response, question, value=value, is_unknown=is_unknown, now=now)


def _new_answer(
    response: Response, question: Question, *, value: Any, is_unknown: bool, now: datetime
) -> SaveResult:
    """Inside the locking transaction: the question's first stored answer."""
    answer = Answer.objects.create(
        response_id=response.pk,
        question=question,
        value=value,
        is_unknown=is_unknown,
        updated_at=now,
    )
    return SaveResult("saved", answer, answered_changed=True)


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
        _count_answered(response, +1)
        return _new_answer(response, question, value=value, is_unknown=is_unknown, now=now)
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
    if answer.is_answered != was_answered:
        _count_answered(response, +1 if answer.is_answered else -1)
    return SaveResult("saved", answer, answered_changed=answer.is_answered != was_answered)


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


def own_inputs(question: Question) -> dict[str, int]:
    """The form inputs the question's page sends, each with how many values it may carry: its
    answer (one per option for ticks), "don't know", and one rank or share per option."""
    choices = _choice_values(question)
    inputs = {
        field_name(question): len(choices) if question.kind == QuestionKind.MULTI else 1,
        field_name(question, "unknown"): 1,
    }
    if question.kind in (QuestionKind.RANKING, QuestionKind.ALLOCATION):
        inputs.update({field_name(question, value): 1 for value in choices})
    return inputs


def question_inputs(question: Question, posted: QueryDict) -> DraftInputs:
    """This question's own inputs from a post, without NUL characters and bounded: what a draft
    keeps. Any other name (a made-up `q40-anything`) is not an input of the page, so not kept."""
    inputs: dict[str, list[str]] = {}
    room = DRAFT_MAX_SIZE
    cut = False
    for name, allowed in own_inputs(question).items():
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
