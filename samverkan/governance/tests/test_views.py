"""The governance pages, as the coordinator, a steering-group member and the foundation's unit
manager use them (forms posted as a browser without JavaScript would)."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samverkan.conftest import sign_in
from samverkan.governance import selectors
from samverkan.governance.models import (
    Decision,
    FinancialReport,
    Meeting,
    Notice,
    ObligationItem,
    Payment,
)
from samverkan.governance.services import obligation_items_sync
from samverkan.governance.tests.cast import governance_cast

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(settings):
    settings.LANGUAGE_CODE = "en"
    cast = governance_cast()
    obligation_items_sync(agreement=cast["agreement"], today=D(2022, 7, 1))
    return cast


def as_user(client, cast, who):
    user = cast["people"][who]
    sign_in(client, user)
    client.cookies["django_language"] = "en"
    return user


def test_the_coordinator_sees_the_calendar_and_marks_a_report_submitted(client, cast):
    as_user(client, cast, "coordinator")
    page = client.get(reverse("governance:overview"))
    assert page.status_code == 200
    assert b"2024-12-14" in page.content and b"Mark as submitted" in page.content
    item = ObligationItem.objects.order_by("due_on").first()
    response = client.post(
        reverse("governance:item_submit", args=[item.pk]), {"submitted_on": "2022-07-30"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.submitted_on == D(2022, 7, 30)


def test_the_coordinator_registers_a_notice_and_errors_are_tied_to_fields(client, cast):
    as_user(client, cast, "coordinator")
    url = reverse("governance:notice_register")
    bad = client.post(url, {"given_on": "not a date"})
    assert bad.status_code == 400
    assert b'aria-invalid="true"' in bad.content and not Notice.objects.exists()
    ok = client.post(url, {"given_by": cast["city"].pk, "given_on": "2022-09-01"})
    assert ok.status_code == 302
    assert Notice.objects.get().given_on == D(2022, 9, 1)
    assert b"gave notice on 2022-09-01" in client.get(reverse("governance:overview")).content


def test_a_steering_member_reads_but_cannot_write(client, cast):
    as_user(client, cast, "steering")
    assert client.get(reverse("governance:overview")).status_code == 200
    assert b"Mark as submitted" not in client.get(reverse("governance:overview")).content
    item = ObligationItem.objects.first()
    response = client.post(
        reverse("governance:item_submit", args=[item.pk]), {"submitted_on": "2022-07-30"}
    )
    assert response.status_code == 404
    assert client.get(reverse("governance:meeting_create")).status_code == 404


def test_a_meeting_with_attendance_and_decisions_and_the_decision_log(client, cast):
    as_user(client, cast, "coordinator")
    member = cast["steering"].members.get(function="Head of department")
    response = client.post(
        reverse("governance:meeting_create"),
        {
            "group": cast["steering"].pk,
            "held_on": "2022-09-08",
            "attendees": [member.pk],
            "decisions": "The activity report is approved.\n\nNo party gives notice.",
            "notes": "",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert list(meeting.decisions.values_list("number", "text")) == [
        (1, "The activity report is approved."),
        (2, "No party gives notice."),
    ]
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk]))
    assert b"Head of department" in page.content
    found = client.get(reverse("governance:decisions"), {"q": "notice", "group": "steering"})
    assert b"No party gives notice." in found.content
    assert b"The activity report is approved." not in found.content
    # A member of another group cannot be present.
    other = cast["steering"].members.create(organisation=cast["city"], function="x")
    other.group = cast["cooperation"]
    other.save()
    refused = client.post(
        reverse("governance:meeting_create"),
        {"group": cast["steering"].pk, "held_on": "2022-09-09", "attendees": [other.pk]},
    )
    assert refused.status_code == 200 and Decision.objects.count() == 2


def test_the_foundation_enters_and_submits_the_report_and_the_coordinator_approves(client, cast):
    manager = as_user(client, cast, "manager")  # a unit manager of the foundation's chat unit
    assert selectors.menu_entry(manager) == ("money", "governance:money")
    assert selectors.menu_entry(cast["people"]["steering"])[1] == "governance:overview"
    url = reverse("governance:financial_report", args=[2022])
    form = client.get(url)
    assert b"Cost: staff, budget (SEK)" in form.content
    data = {
        "income-compensation-budget": "700000",
        "income-compensation-outcome": "700000",
        "cost-staff-budget": "600000",
        "cost-staff-outcome": "612000",
        "comment": "Higher staff costs after the autumn campaign.",
        "action": "submit",
    }
    assert client.post(url, data).status_code == 302
    report = FinancialReport.objects.get()
    assert report.status == "submitted" and report.submitted_by == manager
    # Submitted: the foundation can no longer change it.
    assert client.post(url, data).status_code == 404
    as_user(client, cast, "coordinator")
    assert b"Approve" in client.get(url).content
    decide = reverse("governance:financial_report_decide", args=[2022])
    assert client.post(decide, {"action": "approve"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"


def test_other_unit_managers_do_not_reach_the_money(client, cast):
    from samverkan.accounts.models import Role, User

    city_manager = User.objects.create_user(
        "city_manager",
        password="x" * 16,
        role=Role.UNIT_MANAGER,
        unit=cast["people"]["coordinator"].unit,
    )
    sign_in(client, city_manager)
    assert client.get(reverse("governance:money")).status_code == 404
    assert client.get(reverse("governance:financial_report", args=[2022])).status_code == 404


def test_payments_and_the_export_neutralise_formulas(client, cast):
    as_user(client, cast, "coordinator")
    response = client.post(
        reverse("governance:payment_create"),
        {"year": 2022, "paid_on": "2022-01-31", "amount": "350000", "reference": "=HYPERLINK(1)"},
    )
    assert response.status_code == 302 and Payment.objects.count() == 1
    page = client.get(reverse("governance:money"))
    assert b"350" in page.content
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("governance:money_export"), {"format": "xlsx"}).content)
    )
    payments = list(workbook.worksheets[1].values)
    assert payments[1] == (2022, "2022-01-31", 350000, "'=HYPERLINK(1)")
    csv = client.get(reverse("governance:money_export"), {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")


def test_a_year_outside_the_agreement_is_not_found(client, cast):
    as_user(client, cast, "coordinator")
    assert client.get(reverse("governance:financial_report", args=[2030])).status_code == 404


def test_the_coordinator_adds_and_changes_a_member(client, cast):
    from samverkan.partnership.models import GroupMember

    as_user(client, cast, "coordinator")
    url = reverse("governance:member_create")
    data = {
        "group": cast["cooperation"].pk,
        "function": "Socialsekreterare, Stödcentrum",
        "name": "",
        "organisation": cast["city"].pk,
        "role": "member",
        "member_from": "2022-01-01",
        "member_until": "2021-12-31",
        "user": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and b'aria-invalid="true"' in refused.content
    data["member_until"] = ""
    assert client.post(url, data).status_code == 302
    member = GroupMember.objects.get(function="Socialsekreterare, Stödcentrum")
    assert member.member_from == D(2022, 1, 1) and member.user is None
    edit = reverse("governance:member_edit", args=[member.pk])
    assert b"Socialsekreterare" in client.get(edit).content
    data.update(role="chair", member_until="2023-06-30", user=cast["people"]["steering"].pk)
    assert client.post(edit, data).status_code == 302
    member.refresh_from_db()
    assert (member.role, member.member_until, member.user) == (
        "chair",
        D(2023, 6, 30),
        cast["people"]["steering"],
    )
    assert b"Change" in client.get(reverse("governance:groups")).content
    as_user(client, cast, "steering")
    assert client.get(edit).status_code == 404
    assert b"Add a member" not in client.get(reverse("governance:groups")).content


def test_every_write_of_the_money_is_in_the_audit_log_with_who_did_it(client, cast):
    """A payment, the foundation's report saved and submitted, and the coordinator's return and
    approval each leave an audit entry naming the user and the row; a refused write leaves none."""
    from samverkan.accounts.models import AuditEntry

    coordinator = as_user(client, cast, "coordinator")
    refused = client.post(
        reverse("governance:payment_create"),
        {"year": 2022, "paid_on": "2022-01-31", "amount": "-5", "reference": ""},
    )
    assert refused.status_code == 200 and not AuditEntry.objects.exists()
    client.post(
        reverse("governance:payment_create"),
        {"year": 2022, "paid_on": "2022-01-31", "amount": "350000", "reference": "F1"},
    )
    payment = Payment.objects.get()
    manager = as_user(client, cast, "manager")
    url = reverse("governance:financial_report", args=[2022])
    data = {"cost-staff-budget": "600000", "cost-staff-outcome": "612000", "comment": ""}
    client.post(url, {**data, "action": "save"})
    client.post(url, {**data, "action": "submit"})
    report = FinancialReport.objects.get()
    as_user(client, cast, "coordinator")
    decide = reverse("governance:financial_report_decide", args=[2022])
    client.post(decide, {"action": "return"})
    as_user(client, cast, "manager")
    client.post(url, {**data, "action": "submit"})
    as_user(client, cast, "coordinator")
    client.post(decide, {"action": "approve"})
    entries = list(
        AuditEntry.objects.order_by("pk").values_list("action", "user", "target_type", "target_id")
    )
    money = "governance.financialreport"
    assert entries == [
        ("governance.payment.created", coordinator.pk, "governance.payment", payment.pk),
        ("governance.financial_report.saved", manager.pk, money, report.pk),
        ("governance.financial_report.submitted", manager.pk, money, report.pk),
        ("governance.financial_report.returned", coordinator.pk, money, report.pk),
        ("governance.financial_report.submitted", manager.pk, money, report.pk),
        ("governance.financial_report.approved", coordinator.pk, money, report.pk),
    ]
