"""Figures of earlier years: entered or imported by the coordinator, added by the engine like the
counts of records, and named in the figures' `history`."""

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import local, sign_in
from samverkan.core.errors import Forbidden, SamverkanError
from samverkan.records import services
from samverkan.statistics.engine import statistics_compute
from samverkan.statistics.history import history_month_set, metrics_for
from samverkan.statistics.models import HistoricalMonthlyCount

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the Swedish comes from the catalogue)."""
    with translation.override("en"):
        yield


SCHEMA = json.loads((Path(__file__).parents[1] / "schema" / "stats.schema.json").read_text())


@pytest.fixture
def coordinator(department):
    return User.objects.create(username="coord", role=Role.COORDINATOR, unit=department)


def compute(small, date_from, date_to):
    return statistics_compute(
        partnership=small.partnership, date_from=date_from, date_to=date_to, disclosure="internal"
    )


def test_history_adds_to_the_figures_and_is_named(small, coordinator):
    services.chat_conversation_create(
        unit=small.chat,
        started_at=local(2022, 3, 1, 19),
        concern="victim",
        resident="yes",
        gender="girl",
        age=16,
    )
    history_month_set(
        by=coordinator,
        unit=small.chat,
        month=datetime.date(2021, 3, 1),
        figures={
            "chat.by_concern.victim": (7, 0),
            "chat.by_concern.friend": (3, 0),
            "chat.residents.by_gender_and_concern.girl.victim": (5, 0),
            "chat.residents.by_district.unknown": (5, 0),
            "chat.residents.age.girl": (4, 60),
        },
    )
    year = compute(small, datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
    assert year["chat"]["conversations"] == 10
    assert year["chat"]["by_month"]["2021-03"] == {
        "total": 10,
        "victim": 7,
        "perpetrator": 0,
        "friend": 3,
        "other": 0,
    }
    assert year["chat"]["residents"]["by_gender"]["girl"] == 5
    assert year["chat"]["residents"]["mean_age_by_gender"]["girl"] == 15.0
    assert year["history"] == {"months": ["2021-03"], "units": ["chat"]}
    jsonschema.validate(year, SCHEMA)
    # The year of records says nothing of history, and is unchanged by it.
    later = compute(small, datetime.date(2022, 1, 1), datetime.date(2022, 12, 31))
    assert "history" not in later and later["chat"]["conversations"] == 1
    # Public figures protect history like any count.
    public = statistics_compute(
        partnership=small.partnership,
        date_from=datetime.date(2021, 1, 1),
        date_to=datetime.date(2021, 12, 31),
    )
    # 3 friends is never published as 3: hidden (0), or 5.
    assert public["chat"]["by_concern"]["friend"] in (None, 5)
    jsonschema.validate(public, SCHEMA)


def test_a_month_with_records_takes_no_history(small, coordinator):
    services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    with pytest.raises(SamverkanError, match="already has records"):
        history_month_set(
            by=coordinator,
            unit=small.chat,
            month=datetime.date(2022, 3, 1),
            figures={"chat.by_concern.victim": (1, 0)},
        )


def test_only_the_coordinator_and_only_known_figures(small, coordinator):
    manager = User.objects.create(username="m", role=Role.UNIT_MANAGER, unit=small.chat)
    with pytest.raises(Forbidden):
        history_month_set(by=manager, unit=small.chat, month=datetime.date(2021, 3, 1), figures={})
    with pytest.raises(SamverkanError, match="Unknown figure"):
        history_month_set(
            by=coordinator,
            unit=small.chat,
            month=datetime.date(2021, 3, 1),
            figures={"chat.invented": (1, 0)},
        )
    names = {metric.name for metric in metrics_for(small.support_centre)}
    assert (
        "support_centre.by_gender_and_category.girl.victim" in names
        and "referrals.support_centre.rvc" in names
    )


def test_the_pages_enter_and_import(client, small, coordinator):
    sign_in(client, coordinator)
    page = client.get(reverse("statistics:history_month", args=[small.chat.pk, "2021-04"]))
    assert page.status_code == 200
    saved = client.post(
        reverse("statistics:history_month", args=[small.chat.pk, "2021-04"]),
        {
            "chat.by_concern.other": "4",
            "chat.residents.age.boy": "2",
            "chat.residents.age.boy:total": "31",
        },
    )
    assert saved.status_code == 302
    assert set(HistoricalMonthlyCount.objects.values_list("metric", "n", "total")) == {
        ("chat.by_concern.other", 4, 0),
        ("chat.residents.age.boy", 2, 31),
    }
    template = client.get(
        reverse("statistics:history_template"),
        {"unit": small.support_centre.pk, "month": "2021-05"},
    )
    lines = template.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "unit,month,metric,n,total" and lines[1].startswith(
        "support,2021-05,support_centre."
    )
    bad = "unit,month,metric,n,total\nsupport,2021-05,support_centre.by_gender_and_category.girl.victim,x,\nnowhere,2021-05,a,1,\nsupport,2021-13,b,1,\n"
    response = client.post(
        reverse("statistics:history_import"), {"file": SimpleUploadedFile("h.csv", bad.encode())}
    )
    assert response.status_code == 400
    assert [(e.line, e.column) for e in response.context["errors"]] == [
        (2, "n"),
        (3, "unit"),
        (4, "month"),
    ]
    good = "unit,month,metric,n,total\nsupport,2021-05,support_centre.by_gender_and_category.girl.victim,6,\nsupport,2021-05,support_centre.age.girl,6,108\n"
    response = client.post(
        reverse("statistics:history_import"), {"file": SimpleUploadedFile("h.csv", good.encode())}
    )
    assert response.status_code == 302
    figures = compute(small, datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
    assert figures["support_centre"]["cases"] == 6 and figures["support_centre"]["mean_age"] == 18.0
    assert figures["history"] == {"months": ["2021-04", "2021-05"], "units": ["chat", "support"]}
    assert AuditEntry.objects.filter(action__startswith="statistics.history.").count() == 2
