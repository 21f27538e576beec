"""A partnership with the source document's agreement, its obligations and the people reminded.

Used in-process by the tests and, through `samverkan shell -c`, by the test of overlapping runs.
"""

import datetime

from samverkan.accounts.models import Role, User
from samverkan.governance.models import Obligation
from samverkan.partnership.models import (
    Agreement,
    Group,
    GroupMember,
    Organisation,
    Partnership,
    Unit,
)

D = datetime.date


def governance_cast() -> dict:
    foundation = Organisation.objects.create(key="foundation", name="Foundation", kind="non-profit")
    city = Organisation.objects.create(key="city", name="City", kind="public")
    chat = Unit.objects.create(
        key="chat", name="Chat", kind=Unit.Kind.CHAT, organisation=foundation
    )
    department = Unit.objects.create(
        key="dept", name="Department", kind=Unit.Kind.DEPARTMENT, organisation=city
    )
    partnership = Partnership.objects.create(key="p", name="Partnership", municipality="Town")
    partnership.units.set([chat])
    partnership.organisations.add(foundation, city)
    agreement = Agreement.objects.create(
        partnership=partnership,
        starts_on=D(2021, 12, 15),
        first_period_ends_on=D(2022, 12, 14),
        extension_months=12,
        final_end_on=D(2024, 12, 14),
        notice_month=9,
        notice_day=14,
        yearly_compensation=700000,
    )

    def user(name, role, unit, email=None):
        return User.objects.create_user(
            name,
            email=f"{name}@example.org" if email is None else email,
            password="x" * 16,
            role=role,
            unit=unit,
        )

    people = {
        "coordinator": user("coordinator", Role.COORDINATOR, department),
        "steering": user("steering", Role.STEERING_MEMBER, department),
        "manager": user("manager", Role.UNIT_MANAGER, chat),
        "no_address": user("no_address", Role.UNIT_MANAGER, chat, email=""),
    }
    steering = Group.objects.create(partnership=partnership, kind="steering", name="Steering")
    cooperation = Group.objects.create(
        partnership=partnership, kind="cooperation", name="Cooperation"
    )
    GroupMember.objects.create(
        group=steering, organisation=city, function="Head of department", user=people["steering"]
    )
    GroupMember.objects.create(
        group=steering,
        organisation=foundation,
        function="Former director",
        user=people["manager"],
        member_until=D(2021, 12, 31),
    )
    activity = Obligation.objects.create(
        agreement=agreement,
        kind=Obligation.Kind.ACTIVITY_REPORT,
        title="Activity report",
        reported_by="Cooperation group",
        reported_to="Steering group",
        period_months=6,
        first_period_starts_on=D(2022, 1, 1),
        due_days_after=31,
    )
    activity.responsible.set([people["manager"], people["no_address"]])
    financial = Obligation.objects.create(
        agreement=agreement,
        kind=Obligation.Kind.FINANCIAL_REPORT,
        title="Financial report",
        reported_by="Foundation",
        reported_to="Social services administration",
        period_months=12,
        first_period_starts_on=D(2022, 1, 1),
        due_days_after=90,
    )
    return {
        "agreement": agreement,
        "people": people,
        "activity": activity,
        "financial": financial,
        "steering": steering,
        "cooperation": cooperation,
        "foundation": foundation,
        "city": city,
    }


def more_responsible(cast: dict, count: int) -> None:
    """Give the activity report more people to remind (for runs long enough to overlap)."""
    chat = cast["people"]["manager"].unit
    for number in range(count):
        cast["activity"].responsible.add(
            User.objects.create_user(
                f"extra{number}",
                email=f"extra{number}@example.org",
                password="x" * 16,
                role=Role.UNIT_MANAGER,
                unit=chat,
            )
        )


def governance_pages_world(partnership: Partnership) -> dict[str, list]:
    """An agreement, a meeting and a report due for the access matrix; its URL arguments."""
    from samverkan.governance.models import Meeting, ObligationItem

    agreement = Agreement.objects.create(
        partnership=partnership,
        starts_on=D(2021, 12, 15),
        first_period_ends_on=D(2022, 12, 14),
        final_end_on=D(2024, 12, 14),
        notice_month=9,
        notice_day=14,
        yearly_compensation=700000,
    )
    steering = Group.objects.create(partnership=partnership, kind="steering", name="Styrgrupp")
    meeting = Meeting.objects.create(group=steering, held_on=D(2022, 3, 10))
    member = GroupMember.objects.create(
        group=steering, organisation=partnership.organisations.first(), function="Chair"
    )
    obligation = Obligation.objects.create(
        agreement=agreement,
        kind=Obligation.Kind.ACTIVITY_REPORT,
        title="Verksamhetsrapport",
        reported_by="Samverkansgruppen",
        reported_to="Styrgruppen",
        period_months=6,
        first_period_starts_on=D(2022, 1, 1),
        due_days_after=31,
    )
    item = ObligationItem.objects.create(
        obligation=obligation,
        period_start=D(2022, 1, 1),
        period_end=D(2022, 6, 30),
        due_on=D(2022, 7, 31),
    )
    return {
        "governance:meeting_detail": [meeting.pk],
        "governance:member_edit": [member.pk],
        "governance:item_submit": [item.pk],
        "governance:financial_report": [2022],
        "governance:financial_report_decide": [2022],
    }
