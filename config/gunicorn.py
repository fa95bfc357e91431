"""gunicorn's configuration: `gunicorn config.wsgi -c config/gunicorn.py` (README, bench).

Options given on the command line (--bind, --workers, --access-logfile) apply on top.

- Personal links are masked in gunicorn's access and error logs (config.logs), as in Django's.
- gunicorn does not announce itself: its `Server: gunicorn` header, which it adds to every
  response and has no setting for, is left out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from gunicorn import glogging
from gunicorn.http import wsgi

from config.logs import MaskPersonalLinks


class MaskingLogger(glogging.Logger):
    """gunicorn's logger, with personal links masked in its access log and error log."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(existing, MaskPersonalLinks) for existing in log.filters):
                log.addFilter(MaskPersonalLinks())


logger_class = MaskingLogger


def _without_server_header(default_headers: Callable) -> Callable:
    @functools.wraps(default_headers)
    def headers(self: wsgi.Response) -> list[str]:
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    headers.drops_server_header = True
    return headers


# Loaded by the master before it forks the workers, so every worker answers without it.
if not getattr(wsgi.Response.default_headers, "drops_server_header", False):
    wsgi.Response.default_headers = _without_server_header(wsgi.Response.default_headers)
