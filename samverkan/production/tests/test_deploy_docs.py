"""The production configuration documented in docs/deploy.md passes `samverkan check --deploy`
without a warning, as written (with a generated key and scratch directories)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[3] / "docs" / "deploy.md"


def documented_environment() -> dict[str, str]:
    text = DEPLOY.read_text()
    block = re.search(r"```sh\n# /etc/samverkan/samverkan.env[^\n]*\n(.*?)```", text, re.S)
    assert block, "docs/deploy.md lost its environment file"
    pairs = [line.split("=", 1) for line in block.group(1).splitlines() if "=" in line]
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_documented_production_settings_pass_check_deploy(tmp_path):
    documented = documented_environment()
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SAMVERKAN_REDIS_URL"} <= set(documented)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMVERKAN_", "DATABASE_"))}
    env.update(documented)
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SAMVERKAN_VAR_DIR": str(tmp_path / "var"),
            "STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, "DJANGO_SETTINGS_MODULE": "samverkan.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
