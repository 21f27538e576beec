import datetime

import pytest
from django.core.exceptions import ValidationError

from samverkan.partnership.models import Agreement, agreement_periods

D = datetime.date


def test_the_documents_agreement_extends_yearly_until_its_final_end():
    periods = agreement_periods(
        starts_on=D(2021, 12, 15),
        first_period_ends_on=D(2022, 12, 14),
        extension_months=12,
        final_end_on=D(2024, 12, 14),
        notice_month=9,
        notice_day=14,
    )
    assert [(p.number, p.starts_on, p.ends_on, p.notice_deadline) for p in periods] == [
        (1, D(2021, 12, 15), D(2022, 12, 14), D(2022, 9, 14)),
        (2, D(2022, 12, 15), D(2023, 12, 14), D(2023, 9, 14)),
        # The last period cannot be extended, so there is no notice to give.
        (3, D(2023, 12, 15), D(2024, 12, 14), None),
    ]


def test_notice_deadline_falls_in_the_year_before_when_the_period_ends_earlier_in_the_year():
    periods = agreement_periods(
        starts_on=D(2022, 3, 1),
        first_period_ends_on=D(2023, 2, 28),
        extension_months=12,
        final_end_on=D(2024, 2, 29),
        notice_month=9,
        notice_day=14,
    )
    assert periods[0].notice_deadline == D(2022, 9, 14)
    assert periods[1].ends_on == D(2024, 2, 28)  # capped by adding months, then by the final end


def test_no_extension_gives_one_period():
    periods = agreement_periods(
        starts_on=D(2022, 1, 1),
        first_period_ends_on=D(2022, 12, 31),
        extension_months=0,
        final_end_on=None,
        notice_month=None,
        notice_day=None,
    )
    assert len(periods) == 1 and periods[0].notice_deadline is None


def test_an_open_ended_agreement_lists_a_bounded_number_of_periods():
    periods = agreement_periods(
        starts_on=D(2022, 1, 1),
        first_period_ends_on=D(2022, 12, 31),
        extension_months=12,
        final_end_on=None,
        notice_month=10,
        notice_day=1,
    )
    assert len(periods) == 11
    assert periods[-1].ends_on == D(2032, 12, 31)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_period_ends_on": D(2021, 1, 1)}, "first_period_ends_on"),
        ({"final_end_on": D(2022, 1, 1)}, "final_end_on"),
        ({"notice_day": None}, "notice_day"),
        ({"notice_month": 2, "notice_day": 30}, "notice_day"),
    ],
)
def test_agreement_validation_names_the_problem(changes, field):
    agreement = Agreement(
        starts_on=D(2021, 12, 15),
        first_period_ends_on=D(2022, 12, 14),
        final_end_on=D(2024, 12, 14),
        notice_month=9,
        notice_day=14,
        yearly_compensation=700000,
    )
    for name, value in changes.items():
        setattr(agreement, name, value)
    with pytest.raises(ValidationError) as raised:
        agreement.clean()
    assert field in raised.value.message_dict
