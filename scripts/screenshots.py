"""Screenshots of the dashboard and of a registration form, in Swedish and in English.

Builds the demo in a throwaway folder (your own database is not touched), serves it on a free
loopback port, signs in as the demo users with the system's headless Chromium (the second factor's
code from `samverkan democode`) and writes PNGs to docs/screenshots/.

    .venv/bin/python scripts/screenshots.py        (or: make screenshots)
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("SAMVERKAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# The same headless browser as the browser tests: it fetches nothing of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The demo's report period (January to May 2022, the interim report's).
PERIOD = "?date_from=2022-01-01&date_to=2022-05-31"
SHOTS = [
    # (file name, demo user, path, viewport width)
    ("dashboard", "samordnare", f"/oversikt/{PERIOD}", 1280),
    ("chat-form", "volontar", "/registrering/chattsamtal/nytt/", 480),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, server: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if server.poll() is not None:
                sys.exit("the demo server stopped before it served")
            if time.monotonic() > deadline:
                sys.exit("the demo server did not start in time")
            time.sleep(0.5)


def _sign_in(page: Page, base: str, username: str, env: dict[str, str]) -> None:
    page.goto(f"{base}/konto/logga-in/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(f"demo-{username}-2022")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/tvastegsverifiering/")
    code = subprocess.run(
        [sys.executable, "-m", "samverkan", "democode", username],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    page.locator("input[name=code]").fill(code)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "tvastegsverifiering" not in url)


def _set_language(page: Page, language: str) -> None:
    if page.locator("html").get_attribute("lang") != language:
        page.locator(f"header form.language button[value={language}]").click()
        page.wait_for_function(f"document.documentElement.lang === '{language}'")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="samverkan-screenshots-")
    env = {**os.environ, "SAMVERKAN_VAR_DIR": folder}
    env.pop("DATABASE_URL", None)  # the throwaway SQLite database in `folder`
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "samverkan", "demo", "--addr", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        _wait_for(port, server)
        with sync_playwright() as playwright:
            sessions = {}  # a code is good once: each demo user signs in once
            for language, locale in [("sv", "sv-SE"), ("en", "en-GB")]:
                # Date fields are drawn in the browser's own language (its translations come
                # with Debian's chromium-l10n; without it, in American English).
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=[*CHROMIUM_ARGS, f"--lang={locale}"],
                    env={**os.environ, "LANG": f"{locale.replace('-', '_')}.UTF-8"},
                )
                for name, username, path, width in SHOTS:
                    viewport = {"width": width, "height": 900}
                    if username not in sessions:
                        signing_in = browser.new_context(viewport=viewport)
                        _sign_in(signing_in.new_page(), base, username, env)
                        sessions[username] = signing_in.storage_state()
                        signing_in.close()
                    context = browser.new_context(
                        viewport=viewport, locale=locale, storage_state=sessions[username]
                    )
                    page = context.new_page()
                    page.goto(base + path)
                    _set_language(page, language)
                    page.wait_for_load_state("networkidle")
                    target = OUT / f"{name}-{language}.png"
                    page.screenshot(path=target, full_page=True)
                    print(target.relative_to(ROOT))
                    context.close()
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
