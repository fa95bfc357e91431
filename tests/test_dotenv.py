"""The README's `manage.py` commands work on a fresh clone, and production stays safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from config.dotenv import load_env_file

ROOT = Path(__file__).resolve().parents[1]


def _manage(args: list[str], env_file: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS"}
    }
    env |= {"ENV_FILE": str(env_file), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_reads_the_checkout_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# written by make\nDEBUG=1\nSECRET_KEY='a-development-key'\n")
    result = _manage(["check"], env_file, tmp_path)
    assert result.returncode == 0, result.stderr


def test_without_an_env_file_debug_stays_off_and_a_secret_key_is_required(tmp_path):
    result = _manage(["check"], tmp_path / "missing.env", tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_the_environment_wins_over_the_env_file(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text('export CG_TEST_ONE=from-file\nCG_TEST_TWO = "two"\n\nnot a line\n')
    monkeypatch.setenv("CG_TEST_ONE", "from-environment")
    monkeypatch.delenv("CG_TEST_TWO", raising=False)
    assert load_env_file(env_file) == ["CG_TEST_TWO"]
    assert os.environ["CG_TEST_ONE"] == "from-environment"
    assert os.environ.pop("CG_TEST_TWO") == "two"
