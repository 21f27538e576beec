"""A throwaway Redis server for tests and benchmarks: started from the system's `redis-server`
on a free loopback port, without persistence (nothing it holds may reach a disk; the chat's
state lives there), and stopped when done.

    with redis_server() as url:
        ...  # redis://127.0.0.1:PORT/0
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_binary() -> str | None:
    return shutil.which("redis-server")


@contextlib.contextmanager
def redis_server(*, port: int | None = None) -> Iterator[str]:
    binary = redis_binary()
    if binary is None:
        raise RuntimeError("redis-server not found (apt-get install redis-server)")
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="samverkan-redis-") as folder:
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                folder,
                "--maxclients",
                "20000",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port, server)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"redis-server stopped at start (code {server.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("redis-server did not answer within 10 s")
