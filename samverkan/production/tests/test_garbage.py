"""The garbage-collector settings for long-running work (samverkan/core/garbage.py): the
workers' hook in gunicorn_conf.py and the import command. The hook runs in a fresh interpreter,
since freezing and thresholds are process-wide."""

import contextlib
import json
import os
import subprocess
import sys

import pytest
from django.core.management.base import CommandError

PROBE = """
import gc, json
from samverkan.production import gunicorn_conf
before = gc.get_threshold()
gunicorn_conf.post_worker_init(None)
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def _run_hook(**environment: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_worker_freezes_what_is_loaded_and_collects_less_often():
    result = _run_hook()
    assert result["before"] != [50_000, 20, 100]  # Python's own, whatever the version
    assert result["after"] == [50_000, 20, 100]
    # The modules imported by then (gunicorn's configuration, the standard library) are frozen.
    assert result["frozen"] > 1_000


def test_the_tuning_can_be_turned_off():
    result = _run_hook(SAMVERKAN_GC_TUNING="0")
    assert result["after"] == result["before"]
    assert result["frozen"] == 0


@pytest.mark.django_db
def test_the_import_command_leaves_the_collector_alone_when_called_in_process(tmp_path):
    """call_command (tests, the demo) runs in a process that goes on: nothing is frozen there.
    (From the command line the command tunes its own process: benchmarks/stats.py.)"""
    import gc

    from django.core.management import call_command

    path = tmp_path / "empty.csv"
    path.write_text("ref,started_at\n")
    before = (gc.get_freeze_count(), gc.get_threshold())
    with contextlib.suppress(CommandError):
        call_command("import", "chat", str(path))
    assert (gc.get_freeze_count(), gc.get_threshold()) == before
