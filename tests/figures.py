"""Figures the suite proves, counted as tests run and printed once at the end of the session.

Tests call `add("bad inputs tried", n)`, or `note(figure, line)` for a measurement;
`tests/conftest.py` prints one line per figure from `summary_lines()` in its
`pytest_terminal_summary` hook.
"""

from __future__ import annotations

import threading
from collections import Counter

_counts: Counter[str] = Counter()
_notes: dict[str, str] = {}
_lock = threading.Lock()

ACCESS_REQUESTS = "access-control requests"
UNAUTHORISED_SUCCESSES = "unauthorised successes"
BAD_INPUTS = "bad inputs tried"
SERVER_ERRORS = "bad inputs answered 5xx"
CONCURRENT_WRITES = "concurrent writes"
ANSWERS_LOST = "answers lost"


def add(figure: str, amount: int = 1) -> None:
    with _lock:
        _counts[figure] += amount


def get(figure: str) -> int:
    return _counts[figure]


def note(figure: str, line: str) -> None:
    """A measured figure, printed as given (the last note per figure wins)."""
    with _lock:
        _notes[figure] = line


def summary_lines() -> list[str]:
    """One line per figure whose tests ran in this session."""
    lines = []
    if _counts[ACCESS_REQUESTS]:
        lines.append(
            f"access-control: {_counts[ACCESS_REQUESTS]} requests, "
            f"{_counts[UNAUTHORISED_SUCCESSES]} unauthorised successes"
        )
    if _counts[BAD_INPUTS]:
        lines.append(f"bad inputs: {_counts[BAD_INPUTS]} tried, {_counts[SERVER_ERRORS]} 5xx")
    if _counts[CONCURRENT_WRITES]:
        lines.append(
            f"concurrent writes: {_counts[CONCURRENT_WRITES]}, "
            f"answers lost: {_counts[ANSWERS_LOST]}"
        )
    lines.extend(_notes.values())
    return lines
