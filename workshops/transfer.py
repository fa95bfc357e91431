"""A whole workshop as one JSON file, and back: to keep, or to load into another installation.

The file (schema `SCHEMA`, version `SCHEMA_VERSION`) holds the workshop's details, the
questionnaire version it was answered on (slug, version and the SHA-256 of its data file:
the installation that loads it must have that very version, or it refuses), its participants
(removed ones marked), each one's response with its answers by question code, the facilitator's
codings of free-text pairs, and the session's outcome (`outcome`: decisions, agreed ownership,
shared KPIs, actions, notes and sign-offs; null when nothing was recorded). Version 1 files,
from before the outcome travelled, are still read (their `outcome` is null). Answers are the
stored values, so the dashboard computed from an imported workshop is the dashboard of the
original, to the last digit. What an executive typed
that was not an answer yet (`Answer.draft`) is left out; a response not submitted yet is
marked by its status ("draft"), as on the dashboard. Personal links never leave: an imported
participant gets a new one.

`import_workshop` checks the whole file first and names the place of every problem
(``participants[3].response.answers[12].value: must be a whole number.``), then writes it in
one transaction, or nothing. Each file carries an `export_id`; the imported workshop keeps it
(`Workshop.import_id`, unique), so importing the same file again finds that workshop and adds
nothing.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Value
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

from surveys.kinds import KINDS
from surveys.models import Answer, Choice, Question, Questionnaire, Response, ResponseStatus

from .coding import pair_key
from .dashboard.loading import is_group_key
from .models import (
    RACI_PARTIES,
    Action,
    ActionStatus,
    AgreedOwnership,
    CodingVerdict,
    Decision,
    DecisionState,
    Organisation,
    OutcomeNotes,
    Participant,
    Raci,
    Role,
    SharedKpi,
    Side,
    SignOff,
    TextCoding,
    Workshop,
    WorkshopStatus,
)
from .services import record

SCHEMA = "common-ground/workshop"
SCHEMA_VERSION = 2
#: The versions this installation reads: 1 had no outcome (its `outcome` is always null).
READABLE_VERSIONS = (1, 2)
#: The largest file the import page takes.
MAX_FILE_BYTES = 20 * 1024 * 1024


# Export -------------------------------------------------------------------------------------


def _when(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def export_parts(workshop: Workshop) -> Iterator[str]:
    """The transfer file as pieces of JSON text, participant by participant (three queries:
    participants with their responses, answers, codings), so a large workshop streams."""
    questionnaire = workshop.questionnaire
    head = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "export_id": str(uuid.uuid4()),
        "exported_at": _when(timezone.now()),
        "questionnaire": {
            "slug": questionnaire.slug,
            "version": questionnaire.version,
            "digest": questionnaire.source_digest,
        },
        "workshop": {
            "title": workshop.title,
            "organisation": workshop.organisation.name,
            "status": workshop.status,
            "scheduled_at": _when(workshop.scheduled_at),
            "answer_by": _when(workshop.answer_by),
            "anonymous": workshop.anonymous,
            "revealed_at": _when(workshop.revealed_at),
            "results_visible_to_participants": workshop.results_visible_to_participants,
            "created_at": _when(workshop.created_at),
        },
    }
    yield json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "participants": ['
    participants = list(
        Participant.objects.filter(workshop=workshop)
        .select_related("response")
        .order_by("created_at", "pk")
    )
    answers: dict[int, list[dict[str, Any]]] = {}
    rows = (
        Answer.objects.filter(response__participant__workshop=workshop)
        .order_by("response_id", "question__section__position", "question__position")
        .values_list("response_id", "question__code", "value", "is_unknown", "updated_at")
    )
    for response_id, code, value, is_unknown, updated_at in rows.iterator(chunk_size=2000):
        if value is None and not is_unknown:
            continue  # only an unfinished entry (a draft of an answer): left out
        answers.setdefault(response_id, []).append(
            {
                "question": code,
                "value": value,
                "is_unknown": is_unknown,
                "updated_at": _when(updated_at),
            }
        )
    for index, participant in enumerate(participants):
        response = participant.response
        entry = {
            "name": participant.name,
            "email": participant.email,
            "role": participant.role,
            "side": participant.side,
            "created_at": _when(participant.created_at),
            "removed_at": _when(participant.removed_at),
            "response": None
            if response is None
            else {
                "status": response.status,
                "created_at": _when(response.created_at),
                "updated_at": _when(response.updated_at),
                "submitted_at": _when(response.submitted_at),
                "answers": answers.get(response.pk, []),
            },
        }
        yield ("\n  " if index == 0 else ",\n  ") + json.dumps(entry, ensure_ascii=False)
    codings = [
        {"question": code, "pair": pair, "verdict": verdict, "coded_at": _when(coded_at)}
        for code, pair, verdict, coded_at in TextCoding.objects.filter(workshop=workshop)
        .order_by("question__section__position", "question__position", "pair")
        .values_list("question__code", "pair", "verdict", "coded_at")
    ]
    yield '\n ],\n "codings": ' + json.dumps(codings, ensure_ascii=False)
    outcome = _outcome(workshop, {p.pk: index for index, p in enumerate(participants)})
    yield ',\n "outcome": ' + json.dumps(outcome, ensure_ascii=False, indent=1) + "\n}\n"


def _moment(value: Any) -> str | None:
    """A date and time read from the database's JSON (SQLite writes it naive, in UTC) as ISO
    8601 with its time zone."""
    if value is None:
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        return str(value)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed.isoformat()


def _outcome(workshop: Workshop, participant_index: Mapping[int, int]) -> dict[str, Any] | None:
    """The session's outcome in two queries: the decisions (their positions are answers'
    values), and the other tables' rows as JSON objects in one UNION; None when nothing was
    recorded. An action's executive owner is named by their place in `participants`."""
    decisions = [
        {
            "question": code,
            "state": state,
            "position": position,
            "note": note,
            "updated_at": _when(updated_at),
        }
        for code, state, position, note, updated_at in Decision.objects.filter(workshop=workshop)
        .order_by("question__section__position", "question__position")
        .values_list("question__code", "state", "position", "note", "updated_at")
    ]

    def rows(model: Any, kind: str, **fields: Any) -> Any:
        return (
            model.objects.filter(workshop=workshop)
            .order_by()
            .annotate(kind=Value(kind), data=JSONObject(order=F("pk"), **fields))
            .values_list("kind", "data")
        )

    others = rows(
        AgreedOwnership,
        "ownership",
        area=F("area"),
        area_label=F("area_label"),
        other_label=F("other_label"),
        updated_at=F("updated_at"),
        **{party: F(party) for party in RACI_PARTIES},
    ).union(
        rows(
            SharedKpi,
            "kpi",
            name=F("name"),
            question=F("question__code"),
            unit=F("unit"),
            current_value=F("current_value"),
            target=F("target"),
            owner=F("owner"),
            deadline=F("deadline"),
            review_on=F("review_on"),
            created_at=F("created_at"),
            updated_at=F("updated_at"),
        ),
        rows(
            Action,
            "action",
            what=F("what"),
            owner_participant=F("owner_participant_id"),
            owner_name=F("owner_name"),
            due_on=F("due_on"),
            status=F("status"),
            created_at=F("created_at"),
            updated_at=F("updated_at"),
        ),
        rows(
            OutcomeNotes,
            "notes",
            biases=F("biases"),
            parking_lot=F("parking_lot"),
            updated_at=F("updated_at"),
        ),
        rows(
            SignOff,
            "sign_off",
            signed_by=F("signed_by"),
            signed_at=F("signed_at"),
            reopened_at=F("reopened_at"),
            reopen_reason=F("reopen_reason"),
        ),
        all=True,
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for kind, data in others:
        if isinstance(data, str):  # a backend that hands JSON back as text
            data = json.loads(data)
        for name in ("created_at", "updated_at", "signed_at", "reopened_at"):
            if name in data:
                data[name] = _moment(data[name])
        found.setdefault(kind, []).append(data)
    for kind, key in (("kpi", "created_at"), ("action", "created_at"), ("sign_off", "signed_at")):
        found.get(kind, []).sort(key=lambda row, key=key: (row[key], row["order"]))
    found.get("ownership", []).sort(key=lambda row: row["area"])
    for row in found.get("action", []):
        owner = row["owner_participant"]
        row["owner_participant"] = None if owner is None else participant_index.get(owner)
    for kind_rows in found.values():
        for row in kind_rows:
            del row["order"]
    notes = found.get("notes", [None])[0]
    outcome = {
        "decisions": decisions,
        "ownership": found.get("ownership", []),
        "kpis": found.get("kpi", []),
        "actions": found.get("action", []),
        "notes": notes,
        "sign_offs": found.get("sign_off", []),
    }
    if not any(outcome.values()):
        return None
    return outcome


# Import -------------------------------------------------------------------------------------


class TransferError(Exception):
    """A transfer file that cannot be imported: every problem, each with its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Imported:
    workshop: Workshop
    created: bool
    participants: int = 0
    answers: int = 0


#: What breaks a line (`str.splitlines`), and a tab: not in a name or a title.
_BREAKS = frozenset("\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass
class _Checker:
    problems: list[str] = field(default_factory=list)

    def problem(self, place: str, message: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(f"{place}: {message}")

    def object(self, data: Any, place: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.problem(place, gettext("must be an object."))
            return {}
        return data

    def list(self, data: Mapping[str, Any], key: str, place: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            self.problem(f"{place}.{key}".lstrip("."), gettext("must be a list."))
            return []
        return value

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        place: str,
        *,
        limit: int,
        blank: bool = False,
        line: bool = False,
    ) -> str:
        """Text of at most `limit` characters (`blank`: may be empty); `line`: one line, as the
        forms make a name or a title (`forms.one_line`), since the board's rows expect one."""
        value = data.get(key)
        where = f"{place}.{key}".lstrip(".")
        if not isinstance(value, str) or (not blank and not value.strip()):
            self.problem(where, gettext("must be some text."))
            return ""
        if "\x00" in value:  # PostgreSQL stores no NUL in a text
            self.problem(where, gettext("must not hold a NUL character."))
            return ""
        if len(value) > limit:
            self.problem(where, gettext("must be at most %(limit)s characters.") % {"limit": limit})
            return ""
        if line and any(character in _BREAKS for character in value):
            self.problem(where, gettext("must be one line (no line breaks or tabs)."))
            return ""
        return value

    def choice(self, data: Mapping[str, Any], key: str, place: str, allowed: list[str]) -> str:
        value = data.get(key)
        if value not in allowed:
            self.problem(
                f"{place}.{key}".lstrip("."),
                gettext("must be one of %(allowed)s.") % {"allowed": ", ".join(allowed)},
            )
            return allowed[0]
        return value

    def flag(self, data: Mapping[str, Any], key: str, place: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.problem(f"{place}.{key}".lstrip("."), gettext("must be true or false."))
            return False
        return value

    def moment(
        self, data: Mapping[str, Any], key: str, place: str, *, required: bool = False
    ) -> datetime | None:
        value = data.get(key)
        if value is None and not required:
            return None
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
            # Within what a date and time can hold once in UTC (year 1 to 9999).
            if parsed is not None and timezone.is_aware(parsed):
                parsed.astimezone(UTC)
        except (ValueError, OverflowError):  # February 30th, or the year 10000 in UTC
            parsed = None
        if parsed is None or timezone.is_naive(parsed):
            self.problem(
                f"{place}.{key}".lstrip("."),
                gettext("must be a date and time with its time zone (ISO 8601)."),
            )
            return None
        return parsed

    def number(self, data: Mapping[str, Any], key: str, place: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            number = None if isinstance(value, bool) else float(value)
        except (TypeError, ValueError, OverflowError):  # not a number, or beyond a float
            number = None
        if not isinstance(value, int | float) or number is None or not math.isfinite(number):
            self.problem(f"{place}.{key}".lstrip("."), gettext("must be a number or null."))
            return None
        return number

    def day(self, data: Mapping[str, Any], key: str, place: str) -> date | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            parsed = parse_date(value) if isinstance(value, str) else None
        except ValueError:  # well formed, but no such day (February 31st)
            parsed = None
        if parsed is None:
            self.problem(f"{place}.{key}".lstrip("."), gettext("must be a date (YYYY-MM-DD)."))
        return parsed


class _NotStrictJson(ValueError):
    """A file that Python's JSON reader takes but JSON does not allow (a repeated key, NaN)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object, unless it names a key twice (which of the two would count is anyone's guess:
    Python keeps the last, other readers the first)."""
    data = dict(pairs)
    if len(data) != len(pairs):
        keys = [key for key, _ in pairs]
        repeated = next(key for key in keys if keys.count(key) > 1)
        raise _NotStrictJson(
            gettext("file: names the key “%(key)s” twice in one object.") % {"key": repeated[:60]}
        )
    return data


def _no_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity: Python reads them, JSON has no such values."""
    raise _NotStrictJson(
        gettext("file: is not JSON (“%(value)s” is not a JSON value).") % {"value": name}
    )


def _whole_number(text: str) -> int:
    """A whole number, unless it has more digits than Python reads (4300)."""
    try:
        return int(text)
    except ValueError:
        raise _NotStrictJson(
            gettext("file: is not JSON (a number has more digits than can be read).")
        ) from None


def read_file(content: bytes) -> dict[str, Any]:
    """The file's JSON, or `TransferError` saying why it is not a transfer file: not UTF-8, not
    JSON (with the line and column), nested too deep for the reader, a key named twice in one
    object, NaN or Infinity (no JSON values), or not an object."""
    try:
        data = json.loads(
            content.decode("utf-8-sig"),
            object_pairs_hook=_no_repeated_keys,
            parse_constant=_no_constant,
            parse_int=_whole_number,
        )
    except UnicodeDecodeError:
        raise TransferError([gettext("file: is not UTF-8 text.")]) from None
    except json.JSONDecodeError as error:
        raise TransferError(
            [
                gettext("file: is not JSON (line %(line)s, column %(column)s: %(error)s).")
                % {"line": error.lineno, "column": error.colno, "error": error.msg}
            ]
        ) from None
    except RecursionError:
        raise TransferError([gettext("file: is not JSON (it nests too deep).")]) from None
    except _NotStrictJson as error:
        raise TransferError([error.message]) from None
    if not isinstance(data, dict):
        raise TransferError([gettext("file: must be a JSON object.")])
    return data


def _questionnaire(
    check: _Checker, data: Mapping[str, Any], owner: AbstractBaseUser | None
) -> Questionnaire | None:
    wanted = check.object(data.get("questionnaire"), "questionnaire")
    slug = wanted.get("slug")
    version = wanted.get("version")
    if not isinstance(slug, str) or isinstance(version, bool) or not isinstance(version, int):
        check.problem("questionnaire", gettext("must name a slug and a version."))
        return None
    questionnaire = Questionnaire.objects.filter(slug=slug, version=version).first()
    if questionnaire is None:
        check.problem(
            "questionnaire",
            gettext(
                "“%(slug)s” version %(version)s is not on this installation: load it first "
                "(manage.py load_questionnaire FILE)."
            )
            % {"slug": slug, "version": version},
        )
        return None
    if (
        owner is not None
        and not Questionnaire.objects.usable_by(owner).filter(pk=questionnaire.pk).exists()
    ):
        # As the workshop form offers: not a draft (its questions may still change under the
        # answers), nor a questionnaire the owner may not see.
        check.problem(
            "questionnaire",
            gettext(
                "“%(slug)s” version %(version)s is not one the owner may give a workshop: it "
                "must be published, and built in, theirs or shared with them."
            )
            % {"slug": slug, "version": version},
        )
        return None
    digest = wanted.get("digest", "")
    if digest and questionnaire.source_digest and digest != questionnaire.source_digest:
        check.problem(
            "questionnaire.digest",
            gettext(
                "“%(slug)s” version %(version)s here was loaded from another file (another "
                "digest): its questions may differ, so the answers cannot be trusted to mean "
                "the same."
            )
            % {"slug": slug, "version": version},
        )
        return None
    return questionnaire


def validate(
    data: Mapping[str, Any], owner: AbstractBaseUser | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The file checked whole, for a workshop of `owner`'s: (what to write, problems). Nothing
    is written here."""
    check = _Checker()
    if data.get("schema") != SCHEMA:
        check.problem("schema", gettext("must be “%(schema)s”.") % {"schema": SCHEMA})
        return {}, check.problems
    version = data.get("schema_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        check.problem(
            "schema_version",
            gettext("must be one of %(versions)s (the versions this installation reads).")
            % {"versions": ", ".join(str(v) for v in READABLE_VERSIONS)},
        )
        return {}, check.problems
    try:
        export_id = uuid.UUID(str(data.get("export_id")))
    except ValueError:
        check.problem("export_id", gettext("must be a UUID."))
        export_id = None
    questionnaire = _questionnaire(check, data, owner)
    details = check.object(data.get("workshop"), "workshop")
    workshop = {
        "title": check.text(details, "title", "workshop", limit=200, line=True),
        "organisation": check.text(details, "organisation", "workshop", limit=200, line=True),
        "status": check.choice(details, "status", "workshop", WorkshopStatus.values),
        "scheduled_at": check.moment(details, "scheduled_at", "workshop"),
        "answer_by": check.day(details, "answer_by", "workshop"),
        "anonymous": check.flag(details, "anonymous", "workshop"),
        "revealed_at": check.moment(details, "revealed_at", "workshop"),
        "results_visible_to_participants": check.flag(
            details, "results_visible_to_participants", "workshop"
        ),
        "created_at": check.moment(details, "created_at", "workshop", required=True),
    }
    questions: dict[str, Question] = {}
    if questionnaire is not None:
        questions = {
            question.code: question
            for question in Question.objects.filter(
                section__questionnaire=questionnaire
            ).prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position")))
        }
    people = []
    emails: dict[str, str] = {}  # an active participant's email, lower case -> their place
    for index, raw in enumerate(check.list(data, "participants", "")):
        place = f"participants[{index}]"
        entry = check.object(raw, place)
        person = {
            "name": check.text(entry, "name", place, limit=120, line=True),
            "email": check.text(entry, "email", place, limit=254, blank=True),
            "role": check.choice(entry, "role", place, Role.values),
            "side": check.choice(entry, "side", place, Side.values),
            "created_at": check.moment(entry, "created_at", place, required=True),
            "removed_at": check.moment(entry, "removed_at", place),
            "response": None,
        }
        _check_email(check, person, place, emails, removed=entry.get("removed_at") is not None)
        if entry.get("response") is not None:
            person["response"] = _response(check, entry["response"], f"{place}.response", questions)
        people.append(person)
    codings = []
    pairs_seen = set()
    for index, raw in enumerate(check.list(data, "codings", "")):
        place = f"codings[{index}]"
        entry = check.object(raw, place)
        code = entry.get("question")
        question = questions.get(code) if isinstance(code, str) else None
        if question is None or not KINDS[question.kind].coded:
            if questions:
                check.problem(
                    f"{place}.question",
                    gettext("must be the code of a free-text question of the questionnaire."),
                )
            continue
        pair = check.text(entry, "pair", place, limit=80)
        first, bar, second = pair.partition("|")
        if bar:
            # "b|a" is the pair "a|b", kept in that order (as the dashboard looks it up).
            pair = pair_key(first, second)
        if not (bar and is_group_key(first) and is_group_key(second)) or first == second:
            check.problem(f"{place}.pair", gettext("must name two different groups, “a|b”."))
        elif (code, pair) in pairs_seen:
            check.problem(f"{place}.pair", gettext("is coded twice for this question."))
        pairs_seen.add((code, pair))
        codings.append(
            {
                "question": question,
                "pair": pair,
                "verdict": check.choice(entry, "verdict", place, CodingVerdict.values),
                "coded_at": check.moment(entry, "coded_at", place, required=True),
            }
        )
    outcome = None
    if data.get("outcome") is not None:
        if version == 1:
            check.problem("outcome", gettext("must be null in a version 1 file."))
        else:
            outcome = _outcome_plan(check, data["outcome"], questions, len(people))
    plan = {
        "export_id": export_id,
        "questionnaire": questionnaire,
        "workshop": workshop,
        "participants": people,
        "codings": codings,
        "outcome": outcome,
    }
    return plan, check.problems


def _check_email(
    check: _Checker, person: dict[str, Any], place: str, emails: dict[str, str], *, removed: bool
) -> None:
    """An email as the participant form takes it: an address, and no other participant's
    (removed ones aside) in the workshop, whatever its case."""
    email = person["email"]
    if not email:
        return
    try:
        validate_email(email)
    except ValidationError:
        check.problem(f"{place}.email", gettext("must be an email address."))
        return
    if removed:
        return
    if (first := emails.setdefault(email.lower(), place)) != place:
        check.problem(
            f"{place}.email", gettext("is the email of %(place)s too.") % {"place": first}
        )


def _outcome_plan(
    check: _Checker, raw: Any, questions: Mapping[str, Question], people: int
) -> dict[str, Any]:
    """The outcome checked whole, as the database would hold it (its constraints said in
    words, with their place)."""
    data = check.object(raw, "outcome")
    plan: dict[str, Any] = {"decisions": [], "ownership": [], "kpis": [], "actions": []}
    seen: set[Any] = set()
    for index, raw_row in enumerate(check.list(data, "decisions", "outcome")):
        place = f"outcome.decisions[{index}]"
        row = check.object(raw_row, place)
        code = row.get("question")
        question = questions.get(code) if isinstance(code, str) else None
        if question is None:
            if questions:
                check.problem(
                    f"{place}.question",
                    gettext("must be the code of a question of the questionnaire."),
                )
            continue
        if ("decision", code) in seen:
            check.problem(f"{place}.question", gettext("is decided twice."))
        seen.add(("decision", code))
        position = row.get("position")
        if position is not None and (
            message := KINDS[question.kind].stored_problem(question, position)
        ):
            check.problem(f"{place}.position", message)
        plan["decisions"].append(
            Decision(
                question=question,
                state=check.choice(row, "state", place, DecisionState.values),
                position=position,
                note=check.text(row, "note", place, limit=4000, blank=True),
                updated_at=check.moment(row, "updated_at", place, required=True),
            )
        )
    for index, raw_row in enumerate(check.list(data, "ownership", "outcome")):
        place = f"outcome.ownership[{index}]"
        row = check.object(raw_row, place)
        area = check.text(row, "area", place, limit=60)
        if area and not area.replace("-", "").replace("_", "").isalnum():
            check.problem(f"{place}.area", gettext("must be a code (letters, digits, - and _)."))
        if ("area", area) in seen:
            check.problem(f"{place}.area", gettext("is given twice."))
        seen.add(("area", area))
        letters = {party: check.choice(row, party, place, Raci.values) for party in RACI_PARTIES}
        accountable = [p for p, letter in letters.items() if letter in (Raci.ACCOUNTABLE, "AR")]
        if len(accountable) != 1:
            check.problem(place, gettext("must have exactly one party accountable (A or AR)."))
        other_label = check.text(row, "other_label", place, limit=120, blank=True)
        if letters["other"] and not other_label.strip():
            check.problem(f"{place}.other_label", gettext("must name who the other is."))
        plan["ownership"].append(
            AgreedOwnership(
                area=area,
                area_label=check.text(row, "area_label", place, limit=120, blank=True),
                other_label=other_label,
                updated_at=check.moment(row, "updated_at", place, required=True),
                **letters,
            )
        )
    for index, raw_row in enumerate(check.list(data, "kpis", "outcome")):
        place = f"outcome.kpis[{index}]"
        row = check.object(raw_row, place)
        name = check.text(row, "name", place, limit=200)
        if ("kpi", name) in seen:
            check.problem(f"{place}.name", gettext("is given twice."))
        seen.add(("kpi", name))
        code = row.get("question")
        question = None
        if code is not None:
            question = questions.get(code) if isinstance(code, str) else None
            if question is None and questions:
                check.problem(
                    f"{place}.question",
                    gettext("must be the code of a question of the questionnaire."),
                )
            elif ("kpi question", code) in seen:
                check.problem(f"{place}.question", gettext("is given twice."))
            seen.add(("kpi question", code))
        deadline = check.day(row, "deadline", place)
        review_on = check.day(row, "review_on", place)
        if deadline and review_on and review_on > deadline:
            check.problem(f"{place}.review_on", gettext("must not be after the deadline."))
        plan["kpis"].append(
            SharedKpi(
                name=name,
                question=question,
                unit=check.text(row, "unit", place, limit=30, blank=True),
                current_value=check.number(row, "current_value", place),
                target=check.number(row, "target", place),
                owner=check.text(row, "owner", place, limit=120, blank=True),
                deadline=deadline,
                review_on=review_on,
                created_at=check.moment(row, "created_at", place, required=True),
                updated_at=check.moment(row, "updated_at", place, required=True),
            )
        )
    for index, raw_row in enumerate(check.list(data, "actions", "outcome")):
        place = f"outcome.actions[{index}]"
        row = check.object(raw_row, place)
        owner = row.get("owner_participant")
        if owner is not None and (
            isinstance(owner, bool) or not isinstance(owner, int) or not 0 <= owner < people
        ):
            check.problem(
                f"{place}.owner_participant",
                gettext("must be the place of a participant in “participants” (from 0), or null."),
            )
            owner = -1  # said once: not also "must name its owner"
        owner_name = check.text(row, "owner_name", place, limit=120, blank=True)
        if owner is None and not owner_name.strip():
            check.problem(place, gettext("must name its owner (a participant or a name)."))
        plan["actions"].append(
            (
                owner,
                Action(
                    what=check.text(row, "what", place, limit=300),
                    owner_name="" if owner is not None else owner_name,
                    due_on=check.day(row, "due_on", place),
                    status=check.choice(row, "status", place, ActionStatus.values),
                    created_at=check.moment(row, "created_at", place, required=True),
                    updated_at=check.moment(row, "updated_at", place, required=True),
                ),
            )
        )
    plan["notes"] = None
    if data.get("notes") is not None:
        notes = check.object(data["notes"], "outcome.notes")
        plan["notes"] = OutcomeNotes(
            biases=check.text(notes, "biases", "outcome.notes", limit=8000, blank=True),
            parking_lot=check.text(notes, "parking_lot", "outcome.notes", limit=8000, blank=True),
            updated_at=check.moment(notes, "updated_at", "outcome.notes", required=True),
        )
    plan["sign_offs"] = []
    standing = 0
    for index, raw_row in enumerate(check.list(data, "sign_offs", "outcome")):
        place = f"outcome.sign_offs[{index}]"
        row = check.object(raw_row, place)
        signed_at = check.moment(row, "signed_at", place, required=True)
        reopened_at = check.moment(row, "reopened_at", place)
        if reopened_at is None:
            standing += 1
            if standing > 1:
                check.problem(place, gettext("is a second sign-off standing: at most one stands."))
        elif signed_at and reopened_at < signed_at:
            check.problem(f"{place}.reopened_at", gettext("must not be before the sign-off."))
        plan["sign_offs"].append(
            SignOff(
                signed_by=check.text(row, "signed_by", place, limit=120),
                signed_at=signed_at,
                reopened_at=reopened_at,
                reopen_reason=check.text(row, "reopen_reason", place, limit=300, blank=True),
            )
        )
    return plan


def _write_outcome(
    workshop: Workshop, outcome: dict[str, Any] | None, participants: list[Participant]
) -> None:
    """The checked outcome's rows, for the new workshop (one insert per table)."""
    if outcome is None:
        return
    for name in ("decisions", "ownership", "kpis", "sign_offs"):
        for row in outcome[name]:
            row.workshop = workshop
    Decision.objects.bulk_create(outcome["decisions"])
    AgreedOwnership.objects.bulk_create(outcome["ownership"])
    SharedKpi.objects.bulk_create(outcome["kpis"])
    actions = []
    for owner, action in outcome["actions"]:
        action.workshop = workshop
        action.owner_participant = None if owner is None else participants[owner]
        actions.append(action)
    Action.objects.bulk_create(actions)
    if outcome["notes"] is not None:
        outcome["notes"].workshop = workshop
        outcome["notes"].save()
    SignOff.objects.bulk_create(outcome["sign_offs"])


def _response(
    check: _Checker, raw: Any, place: str, questions: Mapping[str, Question]
) -> dict[str, Any]:
    entry = check.object(raw, place)
    status = check.choice(entry, "status", place, ResponseStatus.values)
    response = {
        "status": status,
        "created_at": check.moment(entry, "created_at", place, required=True),
        "updated_at": check.moment(entry, "updated_at", place, required=True),
        "submitted_at": check.moment(
            entry, "submitted_at", place, required=status == ResponseStatus.SUBMITTED
        ),
        "answers": [],
    }
    seen = set()
    for index, raw_answer in enumerate(check.list(entry, "answers", place)):
        where = f"{place}.answers[{index}]"
        answer = check.object(raw_answer, where)
        code = answer.get("question")
        question = questions.get(code) if isinstance(code, str) else None
        if question is None:
            if questions:
                check.problem(
                    f"{where}.question",
                    gettext("must be the code of a question of the questionnaire."),
                )
            continue
        if code in seen:
            check.problem(f"{where}.question", gettext("is answered twice."))
        seen.add(code)
        is_unknown = check.flag(answer, "is_unknown", where)
        value = answer.get("value")
        if is_unknown:
            if not question.allow_unknown:  # as answering refuses it
                check.problem(
                    f"{where}.is_unknown", gettext("the question does not offer “don't know”.")
                )
            if value is not None:
                check.problem(f"{where}.value", gettext("must be null for “don't know”."))
        elif value is None:
            check.problem(f"{where}.value", gettext("is missing."))
        elif message := KINDS[question.kind].stored_problem(question, value):
            check.problem(f"{where}.value", message)
        response["answers"].append(
            {
                "question": question,
                "value": None if is_unknown else value,
                "is_unknown": is_unknown,
                "updated_at": check.moment(answer, "updated_at", where, required=True),
            }
        )
    return response


def import_workshop(
    data: Mapping[str, Any], *, owner: AbstractBaseUser, actor: AbstractBaseUser | None = None
) -> Imported:
    """Load a transfer file as a new workshop of `owner`'s, all of it or nothing
    (`TransferError` lists every problem). A file imported before finds its workshop."""
    plan, problems = validate(data, owner)
    if problems:
        raise TransferError(problems)
    existing = Workshop.objects.filter(import_id=plan["export_id"]).first()
    if existing is not None:
        return Imported(existing, created=False)
    try:
        with transaction.atomic():
            return _write(plan, owner=owner, actor=actor)
    except IntegrityError:
        # The same file imported at the same moment by someone else: theirs is the one.
        existing = Workshop.objects.filter(import_id=plan["export_id"]).first()
        if existing is None:
            raise
        return Imported(existing, created=False)


def _write(
    plan: dict[str, Any], *, owner: AbstractBaseUser, actor: AbstractBaseUser | None
) -> Imported:
    details = plan["workshop"]
    organisation = Organisation.objects.filter(
        name=details["organisation"], created_by=owner
    ).first()
    if organisation is None:
        organisation = Organisation.objects.create(name=details["organisation"], created_by=owner)
    workshop = Workshop.objects.create(
        title=details["title"],
        organisation=organisation,
        questionnaire=plan["questionnaire"],
        owner=owner,
        status=details["status"],
        scheduled_at=details["scheduled_at"],
        answer_by=details["answer_by"],
        anonymous=details["anonymous"],
        revealed_at=details["revealed_at"],
        results_visible_to_participants=details["results_visible_to_participants"],
        created_at=details["created_at"],
        import_id=plan["export_id"],
    )
    answers: list[Answer] = []
    participants: list[Participant] = []
    for person in plan["participants"]:
        response = None
        given = person["response"]
        if given is not None:
            response = Response.objects.create(
                questionnaire=plan["questionnaire"],
                answered_count=len(given["answers"]),  # each given (a value or "don't know")
                status=given["status"],
                created_at=given["created_at"],
                updated_at=given["updated_at"],
                submitted_at=given["submitted_at"],
            )
            answers += [
                Answer(
                    response=response,
                    question=answer["question"],
                    value=answer["value"],
                    is_unknown=answer["is_unknown"],
                    updated_at=answer["updated_at"],
                )
                for answer in given["answers"]
            ]
        participant = Participant(
            workshop=workshop,
            name=person["name"],
            email=person["email"],
            role=person["role"],
            side=person["side"],
            created_at=person["created_at"],
            removed_at=person["removed_at"],
            response=response,
        )
        participant.issue_token()  # a new link: links never travel in a file
        participant.link_unsent = True  # nobody has it until emailed or copied from the board
        participant.save()
        participants.append(participant)
    Answer.objects.bulk_create(answers, batch_size=500)
    _write_outcome(workshop, plan["outcome"], participants)
    TextCoding.objects.bulk_create(
        TextCoding(
            workshop=workshop,
            question=coding["question"],
            pair=coding["pair"],
            verdict=coding["verdict"],
            coded_at=coding["coded_at"],
        )
        for coding in plan["codings"]
    )
    record(
        workshop,
        actor or owner,
        "import",
        people=len(plan["participants"]),
        answers=len(answers),
    )
    return Imported(
        workshop, created=True, participants=len(plan["participants"]), answers=len(answers)
    )
