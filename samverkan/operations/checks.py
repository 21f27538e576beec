"""Checks of a production set-up that Django's own `check --deploy` does not make.

Configuration (run by `samverkan check --deploy` and `samverkan doctor`): no `ALLOWED_HOSTS=*`,
and no several workers without Redis. Connections (run by `samverkan doctor`, on the server
itself, since they need the database and Redis to be up): the database answers and is
migrated, Redis answers. Each problem says what to fix.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def configured_workers() -> int:
    """The number of workers gunicorn will start (samverkan/production/gunicorn_conf.py)."""
    from samverkan.production.gunicorn_conf import default_workers

    raw = os.environ.get("SAMVERKAN_WORKERS")
    return int(raw) if raw and raw.strip().isdigit() else default_workers()


def configuration_problems(app_configs=None, **kwargs) -> list[checks.CheckMessage]:  # noqa: ANN001, ANN003
    problems = []
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(
            checks.Error(
                "ALLOWED_HOSTS contains '*': any Host header is accepted, and the WebSocket "
                "origins and CSRF trusted origins follow ALLOWED_HOSTS.",
                hint="Set ALLOWED_HOSTS to the site's own names, e.g. "
                "ALLOWED_HOSTS=samverkan.example.se.",
                id="samverkan.E001",
            )
        )
    workers = configured_workers()
    if workers > 1 and not settings.SAMVERKAN_REDIS_URL:
        problems.append(
            checks.Error(
                f"{workers} workers without Redis: each would keep its own chat queue, "
                "conversations and cache, so a young person and a volunteer on different "
                "workers would never meet.",
                hint="Set SAMVERKAN_REDIS_URL (docs/deploy.md), or SAMVERKAN_WORKERS=1.",
                id="samverkan.E002",
            )
        )
    return problems


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def connection_problems() -> list[checks.CheckMessage]:
    problems = []
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
        if pending:
            problems.append(
                checks.Error(
                    f"The database lacks {len(pending)} migration(s) of this version.",
                    hint="Run `samverkan migrate` (docs/deploy.md, upgrades).",
                    id="samverkan.E011",
                )
            )
    except Exception as error:  # noqa: BLE001 - whatever stops it, say so
        problems.append(
            checks.Error(
                f"The database cannot be reached ({_first_line(error)}).",
                hint="Check DATABASE_URL (postgres://user:password@host:port/name, or "
                "postgres://user@/name for the local socket, with PGHOST if the socket is "
                "not in the default directory) and that PostgreSQL is running.",
                id="samverkan.E010",
            )
        )
    if settings.SAMVERKAN_REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(
                settings.SAMVERKAN_REDIS_URL, socket_connect_timeout=2, socket_timeout=2
            )
            client.ping()
            client.close()
        except Exception as error:  # noqa: BLE001
            problems.append(
                checks.Error(
                    f"Redis cannot be reached ({_first_line(error)}).",
                    hint="Check SAMVERKAN_REDIS_URL (redis://host:port/db) and that Redis is "
                    "running (systemctl status redis-server).",
                    id="samverkan.E012",
                )
            )
    return problems
