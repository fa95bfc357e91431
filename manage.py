#!/usr/bin/env python
import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.dotenv import load_env_file

    # A development checkout's settings (written by `make run`); the environment wins.
    load_env_file(Path(os.environ.get("ENV_FILE", Path(__file__).resolve().parent / ".env")))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
