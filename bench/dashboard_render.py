"""Time the consensus dashboard on a large workshop: a script, not a test.

Builds a throwaway SQLite database (in a temporary directory) with the default questionnaire
(44 questions) and a workshop of 60 participants who answered at random (a few drafts and
"don't know"s among them), then requests the dashboard, the comparison and the agenda through
Django's test client as the owning facilitator, ~30 times each, and prints the median and p95
render times (wall clock and CPU) and the number of SQL queries per request.

    .venv/bin/python bench/dashboard_render.py                 # 60 participants, 30 runs
    .venv/bin/python bench/dashboard_render.py --participants 120 --runs 50
    .venv/bin/python bench/dashboard_render.py --cold     # every report computed afresh

Figures are reused while the workshop's dashboard version is unchanged (`dashboard.caching`):
by default the runs after the first are such refreshes; --cold moves every workshop on to a
new version before every request, as each new answer does.

Uses tests.settings (DEBUG off, cached templates, fast password hasher, in-memory cache).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROLES = ["head_it", "head_marketing", "cto", "cdo", "ceo", "cfo", "other"]


def random_answer(question: Any, choices: list[str], none_value: str | None, rng: random.Random):
    """A plausible random answer in the stored shape (see surveys/models.py)."""
    kind = question.kind
    if kind == "scale":
        return rng.randint(question.scale_min, question.scale_max)
    if kind == "single":
        return rng.choice(choices)
    if kind == "multi":
        options = [c for c in choices if c != none_value]
        picked = rng.sample(options, rng.randint(0, min(4, len(options))))
        return picked or ([none_value] if none_value else [options[0]])
    if kind == "ranking":
        order = rng.sample(choices, len(choices))
        return order[: question.rank_limit] if question.rank_limit else order
    if kind == "numeric":
        low = question.min_value if question.min_value is not None else 0
        high = question.max_value if question.max_value is not None else 100
        return round(rng.uniform(low, min(high, low + 100)), 1)
    if kind == "allocation":
        cuts = sorted(rng.sample(range(0, 21), len(choices) - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 20], strict=True)]
        return {value: 5 * part for value, part in zip(choices, parts, strict=True)}
    return "We need one shared roadmap and a monthly review of the mobile numbers. " * 3


def build_workshop(participants: int, seed: int = 2027):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from surveys.loading import load_questionnaire
    from surveys.models import Answer, Response, ResponseStatus
    from workshops.models import Organisation, Role
    from workshops.services import add_participant, create_workshop

    rng = random.Random(seed)
    questionnaire = load_questionnaire()[0]
    owner = get_user_model().objects.create_user("bench", password="bench-password-123")
    workshop = create_workshop(
        title="Benchmark workshop",
        organisation=Organisation.objects.create(name="Bench Ltd"),
        owner=owner,
        questionnaire=questionnaire,
        status="collecting",
    )
    questions = [q for s in questionnaire.ordered_sections() for q in s.questions.all()]
    roles = [Role.CIO, Role.CMO] + [ROLES[i % len(ROLES)] for i in range(participants - 2)]
    now = timezone.now()
    answers = []
    for number, role in enumerate(roles, 1):
        invitation = add_participant(
            workshop=workshop, name=f"Executive {number}", role=role, email="", actor=owner
        )
        submitted = rng.random() < 0.8
        response = Response.objects.create(
            questionnaire=questionnaire,
            status=ResponseStatus.SUBMITTED if submitted else ResponseStatus.DRAFT,
            submitted_at=now if submitted else None,
        )
        participant = invitation.participant
        participant.response = response
        participant.save(update_fields=["response"])
        for question in questions:
            choices = [c.value for c in question.choices.all()]
            none_value = next((c.value for c in question.choices.all() if c.is_none), None)
            unknown = rng.random() < 0.05
            value = None if unknown else random_answer(question, choices, none_value, rng)
            answers.append(
                Answer(response=response, question=question, value=value, is_unknown=unknown)
            )
    Answer.objects.bulk_create(answers)
    return owner, workshop, len(questions)


def time_page(
    client: Any, url: str, runs: int, cold: bool = False
) -> tuple[list[float], list[float], int, int]:
    """Wall-clock and CPU milliseconds per request, the queries of one request, its size.

    The test client, Django and SQLite all run in this process, so CPU time is the request's
    whole cost; unlike wall time it barely moves when other work shares the machine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workshops.models import Workshop

    def clear_report_cache() -> None:
        """A new version of every workshop's dashboard: the cached figures are never read."""
        Workshop.objects.all().dashboard_changed()

    if cold:
        clear_report_cache()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)  # read now: the next request resets the connection's query log
    assert response.status_code == 200, (url, response.status_code)
    timings, cpu = [], []
    for _ in range(runs):
        if cold:
            clear_report_cache()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return timings, cpu, queries, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=60)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold", action="store_true", help="no reuse of computed reports")
    options = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="cg-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    owner, workshop, question_count = build_workshop(options.participants)
    print(
        f"Workshop: {options.participants} participants x {question_count} questions "
        f"(built in {time.perf_counter() - started:.1f} s, {directory})"
    )
    client = Client()
    client.force_login(owner)
    pages = [
        ("dashboard (CIO vs CMO)", reverse("workshops:dashboard", args=[workshop.pk])),
        (
            "dashboard (technology vs marketing)",
            reverse("workshops:dashboard", args=[workshop.pk])
            + "?a=side:technology&b=side:marketing",
        ),
        ("comparison (CIO vs CMO)", reverse("workshops:comparison", args=[workshop.pk])),
        ("agenda (CIO vs CMO)", reverse("workshops:agenda", args=[workshop.pk])),
        ("dashboard live refresh (htmx)", reverse("workshops:dashboard", args=[workshop.pk])),
    ]
    if hasattr(os, "getloadavg"):
        print(f"Load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"{'page':38} {'median ms':>9} {'p95 ms':>7} {'CPU med':>8} {'CPU p95':>8} "
        f"{'queries':>7} {'KB':>5}"
    )
    for name, url in pages:
        client.defaults.pop("HTTP_HX_REQUEST", None)
        if "htmx" in name:
            client.defaults["HTTP_HX_REQUEST"] = "true"
        timings, cpu, queries, size = time_page(client, url, options.runs, options.cold)
        p95 = statistics.quantiles(timings, n=20)[-1]
        cpu_p95 = statistics.quantiles(cpu, n=20)[-1]
        print(
            f"{name:38} {statistics.median(timings):9.1f} {p95:7.1f} "
            f"{statistics.median(cpu):8.1f} {cpu_p95:8.1f} {queries:7d} {size / 1024:5.0f}"
        )


if __name__ == "__main__":
    main()
