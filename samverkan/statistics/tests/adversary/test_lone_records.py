"""Whole records: a period holding one resident chat gives that young person away.

Today: nested day periods give each day's counts, so on a day with exactly one resident chat
the reader learns that young person's gender, concern, district and forms of violence; two
published means of periods that differ by that day give their age; and the youngest age
published for ever longer periods dates the youngest victim's case to its day. With whole
months only and perturbed counts, a reader never knows a period holds exactly one record.
"""

import datetime

import pytest

from samverkan.statistics.tests.adversary.attacker import (
    ONE_DAY,
    known_counts,
    lone_records,
)
from samverkan.statistics.tests.adversary.common import MAY, cached_command
from samverkan.statistics.tests.adversary.truth import resident_chats_on

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
D = datetime.date


def _may_day_prefixes(cache):  # noqa: ANN001, ANN202
    """The reader's requests: May 1..d for every day d of May 2022 (and May itself)."""
    periods, day = [], MAY[0]
    while day <= MAY[1]:
        periods.append((MAY[0], day))
        day += ONE_DAY
    return [cached_command(cache, p) for p in periods]


def _lone_days(cache):  # noqa: ANN001, ANN202
    return [r for r in lone_records(known_counts(_may_day_prefixes(cache))) if r.named]


def test_no_lone_record_is_reconstructed_from_nested_days(demo, readings_cache):
    named = _lone_days(readings_cache)
    lines = []
    for record in named[:10]:
        (truth,) = resident_chats_on(demo.partnership, *record.period)  # one, as the reader knew
        lines.append(
            f"  {record.period[0]}..{record.period[1]}: {record.gender}, {record.concern}, {record.district}, "
            f"violence {list(record.violence or [])}; the record: {truth['gender']}, "
            f"{truth['concern']}, {truth['district']}, violence {truth['violence']}"
        )
    assert named == [], f"{len(named)} lone resident chats named in May 2022:\n" + "\n".join(lines)


def test_means_do_not_give_a_lone_record_age(demo, readings_cache):
    # For a day d known to hold one resident chat, the reader asks for the shortest period B
    # ending the day before whose mean age is published, and for B plus day d:
    # age = mean(B+d) * (n + 1) - mean(B) * n, with n the residents of B (published).
    guessed = []
    for record in _lone_days(readings_cache)[:4]:
        day = record.period[0]
        for days_back in range(1, 15):
            b = cached_command(readings_cache, (day - days_back * ONE_DAY, day - ONE_DAY))
            a = cached_command(readings_cache, (day - days_back * ONE_DAY, day))
            if b.refused or a.refused:
                break
            n = b.values.get("chat.residents.conversations")
            mean_b, mean_a = (r.values.get("chat.residents.mean_age") for r in (b, a))
            if None in (n, mean_b, mean_a):
                continue
            age = round(mean_a * (n + 1) - mean_b * n)
            (truth,) = resident_chats_on(demo.partnership, day, day)
            guessed.append((day, age, truth["age"], f"{mean_a} * {n + 1} - {mean_b} * {n}"))
            break
    right = [g for g in guessed if g[1] == g[2]]
    assert right == [], "ages of lone records worked out from two means:\n" + "\n".join(
        f"  {day}: {how} = {age}; the record's age {truth}" for day, age, truth, how in right
    )


def test_youngest_age_does_not_date_a_case(demo, readings_cache):
    # The youngest victim's age for January..May; then, halving the period's end, the first
    # day d at which January 1..d already has that youngest age: their case came in on day d,
    # and the difference of the victims by gender on that day gives their gender.
    start, end = D(2022, 1, 1), D(2022, 5, 31)
    path = "support_centre.partner_violence.victims.youngest_age"
    youngest = cached_command(readings_cache, (start, end)).values.get(path)
    dated = []
    if youngest is not None:
        lo, hi = start, end
        while lo < hi:
            middle = lo + (hi - lo) // 2
            if cached_command(readings_cache, (start, middle)).values.get(path) == youngest:
                hi = middle
            else:
                lo = middle + ONE_DAY
        before = cached_command(readings_cache, (start, lo - ONE_DAY))
        on = cached_command(readings_cache, (start, lo))
        genders = [
            key.rsplit(".", 1)[1]
            for key, value in on.values.items()
            if key.startswith("support_centre.partner_violence.victims.by_gender.")
            and value is not None
            and before.values.get(key) is not None
            and value - before.values[key] == 1
        ]
        dated.append((lo, youngest, genders))
    assert dated == [], "the youngest victim's case dated to its day: " + ", ".join(
        f"{day}: a {age}-year-old {'/'.join(genders) or '(gender hidden)'}"
        for day, age, genders in dated
    )
