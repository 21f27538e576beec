"""Build (or rebuild) the demo: the source document's partnership, a user per role, records."""

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import Role, User
from samverkan.campaigns.models import Campaign, CampaignReach
from samverkan.demo.activities import demo_activities_create
from samverkan.demo.chat import ALWAYS, demo_chat_create
from samverkan.demo.governance import demo_governance_create
from samverkan.demo.partnership import PARTNERSHIP_KEY, DemoPartnership, demo_partnership_create
from samverkan.demo.records import demo_records_create
from samverkan.demo.referrals import demo_referrals_create
from samverkan.demo.reports import demo_reports
from samverkan.partnership.models import Organisation, Partnership, Unit
from samverkan.records.models import ChatConversation, ClinicClient, ImportBatch, SupportCentreCase
from samverkan.referrals.models import Referral
from samverkan.statistics.models import DailyCount, DisclosureKey, MonthlyCount

DEMO_DEVICE_NAME = "demo"

DEMO_ORGANISATIONS = [
    "stiftelsen-1000-mojligheter",
    "socialforvaltningen",
    "stadsdelsforvaltningarna",
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    unit_key: str

    @property
    def password(self) -> str:
        # Synthetic demo accounts on a local machine: a fixed password that is printed at start.
        return f"demo-{self.username}-2022"


DEMO_USERS = [
    DemoUser("volontar", Role.VOLUNTEER, "chatt"),
    DemoUser("psykolog", Role.COUNSELLOR, "samtalsmottagningen"),
    DemoUser("stodcentrum", Role.SUPPORT_CENTRE_OFFICER, "stodcentrum"),
    DemoUser("enhetschef", Role.UNIT_MANAGER, "stodcentrum"),
    DemoUser("verksamhetschef", Role.UNIT_MANAGER, "chatt"),
    DemoUser("samordnare", Role.COORDINATOR, "stadsovergripande"),
    DemoUser("styrgrupp", Role.STEERING_MEMBER, "stadsovergripande"),
    DemoUser("admin", Role.ADMINISTRATOR, "stadsovergripande"),
]


def demo_remove() -> None:
    """Remove an earlier demo: its records, counts, users and configuration."""
    units = Unit.objects.filter(organisation__key__in=DEMO_ORGANISATIONS)
    Referral.objects.filter(issuing_unit__in=units).delete()
    ChatConversation.objects.filter(unit__in=units).delete()
    ClinicClient.objects.filter(unit__in=units).delete()
    SupportCentreCase.objects.filter(unit__in=units).delete()
    DailyCount.objects.filter(unit__in=units).delete()
    MonthlyCount.objects.filter(unit__in=units).delete()
    ImportBatch.objects.filter(unit__in=units).delete()
    User.objects.filter(username__in=[user.username for user in DEMO_USERS]).delete()
    Partnership.objects.filter(key=PARTNERSHIP_KEY).delete()
    units.delete()
    Organisation.objects.filter(key__in=DEMO_ORGANISATIONS).delete()


@transaction.atomic
def demo_build(
    *, seed: int = 2022, chat_hours: str = ALWAYS
) -> tuple[DemoPartnership, dict[str, int]]:
    """`chat_hours`: the live chat open around the clock (`always`) or only in the evenings
    (`evenings`); see demo/chat.py for why the demo's default is always."""
    demo_remove()
    demo = demo_partnership_create()
    # The demo's public figures the same on every machine (the committee documents in docs/
    # are made from them): a fixed key, where a real database makes a random one on first use.
    DisclosureKey.objects.update_or_create(
        pk=1, defaults={"secret": hashlib.sha256(b"samverkan demo (synthetic data)").digest()}
    )
    for spec in DEMO_USERS:
        user = User(
            username=spec.username,
            role=spec.role,
            unit=demo.units[spec.unit_key],
            is_staff=spec.role == Role.ADMINISTRATOR,
            is_superuser=spec.role == Role.ADMINISTRATOR,
        )
        user.set_password(spec.password)
        user.save()
        # Demo accounts get their authenticator made for them, named so that
        # `samverkan democode` can show its current code (it shows no other device's).
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
    created = demo_records_create(demo, seed=seed)
    demo_referrals_create(demo, seed=seed)
    demo_chat_create(demo, hours=chat_hours)
    _demo_campaign(demo)
    demo_governance_create(demo)
    demo_activities_create(demo)
    demo_reports(demo.partnership)
    return demo, created


def _demo_campaign(demo: DemoPartnership) -> None:
    """The autumn information campaign the document announces (synthetic reach figures; the
    demo's chat has more conversations from September to November 2022)."""
    campaign = Campaign.objects.create(
        partnership=demo.partnership,
        name="Höstkampanjen 2022: Det är inte kärlek",
        starts_on=datetime.date(2022, 9, 1),
        ends_on=datetime.date(2022, 10, 31),
        channels="Instagram, TikTok, skolbesök",
    )
    for channel, measure, value in [
        ("Instagram", CampaignReach.Measure.IMPRESSIONS, 184_000),
        ("Instagram", CampaignReach.Measure.CLICKS, 2_350),
        ("TikTok", CampaignReach.Measure.PEOPLE_REACHED, 96_500),
        ("Skolbesök", CampaignReach.Measure.PARTICIPANTS, 1_240),
    ]:
        CampaignReach.objects.create(
            campaign=campaign, channel=channel, measure=measure, value=value
        )


def demo_code(username: str) -> str | None:
    """The current second-factor code of a demo user, or None for anyone else."""
    if username not in {user.username for user in DEMO_USERS}:
        return None
    device = TOTPDevice.objects.filter(
        user__username=username, name=DEMO_DEVICE_NAME, confirmed=True
    ).first()
    if device is None:
        return None
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"
