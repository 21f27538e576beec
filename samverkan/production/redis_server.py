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
    with tempfile.TemporaryDirectory(prefix="samverkan-redis-") as folder:
        server = RedisProcess(port or free_port(), folder)
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


class RedisProcess:
    """One redis-server on a fixed loopback port that can be stopped and started again (the
    fault tests restart it under load)."""

    def __init__(self, port: int, folder: str) -> None:
        self.port = port
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = redis_binary()
        if binary is None:
            raise RuntimeError("redis-server not found (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.folder,
                "--maxclients",
                "20000",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(self.port, self.process)

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def command(self, *words: str) -> str:
        """One command over a plain socket (no client library, no pool): its reply's text."""
        with socket.create_connection(("127.0.0.1", self.port), 2) as s:
            parts = [f"*{len(words)}\r\n".encode()]
            for word in words:
                data = word.encode()
                parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
            s.sendall(b"".join(parts))
            reply = b""
            s.settimeout(2)
            while True:
                chunk = s.recv(65536)
                reply += chunk
                if not chunk or _complete(reply):
                    break
        return reply.decode(errors="replace")


def _complete(reply: bytes) -> bool:
    if reply[:1] in (b"+", b"-", b":"):
        return reply.endswith(b"\r\n")
    if reply[:1] == b"$":
        header, _, rest = reply.partition(b"\r\n")
        length = int(header[1:])
        return length < 0 or len(rest) >= length + 2
    return reply.endswith(b"\r\n")


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
