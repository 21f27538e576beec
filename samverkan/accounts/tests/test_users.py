import os
import subprocess
import sys

import pytest

from samverkan.accounts.models import Role, User


@pytest.mark.django_db
def test_a_superuser_is_an_administrator():
    user = User.objects.create_superuser("root", password="a long enough password")
    assert user.role == Role.ADMINISTRATOR


def test_createsuperuser_works_from_the_command_line(tmp_path):
    env = {**os.environ, "SAMVERKAN_VAR_DIR": str(tmp_path), "DJANGO_SUPERUSER_PASSWORD": "x" * 20}
    env.pop("DATABASE_URL", None)
    run = [sys.executable, "-m", "samverkan"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    done = subprocess.run(
        [*run, "createsuperuser", "--noinput", "--username", "chef", "--email", ""],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    check = subprocess.run(
        [
            *run,
            "shell",
            "-c",
            "from samverkan.accounts.models import User; print(User.objects.get().role)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip().endswith("administrator")
