"""The demo's live chat: its opening hours and the directory of services volunteers refer to.

Opening hours are a trade-off. A chat like this one is open a few evenings a week, and outside
them the young person's page says it is closed and where else to turn. But a demo is tried when
someone has the time, mostly in office hours, when a chat open only in the evenings would be
closed. So the demo's chat is open around the clock unless asked for the evenings
(`samverkan demo --chat-hours evenings`), which the page then lists; outside them it shows the
closed page. Either way the hours are ordinary data: an administrator changes them in the admin
(Chat › Opening hours), and with no rows the chat is open at all times.

The directory texts are synthetic but of the kind a coordinator writes: where the service is,
when it is open, how a young person gets in touch. The telephone numbers are from the series
the Swedish Post and Telecom Authority (PTS) sets aside for fiction (08-465 004 00 to 99): they
reach no one. The street addresses are invented for the demo; the real services are elsewhere.
"""

import datetime

from samverkan.chat.models import DirectoryEntry, OpeningHours, Weekday
from samverkan.demo.partnership import DemoPartnership

ALWAYS = "always"
EVENINGS = "evenings"
CHAT_HOURS = [ALWAYS, EVENINGS]

# Evenings Monday to Thursday 18–22 and Sunday 18–21, Stockholm time.
EVENING_HOURS = [
    (Weekday.MONDAY, datetime.time(18), datetime.time(22)),
    (Weekday.TUESDAY, datetime.time(18), datetime.time(22)),
    (Weekday.WEDNESDAY, datetime.time(18), datetime.time(22)),
    (Weekday.THURSDAY, datetime.time(18), datetime.time(22)),
    (Weekday.SUNDAY, datetime.time(18), datetime.time(21)),
]

# Keyed by the demo partnership's service keys (partnership.py).
DIRECTORY = {
    "clinic": {
        "description": (
            "Samtal för unga 13–23 år som har utsatt eller utsätter en partner för våld, och för "
            "unga som har blivit utsatta. Gratis, och du behöver ingen remiss."
        ),
        "address": "Vasagatan 40, 111 20 Stockholm (2 trappor, ring på porttelefonen)",
        "opening_hours": "Måndag–torsdag 10–19, fredag 10–15",
        "contact": (
            "Ring 08-465 004 10 eller kom på drop-in tisdagar 15–18. "
            "Visa din hänvisningskod i receptionen."
        ),
    },
    "rvc": {
        "description": (
            "Stockholms stads stöd för den som utsätts för, utsätter andra för eller har sett "
            "våld i en nära relation. Stödsamtal, skydd och behandling."
        ),
        "address": "Kungsholmsgatan 20, 112 27 Stockholm",
        "opening_hours": "Vardagar 8.30–16.30",
        "contact": "Ring 08-465 004 20 och be att få tala med en socialsekreterare på RVC.",
    },
    "social-services": {
        "description": (
            "Socialtjänsten i stadsdelen där du bor: stöd till unga och familjer, också när "
            "någon i familjen eller en partner använder våld."
        ),
        "address": "Stadsdelsförvaltningen i din stadsdel (mottagningen för barn och unga)",
        "opening_hours": "Vardagar 8–16. Akut på kvällar och helger: socialjouren",
        "contact": (
            "Ring stadens växel 08-465 004 30 och fråga efter mottagningen för barn och unga i "
            "din stadsdel. Socialjouren: 08-465 004 31."
        ),
    },
    "youth-clinic": {
        "description": (
            "Ungdomsmottagningen för dig 13–23 år: kropp, sex, relationer och hur du mår. "
            "Du kan vara anonym."
        ),
        "address": "Götgatan 80, 118 62 Stockholm (och i flera stadsdelar)",
        "opening_hours": "Måndag–torsdag 12–18, fredag 12–15; drop-in måndag och onsdag 14–17",
        "contact": "Boka tid på 08-465 004 40 eller kom på drop-in.",
    },
}


def demo_chat_create(demo: DemoPartnership, *, hours: str = ALWAYS) -> None:
    """The chat's opening hours (none: always open, or the evenings) and its directory."""
    if hours not in CHAT_HOURS:
        raise ValueError(hours)
    # The hours belong to the installation, not to a partnership: the demo's replace them.
    OpeningHours.objects.all().delete()
    if hours == EVENINGS:
        OpeningHours.objects.bulk_create(
            OpeningHours(weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in EVENING_HOURS
        )
    for key, texts in DIRECTORY.items():
        DirectoryEntry.objects.update_or_create(service=demo.services[key], defaults=texts)
