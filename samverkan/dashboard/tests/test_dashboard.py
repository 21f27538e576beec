"""The dashboard: key figures against the year before, disclosure by role, charts and tables."""

import datetime

import pytest
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.conftest import local, sign_in
from samverkan.dashboard.overview import dashboard_overview
from samverkan.dashboard.periods import Period, default_period
from samverkan.records import services
from samverkan.statistics.charts import conversations_by_month, render_png, render_svg
from samverkan.statistics.engine import INTERNAL, PUBLIC

pytestmark = pytest.mark.django_db


def _chats(small, when, n, concern="victim", **extra):
    for _ in range(n):
        services.chat_conversation_create(
            unit=small.chat, started_at=when, concern=concern, **extra
        )


@pytest.fixture
def people(department):
    def user(name, role):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=department)

    return {
        "coordinator": user("coordinator", Role.COORDINATOR),
        "steering": user("steering", Role.STEERING_MEMBER),
    }


def test_figures_stand_beside_the_same_period_a_year_earlier(small):
    _chats(small, local(2022, 3, 5, 18), 7)
    _chats(small, local(2021, 3, 20, 18), 4, concern="perpetrator")
    _chats(small, local(2022, 4, 2, 18), 9)  # outside the period
    overview = dashboard_overview(
        partnership=small.partnership,
        period=Period(datetime.date(2022, 3, 1), datetime.date(2022, 3, 31)),
        disclosure=INTERNAL,
    )
    figures = {figure.path: figure for figure in overview.figures}
    assert figures["chat.conversations"].value == 7
    assert figures["chat.conversations"].previous == 4
    assert figures["chat.conversations"].change == 3
    assert figures["chat.by_concern.perpetrator"].value == 0
    assert figures["chat.by_concern.perpetrator"].previous == 4
    assert overview.previous_period == Period(datetime.date(2021, 3, 1), datetime.date(2021, 3, 31))


def test_a_leap_day_has_a_year_before():
    period = Period(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    assert period.year_before() == Period(datetime.date(2023, 2, 1), datetime.date(2023, 2, 28))


def test_public_level_hides_small_counts(small):
    _chats(small, local(2022, 3, 5, 18), 20)
    _chats(small, local(2022, 3, 6, 18), 2, concern="perpetrator")
    overview = dashboard_overview(
        partnership=small.partnership,
        period=Period(datetime.date(2022, 3, 1), datetime.date(2022, 3, 31)),
        disclosure=PUBLIC,
    )
    figures = {figure.path: figure for figure in overview.figures}
    # Two conversations: never published as 2, but as 0 (hidden) or 5 (statistics.perturbation).
    assert figures["chat.by_concern.perpetrator"].value in (None, 5)
    assert overview.hidden > 0


def test_default_period_is_the_latest_year_with_data(small):
    _chats(small, local(2022, 3, 5, 18), 1)
    period = default_period(small.partnership, datetime.date(2026, 11, 27))
    assert period == Period(datetime.date(2022, 1, 1), datetime.date(2022, 12, 31))
    # Whole months that have ended: the public level answers no other period.
    empty = default_period(small.partnership, datetime.date(2021, 6, 1))
    assert empty == Period(datetime.date(2021, 1, 1), datetime.date(2021, 5, 31))
    # In January no month of the year has ended yet: the year before.
    january = default_period(small.partnership, datetime.date(2021, 1, 20))
    assert january == Period(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    # The coordinator's exact figures run up to today: what was registered today is there.
    exact = default_period(small.partnership, datetime.date(2021, 6, 1), "internal")
    assert exact == Period(datetime.date(2021, 1, 1), datetime.date(2021, 6, 1))


def test_chart_by_month_has_a_series_per_concern_and_draws(small):
    _chats(small, local(2022, 1, 5, 18), 3)
    _chats(small, local(2022, 2, 5, 18), 5, concern="friend")
    overview = dashboard_overview(
        partnership=small.partnership,
        period=Period(datetime.date(2022, 1, 1), datetime.date(2022, 2, 28)),
        disclosure=INTERNAL,
    )
    chart = overview.charts[0]
    assert chart.key == "conversations-by-month"
    values = {series.label: series.values for series in chart.series}
    assert len(chart.categories) == 2
    assert [3, 0] in values.values() and [0, 5] in values.values()
    svg = render_svg(chart)
    assert svg.startswith("<svg") and "<text" in svg  # text kept as text, not paths
    assert render_svg(chart) == svg  # stable: same chart, same bytes
    assert render_png(chart)[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_marks_hidden_cells():
    stats = {"chat": {"by_month": {"2022-01": {"victim": None, "perpetrator": 4}}}}
    chart = conversations_by_month(stats)
    assert chart.hidden_cells >= 1
    assert chart.rows()[0][1][0] is None


def test_page_shows_figures_chart_and_table(client, small, people):
    _chats(small, local(2022, 3, 5, 18), 7)
    sign_in(client, people["coordinator"])
    response = client.get(
        reverse("dashboard:overview"), {"date_from": "2022-03-01", "date_to": "2022-03-31"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="chat.conversations">7<' in html
    assert "<svg" in html and "<table" in html


def test_steering_members_get_the_public_level(client, small, people):
    _chats(small, local(2022, 3, 5, 18), 2)
    sign_in(client, people["steering"])
    response = client.get(
        reverse("dashboard:overview"), {"date_from": "2022-03-01", "date_to": "2022-03-31"}
    )
    assert 'data-figure="chat.conversations">..<' in response.content.decode()
    sign_in(client, people["coordinator"])
    response = client.get(
        reverse("dashboard:overview"), {"date_from": "2022-03-01", "date_to": "2022-03-31"}
    )
    assert 'data-figure="chat.conversations">2<' in response.content.decode()


def test_a_wrong_period_is_a_clear_error(client, small, people):
    sign_in(client, people["coordinator"])
    response = client.get(
        reverse("dashboard:overview"), {"date_from": "2022-03-31", "date_to": "2022-03-01"}
    )
    assert response.status_code == 400
    assert "aria-invalid" in response.content.decode() or "invalid" in response.content.decode()


def test_referral_funnel_issued_and_arrived_by_destination(small):
    from samverkan.referrals.services import issue_referral, register_arrival

    volunteer = User.objects.create_user(
        "v", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    counsellor = User.objects.create_user(
        "c", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic
    )
    codes = [
        issue_referral(destination=small.clinic_service, by=volunteer, now=local(2022, 3, 1, 18))
        for _ in range(4)
    ]
    issue_referral(destination=small.rvc_service, by=volunteer, now=local(2022, 3, 2, 18))
    register_arrival(codes[0].code, by=counsellor, now=local(2022, 3, 11, 10))
    register_arrival(codes[1].code, by=counsellor, now=local(2022, 3, 5, 10))
    overview = dashboard_overview(
        partnership=small.partnership,
        period=Period(datetime.date(2022, 3, 1), datetime.date(2022, 3, 31)),
        disclosure=INTERNAL,
    )
    figures = {figure.path: figure.value for figure in overview.figures}
    assert figures["referrals.issued.count"] == 5
    assert figures["referrals.arrived.count"] == 2
    funnel = next(chart for chart in overview.charts if chart.key == "referral-funnel")
    assert funnel.categories == ["Clinic", "RVC"]
    assert [series.values for series in funnel.series] == [[4, 1], [2, 0]]
    assert overview.median_days_to_arrival == 7.0


def test_the_overview_reads_the_configuration_once_and_each_table_once_a_period(
    small, django_assert_num_queries
):
    # Building queries is most of the overview's cost. Once for both periods: the services,
    # months with figures of earlier years and days with disposed clinic clients; then per
    # period the monthly counts, the clinic's sessions and the referral codes (neither period
    # has figures of earlier years or disposed clients, so no query for them). The page reads
    # the units and districts for its filter and passes them on: the configuration's too.
    _chats(small, local(2022, 3, 5, 18), 2)
    units = list(small.partnership.units.order_by("name"))
    districts = dict(small.partnership.districts.values_list("key", "name"))
    with django_assert_num_queries(3 + 2 * 3):
        overview = dashboard_overview(
            partnership=small.partnership,
            period=Period(datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)),
            disclosure=INTERNAL,
            units=units,
            districts=districts,
        )
    # The same figures as with the configuration read on its own.
    assert overview == dashboard_overview(
        partnership=small.partnership,
        period=Period(datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)),
        disclosure=INTERNAL,
    )
