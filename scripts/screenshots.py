"""Screenshots of each role's main page, on a phone (390x844) and on a desktop (1280x800), in
Swedish: what a user of that role sees first after signing in.

Builds the demo in a throwaway folder (your own database is not touched), serves it on a free
loopback port, signs in as the demo users with the system's headless Chromium (the second factor's
code from `samverkan democode`) and writes PNGs to docs/screenshots/ as <role>-<device>.png,
reduced to a palette of 256 colours (Pillow) so that they stay small in the repository.

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
# (role as the docs name it, demo user, path): each role's main page is where signing in leads
# ("/" sends each user on to their first page); the volunteer's is the live chat's console.
ROLES = [
    ("psykolog", "psykolog", "/"),
    ("stodcentrum", "stodcentrum", "/"),
    ("samordnare", "samordnare", "/"),
    ("styrgrupp", "styrgrupp", "/"),
    ("volontar", "volontar", "/chatt/konsol/"),
    ("enhetschef", "enhetschef", "/"),
]
DEVICES = [("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})]


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


def _small(target: Path) -> None:
    """A palette of 256 colours, compressed as far as PNG goes: a page of text loses nothing
    a reader sees, and the file is a fraction of the size."""
    from PIL import Image

    with Image.open(target) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(target, optimize=True)


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
            # Date fields are drawn in the browser's own language (its translations come with
            # Debian's chromium-l10n; without it, in American English).
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[*CHROMIUM_ARGS, "--lang=sv-SE"],
                env={**os.environ, "LANG": "sv_SE.UTF-8"},
            )
            for role, username, path in ROLES:
                # A code is good once: each demo user signs in once, both devices share it.
                signing_in = browser.new_context(locale="sv-SE")
                _sign_in(signing_in.new_page(), base, username, env)
                session = signing_in.storage_state()
                signing_in.close()
                for device, viewport in DEVICES:
                    context = browser.new_context(
                        viewport=viewport, locale="sv-SE", storage_state=session
                    )
                    page = context.new_page()
                    page.goto(base + path)
                    _set_language(page, "sv")
                    page.wait_for_load_state("networkidle")
                    target = OUT / f"{role}-{device}.png"
                    page.screenshot(path=target)
                    _small(target)
                    print(target.relative_to(ROOT), target.stat().st_size // 1024, "kB")
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
