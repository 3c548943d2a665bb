"""The environment-driven settings: SQLite tuned for a worker beside the web server, and a
production configuration that passes Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")
def test_sqlite_waits_for_locks_and_enforces_foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def run_townhall(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "-m", "townhall", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_variables(tmp_path):
    result = run_townhall(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="townhall.springfield.example",
        HTTPS="true",
        DEBUG="false",
        TOWNHALL_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_with_the_development_secret_key(tmp_path):
    result = run_townhall(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ALLOWED_HOSTS="townhall.springfield.example",
        HTTPS="true",
        DEBUG="false",
        TOWNHALL_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_an_unknown_tasks_backend_is_refused_at_start_up(tmp_path):
    result = run_townhall("check", TASKS_BACKEND="carrier-pigeon", TOWNHALL_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of" in result.stderr
