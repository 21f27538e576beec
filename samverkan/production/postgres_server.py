"""A throwaway PostgreSQL server for the fault tests and the recovery benchmark: initialised in a
temporary folder from the system's binaries, on a loopback port, and restartable (as root the
server runs as the `postgres` user, as scripts/with-postgresql does)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


class PostgresProcess:
    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="samverkan-pg-"))
        self.folder.chmod(0o755)
        self.data = self.folder / "data"
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/samverkan"

    def _as_postgres(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=check, timeout=120
        )

    def init(self) -> None:
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.start()
        self.sql("CREATE DATABASE samverkan", database="postgres")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
            "-w", "-o", options, "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
            check=False,
        )  # fmt: skip

    def restart(self) -> None:
        self.stop()
        self.start()

    def sql(self, statement: str, database: str = "samverkan") -> str:
        psql = self.bin / "psql"
        done = subprocess.run(
            [str(psql), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", database, "-Atc", statement],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        return done.stdout.strip()

    def read_only(self, on: bool) -> None:
        """The whole server refuses writes (as a standby does), for every session at once."""
        value = "on" if on else "off"
        self.sql(f"ALTER SYSTEM SET default_transaction_read_only = {value}")
        self.sql("SELECT pg_reload_conf()")
        time.sleep(0.3)  # the backends take the reloaded setting at their next command

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
