"""A WSGI app with no database, for tests that run gunicorn itself (its logs, its headers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"Not found"]
