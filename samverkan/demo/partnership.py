"""The partnership of the source document (Dnr 1.3.2-266/2022), as configuration data.

Organisations and units are public bodies and their services, named as in the document; the
group members are functions, not people. Nothing here is personal data.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from samverkan.partnership.models import (
    Agreement,
    District,
    Goal,
    Group,
    GroupMember,
    Organisation,
    Partnership,
    Party,
    Service,
    Unit,
)

PARTNERSHIP_KEY = "iop-vald-i-ungas-relationer"

DISTRICTS = [
    ("rinkeby-kista", "Rinkeby-Kista"),
    ("spanga-tensta", "Spånga-Tensta"),
    ("hasselby-vallingby", "Hässelby-Vällingby"),
    ("bromma", "Bromma"),
    ("kungsholmen", "Kungsholmen"),
    ("norrmalm", "Norrmalm"),
    ("ostermalm", "Östermalm"),
    ("sodermalm", "Södermalm"),
    ("enskede-arsta-vantor", "Enskede-Årsta-Vantör"),
    ("skarpnack", "Skarpnäck"),
    ("farsta", "Farsta"),
    ("hagersten-alvsjo", "Hägersten-Älvsjö"),
    ("skarholmen", "Skärholmen"),
]

GOALS = [
    "Förebygga våld i ungas relationer.",
    "Öka kunskap bland unga om våld i ungas relationer.",
    "Nå fler unga våldsutövare i syfte att få dem att sluta använda våld.",
    "Främja målgruppens psykiska, fysiska och sexuella hälsa.",
]


@dataclass
class DemoPartnership:
    partnership: Partnership
    chat: Unit
    clinic: Unit
    support_centre: Unit
    department: Unit
    units: dict[str, Unit]
    services: dict[str, Service]
    districts: dict[str, District]


def demo_partnership_create() -> DemoPartnership:
    foundation = Organisation.objects.create(
        key="stiftelsen-1000-mojligheter",
        name="Stiftelsen 1000 möjligheter",
        kind=Organisation.Kind.NON_PROFIT,
    )
    administration = Organisation.objects.create(
        key="socialforvaltningen",
        name="Socialförvaltningen, Stockholms stad",
        kind=Organisation.Kind.PUBLIC,
    )
    districts_org = Organisation.objects.create(
        key="stadsdelsforvaltningarna",
        name="Stadsdelsförvaltningarna, Stockholms stad",
        kind=Organisation.Kind.PUBLIC,
    )
    unit_specs = [
        ("chatt", "Chatten på ungarelationer.se", Unit.Kind.CHAT, foundation),
        ("samtalsmottagningen", "Samtalsmottagningen", Unit.Kind.CLINIC, foundation),
        (
            "stodcentrum",
            "Stödcentrum för unga brottsutsatta och vittnen",
            Unit.Kind.SUPPORT_CENTRE,
            administration,
        ),
        (
            "stadsovergripande",
            "Avdelningen för stadsövergripande sociala frågor",
            Unit.Kind.DEPARTMENT,
            administration,
        ),
        ("ungdomstjansten", "Stockholms ungdomstjänst", Unit.Kind.YOUTH_SERVICE, administration),
        ("rvc", "Relationsvåldscentrum (RVC)", Unit.Kind.RVC, administration),
        ("ungdomsmottagningarna", "Ungdomsmottagningarna", Unit.Kind.YOUTH_CLINIC, districts_org),
        ("lokal-socialtjanst", "Lokal socialtjänst", Unit.Kind.SOCIAL_SERVICES, districts_org),
        # Named among the services the administration brought together (network meetings).
        (
            "arbetsgruppen-vald-i-ungas-relationer",
            "Arbetsgruppen för våld i ungas nära relationer",
            Unit.Kind.OTHER,
            administration,
        ),
    ]
    units = {
        key: Unit.objects.create(key=key, name=name, kind=kind, organisation=organisation)
        for key, name, kind, organisation in unit_specs
    }
    partnership = Partnership.objects.create(
        key=PARTNERSHIP_KEY,
        name="Förebygga våld i ungas relationer",
        purpose=(
            "Att parterna gemensamt verkar för att fler ungdomar nås av kunskap och information "
            "om hur våld i en partnerrelation kan ta sig uttryck och vad det kan få för "
            "konsekvenser, samt att fler unga som utövar våld identifieras och i förlängningen "
            "tar emot stöd som syftar till att upphöra med våldsutövandet."
        ),
        target_group=(
            "Unga 13 till 23 år, bosatta i Stockholms stad, samt unga som utsätter eller har "
            "utsatt andra för våld i en partnerrelation. Majoriteten av våldsutövarna förväntas "
            "vara 15 år och uppåt."
        ),
        target_age_min=13,
        target_age_max=23,
        municipality="Stockholms stad",
    )
    # The records of the chat, the clinic and the support centre make the partnership's figures.
    partnership.units.set([units["chatt"], units["samtalsmottagningen"], units["stodcentrum"]])
    foundation_party = Party.objects.create(
        partnership=partnership,
        organisation=foundation,
        commitments=(
            "Motivera unga våldsutövare som kontaktar den anonyma chatten att söka ytterligare "
            "stöd: samtalsmottagningen, RVC, lokal socialtjänst eller ungdomsmottagningar. "
            "Identifiera kanaler och arenor för att informera unga i Stockholms stad."
        ),
    )
    foundation_party.represented_by.set([units["chatt"], units["samtalsmottagningen"]])
    administration_party = Party.objects.create(
        partnership=partnership,
        organisation=administration,
        commitments=(
            "Stödcentrum utvecklar samarbetet med stiftelsen för att nå fler unga våldsutövare "
            "och hänvisar våldsutsatta som behöver mer stöd. Avdelningen för stadsövergripande "
            "sociala frågor informerar om stadsdelsförvaltningarnas ansvar och är "
            "informationskanal mellan partnerskapet, stadsdelarna och andra fackförvaltningar."
        ),
    )
    administration_party.represented_by.set([units["stodcentrum"], units["stadsovergripande"]])
    Agreement.objects.create(
        partnership=partnership,
        signed_on=datetime.date(2021, 12, 15),
        starts_on=datetime.date(2021, 12, 15),
        first_period_ends_on=datetime.date(2022, 12, 14),
        extension_months=12,
        final_end_on=datetime.date(2024, 12, 14),
        notice_month=9,
        notice_day=14,
        yearly_compensation=Decimal("700000.00"),
    )
    for position, text in enumerate(GOALS, start=1):
        Goal.objects.create(partnership=partnership, position=position, text=text)
    services = {
        key: Service.objects.create(partnership=partnership, key=key, name=name, unit=unit)
        for key, name, unit in [
            ("clinic", "Samtalsmottagningen", units["samtalsmottagningen"]),
            ("rvc", "Relationsvåldscentrum (RVC)", units["rvc"]),
            ("social-services", "Lokal socialtjänst", units["lokal-socialtjanst"]),
            ("youth-clinic", "Ungdomsmottagning", units["ungdomsmottagningarna"]),
        ]
    }
    districts = {
        key: District.objects.create(partnership=partnership, key=key, name=name)
        for key, name in DISTRICTS
    }
    steering = Group.objects.create(
        partnership=partnership,
        kind=Group.Kind.STEERING,
        name="Styrgruppen",
        mandate=(
            "Beslutar om strategiska frågor: förändringar i partnerskapets inriktning, mål, "
            "omfattning och andra frågor av väsentlig betydelse."
        ),
    )
    cooperation = Group.objects.create(
        partnership=partnership,
        kind=Group.Kind.COOPERATION,
        name="Samverkansgruppen",
        mandate=(
            "Beslutar om operativa frågor inom de mål och den inriktning styrgruppen valt. "
            "Lämnar verksamhetsrapport till styrgruppen två gånger per år och en årlig "
            "sammanställning."
        ),
    )
    for group, organisation, function in [
        (steering, foundation, "Verksamhetschef"),
        (steering, administration, "Avdelningschef, stadsövergripande sociala frågor"),
        (steering, administration, "Enhetschef, Stödcentrum"),
        (cooperation, foundation, "Samordnare, chatten"),
        (cooperation, foundation, "Psykolog, samtalsmottagningen"),
        (cooperation, administration, "Socialsekreterare, Stödcentrum"),
        (cooperation, administration, "Utvecklingssekreterare, partnerskapets samordnare"),
    ]:
        GroupMember.objects.create(group=group, organisation=organisation, function=function)
    return DemoPartnership(
        partnership=partnership,
        chat=units["chatt"],
        clinic=units["samtalsmottagningen"],
        support_centre=units["stodcentrum"],
        department=units["stadsovergripande"],
        units=units,
        services=services,
        districts=districts,
    )
