"""Figures of referral codes, computed by hand on a small cohort, and their protection."""

import datetime
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from samverkan.conftest import local
from samverkan.records import services as records
from samverkan.referrals.codes import new_code
from samverkan.referrals.models import Referral
from samverkan.statistics import engine
from samverkan.statistics.disclosure import protect, recoverable

pytestmark = pytest.mark.django_db
D = datetime.date
SCHEMA = json.loads(
    (Path(engine.__file__).parent / "schema" / "stats.schema.json").read_text(encoding="utf-8")
)


def _code(small, destination, issued, arrived=None, concern=None):
    conversation = None
    if concern:
        conversation = records.chat_conversation_create(
            unit=small.chat, started_at=issued, concern=concern
        )
    return Referral.objects.create(
        code=new_code(),
        destination=destination,
        issuing_unit=small.chat,
        issued_at=issued,
        expires_at=issued + datetime.timedelta(days=90),
        conversation=conversation,
        arrived_at=arrived,
        arrival_unit=small.clinic if arrived else None,
    )


@pytest.fixture
def cohort(small):
    clinic, rvc = small.clinic_service, small.rvc_service
    _code(small, clinic, local(2022, 3, 1, 19), local(2022, 3, 8, 10), "perpetrator")  # 7 days
    # 22:30 UTC on 31 March is still March in Stockholm; it arrives after the period: counted.
    _code(small, clinic, local(2022, 3, 31, 23, 30), local(2022, 4, 2, 9), "friend")  # 2 days
    _code(small, clinic, local(2022, 3, 10, 20), None, "victim")
    _code(small, rvc, local(2022, 3, 15, 18))  # no post-chat record linked: concern unknown
    _code(small, rvc, local(2022, 3, 16, 18), local(2022, 3, 30, 12), "perpetrator")  # 14 days
    _code(small, clinic, local(2022, 2, 28, 23, 59), local(2022, 3, 2, 9), "victim")  # before
    _code(small, clinic, local(2022, 4, 1, 0, 0), None, "victim")  # after
    return small


def _march(small, **kwargs):
    kwargs.setdefault("disclosure", "internal")
    return engine.statistics_compute(
        partnership=small.partnership, date_from=D(2022, 3, 1), date_to=D(2022, 3, 31), **kwargs
    )


def test_the_cohort_issued_in_the_period_and_what_became_of_it(cohort):
    r = _march(cohort)["referrals"]
    assert r["issued"] == {
        "count": 5,
        "by_destination": {"clinic": 3, "rvc": 2},
        "by_concern": {"victim": 1, "perpetrator": 2, "friend": 1, "other": 0, "unknown": 1},
    }
    assert r["arrived"] == {
        "count": 3,
        "by_destination": {"clinic": 2, "rvc": 1},
        "by_concern": {"victim": 0, "perpetrator": 2, "friend": 1, "other": 0, "unknown": 0},
    }
    assert r["not_arrived"] == {
        "count": 2,
        "by_destination": {"clinic": 1, "rvc": 1},
        "by_concern": {"victim": 1, "perpetrator": 0, "friend": 0, "other": 0, "unknown": 1},
    }
    assert r["median_days_to_arrival"] == 7.0  # of 7, 2 and 14 days
    # The referrals recorded on post-chat records are a figure of their own, untouched.
    assert r["by_destination"] == {"clinic": 0, "rvc": 0}


def test_a_median_of_an_even_number_of_arrivals(cohort):
    _code(cohort, cohort.clinic_service, local(2022, 3, 20, 12), local(2022, 3, 24, 12))
    r = _march(cohort)["referrals"]
    assert r["median_days_to_arrival"] == 5.5  # 2, 4, 7, 14
    assert r["arrived"]["by_concern"]["unknown"] == 1


def test_a_period_without_codes_gives_zeros_and_no_median(cohort):
    r = engine.statistics_compute(
        partnership=cohort.partnership,
        date_from=D(2023, 1, 1),
        date_to=D(2023, 1, 31),
        disclosure="internal",
    )["referrals"]
    assert r["issued"]["count"] == r["arrived"]["count"] == r["not_arrived"]["count"] == 0
    assert r["median_days_to_arrival"] is None


def test_the_figures_follow_the_schema(cohort):
    for disclosure in ("internal", "public"):
        Draft202012Validator(SCHEMA).validate(_march(cohort, disclosure=disclosure))


def test_small_counts_are_never_published_and_the_funnel_adds_up(cohort):
    result = _march(cohort, disclosure="public", threshold=3)
    r = result["referrals"]
    # Published values are 0 (hidden) or at least the threshold: never 1 or 2.
    for stage in ("issued", "arrived", "not_arrived"):
        for breakdown in ("by_destination", "by_concern"):
            for value in r[stage][breakdown].values():
                assert value is None or value >= 3
        # Each code issued either arrived or did not: published, the funnel adds up.
        for key in r["issued"]["by_destination"]:
            issued = r["issued"]["by_destination"][key] or 0
            parts = (r["arrived"]["by_destination"][key] or 0) + (
                r["not_arrived"]["by_destination"][key] or 0
            )
            assert issued == parts
    assert (r["issued"]["count"] or 0) == (r["arrived"]["count"] or 0) + (
        r["not_arrived"]["count"] or 0
    )
    # The median's base is 3 arrivals: public medians need twice the threshold.
    assert r["median_days_to_arrival"] is None


def test_the_protection_leaves_nothing_recoverable(cohort):
    """With enough codes that every small count can be protected, none can be worked back
    through the relations the engine declares (with only a handful, some cannot be, which
    `recoverable` then lists by design)."""
    clinic, rvc = cohort.clinic_service, cohort.rvc_service
    for day in range(1, 9):
        _code(cohort, clinic, local(2022, 3, day, 12), local(2022, 3, day + 9, 12), "perpetrator")
    for day in range(1, 7):
        _code(cohort, rvc, local(2022, 3, day, 13), None, "victim")
    for day in range(1, 6):
        _code(cohort, clinic, local(2022, 3, day, 14), local(2022, 3, day + 3, 12), "other")
    figures = engine.Figures()
    configuration = engine.configuration_for(cohort.partnership)
    rows = engine.read_referral_rows(configuration, D(2022, 3, 1), D(2022, 3, 31))
    engine.referral_code_figures(figures, configuration, rows)
    hidden = {s.path for s in protect(figures.counts, figures.relations, figures.statistics, 3)}
    assert "referrals.arrived.by_destination.rvc" in hidden  # 1, primary
    assert recoverable(figures.counts, figures.relations, hidden, 3) == []
