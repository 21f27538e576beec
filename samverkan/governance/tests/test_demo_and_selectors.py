"""The demo's governance read back through the selectors a committee report uses."""

import datetime
from decimal import Decimal

import pytest

from samverkan.accounts.models import Role, User
from samverkan.demo.governance import demo_governance_create
from samverkan.demo.partnership import demo_partnership_create
from samverkan.governance import selectors
from samverkan.governance.reminders import run_due

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    demo = demo_partnership_create()
    for username, role, unit in [
        ("samordnare", Role.COORDINATOR, demo.department),
        ("styrgrupp", Role.STEERING_MEMBER, demo.department),
        ("verksamhetschef", Role.UNIT_MANAGER, demo.chat),
    ]:
        User.objects.create_user(username, password="x" * 16, role=role, unit=unit)
    demo_governance_create(demo)
    return demo


def test_the_demo_agreement_holds_the_issues_examples(demo):
    on = selectors.agreement_summary(demo.partnership, D(2022, 9, 1))
    assert (on.status, on.period_end, on.notice_deadline) == (
        "active",
        D(2022, 12, 14),
        D(2022, 9, 14),
    )
    assert selectors.agreement_summary(demo.partnership, D(2023, 1, 10)).period_end == D(
        2023, 12, 14
    )
    assert selectors.agreement_summary(demo.partnership, D(2024, 12, 15)).status == "ended"


def test_the_demo_has_reports_submitted_and_one_late(demo):
    items = selectors.obligations_in(demo.partnership, D(2022, 1, 1), D(2025, 12, 31))
    statuses = [item["status"] for item in items]
    assert statuses.count("late") == 1 and statuses.count("due") == 0
    [late] = [item for item in items if item["status"] == "late"]
    assert (late["title"], late["period_start"]) == ("Verksamhetsrapport", D(2023, 7, 1))
    first_half = selectors.obligations_in(demo.partnership, D(2022, 1, 1), D(2022, 7, 31))
    assert [(i["title"], i["due_on"]) for i in first_half] == [
        ("Verksamhetsrapport", D(2022, 7, 31))
    ]


def test_the_demo_meetings_and_the_decision_log(demo):
    meetings = list(selectors.meetings_in(demo.partnership, D(2022, 1, 1), D(2022, 12, 31)))
    assert [m.held_on for m in meetings] == [
        D(2022, 1, 20),
        D(2022, 3, 17),
        D(2022, 9, 8),
        D(2022, 11, 24),
    ]
    assert meetings[0].attendees.count() == 3
    found = selectors.decisions_in(demo.partnership, text="förlängs")
    assert [d.meeting.held_on for d in found] == [D(2022, 9, 8)]
    steering = selectors.decisions_in(demo.partnership, group_kind="steering")
    assert steering.count() == 7


def test_the_demo_money_by_year(demo):
    agreement = demo.partnership.agreements.get()
    years = {m.year: m for m in selectors.money_by_year(agreement, today=D(2025, 6, 1))}
    assert years[2021].compensation == 0
    for year in (2022, 2023, 2024):
        assert years[year].compensation == years[year].paid == Decimal(700_000)
    assert years[2022].income_budget == years[2022].cost_budget == Decimal(1_300_000)
    assert years[2022].report.status == "approved"
    assert years[2024].report.status == "submitted"
    assert selectors.money_summary(demo.partnership, 2023).cost_outcome == Decimal(1_343_300)


def test_the_demo_sends_one_late_reminder_then_nothing(demo, mailoutbox, settings):
    settings.LANGUAGE_CODE = "en"
    run_due(today=D(2026, 1, 5))
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["samordnare@example.org"], "Late: Verksamhetsrapport was due on 2024-01-31")
    ]
    run_due(today=D(2026, 1, 5))
    assert len(mailoutbox) == 1
