"""The demo's governance: the agreement's reporting duties and what came of them, meetings of the
steering and cooperation groups with decisions, the compensation and the foundation's financial
reports. Synthetic but consistent with the source document (700 000 kronor a year, the
cooperation group reporting to the steering group twice a year and once a year in sum, the
foundation's yearly report on the funds). Staff appear by function; no young person appears.
"""

import datetime
from decimal import Decimal

from samverkan.accounts.models import User
from samverkan.demo.partnership import DemoPartnership
from samverkan.governance.models import (
    Decision,
    FinancialReport,
    FinancialReportLine,
    Meeting,
    Obligation,
    ObligationItem,
    Payment,
)
from samverkan.governance.services import obligation_items_sync
from samverkan.partnership.models import Group, GroupMember

D = datetime.date
C = FinancialReportLine.Category

# Demo users who get an address (example.org: nothing is delivered) and so are reminded.
DEMO_ADDRESSES = {
    "samordnare": "samordnare@example.org",
    "styrgrupp": "styrgrupp@example.org",
    "verksamhetschef": "verksamhetschef@example.org",
}

# (category, budget, outcome) in kronor; income and costs balance in each year's budget.
FINANCIAL_REPORTS = {
    2022: {
        "income": [(C.COMPENSATION, 700_000, 700_000), (C.GRANTS, 450_000, 430_000),
                   (C.OWN_FUNDS, 150_000, 162_500)],
        "cost": [(C.STAFF, 820_000, 812_400), (C.VOLUNTEERS, 140_000, 151_200),
                 (C.PREMISES, 96_000, 96_000), (C.INFORMATION, 120_000, 98_700),
                 (C.IT, 60_000, 64_300), (C.ADMINISTRATION, 64_000, 61_900),
                 (C.OTHER, 0, 8_000)],
        "status": FinancialReport.Status.APPROVED,
        "submitted": D(2023, 3, 27),
        "approved": D(2023, 4, 12),
    },
    2023: {
        "income": [(C.COMPENSATION, 700_000, 700_000), (C.GRANTS, 480_000, 495_000),
                   (C.OWN_FUNDS, 160_000, 148_300)],
        "cost": [(C.STAFF, 850_000, 861_900), (C.VOLUNTEERS, 150_000, 143_800),
                 (C.PREMISES, 98_000, 98_000), (C.INFORMATION, 125_000, 131_600),
                 (C.IT, 62_000, 59_400), (C.ADMINISTRATION, 55_000, 48_600),
                 (C.OTHER, 0, 0)],
        "status": FinancialReport.Status.APPROVED,
        "submitted": D(2024, 3, 25),
        "approved": D(2024, 4, 9),
    },
    2024: {
        "income": [(C.COMPENSATION, 700_000, 700_000), (C.GRANTS, 500_000, 470_000),
                   (C.OWN_FUNDS, 160_000, 171_200)],
        "cost": [(C.STAFF, 880_000, 874_500), (C.VOLUNTEERS, 150_000, 155_100),
                 (C.PREMISES, 100_000, 100_000), (C.INFORMATION, 110_000, 96_300),
                 (C.IT, 64_000, 66_800), (C.ADMINISTRATION, 56_000, 48_500),
                 (C.OTHER, 0, 0)],
        "status": FinancialReport.Status.SUBMITTED,
        "submitted": D(2025, 3, 28),
        "approved": None,
    },
}  # fmt: skip

# Meetings: (group kind, date, functions present, decisions).
MEETINGS = [
    (
        Group.Kind.STEERING,
        D(2022, 1, 20),
        ["Verksamhetschef", "Avdelningschef, stadsövergripande sociala frågor",
         "Enhetschef, Stödcentrum"],
        [
            "Styrgruppen fastställer partnerskapets mål och uppföljning för 2022 enligt "
            "överenskommelsen.",
            "Samverkansgruppen lämnar verksamhetsrapport till styrgruppen senast 31 juli och "
            "31 januari.",
        ],
    ),
    (
        Group.Kind.COOPERATION,
        D(2022, 3, 17),
        ["Samordnare, chatten", "Psykolog, samtalsmottagningen",
         "Socialsekreterare, Stödcentrum",
         "Utvecklingssekreterare, partnerskapets samordnare"],
        [
            "Stödcentrum lägger till en rutinfråga om erfarenhet av våld i ungas nära "
            "relationer i samtalet efter förhör.",
            "Regelbundna konsultationer med Stockholms ungdomstjänst inleds under våren.",
        ],
    ),
    (
        Group.Kind.STEERING,
        D(2022, 9, 8),
        ["Verksamhetschef", "Avdelningschef, stadsövergripande sociala frågor"],
        [
            "Verksamhetsrapporten för januari till juni 2022 godkänns.",
            "Ingen part säger upp överenskommelsen: den förlängs till och med 2023-12-14.",
            "Höstens informationskampanj genomförs i september och oktober; räckvidden "
            "utvärderas till nästa möte.",
        ],
    ),
    (
        Group.Kind.COOPERATION,
        D(2022, 11, 24),
        ["Samordnare, chatten", "Socialsekreterare, Stödcentrum",
         "Utvecklingssekreterare, partnerskapets samordnare"],
        [
            "Nätverksmöte med ungdomsmottagningarna och RVC planeras till februari 2023.",
        ],
    ),
    (
        Group.Kind.STEERING,
        D(2023, 2, 16),
        ["Verksamhetschef", "Avdelningschef, stadsövergripande sociala frågor",
         "Enhetschef, Stödcentrum"],
        [
            "Årssammanställningen för 2022 godkänns och lämnas till socialnämnden som underlag.",
            "Uppföljningen 2023 jämför antalet som söker stöd för att ha utövat våld med 2022.",
        ],
    ),
]  # fmt: skip

OBLIGATIONS = [
    # kind, title, by, to, months, due days after the period, responsible user names
    (Obligation.Kind.ACTIVITY_REPORT, "Verksamhetsrapport", "Samverkansgruppen", "Styrgruppen",
     6, 31, ["samordnare"]),
    (Obligation.Kind.ANNUAL_COMPILATION, "Årlig sammanställning", "Samverkansgruppen",
     "Styrgruppen", 12, 59, ["samordnare"]),
    (Obligation.Kind.FINANCIAL_REPORT, "Ekonomisk redovisning av medlen",
     "Stiftelsen 1000 möjligheter", "Socialförvaltningen", 12, 90, ["verksamhetschef"]),
]  # fmt: skip

# The one report left late: the activity report on July to December 2023.
LATE = ("Verksamhetsrapport", D(2023, 7, 1))


def demo_governance_create(demo: DemoPartnership) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_ADDRESSES)}
    for username, address in DEMO_ADDRESSES.items():
        if username in users:
            users[username].email = address
            users[username].save(update_fields=["email"])
    agreement = demo.partnership.agreements.get()
    agreement.reference = "Dnr 1.3.2-266/2022"
    agreement.save(update_fields=["reference"])
    _members(demo, users)
    _obligations(agreement, users)
    _meetings(demo, users.get("samordnare"))
    _money(agreement, users)


def _members(demo: DemoPartnership, users: dict[str, User]) -> None:
    members = GroupMember.objects.filter(group__partnership=demo.partnership)
    members.update(member_from=D(2021, 12, 15))
    members.filter(function__startswith="Avdelningschef").update(
        role=GroupMember.Role.CHAIR, user=users.get("styrgrupp")
    )
    members.filter(function__startswith="Utvecklingssekreterare").update(
        role=GroupMember.Role.SECRETARY, user=users.get("samordnare")
    )
    members.filter(function="Verksamhetschef").update(user=users.get("verksamhetschef"))


def _obligations(agreement, users: dict[str, User]) -> None:  # noqa: ANN001
    for kind, title, by, to, months, days, responsible in OBLIGATIONS:
        obligation = Obligation.objects.create(
            agreement=agreement,
            kind=kind,
            title=title,
            reported_by=by,
            reported_to=to,
            period_months=months,
            first_period_starts_on=D(2022, 1, 1),
            due_days_after=days,
        )
        obligation.responsible.set([users[name] for name in responsible if name in users])
    obligation_items_sync(agreement=agreement, today=agreement.final_end_on)
    coordinator = users.get("samordnare")
    for item in ObligationItem.objects.filter(obligation__agreement=agreement):
        if (item.obligation.title, item.period_start) == LATE:
            continue
        # Submitted a few days before the due date, one of them (the first) a day after.
        first = item.period_start == D(2022, 1, 1) and item.obligation.period_months == 6
        item.submitted_on = item.due_on + datetime.timedelta(days=1 if first else -4)
        item.submitted_by = coordinator
        item.save(update_fields=["submitted_on", "submitted_by"])


def _meetings(demo: DemoPartnership, coordinator: User | None) -> None:
    for kind, held_on, present, decisions in MEETINGS:
        group = demo.partnership.groups.get(kind=kind)
        meeting = Meeting.objects.create(group=group, held_on=held_on, registered_by=coordinator)
        meeting.attendees.set(group.members.filter(function__in=present))
        for number, text in enumerate(decisions, start=1):
            responsible = "Samverkansgruppen" if kind == Group.Kind.STEERING else ""
            Decision.objects.create(
                meeting=meeting, number=number, text=text, responsible=responsible
            )


def _money(agreement, users: dict[str, User]) -> None:  # noqa: ANN001
    # The compensation in two instalments a year, at the end of January and of July.
    for year in (2022, 2023, 2024):
        for month, day in ((1, 31), (7, 29)):
            Payment.objects.create(
                agreement=agreement,
                year=year,
                paid_on=D(year, month, day),
                amount=agreement.yearly_compensation / 2,
                reference=f"Utbetalning {year}-{month:02d}",
            )
    for year, spec in FINANCIAL_REPORTS.items():
        report = FinancialReport.objects.create(
            agreement=agreement,
            year=year,
            status=spec["status"],
            submitted_by=users.get("verksamhetschef"),
            submitted_on=spec["submitted"],
            approved_by=users.get("samordnare") if spec["approved"] else None,
            approved_on=spec["approved"],
        )
        for kind in ("income", "cost"):
            for category, budget, outcome in spec[kind]:
                FinancialReportLine.objects.create(
                    report=report,
                    kind=kind,
                    category=category,
                    budget=Decimal(budget),
                    outcome=Decimal(outcome),
                )
