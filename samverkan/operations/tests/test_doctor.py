"""The deployment check refuses what the outside operator found passing (issue 14): several
workers without Redis, ALLOWED_HOSTS=*, and (`samverkan doctor`) a database or Redis that
cannot be reached; each problem says what to fix."""

import os
import secrets
import subprocess
import sys

import pytest
from django.db import connection

from samverkan.operations.backup import database_at
from samverkan.operations.checks import connection_problems
from samverkan.production.redis_server import free_port, redis_binary, redis_server

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "samverkan.example.se",
    "SAMVERKAN_HTTPS": "1",
    "DEBUG": "0",
    "DJANGO_SETTINGS_MODULE": "samverkan.settings",
}


def _run(command: list[str], tmp_path, **environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMVERKAN_", "DATABASE_"))}
    env.update(PRODUCTION, SAMVERKAN_VAR_DIR=str(tmp_path), **environment)
    return subprocess.run(
        [sys.executable, "-m", "samverkan", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_refuses_any_host_and_several_workers_without_redis(tmp_path):
    done = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        ALLOWED_HOSTS="*",
        SAMVERKAN_WORKERS="2",
    )
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "samverkan.E001" in said and "ALLOWED_HOSTS=samverkan.example.se" in said
    assert "samverkan.E002" in said and "SAMVERKAN_WORKERS=1" in said
    # One worker without Redis is a valid set-up (and the default without Redis).
    done = _run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_doctor_says_the_database_and_redis_cannot_be_reached(tmp_path):
    dead = free_port()
    done = _run(
        ["doctor"],
        tmp_path,
        DATABASE_URL=f"postgres://samverkan@127.0.0.1:{dead}/samverkan",
        SAMVERKAN_REDIS_URL=f"redis://127.0.0.1:{dead}/0",
        SAMVERKAN_WORKERS="2",
    )
    assert done.returncode != 0
    said = done.stderr
    assert "samverkan.E010" in said and "DATABASE_URL" in said
    assert "samverkan.E012" in said and "SAMVERKAN_REDIS_URL" in said
    assert "samverkan.E002" not in said  # Redis is configured, just down


@pytest.mark.django_db
def test_the_connections_pass_when_both_answer_and_name_what_is_missing(tmp_path, settings):
    if redis_binary() is None:
        pytest.skip("redis-server not installed")
    with redis_server() as url:
        settings.SAMVERKAN_REDIS_URL = url
        assert connection_problems() == []
    assert [p.id for p in connection_problems()] == ["samverkan.E012"]
    # A fresh, empty database: it answers, and lacks every migration.
    if connection.vendor == "sqlite":
        fresh = {"NAME": str(tmp_path / "empty.sqlite3")}
    else:
        fresh = {"NAME": "postgres"}
    settings.SAMVERKAN_REDIS_URL = ""
    with database_at(**fresh):
        problems = connection_problems()
    assert [p.id for p in problems] == ["samverkan.E011"]
    assert "samverkan migrate" in problems[0].hint
