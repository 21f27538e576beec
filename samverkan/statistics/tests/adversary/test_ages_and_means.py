"""Ages and means in public: no extremes; means and medians only of large enough groups.

The youngest age is one person's age: published per period it dates a case (see
test_lone_records). A mean of a small group is close to one person's age, and two means of
nested periods give the age of whoever is between them. The public level publishes no youngest
or oldest age; a mean only when its base is at least 2t, rounded to the nearest half year; a
median only when its base is at least 2t.
"""

import pytest

from samverkan.statistics.tests.adversary.attacker import month_period, runs_of_months
from samverkan.statistics.tests.adversary.common import DEMO_MONTHS, MAY, cached_command
from samverkan.statistics.tests.adversary.readers import read_document
from samverkan.statistics.tests.adversary.truth import age_base, exact

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MEAN_BASES = {
    # the published mean: the stored metric whose records it is computed from
    "chat.residents.mean_age": "chat.residents.age.",
    "chat.residents.mean_age_by_gender.girl": "chat.residents.age.girl",
    "chat.residents.mean_age_by_gender.boy": "chat.residents.age.boy",
    "support_centre.mean_age": "support_centre.age.",
    "support_centre.mean_age_by_gender.girl": "support_centre.age.girl",
    "support_centre.mean_age_by_gender.boy": "support_centre.age.boy",
}


def _public_readings(cache):  # noqa: ANN001, ANN202
    periods = runs_of_months(DEMO_MONTHS) + [(MAY[0], MAY[0]), (MAY[0], MAY[0].replace(day=7))]
    return [r for r in (cached_command(cache, p) for p in periods) if not r.refused]


def test_no_youngest_or_oldest_age_is_published(demo, readings_cache):
    readings = _public_readings(readings_cache)
    readings.append(read_document(demo.partnership, (MAY[0].replace(month=1), MAY[1])))
    extremes = sorted(
        {
            (path, value, f"{r.channel} {r.period[0]}..{r.period[1]}")
            for r in readings
            if not r.refused
            for path, value in r.values.items()
            if ("youngest" in path or "oldest" in path) and value is not None
        }
    )
    assert extremes == [], f"{len(extremes)} extreme ages published, e.g. {extremes[:5]}"


def test_means_only_from_twice_the_threshold_and_to_half_years(demo, readings_cache, threshold):
    wrong = []
    for reading in _public_readings(readings_cache):
        for path, metric in MEAN_BASES.items():
            value = reading.values.get(path)
            if value is None:
                continue
            base = age_base(demo.partnership, metric, reading.period)
            if base < 2 * threshold or (value * 2) != int(value * 2):
                wrong.append(f"{path} {reading.period[0]}..{reading.period[1]}: {value} of {base}")
    assert wrong == [], f"{len(wrong)} means of small groups or finer than half years:\n" + (
        "\n".join(wrong[:15])
    )


def test_medians_only_from_twice_the_threshold(demo, readings_cache, threshold):
    wrong = []
    for reading in _public_readings(readings_cache):
        for path, value in reading.values.items():
            if "median" not in path or value is None:
                continue
            base_path = "referrals.arrived.count" if "days_to_arrival" in path else None
            base = exact(demo.partnership, reading.period).get(base_path) if base_path else 0
            if base is None or base < 2 * threshold:
                wrong.append(f"{path} {reading.period[0]}..{reading.period[1]}: {value} of {base}")
    assert wrong == [], f"{len(wrong)} medians of small groups:\n" + "\n".join(wrong[:15])


def test_a_small_group_mean_is_not_published_for_a_month(demo, readings_cache, threshold):
    # The monthly means of the boys who chatted: a group of a handful each month.
    published = []
    for month in DEMO_MONTHS:
        reading = cached_command(readings_cache, month_period(month))
        value = reading.values.get("chat.residents.mean_age_by_gender.boy")
        base = age_base(demo.partnership, "chat.residents.age.boy", reading.period)
        if value is not None and base < 2 * threshold:
            published.append(f"{month:%Y-%m}: {value} of {base} boys")
    assert published == [], "means of fewer than 2t boys: " + "; ".join(published)
