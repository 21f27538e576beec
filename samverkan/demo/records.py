"""Synthetic anonymous records for the demo partnership, 2021-01-01 to 2022-12-31.

Nothing here describes a real person: every record is drawn from made-up distributions. The
period of the interim report, January-May 2022, is built so that the statistics engine gives
exactly the figures of the source document (Dnr 1.3.2-266/2022), which makes the demo an
acceptance test of the whole chain from records to a committee report. The other months are free
but follow the same rhythms, so 2021 can serve as the comparison year the document asks for.

Exactness does not depend on luck: for the report period the attribute combinations are listed
with their exact multiplicities, shuffled, and only then given days, times and ages; the ages are
then nudged one year at a time until each group's mean hits its target. The random generator is
`random.Random(seed)`, so a seed always gives the same records.
"""

import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import transaction

from samverkan.demo.partnership import DemoPartnership
from samverkan.partnership.models import District, Service
from samverkan.records.models import (
    CameVia,
    ChatConcern,
    ChatConversation,
    ClinicClient,
    ClinicConcern,
    ClinicSession,
    Closure,
    Gender,
    Resident,
    ScreeningAnswer,
    SupportCategory,
    SupportCentreCase,
)
from samverkan.records.services import (
    chat_conversations_bulk_create,
    support_centre_cases_bulk_create,
)

K = TypeVar("K", bound=Hashable)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_DAY = date(2021, 1, 1)
LAST_DAY = date(2022, 12, 31)
REPORT_FROM = date(2022, 1, 1)
REPORT_TO = date(2022, 5, 31)

GIRL, BOY, OTHER, UNKNOWN = Gender.GIRL, Gender.BOY, Gender.OTHER, Gender.UNKNOWN
VICTIM, PERPETRATOR = ChatConcern.VICTIM, ChatConcern.PERPETRATOR
FRIEND, OTHER_CONCERN = ChatConcern.FRIEND, ChatConcern.OTHER

# --- Figures of the source document (January-May 2022) -------------------------------------------

CHAT_REPORT_CONVERSATIONS = 612
# Residents' conversations by (gender, concern): 228 in all, 151 girls, 35 boys, 152 about being
# subjected to violence and 13 about using it. The document gives only the margins; this joint
# table is one believable way to fill them. "Övriga uppgav inte sådan information": the other 42
# gave no gender (none is made "another gender identity", which the document does not say).
CHAT_REPORT_RESIDENTS = {
    (GIRL, VICTIM): 118,
    (GIRL, PERPETRATOR): 2,
    (GIRL, FRIEND): 22,
    (GIRL, OTHER_CONCERN): 9,
    (BOY, VICTIM): 12,
    (BOY, PERPETRATOR): 9,
    (BOY, FRIEND): 9,
    (BOY, OTHER_CONCERN): 5,
    (UNKNOWN, VICTIM): 22,
    (UNKNOWN, PERPETRATOR): 2,
    (UNKNOWN, FRIEND): 11,
    (UNKNOWN, OTHER_CONCERN): 7,
}
# "Drygt 17 år", for girls and boys alike.
CHAT_REPORT_MEAN_AGE = {GIRL: 17.2, BOY: 17.25, UNKNOWN: 17.2}

# Support-centre cases by (category, gender): 813 in all, 389 girls, 413 boys; the document says
# nothing of the other 11's gender, so none is recorded.
SC = SupportCategory
SUPPORT_REPORT_CASES = {
    (SC.SUSPECT_INTERROGATION, GIRL): 45,
    (SC.SUSPECT_INTERROGATION, BOY): 185,
    (SC.SUSPECT_MEDIATION, GIRL): 20,
    (SC.SUSPECT_MEDIATION, BOY): 60,
    (SC.VICTIM, GIRL): 240,
    (SC.VICTIM, BOY): 125,
    (SC.VICTIM, UNKNOWN): 5,
    (SC.WITNESS, GIRL): 55,
    (SC.WITNESS, BOY): 40,
    (SC.WITNESS, UNKNOWN): 5,
    (SC.RELATIVE, GIRL): 29,
    (SC.RELATIVE, BOY): 3,
    (SC.RELATIVE, UNKNOWN): 1,
}
# "Knappt 16 år" for girls, "drygt 15 år" for boys.
SUPPORT_REPORT_MEAN_AGE = {GIRL: 15.8, BOY: 15.3}
# The ten persons subjected to violence in a close relationship, two of them boys, the youngest
# 13: (category, gender, age, answer). They are part of the table above.
SUPPORT_REPORT_PARTNER_VIOLENCE = [
    (SC.VICTIM, GIRL, 13, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 15, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 16, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 16, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 17, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 17, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 18, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 19, ScreeningAnswer.VICTIM),
    (SC.VICTIM, BOY, 16, ScreeningAnswer.VICTIM),
    (SC.SUSPECT_INTERROGATION, BOY, 17, ScreeningAnswer.BOTH),
]

# Clinic clients with a session in the period: 21, of whom 16 residents (12 girls subjected to
# violence, 4 boys using it), all of whose series are ongoing at the end of May.
CLINIC_REPORT_RESIDENTS = [(GIRL, ClinicConcern.VICTIM)] * 12 + [
    (BOY, ClinicConcern.PERPETRATOR)
] * 4
CLINIC_REPORT_OTHERS = [
    (GIRL, ClinicConcern.VICTIM, Resident.NO),
    (GIRL, ClinicConcern.VICTIM, Resident.UNKNOWN),
    (BOY, ClinicConcern.PERPETRATOR, Resident.NO),
    (BOY, ClinicConcern.PERPETRATOR, Resident.UNKNOWN),
    (GIRL, ClinicConcern.VICTIM, Resident.NO),
]

# --- Rhythms ------------------------------------------------------------------------------------

# Monthly volume relative to an ordinary month: summer holidays empty the chat in July, and
# Christmas weeks are quiet for every service.
CHAT_SEASON = {1: 1.0, 2: 1.05, 3: 1.05, 4: 0.95, 5: 1.0, 6: 0.85, 7: 0.5, 8: 0.8, 9: 1.05}
CHAT_SEASON |= {10: 1.1, 11: 1.1, 12: 0.8}
SUPPORT_SEASON = {1: 1.0, 2: 1.05, 3: 1.1, 4: 1.0, 5: 1.05, 6: 0.9, 7: 0.6, 8: 0.85, 9: 1.1}
SUPPORT_SEASON |= {10: 1.1, 11: 1.05, 12: 0.8}
# Conversations a month in an ordinary month: the chat grew in 2022 with the partnership.
CHAT_BASE = {2021: 108, 2022: 128}
SUPPORT_BASE = {2021: 158, 2022: 165}
# The autumn 2022 information campaign named in the document brings more visitors.
CHAT_CAMPAIGN = {(2022, 9): 1.15, (2022, 10): 1.25, (2022, 11): 1.2}

# Monday=0 .. Sunday=6. Young people chat on school nights; Friday and Saturday are spent out.
CHAT_WEEKDAY = [1.05, 1.05, 1.0, 1.0, 0.8, 0.75, 1.15]
# Cases come from police reports, registered on office days.
SUPPORT_WEEKDAY = [1.2, 1.1, 1.1, 1.1, 1.0, 0.12, 0.08]
# Hour of the day in Stockholm: evenings after school and homework, few at night.
CHAT_HOURS = [3, 2, 1, 0.5, 0.3, 0.3, 0.5, 1, 1.5, 2, 2.5, 3]
CHAT_HOURS += [3.5, 4, 4.5, 5.5, 6.5, 7.5, 10, 12, 13, 13, 10, 6]
SCHOOL_NIGHTS = {6, 0, 1, 2, 3}  # Sunday to Thursday evenings

CHAT_AGES = {13: 4, 14: 8, 15: 12, 16: 16, 17: 17, 18: 14, 19: 10, 20: 7, 21: 5, 22: 3, 23: 2}
CHAT_AGE_RANGE = (13, 23)
CHAT_GENDERS = {GIRL: 0.64, BOY: 0.15, OTHER: 0.03, UNKNOWN: 0.18}
CHAT_RESIDENT = {Resident.YES: 0.37, Resident.NO: 0.23, Resident.UNKNOWN: 0.40}
# Concern by gender; the perpetrator weight is halved in 2021, before the partnership worked to
# reach young people who use violence.
CHAT_CONCERNS = {
    GIRL: {VICTIM: 0.70, PERPETRATOR: 0.02, FRIEND: 0.18, OTHER_CONCERN: 0.10},
    BOY: {VICTIM: 0.35, PERPETRATOR: 0.25, FRIEND: 0.25, OTHER_CONCERN: 0.15},
    OTHER: {VICTIM: 0.60, PERPETRATOR: 0.05, FRIEND: 0.20, OTHER_CONCERN: 0.15},
    UNKNOWN: {VICTIM: 0.50, PERPETRATOR: 0.06, FRIEND: 0.28, OTHER_CONCERN: 0.16},
}
# Chance that a visitor says how old they are: those who keep their gender to themselves often
# keep their age too.
CHAT_AGE_GIVEN = {GIRL: 0.95, BOY: 0.95, OTHER: 0.9, UNKNOWN: 0.6}
# Probability of each form of violence being named, by concern.
CHAT_VIOLENCE = {
    VICTIM: {"psychological": 0.75, "physical": 0.38, "sexual": 0.22, "digital": 0.2},
    PERPETRATOR: {"psychological": 0.7, "physical": 0.55, "sexual": 0.08, "digital": 0.15},
}
CHAT_VIOLENCE_RARE = {"economic": 0.03, "other": 0.04}
CHAT_VIOLENCE_SCALE = {VICTIM: 1.0, PERPETRATOR: 1.0, FRIEND: 0.6, OTHER_CONCERN: 0.2}
# Residents who name their district; the rest keep it to themselves.
CHAT_DISTRICT_GIVEN = 0.65
# Rough population weights of the districts.
DISTRICT_WEIGHTS = {
    "rinkeby-kista": 1.0,
    "spanga-tensta": 0.8,
    "hasselby-vallingby": 1.4,
    "bromma": 1.5,
    "kungsholmen": 1.2,
    "norrmalm": 1.1,
    "ostermalm": 1.2,
    "sodermalm": 1.9,
    "enskede-arsta-vantor": 1.7,
    "skarpnack": 0.9,
    "farsta": 1.1,
    "hagersten-alvsjo": 1.6,
    "skarholmen": 0.7,
}
# Where the chat refers, by concern ("" = no referral): motivating perpetrators to seek support
# is the foundation's commitment, and it grew with the partnership.
CHAT_REFERRALS = {
    (2021, PERPETRATOR): {"": 0.6, "clinic": 0.28, "rvc": 0.1, "social-services": 0.02},
    (2022, PERPETRATOR): {"": 0.3, "clinic": 0.45, "rvc": 0.2, "social-services": 0.05},
    (2021, VICTIM): {"": 0.88, "youth-clinic": 0.06, "social-services": 0.04, "clinic": 0.02},
    (2022, VICTIM): {"": 0.85, "youth-clinic": 0.06, "social-services": 0.04, "clinic": 0.05},
}
CHAT_REFERRALS_FRIEND = {"": 0.97, "social-services": 0.02, "youth-clinic": 0.01}

SUPPORT_CATEGORIES = {
    SC.VICTIM: 0.45,
    SC.WITNESS: 0.12,
    SC.RELATIVE: 0.04,
    SC.SUSPECT_MEDIATION: 0.10,
    SC.SUSPECT_INTERROGATION: 0.29,
}
SUPPORT_GENDERS = {
    SC.VICTIM: {GIRL: 0.64, BOY: 0.34, OTHER: 0.01, UNKNOWN: 0.01},
    SC.WITNESS: {GIRL: 0.55, BOY: 0.42, OTHER: 0.01, UNKNOWN: 0.02},
    # Relatives here are young relatives (siblings, partners) with a case of their own.
    SC.RELATIVE: {GIRL: 0.7, BOY: 0.28, UNKNOWN: 0.02},
    SC.SUSPECT_MEDIATION: {GIRL: 0.25, BOY: 0.74, UNKNOWN: 0.01},
    SC.SUSPECT_INTERROGATION: {GIRL: 0.2, BOY: 0.79, UNKNOWN: 0.01},
}
# Ages by category, within each target group: victims and witnesses 10-21, suspects in
# mediation 12-21, suspects at interrogation under 18. Boys who are victims or witnesses are
# younger than girls (robbery among early teens), girls are more often older victims of sexual and
# partner violence: that is what puts girls just under 16 and boys just over 15.
_GIRL_VICTIM_AGES = {10: 1, 11: 2, 12: 4, 13: 8, 14: 12, 15: 15, 16: 15, 17: 13, 18: 9, 19: 6}
_GIRL_VICTIM_AGES |= {20: 4, 21: 3}
_BOY_VICTIM_AGES = {10: 2, 11: 3, 12: 6, 13: 10, 14: 14, 15: 15, 16: 14, 17: 11, 18: 7, 19: 4}
_BOY_VICTIM_AGES |= {20: 3, 21: 2}
_MEDIATION_AGES = {12: 3, 13: 7, 14: 13, 15: 16, 16: 15, 17: 12, 18: 7, 19: 4, 20: 2, 21: 2}
SUPPORT_AGES = {
    SC.VICTIM: _GIRL_VICTIM_AGES,
    SC.WITNESS: _GIRL_VICTIM_AGES,
    SC.RELATIVE: {12: 3, 13: 6, 14: 10, 15: 12, 16: 12, 17: 10, 18: 7, 19: 5, 20: 3, 21: 2},
    SC.SUSPECT_MEDIATION: _MEDIATION_AGES,
    SC.SUSPECT_INTERROGATION: {12: 3, 13: 8, 14: 15, 15: 22, 16: 24, 17: 18},
}
SUPPORT_AGES_BOY = {SC.VICTIM: _BOY_VICTIM_AGES, SC.WITNESS: _BOY_VICTIM_AGES}
SUPPORT_AGE_RANGE = {
    SC.VICTIM: (10, 21),
    SC.WITNESS: (10, 21),
    SC.RELATIVE: (12, 21),
    SC.SUSPECT_MEDIATION: (12, 21),
    SC.SUSPECT_INTERROGATION: (12, 17),
}
# The routine question became part of the social conversation after an interrogation in 2022 and
# is asked of many victims since; before that it was asked now and then.
SUPPORT_SCREENED_2022 = {
    SC.SUSPECT_INTERROGATION: 0.9,
    SC.VICTIM: 0.55,
    SC.WITNESS: 0.2,
    SC.SUSPECT_MEDIATION: 0.25,
    SC.RELATIVE: 0.05,
}
SUPPORT_SCREENED_2021 = 0.03
SUSPECTS = {SC.SUSPECT_MEDIATION, SC.SUSPECT_INTERROGATION}

# The clinic's summer and Christmas breaks, and public holidays on weekdays.
CLINIC_BREAKS = [
    (date(2020, 12, 23), date(2021, 1, 6)),
    (date(2021, 7, 5), date(2021, 8, 6)),
    (date(2021, 12, 23), date(2022, 1, 7)),
    (date(2022, 7, 4), date(2022, 8, 5)),
    (date(2022, 12, 23), date(2023, 1, 6)),
]
HOLIDAYS = {
    date(2021, 4, 2),
    date(2021, 4, 5),
    date(2021, 5, 13),
    date(2021, 6, 25),
    date(2022, 4, 15),
    date(2022, 4, 18),
    date(2022, 5, 26),
    date(2022, 6, 6),
    date(2022, 6, 24),
}
CLINIC_CAME_VIA = {
    ClinicConcern.VICTIM: {
        CameVia.CHAT: 0.35,
        CameVia.SUPPORT_CENTRE: 0.25,
        CameVia.SELF: 0.25,
        CameVia.OTHER: 0.15,
    },
    ClinicConcern.PERPETRATOR: {
        CameVia.CHAT: 0.35,
        CameVia.YOUTH_SERVICE: 0.25,
        CameVia.SUPPORT_CENTRE: 0.15,
        CameVia.SELF: 0.15,
        CameVia.OTHER: 0.10,
    },
}
CLINIC_KINDS = {
    (GIRL, ClinicConcern.VICTIM): 0.6,
    (BOY, ClinicConcern.PERPETRATOR): 0.3,
    (BOY, ClinicConcern.VICTIM): 0.05,
    (GIRL, ClinicConcern.PERPETRATOR): 0.03,
    (OTHER, ClinicConcern.VICTIM): 0.02,
}
CLINIC_AGES = {15: 3, 16: 5, 17: 6, 18: 6, 19: 5, 20: 4, 21: 3, 22: 2}


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _months(first: date, last: date) -> list[tuple[int, int]]:
    return sorted({(day.year, day.month) for day in _days(first, last)})


def _expand(table: dict[K, int]) -> list[K]:
    """Every key as many times as its count: the exact multiset the report period must hold."""
    return [key for key, count in table.items() for _ in range(count)]


def _nudge_ages(
    rng: random.Random,
    records: Sequence[Any],
    target_mean: float,
    bounds: Callable[[Any], tuple[int, int]],
) -> None:
    """Move ages one year at a time until their sum is the target mean's, rounded.

    The sum is then within half a year of target_mean * n, so the mean is target_mean to within
    0.5 / n: exact enough to land safely inside the document's "just over" or "just under".
    """
    aged = [record for record in records if record.age is not None]
    if not aged:
        return
    gap = round(target_mean * len(aged)) - sum(record.age for record in aged)
    step = 1 if gap > 0 else -1
    while gap:
        movable = [
            record for record in aged if bounds(record)[0] <= record.age + step <= bounds(record)[1]
        ]
        if not movable:
            raise ValueError(f"cannot reach mean age {target_mean} within the age bounds")
        rng.choice(movable).age += step
        gap -= step


@dataclass
class _ClinicPlan:
    gender: str
    concern: str
    resident: str
    age: int
    came_via: str
    sessions: list[date]
    closed_on: date | None = None
    closure: str | None = None


class _Generator:
    def __init__(self, demo: DemoPartnership, seed: int) -> None:
        self.demo = demo
        self.rng = random.Random(seed)
        self.districts: list[District] = [demo.districts[key] for key in DISTRICT_WEIGHTS]
        self.district_weights = list(DISTRICT_WEIGHTS.values())
        self.services: dict[str, Service] = demo.services

    def pick(self, table: dict[K, float]) -> K:
        return self.rng.choices(list(table), weights=list(table.values()))[0]

    def spread(
        self, days: Sequence[date], weight: Callable[[date], float], total: int
    ) -> list[date]:
        """`total` days drawn with the given weights, in calendar order."""
        return sorted(self.rng.choices(days, weights=[weight(day) for day in days], k=total))

    def referral(self, table: dict[str, float]) -> Service | None:
        key = self.pick(table)
        return self.services[key] if key else None

    # --- Chat -------------------------------------------------------------------------------------

    def chat_days(self) -> list[date]:
        """The local day of every conversation: the document's number in the report period."""
        days = self.spread(
            _days(REPORT_FROM, REPORT_TO),
            lambda day: CHAT_WEEKDAY[day.weekday()] * CHAT_SEASON[day.month],
            CHAT_REPORT_CONVERSATIONS,
        )
        for year, month in _months(FIRST_DAY, LAST_DAY):
            first = date(year, month, 1)
            if REPORT_FROM <= first <= REPORT_TO:
                continue
            expected = CHAT_BASE[year] * CHAT_SEASON[month] * CHAT_CAMPAIGN.get((year, month), 1.0)
            total = round(expected * self.rng.uniform(0.9, 1.1))
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            days += self.spread(_days(first, last), self.chat_day_weight, total)
        return days

    @staticmethod
    def chat_day_weight(day: date) -> float:
        # Fewer volunteers and fewer visitors in the Christmas weeks.
        christmas = 0.5 if day.month == 12 and day.day >= 20 else 1.0
        return CHAT_WEEKDAY[day.weekday()] * christmas

    def chat_started_at(self, day: date) -> datetime:
        evening = 1.25 if day.weekday() in SCHOOL_NIGHTS else 0.8
        weights = [w * (evening if hour >= 18 else 1.0) for hour, w in enumerate(CHAT_HOURS)]
        hour = self.rng.choices(range(24), weights=weights)[0]
        moment = datetime(
            day.year,
            day.month,
            day.day,
            hour,
            self.rng.randrange(60),
            self.rng.randrange(60),
            tzinfo=STOCKHOLM,
        )
        # A time in the spring-forward gap is not a real moment; the round trip through UTC
        # makes it one (an hour later, on the same local day).
        return moment.astimezone(UTC).astimezone(STOCKHOLM)

    def chat_age(self, gender: str) -> int | None:
        if self.rng.random() >= CHAT_AGE_GIVEN[gender]:
            return None
        return self.pick(CHAT_AGES)

    def chat_concern(self, gender: str, year: int) -> str:
        weights = dict(CHAT_CONCERNS[gender])
        if year == 2021:
            weights[PERPETRATOR] *= 0.5
        return self.pick(weights)

    def chat_conversation(
        self, day: date, *, resident: str, gender: str, concern: str, age: int | None
    ) -> ChatConversation:
        district = None
        if resident == Resident.YES and self.rng.random() < CHAT_DISTRICT_GIVEN:
            district = self.rng.choices(self.districts, weights=self.district_weights)[0]
        forms = dict(CHAT_VIOLENCE.get(concern, CHAT_VIOLENCE[VICTIM])) | CHAT_VIOLENCE_RARE
        scale = CHAT_VIOLENCE_SCALE[concern]
        violence = {form: self.rng.random() < p * scale for form, p in forms.items()}
        if concern == FRIEND:
            referrals = CHAT_REFERRALS_FRIEND
        else:
            referrals = CHAT_REFERRALS.get((day.year, concern), {"": 1.0})
        return ChatConversation(
            unit=self.demo.chat,
            started_at=self.chat_started_at(day),
            resident=resident,
            district=district,
            gender=gender,
            age=age,
            concern=concern,
            referred_to=self.referral(referrals),
            **{f"violence_{form}": named for form, named in violence.items()},
        )

    def chat_conversations(self) -> list[ChatConversation]:
        days = self.chat_days()
        report_days = [day for day in days if REPORT_FROM <= day <= REPORT_TO]
        other_days = [day for day in days if not REPORT_FROM <= day <= REPORT_TO]

        # Report period: the residents' exact table, then the others (not residents, or unknown).
        kinds = [
            (Resident.YES, gender, concern) for gender, concern in _expand(CHAT_REPORT_RESIDENTS)
        ]
        while len(kinds) < len(report_days):
            gender = self.pick(CHAT_GENDERS)
            resident = self.pick({Resident.NO: 0.4, Resident.UNKNOWN: 0.6})
            kinds.append((resident, gender, self.chat_concern(gender, 2022)))
        self.rng.shuffle(kinds)
        report = [
            self.chat_conversation(
                day, resident=resident, gender=gender, concern=concern, age=self.chat_age(gender)
            )
            for day, (resident, gender, concern) in zip(report_days, kinds, strict=True)
        ]
        residents = [c for c in report if c.resident == Resident.YES]
        for gender, target in CHAT_REPORT_MEAN_AGE.items():
            _nudge_ages(
                self.rng,
                [c for c in residents if c.gender == gender],
                target,
                lambda _record: CHAT_AGE_RANGE,
            )

        others = []
        for day in other_days:
            gender = self.pick(CHAT_GENDERS)
            others.append(
                self.chat_conversation(
                    day,
                    resident=self.pick(CHAT_RESIDENT),
                    gender=gender,
                    concern=self.chat_concern(gender, day.year),
                    age=self.chat_age(gender),
                )
            )
        return report + others

    # --- Support centre ---------------------------------------------------------------------------

    @staticmethod
    def support_day_weight(day: date) -> float:
        christmas = 0.5 if day.month == 12 and day.day >= 20 else 1.0
        return SUPPORT_WEEKDAY[day.weekday()] * christmas

    def support_days(self) -> list[date]:
        days = self.spread(
            _days(REPORT_FROM, REPORT_TO),
            lambda day: SUPPORT_WEEKDAY[day.weekday()] * SUPPORT_SEASON[day.month],
            sum(SUPPORT_REPORT_CASES.values()),
        )
        for year, month in _months(FIRST_DAY, LAST_DAY):
            first = date(year, month, 1)
            if REPORT_FROM <= first <= REPORT_TO:
                continue
            total = round(SUPPORT_BASE[year] * SUPPORT_SEASON[month] * self.rng.uniform(0.92, 1.08))
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            days += self.spread(_days(first, last), self.support_day_weight, total)
        return days

    def support_screening(
        self, day: date, category: str, *, may_disclose: bool
    ) -> tuple[bool, str | None]:
        p = SUPPORT_SCREENED_2022[category] if day.year >= 2022 else SUPPORT_SCREENED_2021
        if self.rng.random() >= p:
            return False, None
        answers = {ScreeningAnswer.NONE: 0.84, ScreeningAnswer.DECLINED: 0.11, "": 0.01}
        if category in SUSPECTS:
            answers[ScreeningAnswer.PERPETRATOR] = 0.04
        if may_disclose:
            answers[ScreeningAnswer.VICTIM] = 0.03 if category in (SC.VICTIM, SC.WITNESS) else 0.01
            if category in SUSPECTS:
                answers[ScreeningAnswer.BOTH] = 0.01
        return True, self.pick(answers) or None

    def support_referral(self, category: str, answer: str | None) -> Service | None:
        if answer in (ScreeningAnswer.VICTIM, ScreeningAnswer.BOTH):
            return self.referral({"": 0.2, "clinic": 0.4, "social-services": 0.3, "rvc": 0.1})
        if answer == ScreeningAnswer.PERPETRATOR:
            return self.referral({"": 0.4, "clinic": 0.35, "rvc": 0.25})
        if category in SUSPECTS:
            return self.referral({"": 0.93, "social-services": 0.03, "clinic": 0.02, "rvc": 0.02})
        return self.referral(
            {"": 0.9, "social-services": 0.05, "youth-clinic": 0.03, "clinic": 0.02}
        )

    def support_case(
        self,
        day: date,
        category: str,
        gender: str,
        *,
        age: int | None = None,
        answer: str | None = None,
    ) -> SupportCentreCase:
        if answer is None:
            # In the report period the document's ten are the only ones who disclosed partner
            # violence; in the other months anyone asked may.
            report = REPORT_FROM <= day <= REPORT_TO
            screened, answer = self.support_screening(day, category, may_disclose=not report)
        else:
            screened = True
        if age is None and (gender in (GIRL, BOY) or self.rng.random() < 0.7):
            ages = SUPPORT_AGES_BOY if gender == BOY else SUPPORT_AGES
            age = self.pick(ages.get(category, SUPPORT_AGES[category]))
        return SupportCentreCase(
            unit=self.demo.support_centre,
            received_on=day,
            gender=gender,
            age=age,
            category=category,
            screened=screened,
            screening_answer=answer,
            referred_to=self.support_referral(category, answer),
        )

    def support_cases(self) -> list[SupportCentreCase]:
        days = self.support_days()
        report_days = [day for day in days if REPORT_FROM <= day <= REPORT_TO]
        other_days = [day for day in days if not REPORT_FROM <= day <= REPORT_TO]

        table = Counter(SUPPORT_REPORT_CASES)
        for category, gender, _age, _answer in SUPPORT_REPORT_PARTNER_VIOLENCE:
            table[(category, gender)] -= 1
        kinds: list[tuple] = [(category, gender, None, None) for category, gender in _expand(table)]
        kinds += SUPPORT_REPORT_PARTNER_VIOLENCE
        self.rng.shuffle(kinds)
        report = [
            self.support_case(day, category, gender, age=age, answer=answer)
            for day, (category, gender, age, answer) in zip(report_days, kinds, strict=True)
        ]
        # The partner-violence cases keep their ages (the youngest must stay 13).
        disclosed = (ScreeningAnswer.VICTIM, ScreeningAnswer.BOTH)
        for gender, target in SUPPORT_REPORT_MEAN_AGE.items():
            in_gender = [c for c in report if c.gender == gender and c.age is not None]
            fixed = [c for c in in_gender if c.screening_answer in disclosed]
            movable = [c for c in in_gender if c.screening_answer not in disclosed]
            # Aim the movable cases so that the mean over all of the gender hits the target.
            fixed_sum = sum(c.age for c in fixed)
            movable_target = (target * len(in_gender) - fixed_sum) / len(movable)
            _nudge_ages(
                self.rng,
                movable,
                movable_target,
                lambda case: SUPPORT_AGE_RANGE[case.category],
            )

        others = []
        for day in other_days:
            category = self.pick(SUPPORT_CATEGORIES)
            others.append(self.support_case(day, category, self.pick(SUPPORT_GENDERS[category])))
        return report + others

    # --- Clinic -----------------------------------------------------------------------------------

    @staticmethod
    def clinic_closed(day: date) -> bool:
        return any(first <= day <= last for first, last in CLINIC_BREAKS)

    def clinic_start(self, first: date, last: date) -> date:
        while True:
            day = first + timedelta(days=self.rng.randrange((last - first).days + 1))
            if day.weekday() < 5 and day not in HOLIDAYS and not self.clinic_closed(day):
                return day

    def clinic_series(self, start: date, interval: int, count: int) -> list[date]:
        """Sessions on the start's weekday, every week or fortnight, skipping the breaks.

        A session on a public holiday moves to the next working day; none are recorded after
        the end of the demo data (the series simply goes on).
        """
        sessions: list[date] = []
        day = start
        while len(sessions) < count and day <= LAST_DAY:
            if not self.clinic_closed(day):
                session = day
                while session.weekday() >= 5 or session in HOLIDAYS:
                    session += timedelta(days=1)
                if session > LAST_DAY:
                    break
                sessions.append(session)
            day += timedelta(days=interval)
        return sessions

    def clinic_plan(
        self,
        gender: str,
        concern: str,
        resident: str,
        window: tuple[date, date],
        accept: Callable[[list[date]], bool],
    ) -> _ClinicPlan:
        """A series that `accept` approves of, e.g. one that touches the report period."""
        while True:
            interval = self.rng.choice([7, 7, 7, 14, 14])
            planned = self.rng.randint(4, 15)
            # A quarter of the series end before the planned number of sessions.
            ended_early = self.rng.random() < 0.25
            count = self.rng.randint(2, planned - 1) if ended_early else planned
            sessions = self.clinic_series(self.clinic_start(*window), interval, count)
            if accept(sessions):
                break
        plan = _ClinicPlan(
            gender=gender,
            concern=concern,
            resident=resident,
            age=self.pick(CLINIC_AGES),
            came_via=self.pick(CLINIC_CAME_VIA[concern]),
            sessions=sessions,
        )
        # A series is closed a little after its last session, if that date is already past; one
        # cut off by the end of the data is still going on.
        closed_on = sessions[-1] + timedelta(days=self.rng.randint(0, 21))
        if len(sessions) == count and closed_on <= LAST_DAY:
            plan.closed_on = closed_on
            plan.closure = Closure.ENDED_EARLY if ended_early else Closure.COMPLETED
        return plan

    def clinic_plans(self) -> list[_ClinicPlan]:
        def in_report(sessions: list[date]) -> bool:
            return any(REPORT_FROM <= day <= REPORT_TO for day in sessions)

        plans = []
        report_window = (date(2021, 10, 11), date(2022, 5, 20))
        for gender, concern in CLINIC_REPORT_RESIDENTS:
            # Ongoing at the end of May: the series goes on into June, so any closing comes after.
            plans.append(
                self.clinic_plan(
                    gender,
                    concern,
                    Resident.YES,
                    report_window,
                    lambda s: in_report(s) and s[-1] > REPORT_TO,
                )
            )
        for gender, concern, resident in CLINIC_REPORT_OTHERS:
            plans.append(self.clinic_plan(gender, concern, resident, report_window, in_report))
        # 2021, before the report period: every series over before Christmas.
        for _ in range(12):
            gender, concern = self.pick(CLINIC_KINDS)
            plans.append(
                self.clinic_plan(
                    gender,
                    concern,
                    self.pick({Resident.YES: 0.75, Resident.NO: 0.15, Resident.UNKNOWN: 0.1}),
                    (date(2021, 1, 11), date(2021, 10, 15)),
                    lambda s: s[-1] < date(2021, 12, 23),
                )
            )
        # After the report period: new series from June on.
        for _ in range(10):
            gender, concern = self.pick(CLINIC_KINDS)
            plans.append(
                self.clinic_plan(
                    gender,
                    concern,
                    self.pick({Resident.YES: 0.75, Resident.NO: 0.15, Resident.UNKNOWN: 0.1}),
                    (date(2022, 6, 7), date(2022, 11, 25)),
                    lambda s: bool(s),
                )
            )
        return sorted(plans, key=lambda plan: plan.sessions[0])


@transaction.atomic
def demo_records_create(demo: DemoPartnership, *, seed: int = 2022) -> dict[str, int]:
    """Synthetic anonymous records for 2021-01-01..2022-12-31.

    Returns how many of each kind were created.
    """
    generator = _Generator(demo, seed)

    conversations = generator.chat_conversations()
    chat_conversations_bulk_create(conversations)

    cases = generator.support_cases()
    support_centre_cases_bulk_create(cases)

    plans = generator.clinic_plans()
    per_year: Counter[int] = Counter()
    sessions: list[ClinicSession] = []
    for plan in plans:
        first_visit = plan.sessions[0]
        per_year[first_visit.year] += 1
        # The clinic's own pseudonymous reference: year of the first visit and a serial number.
        client = ClinicClient.objects.create(
            unit=demo.clinic,
            ref=f"SM-{first_visit.year}-{per_year[first_visit.year]:03d}",
            first_visit=first_visit,
            gender=plan.gender,
            age=plan.age,
            resident=plan.resident,
            concern=plan.concern,
            came_via=plan.came_via,
            closed_on=plan.closed_on,
            closure=plan.closure,
        )
        sessions += [ClinicSession(client=client, date=day) for day in plan.sessions]
    ClinicSession.objects.bulk_create(sessions)

    return {
        "chat_conversations": len(conversations),
        "support_centre_cases": len(cases),
        "clinic_clients": len(plans),
        "clinic_sessions": len(sessions),
    }
