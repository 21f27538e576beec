"""No public figure is a count from 1 to threshold-1, over randomly generated small data sets.

Three ways out, each at the public level: the engine's result, the dashboard page a steering
member sees (key figures, the year before, the chart tables) and a committee document (every
count its writer put in a sentence or table, and its charts' numbers). Hidden counts are None
(".." on the page); zeros and counts from the threshold up are published.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from samverkan.accounts.models import Role, User
from samverkan.conftest import local, sign_in
from samverkan.dashboard.overview import Period
from samverkan.records import services
from samverkan.referrals.models import Referral
from samverkan.reports.content import ChartBlock, build_document
from samverkan.reports.models import Report
from samverkan.statistics.engine import PUBLIC, statistics_compute

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR = Period(D(2022, 1, 1), D(2022, 12, 31))
# Statistics, not counts: means, extremes and medians are protected by their base instead.
NOT_COUNTS = ("mean_age", "youngest_age", "median_days", "schema_version", "threshold")

days = st.dates(D(2021, 1, 1), D(2022, 12, 31))
genders = st.sampled_from(["girl", "boy", "other", "unknown"])
chats = st.lists(
    st.fixed_dictionaries(
        {
            "day": days,
            "concern": st.sampled_from(["victim", "perpetrator", "friend", "other"]),
            "resident": st.sampled_from(["yes", "no"]),
            "gender": genders,
            "age": st.none() | st.integers(12, 25),
            "violence": st.lists(st.sampled_from(["physical", "digital", "sexual"]), max_size=2),
            "referred": st.booleans(),
            "code": st.none() | st.booleans(),  # a referral code; arrived or not
        }
    ),
    max_size=14,
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
    max_size=10,
)
clinic_clients = st.lists(
    st.fixed_dictionaries(
        {
            "sessions": st.lists(days, min_size=1, max_size=3, unique=True).map(sorted),
            "gender": genders,
            "concern": st.sampled_from(["victim", "perpetrator"]),
            "resident": st.sampled_from(["yes", "no"]),
            "came_via": st.none() | st.sampled_from(["chat", "self"]),
        }
    ),
    max_size=6,
)


def _build(small, chats, cases, clinic_clients):
    for i, c in enumerate(chats):
        conversation = services.chat_conversation_create(
            unit=small.chat,
            started_at=local(c["day"].year, c["day"].month, c["day"].day, 19),
            concern=c["concern"],
            resident=c["resident"],
            gender=c["gender"],
            age=c["age"],
            violence=c["violence"],
            referred_to=small.clinic_service if c["referred"] else None,
        )
        if c["code"] is not None:
            issued = local(c["day"].year, c["day"].month, c["day"].day, 20)
            Referral.objects.create(
                code=f"P{i:07d}",
                destination=small.clinic_service,
                issuing_unit=small.chat,
                issued_at=issued,
                expires_at=issued + datetime.timedelta(days=90),
                conversation=conversation,
                arrived_at=issued + datetime.timedelta(days=3) if c["code"] else None,
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
    for i, c in enumerate(clinic_clients):
        client = services.clinic_client_create(
            unit=small.clinic,
            ref=f"k{i}",
            first_visit=c["sessions"][0],
            gender=c["gender"],
            concern=c["concern"],
            resident=c["resident"],
            came_via=c["came_via"],
        )
        for day in c["sessions"]:
            services.clinic_session_add(client=client, date=day)


def _counts(tree, path=""):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _counts(value, f"{path}.{key}" if path else key)
    elif (
        isinstance(tree, int)
        and not isinstance(tree, bool)
        and not any(word in path for word in NOT_COUNTS)
    ):
        yield path, tree


def _small_ones(values):
    low = settings.SAMVERKAN_DISCLOSURE_THRESHOLD
    return [(where, value) for where, value in values if value is not None and 0 < value < low]


def _page_numbers(html):
    """The key figures (this period and a year earlier) and every chart table's cells."""
    numbers = []
    for path, now, before in re.findall(
        r'data-figure="([^"]+)">([^<]*)</td>\s*<td class="number">([^<]*)</td>', html
    ):
        numbers += [(path, now), (f"{path} a year earlier", before)]
    for chart in re.findall(r'<section class="chart".*?</section>', html, re.S):
        numbers += [
            ("chart", cell) for cell in re.findall(r'<td class="number">([^<]*)</td>', chart)
        ]
    return [
        (where, int(re.sub(r"\D", "", text))) for where, text in numbers if text.strip() != ".."
    ]


@pytest.fixture
def steering(department):
    return User.objects.create_user(
        "steering", password="x" * 16, role=Role.STEERING_MEMBER, unit=department
    )


@hypothesis_settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chats=chats, cases=cases, clinic_clients=clinic_clients)
def test_public_figures_never_hold_a_count_below_the_threshold(
    client, small, steering, chats, cases, clinic_clients
):
    with transaction.atomic():
        _build(small, chats, cases, clinic_clients)

        stats = statistics_compute(
            partnership=small.partnership, date_from=YEAR.date_from, date_to=YEAR.date_to
        )
        assert stats["disclosure"]["level"] == PUBLIC
        assert _small_ones(_counts(stats)) == []

        sign_in(client, steering)
        response = client.get(
            reverse("dashboard:overview"),
            {"date_from": YEAR.date_from.isoformat(), "date_to": YEAR.date_to.isoformat()},
        )
        assert response.status_code == 200
        numbers = _page_numbers(response.content.decode())
        assert _small_ones(numbers) == []

        document = build_document(
            partnership=small.partnership,
            kind=Report.Kind.ANNUAL,
            period=YEAR,
            reference="Dnr 1",
            document_date=D(2023, 2, 1),
            drafts={},
            disclosure=PUBLIC,
        )
        written = [
            (p, v) for p, v in document.writer.written if not any(w in p for w in NOT_COUNTS)
        ]
        charted = [
            (block.chart.title, value)
            for section in document.sections
            for block in section.blocks
            if isinstance(block, ChartBlock)
            for _category, values in block.chart.rows()
            for value in values
        ]
        assert written
        assert _small_ones(written) == []
        assert _small_ones(charted) == []
        transaction.set_rollback(True)
