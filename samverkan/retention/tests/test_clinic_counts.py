"""The clinic's anonymous counts give the disposed clients' figures for any period, exactly."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from samverkan.records import services
from samverkan.retention.disposal import dispose
from samverkan.statistics.engine import INTERNAL, statistics_compute

pytestmark = pytest.mark.django_db
D = datetime.date
days = st.dates(D(2018, 12, 20), D(2019, 3, 10))
clients = st.lists(
    st.fixed_dictionaries(
        {
            "sessions": st.lists(days, min_size=1, max_size=5, unique=True).map(sorted),
            "closed_after": st.none() | st.integers(0, 20),
            "gender": st.sampled_from(["girl", "boy"]),
            "concern": st.sampled_from(["victim", "perpetrator"]),
            "resident": st.sampled_from(["yes", "no"]),
            "came_via": st.none() | st.sampled_from(["chat", "self"]),
        }
    ),
    min_size=1,
    max_size=6,
)
periods = st.lists(st.tuples(days, days).map(sorted), min_size=1, max_size=6)


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(clients=clients, periods=periods)
def test_clinic_figures_of_any_period_survive_disposal(small, clients, periods):
    note(f"clients={clients!r} periods={periods!r}")
    with transaction.atomic():
        for i, c in enumerate(clients):
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
            if c["closed_after"] is not None:
                services.clinic_client_close(
                    client=client,
                    closed_on=c["sessions"][-1] + datetime.timedelta(days=c["closed_after"]),
                    closure="completed",
                )

        def clinic():
            return [
                statistics_compute(
                    partnership=small.partnership, date_from=a, date_to=b, disclosure=INTERNAL
                )["clinic"]
                for a, b in periods
            ]

        before = clinic()
        dispose(today=D(2030, 1, 1))
        assert clinic() == before
        transaction.set_rollback(True)
