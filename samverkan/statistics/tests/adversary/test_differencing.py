"""Differencing: a reader asks for periods that differ by a month or a day and subtracts.

Today every public period is protected on its own, so the difference of two published periods
gives the count of the month or day between them, even where that month's own output hides it.
The public level must answer only whole months, each month's counts perturbed once and periods
their months' sums: then every difference is a sum of published month values, which are 0 or
at least the threshold, and never a count from 1 to 4.
"""

import datetime
from functools import cache

import pytest
from django.test import Client

from samverkan.statistics.tests.adversary.attacker import (
    differences,
    month_end,
    small,
)
from samverkan.statistics.tests.adversary.common import (
    DEMO_MONTHS,
    MAY,
    cached_command,
    describe_derived,
)
from samverkan.statistics.tests.adversary.readers import (
    read_api,
    read_document,
    read_overview,
)
from samverkan.statistics.tests.adversary.truth import exact

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


def _truth(partnership):  # noqa: ANN001, ANN202
    @cache
    def truth(path, period):  # noqa: ANN001, ANN202
        return exact(partnership, period).get(path)

    return truth


def _prefixes_of_months():
    """January alone, January-February, ..., January-June; and each month alone."""
    start = DEMO_MONTHS[0]
    return [(start, month_end(m)) for m in DEMO_MONTHS] + [(m, month_end(m)) for m in DEMO_MONTHS]


def _prefixes_of_days(period, count=None):  # noqa: ANN001, ANN202
    """The first day, the first two days, ...: periods that differ by one day."""
    days = []
    day = period[0]
    while day <= period[1] and (count is None or len(days) < count):
        days.append((period[0], day))
        day += ONE_DAY
    return days


def test_nested_months_reveal_no_small_count_in_the_command(demo, readings_cache, threshold):
    # The attacker: `samverkan stats --disclosure public` for January..May and January..April;
    # May = the first minus the second, for every figure both publish.
    readings = [cached_command(readings_cache, p) for p in _prefixes_of_months()]
    found = small(differences(readings, overlaps=False), threshold)
    assert found == [], describe_derived(found, _truth(demo.partnership))


def test_nested_days_reveal_no_small_count_in_the_command(demo, readings_cache, threshold):
    # Day level: May 1..d against May 1..d-1 gives day d's counts.
    readings = [cached_command(readings_cache, p) for p in _prefixes_of_days(MAY)]
    found = small(differences(readings, overlaps=False), threshold)
    assert found == [], describe_derived(found, _truth(demo.partnership))


def test_overlapping_months_reveal_no_small_count_in_the_command(demo, readings_cache, threshold):
    # Two-month windows that overlap by a month, and their union: A + B - (A ∪ B) = A ∩ B.
    windows = [(a, month_end(b)) for a, b in zip(DEMO_MONTHS, DEMO_MONTHS[1:], strict=False)]
    unions = [(a, month_end(c)) for a, c in zip(DEMO_MONTHS, DEMO_MONTHS[2:], strict=False)]
    readings = [cached_command(readings_cache, p) for p in windows + unions]
    found = [d for d in small(differences(readings), threshold) if "plus" in d.how]
    assert found == [], describe_derived(found, _truth(demo.partnership))


def test_nested_periods_reveal_no_small_count_in_the_api(demo, support_manager_token, threshold):
    # A partner system of the city (the support centre manager's read token) reads the
    # foundation's chat figures: January..May against January..April, and the first days of May.
    client = Client()
    periods = [
        (D(2022, 1, 1), D(2022, 5, 31)),
        (D(2022, 1, 1), D(2022, 4, 30)),
        *_prefixes_of_days(MAY, count=6),
    ]
    readings = [read_api(client, support_manager_token, p) for p in periods]
    found = small(differences(readings, overlaps=False), threshold)
    assert found == [], describe_derived(found, _truth(demo.partnership))


def test_nested_periods_reveal_no_small_count_in_documents(demo, threshold):
    # Two public interim documents, January..May and January..April (and two of days): the
    # figures their sentences and tables print, subtracted.
    periods = [
        (D(2022, 1, 1), D(2022, 5, 31)),
        (D(2022, 1, 1), D(2022, 4, 30)),
        (D(2022, 5, 1), D(2022, 5, 2)),
        (D(2022, 5, 1), D(2022, 5, 3)),
    ]
    readings = [read_document(demo.partnership, p) for p in periods]
    found = small(differences(readings, overlaps=False), threshold)
    assert found == [], describe_derived(found, _truth(demo.partnership))


def test_nested_periods_reveal_no_small_count_on_the_overview(demo, steering_client, threshold):
    # A steering-group member's overview for January..May and January..April: the key figures,
    # and the same periods a year earlier beside them.
    periods = [(D(2022, 1, 1), D(2022, 5, 31)), (D(2022, 1, 1), D(2022, 4, 30))]
    readings = [read_overview(steering_client, p) for p in periods]
    found = small(differences(readings, overlaps=False), threshold)
    assert found == [], describe_derived(found, _truth(demo.partnership))
