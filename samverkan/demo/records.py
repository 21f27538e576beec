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
from typing import TypeVar

from django.db import transaction

from samverkan.demo import distributions as dist
from samverkan.demo.distributions import (
    BOY,
    FIRST_DAY,
    FRIEND,
    GIRL,
    LAST_DAY,
    PERPETRATOR,
    REPORT_FROM,
    REPORT_TO,
    SC,
    STOCKHOLM,
    VICTIM,
)
from samverkan.demo.drawing import days_between, expand, months_between, nudge_ages
from samverkan.demo.partnership import DemoPartnership
from samverkan.partnership.models import District, Service
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
    Closure,
    Resident,
    ScreeningAnswer,
    SupportCentreCase,
)
from samverkan.records.services import (
    chat_conversations_bulk_create,
    support_centre_cases_bulk_create,
)

K = TypeVar("K", bound=Hashable)


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
        self.districts: list[District] = [demo.districts[key] for key in dist.DISTRICT_WEIGHTS]
        self.district_weights = list(dist.DISTRICT_WEIGHTS.values())
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
            days_between(REPORT_FROM, REPORT_TO),
            lambda day: dist.CHAT_WEEKDAY[day.weekday()] * dist.CHAT_SEASON[day.month],
            dist.CHAT_REPORT_CONVERSATIONS,
        )
        for year, month in months_between(FIRST_DAY, LAST_DAY):
            first = date(year, month, 1)
            if REPORT_FROM <= first <= REPORT_TO:
                continue
            expected = (
                dist.CHAT_BASE[year]
                * dist.CHAT_SEASON[month]
                * dist.CHAT_CAMPAIGN.get((year, month), 1.0)
            )
            total = round(expected * self.rng.uniform(0.9, 1.1))
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            days += self.spread(days_between(first, last), self.chat_day_weight, total)
        return days

    @staticmethod
    def chat_day_weight(day: date) -> float:
        # Fewer volunteers and fewer visitors in the Christmas weeks.
        christmas = 0.5 if day.month == 12 and day.day >= 20 else 1.0
        return dist.CHAT_WEEKDAY[day.weekday()] * christmas

    def chat_started_at(self, day: date) -> datetime:
        evening = 1.25 if day.weekday() in dist.SCHOOL_NIGHTS else 0.8
        weights = [w * (evening if hour >= 18 else 1.0) for hour, w in enumerate(dist.CHAT_HOURS)]
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
        if self.rng.random() >= dist.CHAT_AGE_GIVEN[gender]:
            return None
        return self.pick(dist.CHAT_AGES)

    def chat_concern(self, gender: str, year: int) -> str:
        weights = dict(dist.CHAT_CONCERNS[gender])
        if year == 2021:
            weights[PERPETRATOR] *= 0.5
        return self.pick(weights)

    def chat_conversation(
        self, day: date, *, resident: str, gender: str, concern: str, age: int | None
    ) -> ChatConversation:
        district = None
        if resident == Resident.YES and self.rng.random() < dist.CHAT_DISTRICT_GIVEN:
            district = self.rng.choices(self.districts, weights=self.district_weights)[0]
        forms = (
            dict(dist.CHAT_VIOLENCE.get(concern, dist.CHAT_VIOLENCE[VICTIM]))
            | dist.CHAT_VIOLENCE_RARE
        )
        scale = dist.CHAT_VIOLENCE_SCALE[concern]
        violence = {form: self.rng.random() < p * scale for form, p in forms.items()}
        if concern == FRIEND:
            referrals = dist.CHAT_REFERRALS_FRIEND
        else:
            referrals = dist.CHAT_REFERRALS.get((day.year, concern), {"": 1.0})
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
            (Resident.YES, gender, concern)
            for gender, concern in expand(dist.CHAT_REPORT_RESIDENTS)
        ]
        while len(kinds) < len(report_days):
            gender = self.pick(dist.CHAT_GENDERS)
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
        for gender, target in dist.CHAT_REPORT_MEAN_AGE.items():
            nudge_ages(
                self.rng,
                [c for c in residents if c.gender == gender],
                target,
                lambda _record: dist.CHAT_AGE_RANGE,
            )

        others = []
        for day in other_days:
            gender = self.pick(dist.CHAT_GENDERS)
            others.append(
                self.chat_conversation(
                    day,
                    resident=self.pick(dist.CHAT_RESIDENT),
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
        return dist.SUPPORT_WEEKDAY[day.weekday()] * christmas

    def support_days(self) -> list[date]:
        days = self.spread(
            days_between(REPORT_FROM, REPORT_TO),
            lambda day: dist.SUPPORT_WEEKDAY[day.weekday()] * dist.SUPPORT_SEASON[day.month],
            sum(dist.SUPPORT_REPORT_CASES.values()),
        )
        for year, month in months_between(FIRST_DAY, LAST_DAY):
            first = date(year, month, 1)
            if REPORT_FROM <= first <= REPORT_TO:
                continue
            total = round(
                dist.SUPPORT_BASE[year] * dist.SUPPORT_SEASON[month] * self.rng.uniform(0.92, 1.08)
            )
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            days += self.spread(days_between(first, last), self.support_day_weight, total)
        return days

    def support_screening(
        self, day: date, category: str, *, may_disclose: bool
    ) -> tuple[bool, str | None]:
        p = dist.SUPPORT_SCREENED_2022[category] if day.year >= 2022 else dist.SUPPORT_SCREENED_2021
        if self.rng.random() >= p:
            return False, None
        answers = {ScreeningAnswer.NONE: 0.84, ScreeningAnswer.DECLINED: 0.11, "": 0.01}
        if category in dist.SUSPECTS:
            answers[ScreeningAnswer.PERPETRATOR] = 0.04
        if may_disclose:
            answers[ScreeningAnswer.VICTIM] = 0.03 if category in (SC.VICTIM, SC.WITNESS) else 0.01
            if category in dist.SUSPECTS:
                answers[ScreeningAnswer.BOTH] = 0.01
        return True, self.pick(answers) or None

    def support_referral(self, category: str, answer: str | None) -> Service | None:
        if answer in (ScreeningAnswer.VICTIM, ScreeningAnswer.BOTH):
            return self.referral({"": 0.2, "clinic": 0.4, "social-services": 0.3, "rvc": 0.1})
        if answer == ScreeningAnswer.PERPETRATOR:
            return self.referral({"": 0.4, "clinic": 0.35, "rvc": 0.25})
        if category in dist.SUSPECTS:
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
            ages = dist.SUPPORT_AGES_BOY if gender == BOY else dist.SUPPORT_AGES
            age = self.pick(ages.get(category, dist.SUPPORT_AGES[category]))
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

        table = Counter(dist.SUPPORT_REPORT_CASES)
        for category, gender, _age, _answer in dist.SUPPORT_REPORT_PARTNER_VIOLENCE:
            table[(category, gender)] -= 1
        kinds: list[tuple] = [(category, gender, None, None) for category, gender in expand(table)]
        kinds += dist.SUPPORT_REPORT_PARTNER_VIOLENCE
        self.rng.shuffle(kinds)
        report = [
            self.support_case(day, category, gender, age=age, answer=answer)
            for day, (category, gender, age, answer) in zip(report_days, kinds, strict=True)
        ]
        # The partner-violence cases keep their ages (the youngest must stay 13).
        disclosed = (ScreeningAnswer.VICTIM, ScreeningAnswer.BOTH)
        for gender, target in dist.SUPPORT_REPORT_MEAN_AGE.items():
            in_gender = [c for c in report if c.gender == gender and c.age is not None]
            fixed = [c for c in in_gender if c.screening_answer in disclosed]
            movable = [c for c in in_gender if c.screening_answer not in disclosed]
            # Aim the movable cases so that the mean over all of the gender hits the target.
            fixed_sum = sum(c.age for c in fixed)
            movable_target = (target * len(in_gender) - fixed_sum) / len(movable)
            nudge_ages(
                self.rng,
                movable,
                movable_target,
                lambda case: dist.SUPPORT_AGE_RANGE[case.category],
            )

        others = []
        for day in other_days:
            category = self.pick(dist.SUPPORT_CATEGORIES)
            others.append(
                self.support_case(day, category, self.pick(dist.SUPPORT_GENDERS[category]))
            )
        return report + others

    # --- Clinic -----------------------------------------------------------------------------------

    @staticmethod
    def clinic_closed(day: date) -> bool:
        return any(first <= day <= last for first, last in dist.CLINIC_BREAKS)

    def clinic_start(self, first: date, last: date) -> date:
        while True:
            day = first + timedelta(days=self.rng.randrange((last - first).days + 1))
            if day.weekday() < 5 and day not in dist.HOLIDAYS and not self.clinic_closed(day):
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
                while session.weekday() >= 5 or session in dist.HOLIDAYS:
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
            age=self.pick(dist.CLINIC_AGES),
            came_via=self.pick(dist.CLINIC_CAME_VIA[concern]),
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
        for gender, concern in dist.CLINIC_REPORT_RESIDENTS:
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
        for gender, concern, resident in dist.CLINIC_REPORT_OTHERS:
            plans.append(self.clinic_plan(gender, concern, resident, report_window, in_report))
        # 2021, before the report period: every series over before Christmas.
        for _ in range(12):
            gender, concern = self.pick(dist.CLINIC_KINDS)
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
            gender, concern = self.pick(dist.CLINIC_KINDS)
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
