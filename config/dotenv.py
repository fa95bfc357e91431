"""A development checkout's `.env`: the settings `make run` uses, for every `manage.py` command.

`make run` writes `.env` once (DEBUG on, a random SECRET_KEY of its own) so that the commands
the README shows (`manage.py createfacilitator`, `createsuperuser`, ...) work as written on a
fresh clone. Only `manage.py` reads it, and only for variables the environment does not set:
production (gunicorn through `config.wsgi`, or `manage.py` with its own environment) never
depends on it, and with no `.env` DEBUG stays off and SECRET_KEY required.
"""

from __future__ import annotations

import os
from pathlib import Path


def load_env_file(path: Path) -> list[str]:
    """Set each `NAME=value` line of `path` that the environment does not set already.

    Blank lines and `#` comments are skipped; quotes around a value are removed. Returns the
    names it set. A missing file sets nothing.
    """
    if not path.is_file():
        return []
    loaded = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        name, value = name.strip().removeprefix("export ").strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if name and name not in os.environ:
            os.environ[name] = value
            loaded.append(name)
    return loaded
