"""Issue 16's defects of the overview, each as what the user saw (tests named after it)."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import local, sign_in
from samverkan.dashboard.overview import Filter, FilterNotPublic, dashboard_overview
from samverkan.dashboard.periods import Period, default_period
from samverkan.governance.models import Obligation, ObligationItem
from samverkan.partnership.models import Agreement, Unit
from samverkan.records import services
from samverkan.reports.models import Report
from samverkan.statistics.charts import Chart, Series, render_svg, wrap_label
from samverkan.statistics.engine import INTERNAL, PUBLIC

pytestmark = pytest.mark.django_db
D = datetime.date
MARCH = {"date_from": "2022-03-01", "date_to": "2022-03-31"}


def _chats(small, when, n, concern="victim", **extra):
    for _ in range(n):
        services.chat_conversation_create(
            unit=small.chat, started_at=when, concern=concern, **extra
        )


def _cases(small, day, n, **extra):
    for _ in range(n):
        services.support_centre_case_create(
            unit=small.support_centre, received_on=day, category="victim", **extra
        )


@pytest.fixture
def people(small, department):
    def user(name, role, unit=department):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=unit)

    return {
        "coordinator": user("coordinator", Role.COORDINATOR),
        "steering": user("steering", Role.STEERING_MEMBER),
        "manager": user("manager", Role.UNIT_MANAGER, small.support_centre),
    }


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-(?:figure|statistic)="([^"]+)">([^<]*)<', html))


def _reporting(small, *periods):
    agreement = Agreement.objects.create(
        partnership=small.partnership,
        starts_on=D(2021, 1, 1),
        first_period_ends_on=D(2022, 12, 31),
        yearly_compensation=0,
    )
    obligation = Obligation.objects.create(
        agreement=agreement,
        kind=Obligation.Kind.ACTIVITY_REPORT,
        title="Verksamhetsrapport",
        reported_by="Samverkansgruppen",
        reported_to="Styrgruppen",
        period_months=6,
        first_period_starts_on=D(2021, 1, 1),
        due_days_after=30,
    )
    for start, end in periods:
        ObligationItem.objects.get_or_create(
            obligation=obligation,
            period_start=start,
            defaults={"period_end": end, "due_on": end + datetime.timedelta(days=30)},
        )


def test_the_overview_opened_on_a_nearly_empty_current_year(small):
    # Now it opens on the latest reporting period that has ended and has figures: the period
    # the steering group reads about, not this year.
    _chats(small, local(2022, 3, 5, 18), 3)
    _chats(small, local(2022, 9, 5, 18), 3)
    _reporting(
        small,
        (D(2022, 1, 1), D(2022, 6, 30)),
        (D(2022, 7, 1), D(2022, 12, 31)),
        (D(2023, 1, 1), D(2023, 6, 30)),  # ended, but nothing registered in it
        (D(2026, 7, 1), D(2026, 12, 31)),  # not ended
    )
    Report.objects.create(
        partnership=small.partnership,
        kind="interim",
        date_from=D(2022, 1, 1),
        date_to=D(2022, 5, 31),
        document_date=D(2022, 6, 10),
    )
    today = D(2026, 12, 3)
    expected = Period(D(2022, 7, 1), D(2022, 12, 31))
    assert default_period(small.partnership, today, PUBLIC) == expected
    assert default_period(small.partnership, today, INTERNAL) == expected
    # The coordinator's exact figures open on this year up to today once anything has been
    # registered this year (what was registered today is on the page); the public level stays.
    _chats(small, local(2026, 2, 5, 18), 1)
    assert default_period(small.partnership, today, INTERNAL) == Period(D(2026, 1, 1), today)
    assert default_period(small.partnership, today, PUBLIC) == expected
    # Before the autumn's months are released, the public level opens on the spring.
    assert default_period(small.partnership, D(2022, 12, 20), PUBLIC) == Period(
        D(2022, 1, 1), D(2022, 6, 30)
    )


def test_the_overview_lists_the_reporting_periods_with_the_interim_report_one_click_away(
    client, small, people
):
    _chats(small, local(2022, 3, 5, 18), 3)
    _chats(small, local(2022, 9, 5, 18), 3)
    _reporting(small, (D(2022, 7, 1), D(2022, 12, 31)))
    Report.objects.create(
        partnership=small.partnership,
        kind="interim",
        date_from=D(2022, 1, 1),
        date_to=D(2022, 5, 31),
        document_date=D(2022, 6, 10),
    )
    sign_in(client, people["steering"])
    html = client.get(reverse("dashboard:overview")).content.decode()
    assert 'value="2022-07-01"' in html and 'value="2022-12-31"' in html
    assert "date_from=2022-01-01&amp;date_to=2022-05-31" in html


def test_the_figures_the_report_needs_were_not_on_the_overview(client, small, people):
    # Residents' chats by concern, mean ages, the support centre's mean age by gender, partner
    # violence by gender and the support centre's referrals: each on the page.
    for _ in range(12):
        services.chat_conversation_create(
            unit=small.chat,
            started_at=local(2022, 3, 5, 18),
            concern="perpetrator",
            resident="yes",
            gender="girl",
            age=16,
        )
    for _ in range(12):
        services.support_centre_case_create(
            unit=small.support_centre,
            received_on=D(2022, 3, 7),
            category="victim",
            gender="boy",
            age=15,
            screened=True,
            screening_answer="victim",
            referred_to=small.clinic_service,
        )
    sign_in(client, people["coordinator"])
    figures = _figures(client.get(reverse("dashboard:overview"), MARCH).content.decode())
    assert figures["chat.residents.by_concern.perpetrator"] == "12"
    assert figures["chat.residents.mean_age"] == "16,0"
    assert figures["chat.residents.mean_age_by_gender.girl"] == "16,0"
    assert figures["support_centre.mean_age_by_gender.boy"] == "15,0"
    assert figures["support_centre.partner_violence.victims.by_gender.boy"] == "12"
    assert figures["support_centre.partner_violence.perpetrators.by_gender.girl"] == "0"
    assert figures["referrals.by_source.support_centre.clinic"] == "12"
    assert figures["referrals.by_source.support_centre.rvc"] == "0"


def test_29_and_13_conversations_with_someone_who_uses_violence_read_as_a_contradiction(
    client, small, people
):
    # 29 counts all conversations, 13 the residents: each now stands in a table whose heading
    # and description name its population.
    _chats(small, local(2022, 3, 5, 18), 16, concern="perpetrator")
    _chats(small, local(2022, 3, 6, 18), 13, concern="perpetrator", resident="yes")
    sign_in(client, people["coordinator"])
    html = client.get(reverse("dashboard:overview"), MARCH).content.decode()
    figures = _figures(html)
    assert figures["chat.by_concern.perpetrator"] == "29"
    assert figures["chat.residents.by_concern.perpetrator"] == "13"
    everyone = html.index('id="section-chat"')
    residents = html.index('id="section-chat-residents"')
    assert everyone < html.index('data-figure="chat.by_concern.perpetrator"') < residents
    assert residents < html.index('data-figure="chat.residents.by_concern.perpetrator"')
    assert "Alla chattsamtal, oavsett om den unga bor i kommunen" in html
    assert "Samtal med unga som bor i kommunen" in html


def test_there_was_no_filter_by_unit(client, small, people):
    _chats(small, local(2022, 3, 5, 18), 7)
    _cases(small, D(2022, 3, 7), 6)
    sign_in(client, people["steering"])
    html = client.get(reverse("dashboard:overview"), {**MARCH, "unit": "support"}).content
    figures = _figures(html.decode())
    assert "support_centre.cases" in figures
    assert "chat.conversations" not in figures
    # The support centre is the partnership's only unit of its kind: its figures are whole
    # sections of the released ones, so the public level filters by it.
    everything = _figures(client.get(reverse("dashboard:overview"), MARCH).content.decode())
    assert figures["support_centre.cases"] == everything["support_centre.cases"]


def test_a_public_filter_by_a_unit_that_shares_its_kind_is_refused_with_a_reason(
    client, small, people
):
    second = Unit.objects.create(
        key="chat2", name="Second chat", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )
    small.partnership.units.add(second)
    _chats(small, local(2022, 3, 5, 18), 7)
    sign_in(client, people["steering"])
    response = client.get(reverse("dashboard:overview"), {**MARCH, "unit": "chat"})
    html = response.content.decode()
    assert 'data-figure="' not in html
    assert "publiceras inte för sig" in html and 'role="alert"' in html
    with pytest.raises(FilterNotPublic):
        dashboard_overview(
            partnership=small.partnership,
            period=Period(D(2022, 3, 1), D(2022, 3, 31)),
            disclosure=PUBLIC,
            filter=Filter(unit=small.chat),
        )
    # The coordinator's exact figures may be filtered by any unit.
    sign_in(client, people["coordinator"])
    figures = _figures(
        client.get(reverse("dashboard:overview"), {**MARCH, "unit": "chat"}).content.decode()
    )
    assert figures["chat.conversations"] == "7"


def test_there_was_no_filter_by_district(client, small, people):
    _chats(small, local(2022, 3, 5, 18), 9, resident="yes", district=small.district)
    _chats(small, local(2022, 3, 6, 18), 4, resident="yes")
    sign_in(client, people["coordinator"])
    html = client.get(reverse("dashboard:overview"), {**MARCH, "district": "north"}).content
    html = html.decode()
    assert _figures(html) == {"chat.residents.by_district.north": "9"}
    assert "inga andra uppgifter finns per stadsdelsområde" in html


def test_a_unit_manager_saw_dots_for_their_own_units_cases(client, small, people):
    _cases(small, D(2022, 3, 7), 3)  # three cases: hidden at the public level
    _chats(small, local(2022, 3, 5, 18), 2)
    sign_in(client, people["manager"])
    html = client.get(reverse("dashboard:overview"), MARCH).content.decode()
    figures = _figures(html)
    assert figures["support_centre.cases"] == "3"  # their own unit, exactly
    assert figures["chat.conversations"] in ("..", "5")  # the others as released
    assert "Din egen enhet: exakta uppgifter" in html
    entry = AuditEntry.objects.get(action="statistics.own_unit.viewed")
    assert entry.user == people["manager"] and entry.target_id == small.support_centre.pk
    # Their own unit alone: exact, and for any period (it is what their lists show).
    html = client.get(
        reverse("dashboard:overview"),
        {"date_from": "2022-03-07", "date_to": "2022-03-07", "unit": "support"},
    ).content.decode()
    assert _figures(html)["support_centre.cases"] == "3"


def test_the_overview_had_no_export(client, small, people):
    _chats(small, local(2022, 3, 5, 18), 7)
    _chats(small, local(2022, 3, 6, 18), 2, concern="perpetrator")
    sign_in(client, people["steering"])
    page = _figures(client.get(reverse("dashboard:overview"), MARCH).content.decode())
    response = client.get(reverse("dashboard:overview"), {**MARCH, "format": "csv"})
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_label = {}
    for row in rows:  # the first of two rows alike: all conversations, then the residents
        if len(row) == 3:
            by_label.setdefault(row[0].strip(), row[1:])
    # The released values only, as on the page: the two are hidden or 5, never 2.
    assert by_label["Chattsamtal"][0] == page["chat.conversations"]
    assert by_label["varav med någon som utövar våld"][0] == page["chat.by_concern.perpetrator"]
    assert "2" not in {row[1] for row in rows if len(row) == 3}
    response = client.get(reverse("dashboard:overview"), {**MARCH, "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames[1] == "Chatten  alla samtal"  # no ":" in a sheet's name
    cells = [row for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    chat = next(row for row in cells if row and row[0] == "Chattsamtal")
    published = page["chat.conversations"]
    assert chat[1] == (int(published) if published != ".." else "..")


def test_a_chart_whose_cells_are_all_protected_said_nothing_was_registered(client, small, people):
    _chats(small, local(2022, 3, 5, 18), 2, resident="yes", district=small.district)
    sign_in(client, people["steering"])
    html = client.get(reverse("dashboard:overview"), MARCH).content.decode()
    district = re.search(
        r'<section class="chart" aria-labelledby="chart-residents-by-district">(.*?)</section>',
        html,
        re.S,
    ).group(1)
    if "Skyddade uppgifter" in district:  # the two published as 0 (hidden), not as 5
        assert "Inget registrerat" not in district
        assert "Det betyder inte att inget har registrerats" in district
    chart = Chart(
        key="k",
        title="t",
        category_label="c",
        value_label="v",
        categories=["a", "b"],
        series=[Series("s", [None, None])],
        hidden_cells=2,
    )
    assert chart.is_protected
    empty = Chart(
        key="k",
        title="t",
        category_label="c",
        value_label="v",
        categories=["a"],
        series=[Series("s", [0])],
    )
    assert empty.is_empty and not empty.is_protected


def test_chart_labels_broke_mid_word_samtalsmottagnin_gen():
    assert wrap_label("Samtalsmottagningen") == "Samtalsmottagningen"
    assert wrap_label("Relationsvåldscentrum (RVC)").split("\n") == [
        "Relationsvåldscentrum",
        "(RVC)",
    ]
    assert wrap_label("Enskede-Årsta-Vantör") == "Enskede-Årsta-Vantör"
    chart = Chart(
        key="k",
        title="t",
        category_label="c",
        value_label="v",
        categories=["Samtalsmottagningen", "Stödcentrum"],
        series=[Series("s", [3, 4])],
    )
    svg = render_svg(chart)
    assert "Samtalsmottagningen" in svg and "Samtalsmottagnin<" not in svg


def _page_queries(client, user, query) -> int:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, user)
    client.get(reverse("dashboard:overview"), query)  # months released once, sessions warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard:overview"), query)
    assert response.status_code == 200
    return len(queries)


def test_the_overview_page_reads_a_bounded_number_of_queries(client, small, people):
    # A tripwire, not a timing (issue 19): the session, the user and the page's choices (units,
    # districts, months with data, the reporting periods: 2), then the engine per period.
    # The unit manager's own unit costs two more exact runs and the audit entry.
    _chats(small, local(2022, 3, 5, 18), 7)
    _cases(small, D(2022, 3, 7), 6)
    steering = _page_queries(client, people["steering"], MARCH)
    coordinator = _page_queries(client, people["coordinator"], MARCH)
    manager = _page_queries(client, people["manager"], MARCH)
    assert steering <= 30, steering
    assert coordinator <= 27, coordinator
    # Two exact runs of three queries, the audit entry (in its transaction's savepoint).
    assert manager <= steering + 9, manager


def test_a_unit_and_a_district_together_say_what_can_be_shown(client, small, people):
    _chats(small, local(2022, 3, 5, 18), 9, resident="yes", district=small.district)
    sign_in(client, people["manager"])  # the support centre's: keeps no figures by district
    html = client.get(
        reverse("dashboard:overview"), {**MARCH, "unit": "support", "district": "north"}
    ).content.decode()
    assert 'data-figure="' not in html and "har inga uppgifter per stadsdelsområde" in html
    html = client.get(
        reverse("dashboard:overview"), {**MARCH, "unit": "chat", "district": "north"}
    ).content.decode()
    assert _figures(html)["chat.residents.by_district.north"] in (
        "9",
        "10",
        "11",
        "12",
        "6",
        "7",
        "8",
    )
