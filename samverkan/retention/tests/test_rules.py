"""When a record may go: the day before, on and after its expiry, the turn of the year, 29 February."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from samverkan.retention.disposal import Rule
from samverkan.retention.models import anniversary

D = datetime.date
FIVE = Rule(years=5)
FIVE_YEARLY = Rule(years=5, yearly=True)


def test_kept_through_the_anniversary_and_disposable_the_day_after():
    last_entry = D(2020, 3, 10)
    assert FIVE.disposable_from(last_entry) == D(2025, 3, 11)
    assert FIVE.latest_disposable(D(2025, 3, 9)) < last_entry  # the day before expiry
    assert FIVE.latest_disposable(D(2025, 3, 10)) < last_entry  # on the anniversary: kept
    assert FIVE.latest_disposable(D(2025, 3, 11)) == last_entry  # the day after: goes


def test_29_february_expires_on_28_february_of_a_common_year():
    assert anniversary(D(2020, 2, 29), 5) == D(2025, 2, 28)
    assert FIVE.disposable_from(D(2020, 2, 29)) == D(2025, 3, 1)
    assert FIVE.latest_disposable(D(2025, 2, 28)) == D(2020, 2, 27)
    # On 1 March 2025 both 28 and 29 February 2020 go.
    assert FIVE.latest_disposable(D(2025, 3, 1)) == D(2020, 2, 29)
    # Into a leap year: what expired on 28 February 2024 goes on the leap day; 1 March adds
    # nothing, since 2019 had no 29 February.
    assert FIVE.latest_disposable(D(2024, 2, 28)) == D(2019, 2, 27)
    assert FIVE.latest_disposable(D(2024, 2, 29)) == D(2019, 2, 28)
    assert FIVE.latest_disposable(D(2024, 3, 1)) == D(2019, 2, 28)


def test_yearly_disposal_waits_for_the_turn_of_the_year_and_meets_the_deadline():
    last_entry = D(2020, 3, 10)
    assert FIVE_YEARLY.disposable_from(last_entry) == D(2026, 1, 1)
    assert FIVE_YEARLY.latest_disposable(D(2025, 12, 31)) < D(2020, 1, 1)
    assert FIVE_YEARLY.latest_disposable(D(2026, 1, 1)) == D(2020, 12, 31)
    # The deadline is the end of the calendar year after the one it expired in.
    assert FIVE.deadline(last_entry) == D(2026, 12, 31)
    assert FIVE_YEARLY.deadline(D(2020, 12, 31)) == D(2026, 12, 31)
    assert FIVE_YEARLY.disposable_from(D(2020, 12, 31)) == D(2026, 1, 1)


def test_a_rule_without_years_keeps_everything():
    assert Rule(years=None).latest_disposable(D(2100, 1, 1)) is None


@given(
    last_entry=st.dates(D(1990, 1, 1), D(2080, 12, 31)),
    years=st.integers(1, 12),
    yearly=st.booleans(),
    later=st.integers(0, 6000),
)
def test_rules_never_dispose_early_nor_past_the_deadline(last_entry, years, yearly, later):
    rule = Rule(years=years, yearly=yearly)
    disposable = rule.disposable_from(last_entry)
    assert anniversary(last_entry, years) < disposable <= rule.deadline(last_entry)
    today = last_entry + datetime.timedelta(days=later)
    latest = rule.latest_disposable(today)
    # The latest last entry disposable as of today is exactly the boundary.
    assert (
        rule.disposable_from(latest) <= today < rule.disposable_from(latest + datetime.timedelta(1))
    )
