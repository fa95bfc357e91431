"""gunicorn's configuration for `make bench`: the app's own (config/gunicorn.py), plus a count of
the requests each worker served and the CPU it spent on them.

Each worker keeps three numbers in a small file of its own under BENCH_CPU_DIR, mapped in memory:
the requests served, the CPU (user + system, nanoseconds) spent between reading each request and
sending its last byte, and whether it is serving one now. bench/run.py adds them up before and
after each round, once every worker is idle: CPU per request, whatever the load and whatever
wrk left in flight.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from pathlib import Path

from config.gunicorn import *  # noqa: F403 (the app's settings, its logger and header patch)

_COUNTERS = struct.Struct("<QQQ")  # requests served, CPU nanoseconds, serving one now


def post_worker_init(worker: object) -> None:
    folder = Path(os.environ["BENCH_CPU_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}.cpu"
    path.write_bytes(bytes(_COUNTERS.size))
    with path.open("r+b") as file:
        worker.bench_counters = mmap.mmap(file.fileno(), _COUNTERS.size)
    worker.bench_served = 0
    worker.bench_cpu_ns = 0


def pre_request(worker: object, req: object) -> None:
    worker.bench_started = time.process_time_ns()
    _COUNTERS.pack_into(worker.bench_counters, 0, worker.bench_served, worker.bench_cpu_ns, 1)


def post_request(worker: object, req: object, environ: dict, resp: object) -> None:
    worker.bench_served += 1
    worker.bench_cpu_ns += time.process_time_ns() - worker.bench_started
    _COUNTERS.pack_into(worker.bench_counters, 0, worker.bench_served, worker.bench_cpu_ns, 0)
