"""A production-mode site on loopback for the fault tests and the chat benchmark: its own
database (a fresh SQLite file, migrated), volunteers signed in with both factors, gunicorn
servers with uvicorn workers sharing a Redis server, and a small TCP proxy in front.

    site = prepare_site(folder, volunteers=2, redis_url=url)
    server = start_server(site, port, workers=1)
    ...
    stop(server)
"""

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

GUNICORN_CONF = "python:samverkan.production.gunicorn_conf"


@dataclass
class Site:
    folder: Path
    env: dict[str, str]
    sessions: list[str] = field(default_factory=list)  # one signed-in volunteer's cookie each


def site_env(
    folder: Path, redis_url: str | None, database_url: str | None = None
) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "SAMVERKAN_", "DJANGO_"))
    }
    env.update(
        {
            "DATABASE_URL": database_url or f"sqlite:///{folder / 'site.sqlite3'}",
            "SAMVERKAN_VAR_DIR": str(folder / "var"),
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "samverkan.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    if redis_url:
        env["SAMVERKAN_REDIS_URL"] = redis_url
    return env


def prepare_site(
    folder: Path,
    *,
    volunteers: int = 1,
    redis_url: str | None = None,
    database_url: str | None = None,
) -> Site:
    """Migrate a fresh database (SQLite, or the empty database of database_url) and sign
    volunteers of the chat unit in (in a process of its own, with the site's settings)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = site_env(folder, redis_url, database_url)
    done = subprocess.run(
        [sys.executable, "-m", "samverkan.production.loopback", "seed", str(volunteers)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding the loopback site failed:\n{done.stderr[-3000:]}")
    return Site(folder=folder, env=env, sessions=json.loads(done.stdout.strip().splitlines()[-1]))


def _seed(volunteers: int) -> list[str]:
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samverkan.accounts.models import Role, User
    from samverkan.partnership.models import Organisation, Unit

    call_command("migrate", verbosity=0)
    foundation = Organisation.objects.create(key="foundation", name="Foundation", kind="non-profit")
    chat = Unit.objects.create(
        key="chat", name="Chat", kind=Unit.Kind.CHAT, organisation=foundation
    )
    sessions = []
    for n in range(volunteers):
        user = User.objects.create_user(
            f"volunteer{n}", password=None, role=Role.VOLUNTEER, unit=chat
        )
        device = TOTPDevice.objects.create(user=user, name="loopback", confirmed=True)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        sessions.append(session.session_key)
    return sessions


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(site: Site, port: int, *, workers: int, log: Path | None = None):
    """gunicorn with uvicorn workers on 127.0.0.1:port, as docs/deploy.md runs it."""
    env = {**site.env, "SAMVERKAN_BIND": f"127.0.0.1:{port}", "SAMVERKAN_WORKERS": str(workers)}
    output = open(log or os.devnull, "ab")  # noqa: SIM115 (kept open for the process)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            GUNICORN_CONF,
            "samverkan.asgi:application",
        ],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (code {server.returncode})")
        if len(worker_pids(server)) == workers and _answers(port):
            return server
        time.sleep(0.1)
    stop(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"GET /chatt/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return connection.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


def worker_pids(server: subprocess.Popen) -> list[int]:
    """The worker processes of a gunicorn master."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in children.split()]


def stop(server: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


class Proxy:
    """A TCP proxy on loopback in front of several servers, like nginx's upstream: each new
    connection goes to the next server in turn, skipping one that refuses. When a server dies
    its clients' connections close, and they reconnect through the proxy to another."""

    def __init__(self, backends: list[int], plan: list[int] | None = None) -> None:
        self.backends = backends
        self.plan = list(plan or [])  # the first connections' backends, then in turn
        self.turn = 0
        self.port = 0
        self.served: list[int] = []  # the backend port of each connection, in order
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = None
        choices = [self.plan.pop(0)] if self.plan else []
        for _ in range(len(self.backends)):
            choices.append(self.backends[self.turn % len(self.backends)])
            self.turn += 1
        for port in choices:
            try:
                upstream = await asyncio.open_connection("127.0.0.1", port)
                self.served.append(port)
                break
            except OSError:
                continue
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        print(json.dumps(_seed(int(sys.argv[2]))))
