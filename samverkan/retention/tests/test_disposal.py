"""samverkan dispose: what goes on which day, what stays, the log, and unchanged figures."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from samverkan.accounts.models import AppendOnlyError, AuditEntry
from samverkan.conftest import local
from samverkan.records import services
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
    SupportCentreCase,
)
from samverkan.referrals.models import Referral
from samverkan.retention.disposal import dispose
from samverkan.retention.models import Disposal, Kind, RetentionRule
from samverkan.statistics.engine import statistics_compute
from samverkan.statistics.release import is_public_period

pytestmark = pytest.mark.django_db
D = datetime.date


def clinic_client(small, ref, sessions, closed_on=None, **fields):
    fields.setdefault("concern", "victim")
    fields.setdefault("resident", "yes")
    client = services.clinic_client_create(
        unit=small.clinic, ref=ref, first_visit=sessions[0], **fields
    )
    for day in sessions:
        services.clinic_session_add(client=client, date=day)
    if closed_on:
        services.clinic_client_close(client=client, closed_on=closed_on, closure="completed")
    return client


def test_records_go_the_day_after_five_years_from_their_last_entry(small):
    for day in (D(2020, 3, 9), D(2020, 3, 10), D(2020, 3, 11)):
        services.support_centre_case_create(
            unit=small.support_centre, received_on=day, category="victim"
        )
        services.chat_conversation_create(
            unit=small.chat,
            started_at=local(day.year, day.month, day.day, 23, 30),
            concern="victim",
        )
    # The last entry of a clinic client is its last session or its closing day.
    clinic_client(small, "A", [D(2019, 1, 7), D(2020, 3, 10)])
    clinic_client(small, "B", [D(2019, 1, 7)], closed_on=D(2020, 3, 11))
    outcomes = dispose(today=D(2025, 3, 10))
    assert sorted((o.organisation, o.kind, o.count, o.last_entry) for o in outcomes) == [
        ("city", Kind.SUPPORT_CENTRE_CASE, 1, D(2020, 3, 9)),
        ("foundation", Kind.CHAT_CONVERSATION, 1, D(2020, 3, 9)),
    ]
    assert sorted(SupportCentreCase.objects.values_list("received_on", flat=True)) == [
        D(2020, 3, 10),
        D(2020, 3, 11),
    ]
    assert ChatConversation.objects.count() == 2
    assert ClinicClient.objects.count() == 2  # A's last session is on 10 March: kept today
    dispose(today=D(2025, 3, 11))
    assert list(SupportCentreCase.objects.values_list("received_on", flat=True)) == [D(2020, 3, 11)]
    assert ChatConversation.objects.count() == 1
    assert list(ClinicClient.objects.values_list("ref", flat=True)) == ["B"]
    assert not ClinicSession.objects.filter(client__ref="A").exists()
    dispose(today=D(2025, 3, 12))
    assert not SupportCentreCase.objects.exists()
    assert not ClinicClient.objects.exists()


def test_the_disposal_log_says_what_how_many_which_period_and_rule_and_a_dry_run_changes_nothing(
    small,
):
    for day in (D(2018, 5, 2), D(2019, 11, 30), D(2024, 1, 1)):
        services.support_centre_case_create(
            unit=small.support_centre, received_on=day, category="witness"
        )
    RetentionRule.objects.create(
        organisation=small.support_centre.organisation,
        kind=Kind.SUPPORT_CENTRE_CASE,
        years=5,
        yearly=True,
    )
    planned = dispose(today=D(2025, 1, 1), dry_run=True)
    assert [(o.kind, o.count, o.first_entry, o.last_entry) for o in planned] == [
        (Kind.SUPPORT_CENTRE_CASE, 2, D(2018, 5, 2), D(2019, 11, 30))
    ]
    assert SupportCentreCase.objects.count() == 3
    assert not Disposal.objects.exists()

    call_command("dispose", "--today", "2025-01-01")
    entry = Disposal.objects.get()
    assert (entry.kind, entry.count, entry.first_entry, entry.last_entry, entry.run_on) == (
        Kind.SUPPORT_CENTRE_CASE,
        2,
        D(2018, 5, 2),
        D(2019, 11, 30),
        D(2025, 1, 1),
    )
    assert entry.organisation == small.support_centre.organisation
    assert entry.rule == "5 years after the last entry, disposed of at the turn of the year"
    # Safe to run again: nothing more goes, nothing more is logged.
    assert dispose(today=D(2025, 1, 1)) == []
    assert Disposal.objects.count() == 1
    assert SupportCentreCase.objects.count() == 1


def test_each_organisation_sets_its_own_rule(small):
    services.chat_conversation_create(
        unit=small.chat, started_at=local(2015, 6, 1, 12), concern="friend"
    )
    services.support_centre_case_create(
        unit=small.support_centre, received_on=D(2023, 6, 1), category="victim"
    )
    RetentionRule.objects.create(
        organisation=small.chat.organisation, kind=Kind.CHAT_CONVERSATION, years=None
    )
    RetentionRule.objects.create(
        organisation=small.support_centre.organisation, kind=Kind.SUPPORT_CENTRE_CASE, years=2
    )
    dispose(today=D(2025, 6, 2))
    assert ChatConversation.objects.count() == 1  # kept: the foundation set no limit
    assert not SupportCentreCase.objects.exists()


def _backdate(entry, moment):
    # The audit log refuses updates through the ORM, so the test writes the column directly.
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET at = %s WHERE id = %s", [moment, entry.pk])  # noqa: S608


def test_expired_audit_entries_go_only_through_disposal(small):
    old = AuditEntry.objects.create(action="records.read", unit=small.clinic)
    recent = AuditEntry.objects.create(action="records.read", unit=small.clinic)
    unitless = AuditEntry.objects.create(action="accounts.sign_in")
    _backdate(old, local(2019, 12, 31, 12))
    _backdate(unitless, local(2019, 12, 31, 12))
    _backdate(recent, local(2020, 1, 2, 12))
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=old.pk).delete()
    dispose(today=D(2025, 1, 1))
    assert list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)) == [recent.pk]
    assert sorted(
        (e.organisation_id is None, e.count) for e in Disposal.objects.filter(kind=Kind.AUDIT_ENTRY)
    ) == [(False, 1), (True, 1)]


PERIODS = [
    (D(2019, 1, 1), D(2019, 12, 31)),
    (D(2019, 3, 1), D(2019, 4, 30)),  # whole months around the gap below: public too
    (D(2019, 1, 1), D(2019, 5, 31)),
    (D(2019, 3, 13), D(2019, 4, 2)),  # inside a gap between two sessions of a client
    (D(2019, 3, 12), D(2019, 3, 12)),  # one day, a session day
    (D(2019, 6, 15), D(2020, 2, 10)),
    (D(2018, 1, 1), D(2021, 12, 31)),
    (D(2020, 1, 1), D(2020, 12, 31)),  # kept and disposed records together
]


def _figures(small):
    return [
        statistics_compute(
            partnership=small.partnership,
            date_from=date_from,
            date_to=date_to,
            disclosure=level,
            threshold=3,
        )
        for date_from, date_to in PERIODS
        for level in ("internal", "public")
        # The public level answers whole months only (statistics.release).
        if level == "internal" or is_public_period(date_from, date_to, datetime.date.today())
    ]


def test_figures_of_a_disposed_period_are_the_same_before_and_after(small):
    from samverkan.partnership.models import Service

    service = Service.objects.create(partnership=small.partnership, key="youth", name="Youth")
    for i in range(40):
        day = D(2019, 1, 1) + datetime.timedelta(days=9 * i)
        conversation = services.chat_conversation_create(
            unit=small.chat,
            started_at=local(day.year, day.month, day.day, 18 + i % 5),
            concern=["victim", "perpetrator", "friend"][i % 3],
            resident=["yes", "no"][i % 2],
            gender=["girl", "boy", "other"][i % 3],
            age=14 + i % 8,
            violence=["physical"] if i % 4 else ["digital", "sexual"],
            district=small.district if i % 5 else None,
            referred_to=small.clinic_service if i % 6 == 0 else None,
        )
        if i % 3 == 0:
            Referral.objects.create(
                code=f"CODE{i:04d}",
                destination=[small.clinic_service, service][i % 2],
                issuing_unit=small.chat,
                issued_at=local(day.year, day.month, day.day, 20),
                expires_at=local(day.year, day.month, day.day, 20) + datetime.timedelta(90),
                conversation=conversation,
                arrived_at=local(day.year, day.month, day.day, 20) + datetime.timedelta(i % 11)
                if i % 2
                else None,
                arrival_unit=small.clinic if i % 2 else None,
            )
        services.support_centre_case_create(
            unit=small.support_centre,
            received_on=day,
            category=["victim", "witness", "relative"][i % 3],
            gender=["girl", "boy"][i % 2],
            age=13 + i % 9,
            screened=bool(i % 2),
            screening_answer=["victim", "both", "none", None][i % 4] if i % 2 else None,
            referred_to=small.rvc_service if i % 7 == 0 else None,
        )
    clinic_client(
        small, "A", [D(2019, 3, 12), D(2019, 4, 3), D(2019, 4, 4)], closed_on=D(2019, 5, 1)
    )
    clinic_client(small, "B", [D(2019, 2, 1), D(2019, 9, 1)], gender="boy", concern="perpetrator")
    clinic_client(small, "C", [D(2019, 3, 12)], came_via="chat", resident="no")
    clinic_client(
        small, "D", [D(2019, 6, 20), D(2020, 1, 8)], closed_on=D(2020, 1, 31), came_via="self"
    )
    clinic_client(small, "E", [D(2020, 1, 8), D(2022, 4, 4)], gender="girl")  # kept
    clinic_client(small, "F", [D(2019, 5, 5)], gender="girl", closed_on=D(2019, 5, 5))
    before = _figures(small)
    outcomes = dispose(today=D(2025, 6, 1))
    assert {o.kind: o.count for o in outcomes} == {
        Kind.CHAT_CONVERSATION: 40,
        Kind.SUPPORT_CENTRE_CASE: 40,
        Kind.CLINIC_CLIENT: 5,
    }
    assert list(ClinicClient.objects.values_list("ref", flat=True)) == ["E"]
    assert not ChatConversation.objects.exists()
    assert Referral.objects.count() == 14
    assert _figures(small) == before
    assert before[0]["clinic"]["clients"] == 5  # and the figures were not all zeros
    assert before[0]["referrals"]["issued"]["by_concern"]["unknown"] == 0


def test_the_command_shows_a_dry_run_and_says_when_there_is_nothing(small):
    from io import StringIO

    services.support_centre_case_create(
        unit=small.support_centre, received_on=D(2019, 4, 1), category="victim"
    )
    out = StringIO()
    call_command("dispose", "--dry-run", "--today", "2024-04-02", stdout=out)
    assert out.getvalue() == (
        "city: would dispose of 1 support-centre-case (last entries 2019-04-01 to 2019-04-01; "
        "5 years after the last entry, disposed of the day after expiry)\n"
    )
    assert SupportCentreCase.objects.count() == 1
    out = StringIO()
    call_command("dispose", "--today", "2024-04-01", stdout=out)
    assert out.getvalue() == "Nothing to dispose of as of 2024-04-01.\n"
