"""The demo's activities: the partnership's other work that the source document names (Dnr
1.3.2-266/2022): the foundation's regular consultations with Stockholms ungdomstjänst and the
network meetings where the administration brought together the city's services that meet the
target group (Stödcentrum, the youth clinics, RVC, the working group on violence in young
people's close relationships, Stockholms ungdomstjänst) with the foundation. Dates, numbers of
participants and topics are made up; topics are general, never about a young person."""

import datetime

from samverkan.activities.models import Activity
from samverkan.activities.services import activity_create
from samverkan.demo.partnership import DemoPartnership

CONSULTATION = Activity.Kind.CONSULTATION
NETWORK_MEETING = Activity.Kind.NETWORK_MEETING
TRAINING = Activity.Kind.TRAINING

NETWORK = [
    "chatt",
    "samtalsmottagningen",
    "stodcentrum",
    "stadsovergripande",
    "ungdomsmottagningarna",
    "rvc",
    "arbetsgruppen-vald-i-ungas-relationer",
    "ungdomstjansten",
]
ACTIVITIES = [
    (
        CONSULTATION,
        datetime.date(2022, 2, 15),
        ["samtalsmottagningen", "ungdomstjansten"],
        6,
        "Första mötet om samverkan kring unga som dömts till ungdomstjänst för våld i nära "
        "relation",
    ),
    (
        NETWORK_MEETING,
        datetime.date(2022, 3, 29),
        NETWORK,
        16,
        "Verksamheternas uppdrag och kontaktytor kring unga som utsätts för eller utövar våld i "
        "nära relationer",
    ),
    (
        CONSULTATION,
        datetime.date(2022, 4, 12),
        ["samtalsmottagningen", "ungdomstjansten"],
        5,
        "Konsultation: att motivera unga som utövat partnervåld att ta emot stöd",
    ),
    (
        CONSULTATION,
        datetime.date(2022, 5, 24),
        ["samtalsmottagningen", "ungdomstjansten"],
        5,
        "Konsultation: när och hur länka vidare till samtalsmottagningen",
    ),
    (
        TRAINING,
        datetime.date(2022, 5, 31),
        ["chatt", "stodcentrum"],
        22,
        "Rutinfrågan om våld i ungas nära relationer i det sociala samtalet efter förhör",
    ),
    (
        NETWORK_MEETING,
        datetime.date(2022, 10, 18),
        NETWORK,
        18,
        "Höstkampanjen och uppföljningen vid årets slut",
    ),
    (
        CONSULTATION,
        datetime.date(2022, 11, 8),
        ["samtalsmottagningen", "ungdomstjansten"],
        6,
        "Konsultation: erfarenheter från höstens ärenden, i allmänna termer",
    ),
]


def demo_activities_create(demo: DemoPartnership) -> int:
    for kind, day, unit_keys, participants, topic in ACTIVITIES:
        activity_create(
            partnership=demo.partnership,
            kind=kind,
            date=day,
            units=[demo.units[key] for key in unit_keys],
            participants=participants,
            topic=topic,
        )
    return len(ACTIVITIES)
