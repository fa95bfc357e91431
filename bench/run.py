"""`make bench`: the main pages under load, as ratios to a trivial page measured in the same run.

1. A dedicated database: bench/out/bench.sqlite3, or `<name>_bench` on the PostgreSQL server of
   DATABASE_URL when it is set; migrated, static files collected.
2. bench/seed.py seeds it at scale and counts SQL queries per page with Django's test client.
3. gunicorn serves the app (DEBUG=0, production settings but plain HTTP) on 127.0.0.1.
4. wrk (Debian's; installed here if missing) replays each page's requests: a short warm-up, then
   BENCH_SECONDS (default 10) of load at BENCH_CONNECTIONS (default 8) connections.
5. Prints the table and writes bench/RESULTS.md with the machine described.

The baseline (/bench/baseline/: the whole middleware stack, one template, one query) is measured
in rounds alternating with each page, so both see the same load; ratios are medians over rounds.
These machines are noisy (and shared): read the ratios.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
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
SECONDS = int(os.environ.get("BENCH_SECONDS", "9"))  # per page, split into rounds
ROUNDS = 3
WARMUP_SECONDS = 1
SOLO_SECONDS = 2
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
CPUS = os.cpu_count() or 1
WORKERS = int(os.environ.get("BENCH_WORKERS", str(min(4, max(2, 2 * CPUS)))))
MAX_QUERIES = 10
#: BENCH_ONLY=answer,autosave measures just those pages (keys as in the scenario) and leaves
#: bench/RESULTS.md alone: for trying a change quickly.
ONLY = [key for key in os.environ.get("BENCH_ONLY", "").split(",") if key]

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


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        str(Path(PY).with_name("gunicorn")),
        "config.wsgi:application",
        "--config=config/gunicorn.py",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--worker-class=sync",
        "--log-level=warning",
        "--timeout=60",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/baseline/", timeout=10):
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
    binary: str, script: Path, port: int, seconds: int, offset: int, connections: int = CONNECTIONS
) -> dict[str, Any]:
    threads = min(2, connections)
    result = subprocess.run(
        [
            binary,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout=10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            str(offset),
            str(threads),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("{")), None)
    if line is None:
        sys.exit(f"wrk failed: {result.stdout}\n{result.stderr}")
    measured = json.loads(line)
    measured["rps"] = measured["requests"] / (measured["duration_us"] / 1e6)
    return measured


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over rounds: the machine is shared and noisy, one bad round must not decide."""
    return {
        "rps": statistics.median(r["rps"] for r in rounds),
        "p50_ms": statistics.median(r["p50_us"] for r in rounds) / 1000,
        "p95_ms": statistics.median(r["p95_us"] for r in rounds) / 1000,
        "errors_status": sum(r["errors_status"] for r in rounds),
        "errors_other": sum(r["errors_other"] for r in rounds),
    }


def measure(binary: str, port: int, endpoint: dict[str, Any], baseline_script: Path) -> None:
    """Alternate the baseline and the page in short rounds; ratios are medians over rounds.

    Interleaving cancels the drift of a shared machine's load: each page is compared with the
    baseline measured seconds before it, not minutes.
    """
    script = lua_script(endpoint)
    wrk(binary, script, port, WARMUP_SECONDS, 0)
    seconds = max(1, round(SECONDS / ROUNDS))
    page_rounds, baseline_rounds, ratios, latency_ratios = [], [], [], []
    for n in range(ROUNDS):
        base = wrk(binary, baseline_script, port, seconds, 0)
        offset = (n + 1) * len(endpoint["requests"]) // (ROUNDS + 1)
        page = wrk(binary, script, port, seconds, offset)
        baseline_rounds.append(base)
        page_rounds.append(page)
        ratios.append(page["rps"] / base["rps"])
        latency_ratios.append(page["p50_us"] / base["p50_us"])
    endpoint.update(summarise(page_rounds))
    endpoint["ratio"] = statistics.median(ratios)
    endpoint["latency_ratio"] = statistics.median(latency_ratios)
    endpoint["baseline_rounds"] = baseline_rounds
    # Latency of one request at a time: what a user sees when the server is not saturated.
    solo = wrk(binary, script, port, SOLO_SECONDS, len(endpoint["requests"]) // 7, connections=1)
    endpoint["solo_p50_ms"] = solo["p50_us"] / 1000
    endpoint["solo_p95_ms"] = solo["p95_us"] / 1000
    log(
        f"{endpoint['label']}: {endpoint['rps']:.0f} req/s ({endpoint['ratio']:.3f} of baseline), "
        f"median {endpoint['p50_ms']:.1f} ms, p95 {endpoint['p95_ms']:.1f} ms"
    )


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
        "Load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": versions[0] if versions else "?",
        "Database": database,
        "Server": f"gunicorn {versions[1] if len(versions) > 1 else '?'}, {WORKERS} sync workers,"
        " DEBUG=0",
        "Load": f"wrk {wrk_version[1] if len(wrk_version) > 1 else '?'}, {CONNECTIONS} "
        f"connections; per page a {WARMUP_SECONDS} s warm-up, then {ROUNDS} rounds of "
        f"{max(1, round(SECONDS / ROUNDS))} s baseline + {max(1, round(SECONDS / ROUNDS))} s page",
    }


def verdict(endpoint: dict[str, Any], ratio: float) -> str:
    checks = []
    target = endpoint.get("target")
    if target and target[0] == "rps":
        checks.append((ratio >= target[1], f"ratio ≥ {target[1]:.2f}"))
    if target and target[0] == "p95":
        checks.append((endpoint["p95_ms"] < target[1], f"p95 < {target[1]} ms under load"))
        checks.append((endpoint["solo_p95_ms"] < target[1], f"p95 < {target[1]} ms alone"))
    if endpoint["key"] != "baseline":
        checks.append((endpoint["queries"] <= MAX_QUERIES, f"≤ {MAX_QUERIES} queries"))
    return "; ".join(f"{'✅' if ok else '❌'} {label}" for ok, label in checks)


def table(endpoints: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| Page | Median ms under load | p95 ms under load | Median ms alone | p95 ms alone |"
        " Req/s | Req/s ratio | Latency ratio | SQL queries | Status | Targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for e in endpoints:
        errors = f" ({e['errors_status'] + e['errors_other']} errors)" if e["errors"] else ""
        lines.append(
            f"| {e['label']} | {e['p50_ms']:.1f} | {e['p95_ms']:.1f} | {e['solo_p50_ms']:.1f} "
            f"| {e['solo_p95_ms']:.1f} | {e['rps']:.0f}{errors} "
            f"| {e['ratio']:.3f} | {e['latency_ratio']:.1f}× | {e['queries']} | {e['status']} "
            f"| {e['verdict']} |"
        )
    return lines


def main() -> None:
    started = time.monotonic()
    binary = ensure_wrk()
    database_url, database = prepare_database()
    env = bench_env(database_url)
    log(f"database: {database}; migrating and collecting static files")
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput")
    scenario_path = OUT / "scenario.json"
    OUT.mkdir(parents=True, exist_ok=True)
    log("seeding the data set")
    subprocess.run([PY, "bench/seed.py", str(scenario_path)], cwd=ROOT, env=env, check=True)
    scenario = json.loads(scenario_path.read_text())
    endpoints = scenario["endpoints"]
    if ONLY:
        endpoints = [e for e in endpoints if e["key"] == "baseline" or e["key"] in ONLY]
    port = free_port()
    log(f"gunicorn on 127.0.0.1:{port} with {WORKERS} workers")
    server = start_gunicorn(env, port)
    baseline = endpoints[0]
    try:
        baseline_script = lua_script(baseline)
        wrk(binary, baseline_script, port, WARMUP_SECONDS, 0)
        solo = wrk(binary, baseline_script, port, SOLO_SECONDS, 0, connections=1)
        baseline_solo = {"solo_p50_ms": solo["p50_us"] / 1000, "solo_p95_ms": solo["p95_us"] / 1000}
        for endpoint in endpoints[1:]:
            measure(binary, port, endpoint, baseline_script)
    finally:
        stop(server)
        drop_database(database_url)
    rounds = [r for e in endpoints[1:] for r in e["baseline_rounds"]]
    baseline.update(summarise(rounds))
    baseline["solo_p50_ms"] = baseline_solo["solo_p50_ms"]
    baseline["solo_p95_ms"] = baseline_solo["solo_p95_ms"]
    baseline["ratio"] = baseline["latency_ratio"] = 1.0
    for endpoint in endpoints:
        endpoint["errors"] = endpoint["errors_status"] + endpoint["errors_other"]
        endpoint["verdict"] = verdict(endpoint, endpoint["ratio"])
    baseline["label"] += (
        f" — {min(r['rps'] for r in rounds):.0f} to {max(r['rps'] for r in rounds):.0f} req/s"
        f" over {len(rounds)} rounds"
    )
    lines = table(endpoints)
    print("\n".join(lines))
    for note in scenario["notes"]:
        print(f"note: {note}")
    if ONLY:
        log("BENCH_ONLY is set: bench/RESULTS.md is left as it was")
        return
    write_results(lines, machine(database), scenario["notes"], time.monotonic() - started)


def write_results(
    lines: list[str], described: dict[str, str], notes: list[str], elapsed: float
) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        "# Benchmark results",
        "",
        f"`make bench`, {when}, {elapsed:.0f} s in all. Written by bench/run.py: rerun it rather "
        "than editing this file.",
        "",
        "## Machine",
        "",
        *[f"- **{key}**: {value}" for key, value in described.items()],
        "",
        "## Results",
        "",
        "Each page is measured in rounds that alternate with the baseline, so both see the "
        "same load on this shared machine. Median ms, p95 ms and Req/s: medians over the "
        "rounds. Req/s ratio: the median over rounds of the page's requests per second divided "
        "by the baseline's in the same round. Latency ratio: the same for median latency (how "
        "many times slower). SQL queries: one request, counted with Django's test client "
        "against the same database (transaction control, BEGIN/SAVEPOINT/COMMIT, not counted). "
        f"Under load: {CONNECTIONS} connections at once on {CPUS} CPUs, so latency includes "
        "queueing; alone: one connection for a few seconds (the page's own time). "
        "These machines are noisy: quote medians and ratios.",
        "",
        *lines,
        "",
        "## The data set",
        "",
        "One facilitator with 1,000 workshops across 50 clients (two invited executives in "
        "most); the largest with 60 executives who answered all 44 questions of the default "
        "questionnaire and submitted; a two-executive workshop (CIO and CMO), both answered; "
        "and 200 executives with their links open, whose sessions replay the answer pages "
        "(every section, in turn) and the autosaves (each request a first answer to a "
        "question: an insert, never a repeat).",
        "",
        "## Targets (issue 5)",
        "",
        "- Answer page and autosave: at least 0.40 of the baseline's requests per second.",
        "- Dashboard of a two-executive, 40-question workshop: at least 0.15.",
        "- Dashboard of a 60-participant, 45-question workshop: under 150 ms at the 95th "
        "percentile.",
        "- At most 10 SQL queries on every page, whatever the workshop's size.",
    ]
    if notes:
        body += ["", "## Notes", "", *[f"- {note}" for note in notes]]
    RESULTS.write_text("\n".join(body) + "\n")
    log(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
