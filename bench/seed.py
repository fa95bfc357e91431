"""The benchmark's data set and the requests to replay, built in the benchmark's own database.

Run by bench/run.py (with the benchmark's environment: DEBUG=0, DATABASE_URL of the dedicated
database). Seeds:

- one facilitator with 1,000 workshops across 50 clients, two invited executives in most;
- the largest workshop: 60 executives who answered all 44 questions and submitted;
- a two-executive workshop (CIO and CMO), both answered and submitted;
- an "answering" workshop of 200 executives with their links open and nothing answered yet,
  whose sessions replay the answer pages and autosaves (nine of them are kept apart: each
  answers all 44 questions and submits, for the CPU of a whole response);
- a second facilitator with 1,000 workshops too: the 20 newest are their own, with 570
  executives who answered everything (25,080 answers on their home's first page), the other
  980 are the first facilitator's, which they co-facilitate.

Then counts the SQL queries of one request per page with Django's test client and writes the
scenario (requests to replay, queries per page) as JSON to the path given on the command line.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import statistics
import sys
import urllib.parse
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from surveys.loading import load_questionnaire  # noqa: E402
from surveys.models import Answer, Question, Response, ResponseStatus  # noqa: E402
from tests.reliability.answers import valid_answer  # noqa: E402
from workshops.access import access_cookie_name, access_cookie_value  # noqa: E402
from workshops.models import (  # noqa: E402
    DEFAULT_SIDE_FOR_ROLE,
    Organisation,
    Participant,
    Role,
    Workshop,
    WorkshopStatus,
    hash_token,
)
from workshops.sessions import ACTIVE_AT, LOGGED_IN_AT  # noqa: E402

WORKSHOPS = 1000
LARGEST = 60
ANSWERING = 200
#: Executives of the answering workshop who each answer everything and submit, one after the
#: other, for the server CPU of a whole response (bench/run.py; the first one warms up).
WHOLE_RESPONSES = 9
#: The busy facilitator's home: the first page's 20 workshops hold 570 executives' answers to
#: all 44 questions, 25,080 answers in all.
BUSY_PAGE = 20
BUSY_EXECUTIVES = 570
CSRF = get_random_string(32)
BIG_ROLES = [Role.CIO, Role.CMO, Role.CTO, Role.CDO, Role.HEAD_IT, Role.HEAD_MARKETING, Role.CEO]


def _participants(workshop: Workshop, roles: list[str], **fields: Any) -> list[Participant]:
    return Participant.objects.bulk_create(
        Participant(
            workshop=workshop,
            name=f"Executive {n} of {workshop.pk}",
            email=f"exec{n}.{workshop.pk}@example.com",
            role=role,
            side=DEFAULT_SIDE_FOR_ROLE[role],
            token_hash=hash_token(secrets.token_urlsafe(16)),
            **fields,
        )
        for n, role in enumerate(roles)
    )


def _answer_all(participants: list[Participant], questions: list[Question], rng) -> None:
    now = timezone.now()
    for participant in participants:
        participant.response = Response.objects.create(
            questionnaire_id=participant.workshop.questionnaire_id,
            status=ResponseStatus.SUBMITTED,
            submitted_at=now,
        )
        participant.first_opened_at = now
    Participant.objects.bulk_update(participants, ["response", "first_opened_at"])
    Answer.objects.bulk_create(
        Answer(response=p.response, question=q, value=valid_answer(q, rng)[1])
        for p in participants
        for q in questions
    )
    # Written here, not by answering: the responses' stored figures are set from the answers.
    Response.objects.filter(pk__in=[p.response_id for p in participants]).recount_answers()


def _record_outcome(workshop: Workshop, questions: list[Question], user: Any) -> None:
    """What a session records for the largest workshop: a decision on every third question,
    the RACI of three areas, three shared KPIs and five actions (the outcome page's rows)."""
    from workshops.models import Action, AgreedOwnership, Decision, SharedKpi

    Decision.objects.bulk_create(
        Decision(workshop=workshop, question=q, state="agreed", note="Agreed in the room")
        for q in questions[::3]
    )
    AgreedOwnership.objects.bulk_create(
        AgreedOwnership(workshop=workshop, area=area, area_label=area, cio="R", cmo="A")
        for area in ("apps", "mobile_web", "analytics")
    )
    SharedKpi.objects.bulk_create(
        SharedKpi(workshop=workshop, name=name, unit="%", target=target, owner="CMO")
        for name, target in (("Conversion", 3.5), ("Mobile share of sales", 25), ("Return", 40))
    )
    owner = workshop.participants.first()
    Action.objects.bulk_create(
        Action(workshop=workshop, what=f"Action {n}", owner_participant=owner) for n in range(5)
    )


def _session(data: dict[str, Any]) -> str:
    """A logged-in session's cookie (its login and activity clocks start now)."""
    store = SessionStore()
    now = int(timezone.now().timestamp())
    store.update({**data, LOGGED_IN_AT: now, ACTIVE_AT: now})
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _headers(cookie: str, *, post: bool = False) -> dict[str, str]:
    csrf = f"{settings.CSRF_COOKIE_NAME}={CSRF}"
    headers = {"Cookie": f"{cookie}; {csrf}" if cookie else csrf}
    if post:
        headers["X-CSRFToken"] = CSRF
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["HX-Request"] = "true"
    return headers


@transaction.atomic
def _build() -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    """The data set, the requests to replay per page, and the probes to count queries with."""
    rng = random.Random(2027)
    questionnaire = load_questionnaire()[0]
    sections = questionnaire.ordered_sections()
    questions = [q for s in sections for q in s.questions.all()]
    user = get_user_model().objects.create_user(
        "bench", password=secrets.token_urlsafe(), first_name="Bench", last_name="Facilitator"
    )
    clients = Organisation.objects.bulk_create(
        Organisation(name=f"Client {n}", created_by=user) for n in range(50)
    )
    now = timezone.now()
    workshops = Workshop.objects.bulk_create(
        Workshop(
            title=f"Mobile strategy {n}",
            organisation=clients[n % len(clients)],
            owner=user,
            questionnaire=questionnaire,
            status=WorkshopStatus.COLLECTING,
            created_at=now - timedelta(hours=n),
        )
        for n in range(WORKSHOPS)
    )
    largest, pair, answering = workshops[0], workshops[1], workshops[2]
    for workshop in workshops[3:]:
        _participants(workshop, [Role.CIO, Role.CMO])
    largest_executives = _participants(largest, [BIG_ROLES[n % 7] for n in range(LARGEST)])
    _answer_all(largest_executives, questions, rng)
    _answer_all(_participants(pair, [Role.CIO, Role.CMO]), questions, rng)
    Workshop.objects.filter(pk__in=[largest.pk, pair.pk]).update(
        status=WorkshopStatus.IN_SESSION, revealed_at=now
    )
    _record_outcome(largest, questions, user)
    # The largest workshop's results are shared: its executives may download the report's PDF.
    Workshop.objects.filter(pk=largest.pk).update(results_visible_to_participants=True)
    executives = _participants(answering, [Role.CIO, Role.CMO] * (ANSWERING // 2))
    for participant in executives:
        participant.response = Response.objects.create(questionnaire=questionnaire)
    Participant.objects.bulk_update(executives, ["response"])

    busy_user = get_user_model().objects.create_user(
        "bench-busy", password=secrets.token_urlsafe(), first_name="Busy", last_name="Facilitator"
    )
    busy = Workshop.objects.bulk_create(
        Workshop(
            title=f"Busy strategy {n}",
            organisation=clients[n % len(clients)],
            owner=busy_user,
            questionnaire=questionnaire,
            status=WorkshopStatus.COLLECTING,
            created_at=now + timedelta(minutes=BUSY_PAGE - n),
        )
        for n in range(BUSY_PAGE)
    )
    for n, workshop in enumerate(busy):
        size = BUSY_EXECUTIVES // BUSY_PAGE + (n < BUSY_EXECUTIVES % BUSY_PAGE)
        roles = [BIG_ROLES[k % 7] for k in range(size)]
        _answer_all(_participants(workshop, roles), questions, rng)
    Workshop.co_facilitators.through.objects.bulk_create(
        Workshop.co_facilitators.through(workshop_id=workshop.pk, user_id=busy_user.pk)
        for workshop in workshops[: WORKSHOPS - BUSY_PAGE]
    )

    def logged_in(facilitator: Any) -> str:
        return _session(
            {
                SESSION_KEY: str(facilitator.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: facilitator.get_session_auth_hash(),
            }
        )

    facilitator = logged_in(user)
    busy_facilitator = logged_in(busy_user)
    # Each executive's browser holds the access cookie their personal link set.
    executive_sessions = [
        (p, f"{access_cookie_name()}={access_cookie_value(p)}") for p in executives
    ]
    # One executive is kept out of the load, for counting the queries of a fresh answer, and
    # a few for whole responses.
    counted, counted_session = executive_sessions.pop()
    whole = [executive_sessions.pop() for _ in range(WHOLE_RESPONSES)]

    def get(path: str, session: str, *, htmx: bool = False) -> dict[str, Any]:
        headers = _headers(session)
        if htmx:
            headers["HX-Request"] = "true"
        return {"method": "GET", "path": path, "headers": headers, "body": ""}

    def autosave(participant: Participant, question: Question, session: str) -> dict[str, Any]:
        posted, _ = valid_answer(question, rng)
        return {
            "method": "POST",
            "path": reverse("workshops:respond_autosave", args=[participant.pk, question.pk]),
            "headers": _headers(session, post=True),
            "body": urllib.parse.urlencode(posted, doseq=True),
        }

    home = reverse("workshops:home")
    endpoints = [
        {
            "key": "baseline",
            "label": "Baseline (template + 1 query)",
            "requests": [get("/bench/baseline/", "")],
        },
        {
            "key": "answer",
            "label": "Answer page (section GET)",
            "requests": [
                get(reverse("workshops:respond_section", args=[p.pk, n]), session)
                for n in range(1, len(sections) + 1)
                for p, session in executive_sessions
            ],
            "target": ("rps", 0.40),
        },
        {
            "key": "autosave",
            "label": "Autosave (POST, one answer)",
            # Question-major order: consecutive requests are different executives, and each
            # request is the first answer to its question (a real insert), never a repeat.
            "requests": [
                autosave(p, q, session) for q in questions for p, session in executive_sessions
            ],
            "target": ("rps", 0.40),
        },
        {
            "key": "home",
            "label": f"Facilitator home ({WORKSHOPS:,} workshops)",
            "requests": [get(home, facilitator)],
            "target": ("rps", 0.10),
        },
        {
            "key": "home-busy",
            "label": f"Facilitator home ({WORKSHOPS:,} workshops, 25,080 answers on the page)",
            "requests": [get(home, busy_facilitator)],
            "target": ("rps", 0.10),
        },
        {
            "key": "workshop",
            "label": f"Workshop page ({LARGEST} participants)",
            "requests": [get(reverse("workshops:detail", args=[largest.pk]), facilitator)],
            "target": ("rps", 0.10),
        },
        {
            "key": "board",
            "label": f"Board, polled ({LARGEST} participants)",
            "requests": [
                get(reverse("workshops:board", args=[largest.pk]), facilitator, htmx=True)
            ],
            "target": ("rps", 0.10),
        },
    ]
    notes = []
    for name, workshop, label, target in [
        ("dashboard", pair, "Dashboard (2 executives, 44 questions)", ("rps", 0.15)),
        ("dashboard", largest, f"Dashboard ({LARGEST} participants, 44 questions)", ("p95", 150)),
        ("comparison", pair, "Comparison (2 executives)", None),
        ("comparison", largest, f"Comparison ({LARGEST} participants)", None),
        ("agenda", pair, "Agenda (2 executives)", None),
        ("run_sheet", largest, f"Run-sheet ({LARGEST} participants)", None),
        ("outcome", largest, f"What we agreed, recording ({LARGEST} participants)", None),
    ]:
        try:
            path = reverse(f"workshops:{name}", kwargs={"workshop_pk": workshop.pk})
        except NoReverseMatch:
            notes.append(f"{label}: skipped, no `workshops:{name}` URL yet.")
            continue
        endpoint = {"key": f"{name}-{workshop.pk}", "label": label}
        endpoint["requests"] = [get(path, facilitator)]
        if target:
            endpoint["target"] = target
        endpoints.append(endpoint)

    # What leaves the app (issue 14), at the largest workshop. The PDF of a workshop this large
    # is made by the worker and kept: the row measures serving the kept PDF, and a note gives
    # what making it costs (`_take_away_costs`).
    for name, label in [
        ("report", f"Report page ({LARGEST} participants)"),
        ("report_pdf", f"Report PDF, kept ({LARGEST} participants)"),
        ("export_csv", f"CSV export ({LARGEST} participants)"),
        ("export_xlsx", f"XLSX export ({LARGEST} participants)"),
        ("export_json", f"JSON transfer file, with the outcome ({LARGEST} participants)"),
        ("export_decisions_csv", f"Decisions CSV ({LARGEST} participants)"),
        ("export_actions_csv", f"Actions CSV ({LARGEST} participants)"),
    ]:
        try:
            path = reverse(f"workshops:{name}", kwargs={"workshop_pk": largest.pk})
        except NoReverseMatch:
            notes.append(f"{label}: skipped, no `workshops:{name}` URL yet.")
            continue
        endpoints.append(
            {"key": f"{name}-{largest.pk}", "label": label, "requests": [get(path, facilitator)]}
        )

    # An executive's copy of the report (results shared): the PDF the worker kept, served.
    reader = largest_executives[0]
    endpoints.append(
        {
            "key": f"report_pdf_executive-{largest.pk}",
            "label": f"Report PDF, an executive's copy, kept ({LARGEST} participants)",
            "requests": [
                get(
                    reverse("workshops:respond_report_pdf", args=[reader.pk]),
                    f"{access_cookie_name()}={access_cookie_value(reader)}",
                )
            ],
        }
    )

    # The client's page: the trend across its workshops and what became of each outcome.
    endpoints.append(
        {
            "key": f"client-{largest.organisation_id}",
            "label": "Client page (trend and outcome follow-up)",
            "requests": [
                get(reverse("workshops:client", args=[largest.organisation_id]), facilitator)
            ],
        }
    )

    probes = {
        "answer": get(reverse("workshops:respond_section", args=[counted.pk, 1]), counted_session),
        # Two fresh answers: the first warms per-process caches, the second is counted.
        "autosave": [autosave(counted, q, counted_session) for q in questions[:2]],
    }
    # Whole responses: every question answered in the questionnaire's order, then the submit.
    responses = [
        [
            *(autosave(p, q, session) for q in questions),
            {
                "method": "POST",
                "path": reverse("workshops:respond_submit", args=[p.pk]),
                # A plain form post, not htmx.
                "headers": {
                    k: v for k, v in _headers(session, post=True).items() if k != "HX-Request"
                },
                "body": "",
            },
        ]
        for p, session in whole
    ]
    return endpoints, notes, probes, responses


def _memory_peak(request: dict[str, Any]) -> float:
    """The Python memory a request holds at its peak (tracemalloc), its body read to the end
    (a streamed one included), in MB: what an export costs the app server whatever its size."""
    import tracemalloc

    client = _client_for(request)
    extra = {k: v for k, v in request["headers"].items() if k not in ("Cookie", "Content-Type")}
    client.get(request["path"], headers=extra)  # warm: imports and per-process caches
    tracemalloc.start()
    try:
        response = client.get(request["path"], headers=extra)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024


def _take_away_costs(endpoints: list[dict[str, Any]], notes: list[str]) -> None:
    """Memory peaks of the exports and the report (written into their rows' labels), and what
    making the largest workshop's PDF costs (a note): time and memory peak, A4; the PDF is
    kept, so the report_pdf row serves it as the worker would have left it."""

    from workshops import reporting

    notes.append(_pdf_in_request())  # first: it empties the cache, before any PDF is kept
    for endpoint in endpoints:
        if endpoint["key"].split("-")[0] in {
            "report",
            "report_pdf",
            "export_csv",
            "export_xlsx",
            "export_json",
            "export_decisions_csv",
            "export_actions_csv",
        }:
            if endpoint["key"].startswith("report_pdf"):
                continue
            peak = _memory_peak(endpoint["requests"][0])
            endpoint["memory_peak_mb"] = round(peak, 1)
            endpoint["label"] += f", memory peak {peak:.1f} MB"
    largest = Workshop.objects.select_related("organisation", "questionnaire").get(
        title="Mobile strategy 0"
    )
    people = reporting.people_of([largest])[largest.pk]
    parts = reporting.report_parts(largest, people=people)

    def build() -> bytes:
        # Both PDFs the worker keeps for the workshop: the default pair's, and the pair named.
        reporting.build_and_keep(largest, parts.a.key, parts.b.key, "a4", people)
        return reporting.build_and_keep(largest, "", "", "a4", people)

    seconds, peak, pdf = _cost(build, times=3)
    seconds /= 2
    notes.append(
        f"Report PDF ({LARGEST} participants, A4, {len(pdf) // 1024} KB): made in "
        f"{seconds:.2f} s (median of 3), memory peak {peak:.1f} MB (by the worker: over "
        f"{reporting.BACKGROUND_FROM} responses a PDF is not made in the request)."
    )
    for endpoint in endpoints:
        if endpoint["key"].startswith("report_pdf"):
            endpoint["label"] += f", made in {seconds:.1f} s by the worker"


def _cost(work: Any, times: int) -> tuple[float, float, Any]:
    """The median seconds of `times` runs of `work()` (after one that warms imports and
    fonts), then its memory peak in MB in a run of its own (tracemalloc slows Python several
    times over: never on while timing); and what the last run returned."""
    import time
    import tracemalloc

    work()
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    try:
        result = work()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return statistics.median(seconds), peak / 1024 / 1024, result


def _pdf_in_request(times: int = 5) -> str:
    """What a small workshop's PDF costs when it is made in the request (nothing kept yet):
    the two-executive workshop's report PDF through the test client, the cache emptied before
    each request; the median time over `times` requests, and the memory peak."""
    from django.core.cache import cache

    pair = Workshop.objects.get(title="Mobile strategy 1")
    client = Client()
    client.force_login(get_user_model().objects.get(pk=pair.owner_id))
    path = reverse("workshops:report_pdf", args=[pair.pk])

    def request() -> Any:
        cache.clear()
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        return response

    seconds, peak, response = _cost(request, times)
    return (
        f"Report PDF made in the request (2 executives, A4, {len(response.content) // 1024} KB, "
        f"nothing kept): median {seconds * 1000:.0f} ms over {times} requests, memory peak "
        f"{peak:.1f} MB."
    )


def _client_for(request: dict[str, Any]) -> Client:
    client = Client()
    cookie_header = request["headers"].get("Cookie", "")
    cookies = dict(part.strip().split("=", 1) for part in cookie_header.split(";") if "=" in part)
    for name, value in cookies.items():
        if value:
            client.cookies[name] = value
    return client


def seed() -> dict[str, Any]:
    endpoints, notes, probes, responses = _build()
    _take_away_costs(endpoints, notes)
    # Queries per request, with the test client against the same database (outside the seeding
    # transaction, so no savepoints are counted).
    for endpoint in endpoints:
        probe = probes.get(endpoint["key"], endpoint["requests"][0])
        if endpoint["key"] == "autosave":
            _count_queries(probe[0])
            probe = probe[1]
        endpoint["queries"], endpoint["status"] = _count_queries(probe)
    return {"endpoints": endpoints, "notes": notes, "responses": responses}


def _count_queries(request: dict[str, Any]) -> tuple[int, int]:
    client = Client()
    cookie_header = request["headers"].get("Cookie", "")
    cookies = dict(part.strip().split("=", 1) for part in cookie_header.split(";") if "=" in part)
    for name, value in cookies.items():
        if value:
            client.cookies[name] = value
    extra = {k: v for k, v in request["headers"].items() if k not in ("Cookie", "Content-Type")}
    if request["method"] == "GET":
        client.get(request["path"], headers=extra)  # warm (per-process caches, first touch)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(request["path"], headers=extra)
            for _chunk in response.streaming_content if response.streaming else ():
                pass  # a streamed body reads as it goes: its queries count too
    else:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                request["path"],
                request["body"],
                content_type=request["headers"]["Content-Type"],
                headers=extra,
            )
    statements = [q["sql"] for q in queries.captured_queries]
    return sum(1 for sql in statements if not _is_transaction_control(sql)), response.status_code


def _is_transaction_control(sql: str) -> bool:
    """BEGIN, COMMIT, SAVEPOINT...: not queries (PostgreSQL's are not even logged by Django)."""
    return sql.split(None, 1)[0].upper() in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


if __name__ == "__main__":
    scenario = seed()
    Path(sys.argv[1]).write_text(json.dumps(scenario))
    print(
        f"seeded {Workshop.objects.count():,} workshops, {Participant.objects.count():,} "
        f"participants, {Answer.objects.count():,} answers"
    )
