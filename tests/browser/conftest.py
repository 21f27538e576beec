"""Browser tests: Playwright driving the system's Chromium against a live server.

They run as a pytest run of their own (`make test` starts it after the main suite), because a
browser's event loop and pytest-asyncio's (the chat's WebSocket tests) clash in one run.

Without Chromium the tests are skipped with a message saying so; in CI (CI=true) a missing
browser, a skipped browser test or a run with no browser test fails the run instead.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Re-exported so the browser tests share the main suite's partnership and access-matrix cast.
from samverkan.conftest import small  # noqa: F401
from samverkan.core.tests.test_access_matrix import world  # noqa: F401

# Playwright's sync API keeps an event loop in the test's thread; Django sees it and refuses
# database work there (its guard against blocking an async server). The tests are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SAMVERKAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# A headless browser that fetches nothing of its own: no updates, sync or background requests.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = (
    f"Chromium not found at {CHROMIUM}: the browser tests were skipped. "
    "Install it with `apt-get install chromium` (CI does)."
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items) -> None:  # noqa: ANN001
    """Without a browser, skip every test here, loudly; in CI, refuse to run at all."""
    if chromium_available():
        return
    if in_ci():
        raise pytest.UsageError(f"CI=true but {MISSING}")
    marker = pytest.mark.skip(reason=MISSING)
    for item in items:
        item.add_marker(marker)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if not chromium_available():
        terminalreporter.write_line(f"--- {MISSING} ---", yellow=True, bold=True)


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001
    """In CI the browser tests must have run: a skip or an empty run is a failure."""
    if not in_ci():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter else {}
    skipped = len(stats.get("skipped", []))
    passed = len(stats.get("passed", []))
    if skipped or not passed:
        if reporter:
            reporter.write_line(
                f"CI=true: {skipped} browser test(s) skipped, {passed} passed: failing the run.",
                red=True,
                bold=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:  # noqa: ANN001
    """A test database in a file rather than in memory, so that a server in another process
    (daphne, for the ASGI variant) sees the same data as the tests."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if "sqlite" in database["ENGINE"]:  # Django's backend, or samverkan.core.sqlite
        test = database.setdefault("TEST", {})
        if not test.get("NAME"):
            folder = Path(os.environ.get("SAMVERKAN_VAR_DIR", "var")).resolve()
            folder.mkdir(parents=True, exist_ok=True)
            test["NAME"] = str(folder / f"browser-test-{os.getpid()}.sqlite3")


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings) -> None:  # noqa: ANN001
    """Argon2 takes most of a second a password here, and every test makes a cast of users:
    the browser tests check pages, the main suite checks the hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass(frozen=True)
class Site:
    """A running server of the application; `url(path)` is an address on it."""

    base: str
    kind: str  # "wsgi" or "asgi"

    def url(self, path: str = "/") -> str:
        return self.base.rstrip("/") + path


@pytest.fixture
def site(live_server) -> Site:  # noqa: ANN001
    """The application served by Django's live server (WSGI, a thread of this process)."""
    return Site(base=live_server.url, kind="wsgi")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def asgi_site(transactional_db) -> Iterator[Site]:  # noqa: ANN001
    """The application served over ASGI by daphne, in a process of its own on a free loopback
    port, against this run's test database (a file, see django_db_modify_db_settings): for
    pages that need WebSockets. Needs `samverkan.asgi:application` and daphne."""
    from django.conf import settings
    from django.db import connection

    pytest.importorskip("daphne")
    __import__("samverkan.asgi")  # the application must import: a failure here is a failure
    database = settings.DATABASES["default"]
    if "sqlite" not in database["ENGINE"]:
        pytest.skip("the ASGI server shares the test database on SQLite only")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        # The project's settings with the tests' quick password hashing (server_settings.py).
        "DJANGO_SETTINGS_MODULE": "server_settings",
        # asgi_static (beside this file) adds the static files, as the WSGI live server does.
        "PYTHONPATH": os.pathsep.join(
            [
                str(Path(__file__).parent),
                str(Path(__file__).parents[2]),
                os.environ.get("PYTHONPATH", ""),
            ]
        ),
    }
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen([*command, "asgi_static:application"], env=env)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("daphne did not start") from None
                time.sleep(0.1)
        yield Site(base=f"http://127.0.0.1:{port}", kind="asgi")
    finally:
        server.terminate()
        server.wait(timeout=10)
