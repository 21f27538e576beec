"""The attacks on random small data sets (hypothesis): four months of a small partnership.

Each example registers random chats (residents of two districts, genders, concerns, forms of
violence, ages, referral codes), support-centre cases and clinic clients over January-April
2022, then reads every run of whole months from the command as a reader would. Months with a
single resident chat, cells of 1 to 4 and empty months come up often here, unlike in the demo.

Examples are generated from a fixed seed (`derandomize`) without the example database, so a
run is reproducible, and not shrunk (a failure is reported as generated).
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from samverkan.conftest import local
from samverkan.partnership.models import District
from samverkan.records import services
from samverkan.referrals.models import Referral
from samverkan.statistics.tests.adversary.attacker import (
    build_model,
    feasible_intervals,
    known_counts,
    lone_records,
    month_period,
    months_between,
    runs_of_months,
    violated,
)
from samverkan.statistics.tests.adversary.common import describe_intervals
from samverkan.statistics.tests.adversary.consistency import not_sums_of_months
from samverkan.statistics.tests.adversary.readers import read_command
from samverkan.statistics.tests.adversary.truth import month_cells, small_cells

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
D = datetime.date
MONTHS = months_between(D(2022, 1, 1), D(2022, 4, 30))
LATER = D(2022, 5, 1)

days = st.dates(D(2022, 1, 1), D(2022, 4, 30))
genders = st.sampled_from(["girl", "boy", "other", "unknown"])
chats = st.lists(
    st.fixed_dictionaries(
        {
            "day": days,
            "concern": st.sampled_from(["victim", "perpetrator", "friend", "other"]),
            "resident": st.sampled_from(["yes", "yes", "no"]),
            "gender": genders,
            "district": st.sampled_from(["north", "south", None]),
            "age": st.none() | st.integers(12, 25),
            "violence": st.lists(
                st.sampled_from(["physical", "digital", "sexual"]), max_size=2, unique=True
            ),
            "code": st.none() | st.booleans(),  # a referral code; arrived or not
        }
    ),
    min_size=8,
    max_size=30,
)
cases = st.lists(
    st.fixed_dictionaries(
        {
            "day": days,
            "gender": genders,
            "age": st.none() | st.integers(12, 25),
            "category": st.sampled_from(["victim", "witness", "relative"]),
            "answer": st.none() | st.sampled_from(["none", "victim", "perpetrator", "both"]),
        }
    ),
    min_size=2,
    max_size=15,
)
clinic_clients = st.lists(
    st.fixed_dictionaries(
        {
            "sessions": st.lists(days, min_size=1, max_size=3, unique=True).map(sorted),
            "gender": genders,
            "concern": st.sampled_from(["victim", "perpetrator"]),
            "resident": st.sampled_from(["yes", "no"]),
        }
    ),
    max_size=4,
)
examples = hypothesis_settings(
    max_examples=5,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _build(small, chats, cases, clinic_clients, start=0):  # noqa: ANN001, ANN202
    districts = {
        "north": small.district,
        "south": District.objects.get_or_create(
            partnership=small.partnership, key="south", defaults={"name": "South"}
        )[0],
        None: None,
    }
    for i, c in enumerate(chats, start=start):
        conversation = services.chat_conversation_create(
            unit=small.chat,
            started_at=local(c["day"].year, c["day"].month, c["day"].day, 19),
            concern=c["concern"],
            resident=c["resident"],
            gender=c["gender"],
            age=c["age"],
            district=districts[c["district"]],
            violence=c["violence"],
        )
        if c["code"] is not None:
            issued = local(c["day"].year, c["day"].month, c["day"].day, 20)
            Referral.objects.create(
                code=f"R{i:07d}",
                destination=small.clinic_service,
                issuing_unit=small.chat,
                issued_at=issued,
                expires_at=issued + datetime.timedelta(days=90),
                conversation=conversation,
                arrived_at=issued + datetime.timedelta(hours=3) if c["code"] else None,
                arrival_unit=small.clinic if c["code"] else None,
            )
    for c in cases:
        services.support_centre_case_create(
            unit=small.support_centre,
            received_on=c["day"],
            gender=c["gender"],
            age=c["age"],
            category=c["category"],
            screened=c["answer"] is not None,
            screening_answer=c["answer"],
        )
    for i, c in enumerate(clinic_clients, start=start):
        client = services.clinic_client_create(
            unit=small.clinic,
            ref=f"c{i}",
            first_visit=c["sessions"][0],
            gender=c["gender"],
            concern=c["concern"],
            resident=c["resident"],
        )
        for day in c["sessions"]:
            services.clinic_session_add(client=client, date=day)


def _runs():  # noqa: ANN202
    return {p: read_command(p, "p") for p in runs_of_months(MONTHS)}


@examples
@given(chats=chats, cases=cases, clinic_clients=clinic_clients)
def test_random_data_publish_no_small_count_and_only_whole_months(
    small, threshold, chats, cases, clinic_clients
):
    with transaction.atomic():
        _build(small, chats, cases, clinic_clients)
        runs = _runs()
        assert not [p for p, r in runs.items() if r.refused]
        published_small = [
            (p, path, value)
            for p, r in runs.items()
            for path, value in r.counts().items()
            if value is not None and 0 < value < threshold
        ]
        assert published_small == []
        days = read_command((D(2022, 2, 3), D(2022, 3, 10)), "p")
        assert days.refused and days.status == 2, "3 February - 10 March answered in public"
        transaction.set_rollback(True)


@examples
@given(chats=chats, cases=cases, clinic_clients=clinic_clients)
def test_random_data_hold_against_the_ilp_attacker(
    small, threshold, knowledge, chats, cases, clinic_clients
):
    with transaction.atomic():
        _build(small, chats, cases, clinic_clients)
        readings = list(_runs().values())
        model = build_model(readings, MONTHS, knowledge)
        truth = month_cells(small.partnership, MONTHS)
        assert violated(model, truth) == []
        targets = {c: n for c, n in small_cells(truth, threshold).items() if c in model.cells}
        intervals = feasible_intervals(model, targets)
        pinned = [i for i in intervals if i.exact]
        narrow = [i for i in intervals if not i.exact and i.width < threshold - 2]
        assert (pinned, narrow) == ([], []), (
            f"{len(targets)} month cells from 1 to {threshold - 1}: {len(pinned)} pinned, "
            f"{len(narrow)} more narrower than {threshold - 2}:\n"
            + describe_intervals(pinned + narrow, limit=12)
        )
        # Lone records: a month with one resident chat must not be isolated and described.
        lone_months = {
            month_period(m)
            for (path, m), n in truth.items()
            if path == "chat.residents.conversations" and n == 1
        }
        named = [
            r for r in lone_records(known_counts(readings)) if r.named and r.period in lone_months
        ]
        assert named == []
        transaction.set_rollback(True)


@examples
@given(chats=chats, cases=cases, clinic_clients=clinic_clients, later=chats)
def test_random_data_every_output_stays_consistent_with_earlier_releases(
    small, threshold, chats, cases, clinic_clients, later
):
    with transaction.atomic():
        _build(small, chats, cases, clinic_clients)
        first = _runs()
        # Asked again, in another order: the same figures.
        again = {p: read_command(p, "p") for p in reversed(list(first))}
        assert {p: r.values for p, r in again.items()} == {p: r.values for p, r in first.items()}
        # A period is the sum of its months.
        months = {month_period(m): first[month_period(m)] for m in MONTHS}
        wrong = not_sums_of_months(first, months, threshold)
        assert wrong == [], "\n".join(wrong[:12])
        # Records of a later month change nothing released before it.
        _build(
            small,
            [{**c, "day": LATER + datetime.timedelta(days=c["day"].day)} for c in later],
            [],
            [],
            start=len(chats),
        )
        after = _runs()
        assert {p: r.values for p, r in after.items()} == {p: r.values for p, r in first.items()}
        transaction.set_rollback(True)
