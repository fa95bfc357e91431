"""Database outage drill: stop PostgreSQL under autosave load, then start it again.

    .venv/bin/python bench/outage.py

Not part of CI: it stops the machine's PostgreSQL cluster for a few seconds (and always starts it
again, even on failure or Ctrl-C). Steps:

1. creates a dedicated database (common_ground_outage), migrates it and seeds one workshop
   with executives whose personal links are open (their access cookies);
2. serves the app with gunicorn (DEBUG=0, DATABASE_URL pointing at that database);
3. a few threads autosave answers continuously, tracking every acknowledged value and revision;
4. stops PostgreSQL (`pg_ctlcluster --skip-systemctl-redirect <version> main stop`): every
   response meanwhile must be the friendly 503, never a 500;
   (the app's log, with a line per 503, goes to bench/out/outage-gunicorn.log);
5. starts PostgreSQL again: the same gunicorn (no restart) must recover by itself;
6. checks that every acknowledged answer is stored, and prints a summary.

Exits non-zero if the app answered a 500, did not recover, or lost an acknowledged answer.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PY = sys.executable
DATABASE = "common_ground_outage"
#: The cluster the drill stops and starts: the machine's own (`main` on 5432) by default, or a
#: throwaway one on a shared machine, e.g.
#:   pg_createcluster 15 drill -p 5433 --start -- --auth-host=trust --auth-local=trust
#:   OUTAGE_CLUSTER=drill OUTAGE_PORT=5433 .venv/bin/python bench/outage.py
#:   pg_dropcluster 15 drill --stop
CLUSTER = os.environ.get("OUTAGE_CLUSTER", "main")
PORT = os.environ.get("OUTAGE_PORT", "5432")
PG = f"postgres://postgres@127.0.0.1:{PORT}"
THREADS = 4
PARTICIPANTS = 12
WARM_SECONDS = 4
OUTAGE_SECONDS = 8
AFTER_SECONDS = 5
RECOVERY_LIMIT = 30
REV = re.compile(r'name="q(\d+)-rev" value="(\d*)"')


def log(message: str) -> None:
    print(f"[outage] {message}", flush=True)


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"), key=float)
    return versions[-1]


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), CLUSTER, action],
        check=True,
        capture_output=True,
    )


def pg_ready() -> bool:
    ready = ["pg_isready", "-h", "127.0.0.1", "-p", PORT, "-q"]
    return subprocess.run(ready, check=False).returncode == 0


def ensure_postgres_running() -> None:
    """Start the cluster if it is down, and wait until it accepts connections."""
    if not pg_ready():
        log("PostgreSQL is down: starting it")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), CLUSTER, "start"],
            check=False,
            capture_output=True,
        )
    for _ in range(60):
        if pg_ready():
            return
        time.sleep(0.5)
    raise SystemExit("PostgreSQL did not come back: start it by hand!")


def app_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"{PG}/{DATABASE}",
        LOG_LEVEL="ERROR",
    )
    return env


def prepare(env: dict[str, str]) -> dict[str, Any]:
    base = ["-h", "127.0.0.1", "-p", PORT, "-U", "postgres"]
    subprocess.run(["dropdb", *base, "--if-exists", "--force", DATABASE], check=True)
    subprocess.run(["createdb", *base, DATABASE], check=True)
    for args in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"]):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    OUT.mkdir(parents=True, exist_ok=True)
    seeded = OUT / "outage-seed.json"
    subprocess.run([PY, __file__, "--seed", str(seeded)], cwd=ROOT, env=env, check=True)
    return json.loads(seeded.read_text())


def seed(path: str) -> None:
    """(In the app's environment.) One workshop, executives with access cookies, the questions."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils.crypto import get_random_string

    from surveys.loading import load_questionnaire
    from workshops.access import access_cookie_name, access_cookie_value
    from workshops.models import Organisation, Participant, Role, WorkshopStatus
    from workshops.services import add_participant, create_workshop

    questionnaire = load_questionnaire()[0]
    owner = get_user_model().objects.create_user("outage", password=secrets.token_urlsafe())
    workshop = create_workshop(
        title="Outage drill",
        organisation=Organisation.objects.create(name="Drill Ltd", created_by=owner),
        owner=owner,
        questionnaire=questionnaire,
        status=WorkshopStatus.COLLECTING,
    )
    participants = []
    for n in range(PARTICIPANTS):
        invitation = add_participant(
            workshop=workshop, name=f"Executive {n}", role=Role.CIO, email=f"e{n}@example.com"
        )
        participant = Participant.objects.get(pk=invitation.participant.pk)
        from surveys.models import Response

        participant.response = Response.objects.create(questionnaire=questionnaire)
        participant.save(update_fields=["response"])
        cookie = f"{access_cookie_name()}={access_cookie_value(participant)}"
        participants.append({"pk": participant.pk, "cookie": cookie})
    scales = [
        {"pk": q.pk, "low": q.scale_min, "high": q.scale_max}
        for s in questionnaire.ordered_sections()
        for q in s.questions.all()
        if q.kind == "scale"
    ]
    Path(path).write_text(
        json.dumps(
            {
                "participants": participants,
                "questions": scales,
                "csrf": get_random_string(32),
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
            }
        )
    )


@dataclass
class Pair:
    """One executive's answer to one question, as the client knows it."""

    acknowledged: Any = None
    revision: str = ""
    # Values sent after the last acknowledged one whose fate is unknown (no or a failed reply):
    # the server may have stored one of them before the reply was lost.
    maybe: list[Any] = field(default_factory=list)


@dataclass
class Drill:
    base_url: str
    seeded: dict[str, Any]
    phase: str = "before"
    stop: threading.Event = field(default_factory=threading.Event)
    statuses: dict[str, Counter] = field(default_factory=dict)
    pairs: dict[tuple[int, int], Pair] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: int = 0
    friendly_503: int = 0
    last_ack_at: float = 0.0

    def record(self, status: int, friendly: bool = False) -> None:
        with self.lock:
            self.statuses.setdefault(self.phase, Counter())[status] += 1
            if friendly:
                self.friendly_503 += 1

    def post(self, participant: dict[str, Any], question: dict[str, Any], value: int) -> None:
        key = (participant["pk"], question["pk"])
        pair = self.pairs.setdefault(key, Pair())
        body = {f"q{question['pk']}": str(value), f"q{question['pk']}-rev": pair.revision}
        request = urllib.request.Request(
            f"{self.base_url}/respond/{participant['pk']}/autosave/{question['pk']}/",
            data=urllib.parse.urlencode(body).encode(),
            headers={
                "Cookie": (
                    f"{participant['cookie']}; {self.seeded['csrf_cookie']}={self.seeded['csrf']}"
                ),
                "X-CSRFToken": self.seeded["csrf"],
                "HX-Request": "true",
            },
            method="POST",
        )
        pair.maybe.append(value)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except OSError:
            status, text = 0, ""
        self.record(status, friendly=status == 503 and "Back in a moment" in text)
        for question_pk, revision in REV.findall(text):
            if int(question_pk) == question["pk"]:
                pair.revision = revision
        if status == 200 and "Saved" in text:
            pair.acknowledged, pair.maybe = value, []
            with self.lock:
                self.acknowledged += 1
                self.last_ack_at = time.monotonic()

    def worker(self, mine: list[dict[str, Any]], seed: int) -> None:
        rng = random.Random(seed)
        questions = self.seeded["questions"]
        while not self.stop.is_set():
            question = rng.choice(questions)
            self.post(rng.choice(mine), question, rng.randint(question["low"], question["high"]))


def start_gunicorn(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            str(Path(PY).with_name("gunicorn")),
            "config.wsgi:application",
            "--config=config/gunicorn.py",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--log-level=warning",
            "--timeout=30",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        # The 503s are logged by Django, one line each: keep them out of the summary.
        stderr=(OUT / "outage-gunicorn.log").open("w"),
    )
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=2).close()
            return server, base_url
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def stored_answers(participant_pks: list[int]) -> dict[tuple[int, int], Any]:
    import psycopg

    with psycopg.connect(f"{PG}/{DATABASE}") as conn:
        rows = conn.execute(
            "SELECT p.id, a.question_id, a.value FROM surveys_answer a "
            "JOIN workshops_participant p ON p.response_id = a.response_id "
            "WHERE p.id = ANY(%s)",
            (participant_pks,),
        ).fetchall()
        duplicates = conn.execute(
            "SELECT count(*) FROM (SELECT response_id, question_id FROM surveys_answer "
            "GROUP BY 1, 2 HAVING count(*) > 1) d"
        ).fetchone()[0]
    assert duplicates == 0, f"{duplicates} duplicate answers"
    return {(p, q): value for p, q, value in rows}


def page_during_outage(drill: Drill) -> tuple[int, bool]:
    """A full page (the section) while the database is down: the friendly 503 too?"""
    participant = drill.seeded["participants"][0]
    request = urllib.request.Request(
        f"{drill.base_url}/respond/{participant['pk']}/section/1/",
        headers={"Cookie": participant["cookie"]},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, False
    except urllib.error.HTTPError as error:
        return error.code, "Back in a moment" in error.read().decode(errors="replace")


def main() -> int:
    ensure_postgres_running()
    env = app_env()
    log(f"PostgreSQL {pg_version()}: preparing database {DATABASE}")
    seeded = prepare(env)
    server, base_url = start_gunicorn(env)
    drill = Drill(base_url, seeded)
    participants = seeded["participants"]
    threads = [
        threading.Thread(target=drill.worker, args=(participants[n::THREADS], n), daemon=True)
        for n in range(THREADS)
    ]
    timeline: list[str] = []
    problems: list[str] = []
    recovered_after = None
    page_status: tuple[int, bool] = (0, False)
    try:
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(WARM_SECONDS)
        acknowledged_before = drill.acknowledged
        drill.phase = "outage"
        stop_at = time.monotonic()
        pg_ctl("stop")
        timeline.append(f"{stop_at - started:5.1f} s  PostgreSQL stopped")
        time.sleep(OUTAGE_SECONDS / 2)
        page_status = page_during_outage(drill)
        time.sleep(OUTAGE_SECONDS / 2)
        drill.phase = "recovery"
        start_at = time.monotonic()
        pg_ctl("start")
        ensure_postgres_running()
        timeline.append(f"{start_at - started:5.1f} s  PostgreSQL started")
        acknowledged_at_start = drill.acknowledged
        deadline = time.monotonic() + RECOVERY_LIMIT
        while drill.acknowledged == acknowledged_at_start and time.monotonic() < deadline:
            time.sleep(0.05)
        if drill.acknowledged > acknowledged_at_start:
            recovered_after = drill.last_ack_at - start_at
            timeline.append(
                f"{drill.last_ack_at - started:5.1f} s  first answer saved again "
                f"({recovered_after:.1f} s after the start, gunicorn not restarted)"
            )
        drill.phase = "after"
        time.sleep(AFTER_SECONDS)
    finally:
        drill.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        ensure_postgres_running()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    stored = stored_answers([p["pk"] for p in participants])
    lost = [
        key
        for key, pair in drill.pairs.items()
        if pair.acknowledged is not None
        and stored.get(key) != pair.acknowledged
        and stored.get(key) not in pair.maybe
    ]
    statuses = {phase: dict(sorted(counts.items())) for phase, counts in drill.statuses.items()}
    errors_500 = sum(
        c for counts in statuses.values() for s, c in counts.items() if s >= 500 and s != 503
    )
    outage = statuses.get("outage", {})
    if errors_500:
        problems.append(f"{errors_500} responses were 5xx other than 503")
    if not outage.get(503):
        problems.append("no 503 during the outage")
    if drill.friendly_503 != sum(
        c for counts in statuses.values() for s, c in counts.items() if s == 503
    ):
        problems.append("a 503 without the friendly page")
    if page_status != (503, True):
        problems.append(f"the section page during the outage answered {page_status}")
    if recovered_after is None:
        problems.append(f"no answer saved within {RECOVERY_LIMIT} s of PostgreSQL's start")
    if statuses.get("after", {}).keys() - {200}:
        problems.append(f"after recovery, not only 200s: {statuses['after']}")
    if lost:
        problems.append(f"{len(lost)} acknowledged answers lost")
    if acknowledged_before == 0:
        problems.append("nothing was saved before the outage")
    print()
    print("Database outage drill")
    print(
        f"  app: gunicorn, 2 workers, DEBUG=0; {THREADS} threads autosaving for "
        f"{PARTICIPANTS} executives; PostgreSQL {pg_version()} stopped for {OUTAGE_SECONDS} s"
    )
    for line in timeline:
        print(f"  {line}")
    for phase in ("before", "outage", "recovery", "after"):
        print(f"  {phase:<9} responses by status: {statuses.get(phase, {})}")
    print(
        f"  friendly 503 pages: {drill.friendly_503}; section page during the outage: "
        f"{page_status[0]}{' (friendly)' if page_status[1] else ''}"
    )
    print(
        f"  acknowledged saves: {drill.acknowledged}; answers checked: "
        f"{sum(1 for p in drill.pairs.values() if p.acknowledged is not None)}; "
        f"answers lost: {len(lost)}"
    )
    print(f"  PostgreSQL running again: {'yes' if pg_ready() else 'NO'}")
    print("  result: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    subprocess.run(
        [
            "dropdb",
            "-h",
            "127.0.0.1",
            "-p",
            PORT,
            "-U",
            "postgres",
            "--if-exists",
            "--force",
            DATABASE,
        ],
        check=False,
    )
    return 0 if not problems else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        seed(sys.argv[2])
    else:
        sys.exit(main())
