"""`make bench`: the main pages under load, as shares of two baselines measured in the same run.

1. A dedicated database: bench/out/bench.sqlite3, or `<name>_bench` on the PostgreSQL server of
   DATABASE_URL when it is set; migrated, static files collected.
2. bench/seed.py seeds it at scale and counts SQL queries per page with Django's test client.
3. Two gunicorns on 127.0.0.1 (DEBUG=0, production settings but plain HTTP, the database
   settings as in production: connections kept between requests):
   - the app, with its own baseline page /bench/baseline/ (the whole middleware stack, one
     template, one query);
   - the standard baseline (bench/baseline_settings.py): the same page through Django's
     standard middleware only, the limit for any Django page that reads the database.
4. wrk (Debian's; installed here if missing) replays each page's requests in rounds that
   alternate with both baselines (BENCH_ROUNDS rounds, default 5, BENCH_SECONDS seconds of
   load per page in all, default 10, at BENCH_CONNECTIONS connections, default 8). The app's
   CPU per request is counted in its workers (bench/gunicorn.py).
5. Whole responses: a few executives each answer all 44 questions and submit, one request
   after another; the app's CPU per response is the workers' CPU over the number of responses.
6. Prints the table, saves the run's figures as bench/out/run-<time>.json, and writes
   bench/RESULTS.md.

    .venv/bin/python bench/run.py                  # one run (make bench)
    .venv/bin/python bench/run.py report RUN.json... [--before RUN.json...]

`report` writes bench/RESULTS.md from several saved runs (medians over the runs), with a
before/after table when earlier runs are given. These machines are noisy (and shared): read the
ratios, which compare pages with baselines measured seconds apart, and the CPU per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
PY = sys.executable
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))  # per page, split into rounds
ROUND_SECONDS = max(1, round(SECONDS / ROUNDS))
WARMUP_SECONDS = 1
SOLO_SECONDS = 2
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
CPUS = os.cpu_count() or 1
WORKERS = int(os.environ.get("BENCH_WORKERS", str(min(4, max(2, 2 * CPUS)))))
MAX_QUERIES = 10
MAX_RESPONSE_CPU_MS = 120
#: BENCH_ONLY=answer,autosave measures just those pages (keys as in the scenario; `responses`
#: for the whole responses) and leaves bench/RESULTS.md alone: for trying a change quickly.
ONLY = [key for key in os.environ.get("BENCH_ONLY", "").split(",") if key]
BASELINE_PATH = "/bench/baseline/"

LUA = r"""
local data = %(data)s
local reqs = {}
local n = 0
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local offset = tonumber(args[1] or "0")
  local count = tonumber(args[2] or "1")
  for i = 1, #data do
    if (i - 1) %% count == id then
      local r = data[(i - 1 + offset) %% #data + 1]
      table.insert(reqs, wrk.format(r[1], r[2], r[3], r[4]))
    end
  end
  if #reqs == 0 then
    local r = data[1]
    table.insert(reqs, wrk.format(r[1], r[2], r[3], r[4]))
  end
end

function request()
  n = n %% #reqs + 1
  return reqs[n]
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"errors_status": %%d, "errors_other": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing Debian's package")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database() -> tuple[str, str]:
    """A fresh, dedicated database; returns its URL and a description."""
    source = os.environ.get("DATABASE_URL", "")
    if source.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(source)
        name = parts.path.lstrip("/") + "_bench"
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            version = conn.execute("SHOW server_version").fetchone()[0]
        return urlunsplit(parts._replace(path=f"/{name}")), f"PostgreSQL {version.split()[0]}"
    import sqlite3

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "bench.sqlite3"
    for leftover in OUT.glob("bench.sqlite3*"):
        leftover.unlink()
    return f"sqlite:///{path}", f"SQLite {sqlite3.sqlite_version} (file, WAL)"


def drop_database(database_url: str) -> None:
    """PostgreSQL: drop the dedicated database (the server is shared); SQLite: keep the file."""
    if database_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(database_url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def bench_env(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) over plain HTTP. CONN_MAX_AGE is left to the settings'
    default, as in production, unless the caller's environment sets it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        BENCH_BASELINE="1",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def start_gunicorn(env: dict[str, str], port: int, counters: Path) -> subprocess.Popen:
    """gunicorn with the app's configuration and the CPU counters of bench/gunicorn.py."""
    shutil.rmtree(counters, ignore_errors=True)
    command = [
        str(Path(PY).with_name("gunicorn")),
        "config.wsgi:application",
        "--config=bench/gunicorn.py",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--worker-class=sync",
        "--log-level=warning",
        "--timeout=60",
    ]
    server_env = {**env, "BENCH_CPU_DIR": str(counters)}
    server = subprocess.Popen(command, cwd=ROOT, env=server_env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{BASELINE_PATH}", timeout=10):
                return server
        except OSError:  # refused while booting, or a timeout on a busy machine
            time.sleep(0.2)
    stop(server)
    sys.exit("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


COUNTERS = struct.Struct("<QQQ")  # as bench/gunicorn.py writes them


class Server:
    """One gunicorn, with the requests its workers served and the CPU they spent on them."""

    def __init__(self, name: str, env: dict[str, str], port: int) -> None:
        self.name, self.port = name, port
        self.counters = OUT / "cpu" / name
        self.process = start_gunicorn(env, port, self.counters)

    def served(self) -> tuple[int, float]:
        """(requests served, CPU seconds spent on them) by every worker so far, read once every
        worker is idle: a wrk run leaves requests in flight that the workers still finish."""
        deadline = time.monotonic() + 60
        while True:
            served, nanoseconds, busy = 0, 0, 0
            for path in self.counters.glob("*.cpu"):
                count, spent, serving = COUNTERS.unpack(path.read_bytes()[: COUNTERS.size])
                served, nanoseconds, busy = served + count, nanoseconds + spent, busy + serving
            if not busy or time.monotonic() > deadline:
                return served, nanoseconds / 1e9
            time.sleep(0.02)


def lua_script(endpoint: dict[str, Any]) -> Path:
    def lua_string(text: str) -> str:
        return json.dumps(text)  # ASCII only (paths, url-encoded bodies): valid Lua too

    rows = []
    for r in endpoint["requests"]:
        headers = ", ".join(f"[{lua_string(k)}]={lua_string(v)}" for k, v in r["headers"].items())
        rows.append(
            f"{{{lua_string(r['method'])}, {lua_string(r['path'])}, {{{headers}}}, "
            f"{lua_string(r['body'])}}}"
        )
    path = OUT / f"{endpoint['key']}.lua"
    path.write_text(LUA % {"data": "{\n" + ",\n".join(rows) + "\n}"})
    return path


def wrk(
    binary: str,
    script: Path,
    server: Server,
    seconds: int,
    offset: int,
    connections: int = CONNECTIONS,
) -> dict[str, Any]:
    threads = min(2, connections)
    served_before, cpu_before = server.served()
    result = subprocess.run(
        [
            binary,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout=10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{server.port}",
            "--",
            str(offset),
            str(threads),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    served_after, cpu_after = server.served()
    line = next((x for x in result.stdout.splitlines() if x.startswith("{")), None)
    if line is None:
        sys.exit(f"wrk failed: {result.stdout}\n{result.stderr}")
    measured = json.loads(line)
    measured["rps"] = measured["requests"] / (measured["duration_us"] / 1e6)
    measured["served"] = served_after - served_before
    measured["cpu_ms"] = 1000 * (cpu_after - cpu_before) / max(1, measured["served"])
    return measured


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over rounds: the machine is shared and noisy, one bad round must not decide."""
    return {
        "rps": statistics.median(r["rps"] for r in rounds),
        "p50_ms": statistics.median(r["p50_us"] for r in rounds) / 1000,
        "p95_ms": statistics.median(r["p95_us"] for r in rounds) / 1000,
        "p99_ms": statistics.median(r["p99_us"] for r in rounds) / 1000,
        "cpu_ms": statistics.median(r["cpu_ms"] for r in rounds),
        "errors_status": sum(r["errors_status"] for r in rounds),
        "errors_other": sum(r["errors_other"] for r in rounds),
    }


def measure(
    binary: str,
    endpoint: dict[str, Any],
    app: Server,
    standard: Server,
    baseline_script: Path,
    baselines: dict[str, list[dict[str, Any]]],
) -> None:
    """Alternate the two baselines and the page in short rounds; ratios are medians over rounds.

    Interleaving cancels the drift of a shared machine's load: each page is compared with the
    baselines measured seconds before it, not minutes.
    """
    script = lua_script(endpoint)
    wrk(binary, script, app, WARMUP_SECONDS, 0)
    page_rounds, ratios, standard_ratios, cpu_shares = [], [], [], []
    for n in range(ROUNDS):
        project = wrk(binary, baseline_script, app, ROUND_SECONDS, 0)
        plain = wrk(binary, baseline_script, standard, ROUND_SECONDS, 0)
        offset = (n + 1) * len(endpoint["requests"]) // (ROUNDS + 1)
        page = wrk(binary, script, app, ROUND_SECONDS, offset)
        baselines["project"].append(project)
        baselines["standard"].append(plain)
        page_rounds.append(page)
        if project["rps"] and plain["rps"]:  # a round without a baseline cannot compare
            ratios.append(page["rps"] / project["rps"])
            standard_ratios.append(page["rps"] / plain["rps"])
        if page["cpu_ms"]:
            cpu_shares.append(plain["cpu_ms"] / page["cpu_ms"])
    endpoint.update(summarise(page_rounds))
    endpoint["ratio"] = statistics.median(ratios or [0.0])
    endpoint["standard_ratio"] = statistics.median(standard_ratios or [0.0])
    endpoint["cpu_share"] = statistics.median(cpu_shares or [0.0])
    endpoint["load"] = load_average()
    # Latency of one request at a time: what a user sees when the server is not saturated.
    solo = wrk(binary, script, app, SOLO_SECONDS, len(endpoint["requests"]) // 7, connections=1)
    endpoint["solo_p50_ms"] = solo["p50_us"] / 1000
    endpoint["solo_p95_ms"] = solo["p95_us"] / 1000
    log(
        f"{endpoint['label']}: {endpoint['rps']:.0f} req/s, {endpoint['ratio']:.3f} of the "
        f"project's baseline, {endpoint['standard_ratio']:.3f} of the standard one; "
        f"{endpoint['cpu_ms']:.1f} ms CPU a request, p95 {endpoint['p95_ms']:.1f} ms"
    )


def replay(port: int, requests: list[dict[str, Any]], statuses: dict[int, int]) -> None:
    """Send requests one after another over one kept-alive connection, counting the statuses."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for r in requests:
        connection.request(r["method"], r["path"], body=r["body"], headers=r["headers"])
        reply = connection.getresponse()
        reply.read()
        statuses[reply.status] = statuses.get(reply.status, 0) + 1
    connection.close()


def whole_responses(app: Server, responses: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Each executive answers every question and submits, one request after another: the app's
    CPU per whole response, and the wall time it took. The first response only warms the
    workers up (what the answering pages load once per process)."""
    warm_up, *responses = responses
    replay(app.port, warm_up, {})
    statuses: dict[int, int] = {}
    served_before, cpu_before = app.served()
    started = time.perf_counter()
    for requests in responses:
        replay(app.port, requests, statuses)
    elapsed = time.perf_counter() - started
    served_after, cpu_after = app.served()
    count = len(responses)
    result = {
        "responses": count,
        "requests_each": len(responses[0]) if responses else 0,
        "served": served_after - served_before,
        "cpu_ms": 1000 * (cpu_after - cpu_before) / max(1, count),
        "wall_ms": 1000 * elapsed / max(1, count),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }
    log(
        f"whole responses: {result['cpu_ms']:.0f} ms of server CPU each "
        f"({count} responses of {result['requests_each']} requests; statuses {statuses})"
    )
    return result


def machine(database: str) -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "unknown",
    )
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory = next((line.split()[1] for line in meminfo.splitlines() if "MemTotal" in line), "0")
    versions = subprocess.run(
        [PY, "-c", "import django, gunicorn; print(django.get_version(), gunicorn.__version__)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return {
        "CPUs (nproc)": str(CPUS),
        "CPU model": model,
        "Memory": f"{int(memory) / 1024 / 1024:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": versions[0] if versions else "?",
        "Database": database,
        "Server": f"gunicorn {versions[1] if len(versions) > 1 else '?'}, {WORKERS} sync workers "
        "for the app and as many for the standard baseline, DEBUG=0",
        "Load": f"wrk {wrk_version[1] if len(wrk_version) > 1 else '?'}, {CONNECTIONS} "
        f"connections; per page a {WARMUP_SECONDS} s warm-up, then {ROUNDS} rounds of "
        f"{ROUND_SECONDS} s project baseline + {ROUND_SECONDS} s standard baseline + "
        f"{ROUND_SECONDS} s page",
    }


# Reporting ----------------------------------------------------------------------------------


def verdict(endpoint: dict[str, Any]) -> str:
    """The issue's targets; a ratio target is checked against the standard baseline (the
    stricter of the two: the project's own baseline is a little slower)."""
    checks = []
    target = endpoint.get("target")
    if target and target[0] == "rps":
        checks.append((endpoint["standard_ratio"] >= target[1], f"≥ {target[1]:.2f}"))
    if target and target[0] == "p95":
        checks.append((endpoint["p95_ms"] < target[1], f"p95 < {target[1]} ms under load"))
        checks.append((endpoint["solo_p95_ms"] < target[1], f"p95 < {target[1]} ms alone"))
    if endpoint.get("queries") is not None:
        checks.append((endpoint["queries"] <= MAX_QUERIES, f"≤ {MAX_QUERIES} queries"))
    return "; ".join(f"{'✅' if ok else '❌'} {label}" for ok, label in checks)


def table(endpoints: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| Page | Req/s | Share of the project's baseline | Share of the standard baseline |"
        " CPU ms a request | CPU share of the standard baseline | Median ms | p95 ms | p99 ms |"
        " Median ms alone | p95 ms alone | SQL queries | Targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for e in endpoints:
        errors = f" ({e['errors']} errors)" if e.get("errors") else ""
        status = "" if e.get("status", 200) == 200 else f" (HTTP {e['status']})"
        queries = "" if e.get("queries") is None else str(e["queries"])
        lines.append(
            f"| {e['label']}{status} | {e['rps']:.0f}{errors} | {e['ratio']:.3f} "
            f"| {e['standard_ratio']:.3f} | {e['cpu_ms']:.1f} | {e.get('cpu_share', 0):.3f} "
            f"| {e['p50_ms']:.1f} "
            f"| {e['p95_ms']:.1f} | {e['p99_ms']:.1f} | {e['solo_p50_ms']:.1f} "
            f"| {e['solo_p95_ms']:.1f} | {queries} | {verdict(e)} |"
        )
    return lines


def response_line(whole: dict[str, Any] | None) -> list[str]:
    if not whole:
        return []
    ok = whole["cpu_ms"] <= MAX_RESPONSE_CPU_MS
    return [
        f"**A whole response** ({whole['requests_each'] - 1} autosaves and the submit, "
        f"{whole['responses']} executives one after another): **{whole['cpu_ms']:.0f} ms** of "
        f"server CPU each, {whole['wall_ms']:.0f} ms of wall time "
        f"({'✅' if ok else '❌'} ≤ {MAX_RESPONSE_CPU_MS} ms; statuses {whole['statuses']}).",
    ]


def run() -> None:
    started = time.monotonic()
    binary = ensure_wrk()
    database_url, database = prepare_database()
    env = bench_env(database_url)
    load_at_start = load_average()
    log(f"database: {database}; migrating and collecting static files (load {load_at_start})")
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput")
    scenario_path = OUT / "scenario.json"
    OUT.mkdir(parents=True, exist_ok=True)
    log("seeding the data set")
    subprocess.run([PY, "bench/seed.py", str(scenario_path)], cwd=ROOT, env=env, check=True)
    scenario = json.loads(scenario_path.read_text())
    endpoints = scenario["endpoints"]
    baseline = endpoints[0]
    pages = [e for e in endpoints[1:] if not ONLY or e["key"] in ONLY]
    app_port, standard_port = free_port(), free_port()
    log(f"gunicorn: the app on {app_port}, the standard baseline on {standard_port}")
    app = Server("app", env, app_port)
    standard_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.baseline_settings"}
    standard = Server("standard", standard_env, standard_port)
    baselines: dict[str, list[dict[str, Any]]] = {"project": [], "standard": []}
    whole = None
    try:
        baseline_script = lua_script(baseline)
        solos = {}
        for server in (app, standard):
            wrk(binary, baseline_script, server, WARMUP_SECONDS, 0)
            solos[server.name] = wrk(binary, baseline_script, server, SOLO_SECONDS, 0, 1)
        for endpoint in pages:
            measure(binary, endpoint, app, standard, baseline_script, baselines)
        if not ONLY or "responses" in ONLY:
            whole = whole_responses(app, scenario["responses"])
    finally:
        stop(app.process)
        stop(standard.process)
        drop_database(database_url)
    rows = [*baseline_rows(baseline, baselines, solos), *pages]
    for endpoint in rows:
        endpoint["errors"] = endpoint["errors_status"] + endpoint["errors_other"]
    record = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "elapsed_s": round(time.monotonic() - started),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "load_at_start": load_at_start,
        "load_at_end": load_average(),
        "machine": machine(database),
        "endpoints": [{k: v for k, v in e.items() if k != "requests"} for e in rows],
        "whole_responses": whole,
        "notes": scenario["notes"],
    }
    saved = OUT / f"run-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
    saved.write_text(json.dumps(record, indent=1))
    print("\n".join([*table(record["endpoints"]), "", *response_line(whole)]))
    for note in scenario["notes"]:
        print(f"note: {note}")
    log(f"figures saved in {saved.relative_to(ROOT)}")
    if ONLY:
        log("BENCH_ONLY is set: bench/RESULTS.md is left as it was")
        return
    write_results([record], [])


def baseline_rows(
    baseline: dict[str, Any],
    baselines: dict[str, list[dict[str, Any]]],
    solos: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """The two baselines' own rows, medians over every round; each one's share of the other is
    the median over rounds of the one's requests per second divided by the other's."""
    pairs = [
        (p, s)
        for p, s in zip(baselines["project"], baselines["standard"], strict=True)
        if p["rps"] and s["rps"]
    ]
    project_share = statistics.median(p["rps"] / s["rps"] for p, s in pairs) if pairs else 1.0
    cpu_shares = {
        "baseline": statistics.median(s["cpu_ms"] / p["cpu_ms"] for p, s in pairs)
        if pairs
        else 1.0,
        "standard": 1.0,
    }
    standard_share = statistics.median(s["rps"] / p["rps"] for p, s in pairs) if pairs else 1.0
    described = [
        ("baseline", "Project baseline (the app's middleware; template + 1 query)"),
        ("standard", "Standard baseline (Django's standard middleware; template + 1 query)"),
    ]
    rows = []
    for key, label in described:
        own = baselines["project" if key == "baseline" else "standard"]
        solo = solos["app" if key == "baseline" else "standard"]
        row = {k: v for k, v in baseline.items() if k != "requests"}
        row.update(summarise(own or [solo]))
        row.update(
            key=key,
            label=label,
            ratio=1.0 if key == "baseline" else standard_share,
            standard_ratio=project_share if key == "baseline" else 1.0,
            solo_p50_ms=solo["p50_us"] / 1000,
            solo_p95_ms=solo["p95_us"] / 1000,
            queries=1,
            cpu_share=cpu_shares[key],
        )
        rows.append(row)
    return rows


def combine(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each page's figures as medians over several runs, by page key."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        for endpoint in record["endpoints"]:
            by_key.setdefault(endpoint["key"], []).append(endpoint)
    combined = {}
    for key, runs in by_key.items():
        row = dict(runs[-1])
        for name, value in runs[-1].items():
            if isinstance(value, float):
                row[name] = statistics.median(r[name] for r in runs if name in r)
        row["errors"] = sum(r.get("errors", 0) for r in runs)
        row["runs"] = len(runs)
        combined[key] = row
    standard = combined.get("standard")
    for row in combined.values():  # runs saved before the CPU share was: from the medians
        if "cpu_share" not in row and standard and row["cpu_ms"]:
            row["cpu_share"] = standard["cpu_ms"] / row["cpu_ms"]
    return combined


def combine_responses(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    runs = [r["whole_responses"] for r in records if r.get("whole_responses")]
    if not runs:
        return None
    whole = dict(runs[-1])
    whole["cpu_ms"] = statistics.median(r["cpu_ms"] for r in runs)
    whole["wall_ms"] = statistics.median(r["wall_ms"] for r in runs)
    return whole


def comparison(
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    whole_before: dict[str, Any] | None,
    whole_after: dict[str, Any] | None,
) -> list[str]:
    lines = [
        "| Page | Share of the standard baseline, before → after | Share of the project's "
        "baseline, before → after | CPU ms a request, before → after | CPU share of the "
        "standard baseline, before → after | p95 ms, before → after | SQL queries, before → "
        "after | Target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, now in after.items():
        then = before.get(key)
        if then is None:
            continue
        queries = f"{then.get('queries') or '–'} → {now.get('queries') or '–'}"
        lines.append(
            f"| {now['label']} | {then['standard_ratio']:.3f} → **{now['standard_ratio']:.3f}** "
            f"| {then['ratio']:.3f} → {now['ratio']:.3f} | {then['cpu_ms']:.1f} → "
            f"**{now['cpu_ms']:.1f}** | {then.get('cpu_share', 0):.3f} → "
            f"{now.get('cpu_share', 0):.3f} | {then['p95_ms']:.1f} → {now['p95_ms']:.1f} "
            f"| {queries} | {verdict(now)} |"
        )
    if whole_before and whole_after:
        ok = whole_after["cpu_ms"] <= MAX_RESPONSE_CPU_MS
        lines.append(
            f"| A whole response ({whole_after['requests_each'] - 1} autosaves and the submit), "
            f"CPU ms | | | {whole_before['cpu_ms']:.0f} → **{whole_after['cpu_ms']:.0f}** | | | "
            f"| {'✅' if ok else '❌'} ≤ {MAX_RESPONSE_CPU_MS} ms |"
        )
    return lines


def write_results(records: list[dict[str, Any]], before: list[dict[str, Any]]) -> None:
    after = combine(records)
    whole = combine_responses(records)
    first = records[-1]
    runs = (
        f"{len(records)} runs ({', '.join(r['when'] for r in records)}), medians over the runs"
        if len(records) > 1
        else f"one run, {first['when']}, {first['elapsed_s']} s in all"
    )
    loads = "; ".join(f"{r['load_at_start']} → {r['load_at_end']}" for r in records)
    body = [
        "# Benchmark results",
        "",
        f"`make bench`: {runs}. Written by bench/run.py: rerun it rather than editing this file.",
        "",
        "## Machine",
        "",
        *[f"- **{key}**: {value}" for key, value in first["machine"].items()],
        f"- **Load average (1, 5, 15 min) at the start → end of each run**: {loads}",
        "",
        "## Results",
        "",
        "Each page is measured in rounds that alternate with both baselines, so all three see "
        "the same load on this shared machine. Share of a baseline: the median over rounds of "
        "the page's requests per second divided by the baseline's in the same round (the "
        "standard baseline: Django's standard middleware and one query, the limit for a page "
        "that reads the database; the project's: the same page through the app's middleware). "
        "CPU ms a request: the CPU (user + system) the app's workers spent on the round's "
        "requests, from reading each request to sending its last byte (bench/gunicorn.py), "
        "median over rounds: less sensitive to a busy machine than requests per second; CPU "
        "share: the standard baseline's CPU a request over the page's, in the same round. "
        "Median, p95 and p99 ms: latency under load "
        f"({CONNECTIONS} connections on {CPUS} CPUs, so it includes queueing); alone: one "
        "connection for a few seconds. SQL queries: one request, counted with Django's test "
        "client against the same database (transaction control not counted).",
        "",
        *table(list(after.values())),
        "",
        *response_line(whole),
    ]
    if before:
        then = combine(before)
        body += [
            "",
            "## Before and after (issue 11)",
            "",
            f"Before: {len(before)} run{'s' if len(before) != 1 else ''} of the same benchmark "
            f"on the app at commit {before[-1]['commit']} (the earlier runs given with "
            "`--before`; connections kept, as after; load "
            + "; ".join(f"{r['load_at_start']} → {r['load_at_end']}" for r in before)
            + "), medians over the runs.",
            "",
            *comparison(then, after, combine_responses(before), whole),
        ]
    body += [
        "",
        "## The data set",
        "",
        "One facilitator with 1,000 workshops across 50 clients (two invited executives in "
        "most); the largest with 60 executives who answered all 44 questions of the default "
        "questionnaire and submitted; a two-executive workshop (CIO and CMO), both answered; "
        "and 200 executives with their links open, whose sessions replay the answer pages "
        "(every section, in turn) and the autosaves (each request a first answer to a "
        "question: an insert, never a repeat); eight more of them each answer everything and "
        "submit, for the CPU of a whole response. A second facilitator also has 1,000 "
        "workshops: the 20 on their home's first page hold 570 executives' answers to every "
        "question (25,080 answers), the other 980 are co-facilitated.",
        "",
        "## Targets (issue 11)",
        "",
        "Shares of the standard baseline:",
        "",
        "- Answer page and autosave: at least 0.40.",
        "- Dashboard of two: at least 0.15. Dashboard of 60: under 150 ms at the 95th percentile.",
        "- Workshop page and the board's polled partial at 60 participants: at least 0.10.",
        "- Facilitator home at 1,000 workshops: at least 0.10, also with 25,080 answers in the "
        "first page's workshops.",
        f"- A whole 44-answer response: at most {MAX_RESPONSE_CPU_MS} ms of server CPU.",
        f"- At most {MAX_QUERIES} SQL queries on every page, whatever the workshop's size.",
    ]
    notes = first.get("notes") or []
    if notes:
        body += ["", "## Notes", "", *[f"- {note}" for note in notes]]
    RESULTS.write_text("\n".join(body) + "\n")
    log(f"wrote {RESULTS.relative_to(ROOT)}")


def report(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench/run.py report")
    parser.add_argument("runs", nargs="+", type=Path, help="saved runs (bench/out/run-*.json)")
    parser.add_argument("--before", nargs="*", type=Path, default=[], help="earlier runs")
    args = parser.parse_args(argv)
    write_results(
        [json.loads(p.read_text()) for p in args.runs],
        [json.loads(p.read_text()) for p in args.before],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["report"]:
        report(sys.argv[2:])
    else:
        run()
