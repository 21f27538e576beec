"""Reports due and reminders: dated items with a status, reminders sent once, also when two runs
of `samverkan run-due` overlap (two real processes on the same database)."""

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from samverkan.core.errors import Forbidden, SamverkanError
from samverkan.governance.models import ObligationItem, SentReminder
from samverkan.governance.reminders import reminders_due, run_due, threshold_passed
from samverkan.governance.services import (
    notice_register,
    obligation_item_submit,
    obligation_items_sync,
)
from samverkan.governance.tests.cast import governance_cast

D = datetime.date


@pytest.fixture
def cast(settings):
    settings.LANGUAGE_CODE = "en"  # messages compared in English, whatever the catalogue holds
    settings.SAMVERKAN_REMINDER_DAYS = [14, 3]
    settings.SAMVERKAN_NOTICE_REMINDER_DAYS = [60, 14]
    return governance_cast()


def sent(outbox=None):
    return sorted((m.to[0], m.subject) for m in (outbox or mail.outbox))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2022, 7, 16), None),
        (D(2022, 7, 17), 14),
        (D(2022, 7, 27), 14),
        (D(2022, 7, 28), 3),
        (D(2022, 7, 31), 3),
        (D(2022, 8, 1), None),  # past the due date: the late reminder's business
    ],
)
def test_only_the_closest_threshold_counts(today, expected):
    assert threshold_passed([14, 3], D(2022, 7, 31), today) == expected


@pytest.mark.django_db
def test_obligations_make_dated_reports_until_the_agreement_ends(cast):
    obligation_items_sync(agreement=cast["agreement"], today=D(2022, 7, 1))
    activity = [(i.period_start, i.period_end, i.due_on) for i in cast["activity"].items.all()]
    assert activity[:2] == [
        (D(2022, 1, 1), D(2022, 6, 30), D(2022, 7, 31)),
        (D(2022, 7, 1), D(2022, 12, 31), D(2023, 1, 31)),
    ]
    # The last half-year the agreement touches ends after it: its report is still due.
    assert activity[-1] == (D(2024, 7, 1), D(2024, 12, 31), D(2025, 1, 31))
    assert [i.due_on for i in cast["financial"].items.all()] == [
        D(2023, 3, 31),
        D(2024, 3, 30),
        D(2025, 3, 31),
    ]
    # Running it again adds nothing.
    obligation_items_sync(agreement=cast["agreement"], today=D(2022, 7, 1))
    assert ObligationItem.objects.count() == 6 + 3


@pytest.mark.django_db
def test_a_report_is_due_then_late_unless_submitted(cast):
    obligation_items_sync(agreement=cast["agreement"], today=D(2022, 7, 1))
    first = cast["activity"].items.first()
    assert first.status_on(D(2022, 7, 31)) == "due"
    assert first.status_on(D(2022, 8, 1)) == "late"
    submitted = obligation_item_submit(
        item=first, submitted_on=D(2022, 8, 3), by=cast["people"]["coordinator"]
    )
    assert submitted.status_on(D(2022, 8, 4)) == "submitted"
    with pytest.raises(SamverkanError):
        obligation_item_submit(item=first, submitted_on=D(2022, 8, 3), by=None)
    with pytest.raises(Forbidden):
        obligation_item_submit(
            item=cast["activity"].items.last(),
            submitted_on=D(2022, 8, 3),
            by=cast["people"]["steering"],
        )


@pytest.mark.django_db
def test_a_notice_removes_reports_on_periods_after_the_new_end(cast):
    obligation_items_sync(agreement=cast["agreement"], today=D(2022, 7, 1))
    notice_register(
        agreement=cast["agreement"],
        given_by=cast["foundation"],
        given_on=D(2022, 9, 1),
        by=cast["people"]["coordinator"],
    )
    assert [i.period_end for i in cast["activity"].items.all()] == [D(2022, 6, 30), D(2022, 12, 31)]


@pytest.mark.django_db
def test_notice_only_by_a_party_and_not_in_the_future(cast):
    from samverkan.partnership.models import Organisation

    stranger = Organisation.objects.create(key="x", name="X", kind="public")
    with pytest.raises(SamverkanError):
        notice_register(agreement=cast["agreement"], given_by=stranger, given_on=D(2022, 9, 1))
    with pytest.raises(SamverkanError):
        notice_register(
            agreement=cast["agreement"],
            given_by=cast["city"],
            given_on=datetime.date.today() + datetime.timedelta(days=1),
        )


@pytest.mark.django_db
def test_run_due_sends_each_reminder_once(cast):
    result = run_due(today=D(2022, 7, 20))
    assert sent() == [
        ("coordinator@example.org", "Notice deadline of the agreement: 2022-09-14"),
        ("manager@example.org", "Reminder: Activity report is due on 2022-07-31"),
        ("steering@example.org", "Notice deadline of the agreement: 2022-09-14"),
    ]  # not the member whose time in the steering group ended, not the user without address
    assert len(result.sent) == 3 and result.already_sent == 0
    again = run_due(today=D(2022, 7, 20))
    assert again.sent == [] and again.already_sent == 3 and len(mail.outbox) == 3
    # The next threshold is a new reminder; then late, once.
    mail.outbox.clear()
    run_due(today=D(2022, 7, 29))
    assert sent() == [("manager@example.org", "Reminder: Activity report is due on 2022-07-31")]
    mail.outbox.clear()
    run_due(today=D(2022, 8, 1))
    run_due(today=D(2022, 8, 2))
    assert sent() == [("manager@example.org", "Late: Activity report was due on 2022-07-31")]


@pytest.mark.django_db
def test_nothing_is_sent_for_a_submitted_report_or_after_notice(cast):
    obligation_items_sync(agreement=cast["agreement"], today=D(2022, 7, 1))
    obligation_item_submit(item=cast["activity"].items.first(), submitted_on=D(2022, 7, 10))
    notice_register(agreement=cast["agreement"], given_by=cast["city"], given_on=D(2022, 7, 12))
    assert reminders_due(D(2022, 7, 20)) == []
    assert run_due(today=D(2022, 7, 20)).sent == []


@pytest.mark.django_db
def test_notice_reminders_name_the_deadline_and_the_extension(cast):
    run_due(today=D(2022, 9, 1))
    [message] = [m for m in mail.outbox if m.to == ["coordinator@example.org"]]
    assert "2022-09-14" in message.body and "2023-12-14" in message.body


@pytest.mark.django_db
def test_a_reminder_that_could_not_be_sent_is_sent_by_a_later_run(cast, settings):
    settings.EMAIL_BACKEND = "samverkan.governance.tests.backends.FailingBackend"
    result = run_due(today=D(2022, 7, 20))
    assert result.failed == 3 and result.sent == []
    assert not SentReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(run_due(today=D(2022, 7, 20)).sent) == 3


@pytest.mark.django_db
def test_the_run_due_command_says_what_it_sent(cast):
    out = io.StringIO()
    call_command("run-due", "--on", "2022-07-20", stdout=out)
    assert "report:" in out.getvalue() and "manager" in out.getvalue()


# Two real, overlapping runs -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]


def _samverkan(*args, env, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "samverkan", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _check(process, timeout=120):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


@pytest.fixture
def database_for_processes(tmp_path, request):
    """A database that other processes can open: a fresh SQLite file, or (on PostgreSQL) the
    test database itself, in a test whose writes are committed."""
    env = {
        **os.environ,
        "EMAIL_BACKEND": "samverkan.governance.tests.backends.SlowFileBackend",
        "SAMVERKAN_REMINDER_DAYS": "14,3",
        "SAMVERKAN_NOTICE_REMINDER_DAYS": "60,14",
        "SLOW_MAIL_SECONDS": "0.25",
        "PYTHONPATH": str(ROOT),
    }
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'overlap.sqlite3'}"
        _check(_samverkan("migrate", "-v0", env=env))
    else:
        settings_dict = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@"
            f"{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
        )
    return env


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_send_each_reminder_once(database_for_processes, tmp_path):
    env = database_for_processes
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env["EMAIL_FILE_PATH"] = str(outbox)
    build = (
        "from samverkan.governance.tests.cast import governance_cast, more_responsible; "
        "more_responsible(governance_cast(), 10)"
    )
    _check(_samverkan("shell", "-c", build, env=env))
    runs = [_samverkan("run-due", "--on", "2022-07-29", env=env) for _ in range(2)]
    outputs = [_check(run) for run in runs]
    messages = [
        json.loads(line)
        for file in outbox.glob("sent-*.jsonl")
        for line in file.read_text().splitlines()
    ]
    pairs = [(m["to"][0], m["subject"]) for m in messages]
    # 11 responsible people with an address for the activity report, coordinator and steering
    # member for the notice deadline: 13 reminders, each sent exactly once.
    assert len(pairs) == 13 and len(set(pairs)) == 13, outputs
    assert sum(out.count("report:") + out.count("notice:") for out in outputs) == 13
    # Whether the two runs' sends interleave is up to the scheduler (on SQLite the database
    # lock often lets one run finish before the other gets a claim in); what must hold either
    # way is above: every reminder once, and both runs report only what they sent.
