"""The agreement's calendar on every boundary day, for the source document's agreement and for
agreements whose notice day or period end is 29 February."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from samverkan.demo.partnership import demo_partnership_create
from samverkan.governance.agreement_calendar import (
    ACTIVE,
    ENDED,
    NOT_STARTED,
    GivenNotice,
    agreement_day_as_text,
    agreement_on,
    calendar_on,
)
from samverkan.governance.models import Notice
from samverkan.partnership.models import Agreement, agreement_periods

D = datetime.date

DOCUMENT_PERIODS = agreement_periods(
    starts_on=D(2021, 12, 15),
    first_period_ends_on=D(2022, 12, 14),
    extension_months=12,
    final_end_on=D(2024, 12, 14),
    notice_month=9,
    notice_day=14,
)


def document_on(day, notice_on=None):
    notices = [GivenNotice(notice_on, "Stiftelsen")] if notice_on else []
    return calendar_on(DOCUMENT_PERIODS, notices, day, final_end=D(2024, 12, 14))


@pytest.mark.parametrize(
    ("day", "status", "period_start", "period_end", "deadline"),
    [
        # The examples.
        (D(2022, 9, 1), ACTIVE, D(2021, 12, 15), D(2022, 12, 14), D(2022, 9, 14)),
        (D(2023, 1, 10), ACTIVE, D(2022, 12, 15), D(2023, 12, 14), D(2023, 9, 14)),
        (D(2024, 12, 15), ENDED, None, None, None),
        # The day before the start, the first day.
        (D(2021, 12, 14), NOT_STARTED, None, None, D(2022, 9, 14)),
        (D(2021, 12, 15), ACTIVE, D(2021, 12, 15), D(2022, 12, 14), D(2022, 9, 14)),
        # The first deadline, the day after it: the next deadline is a year later.
        (D(2022, 9, 14), ACTIVE, D(2021, 12, 15), D(2022, 12, 14), D(2022, 9, 14)),
        (D(2022, 9, 15), ACTIVE, D(2021, 12, 15), D(2022, 12, 14), D(2023, 9, 14)),
        # The last day of the first period and the first of the second.
        (D(2022, 12, 14), ACTIVE, D(2021, 12, 15), D(2022, 12, 14), D(2023, 9, 14)),
        (D(2022, 12, 15), ACTIVE, D(2022, 12, 15), D(2023, 12, 14), D(2023, 9, 14)),
        # The second deadline, then none: the last period cannot be extended anyway.
        (D(2023, 9, 14), ACTIVE, D(2022, 12, 15), D(2023, 12, 14), D(2023, 9, 14)),
        (D(2023, 9, 15), ACTIVE, D(2022, 12, 15), D(2023, 12, 14), None),
        (D(2023, 12, 15), ACTIVE, D(2023, 12, 15), D(2024, 12, 14), None),
        # The final end date and the day after.
        (D(2024, 12, 14), ACTIVE, D(2023, 12, 15), D(2024, 12, 14), None),
    ],
)
def test_the_documents_agreement_on_each_boundary_day(
    day, status, period_start, period_end, deadline
):
    state = document_on(day)
    assert (state.status, state.period_start, state.period_end, state.notice_deadline) == (
        status,
        period_start,
        period_end,
        deadline,
    )
    assert state.final_end == state.ends_on == D(2024, 12, 14)
    assert state.notice_given is None


def test_notice_given_before_the_deadline_ends_the_agreement_with_the_period():
    # The example: notice on 2023-09-01, ended on 2023-12-15.
    assert document_on(D(2023, 12, 14), D(2023, 9, 1)).status == ACTIVE
    ended = document_on(D(2023, 12, 15), D(2023, 9, 1))
    assert ended.status == ENDED and ended.ends_on == D(2023, 12, 14)
    assert ended.final_end == D(2024, 12, 14)  # the terms do not change; the end does
    assert ended.notice_given == GivenNotice(D(2023, 9, 1), "Stiftelsen")


def test_a_notice_counts_from_the_day_it_was_given():
    before = document_on(D(2023, 8, 31), D(2023, 9, 1))
    assert before.notice_given is None
    assert before.notice_deadline == D(2023, 9, 14) and before.ends_on == D(2024, 12, 14)
    on_the_day = document_on(D(2023, 9, 1), D(2023, 9, 1))
    assert on_the_day.notice_deadline is None  # nothing left to stop
    assert on_the_day.ends_on == D(2023, 12, 14)


def test_notice_on_the_deadline_day_stops_the_next_extension():
    state = document_on(D(2022, 9, 14), D(2022, 9, 14))
    assert state.ends_on == D(2022, 12, 14) and state.notice_deadline is None
    assert document_on(D(2022, 12, 14), D(2022, 9, 14)).status == ACTIVE
    assert document_on(D(2022, 12, 15), D(2022, 9, 14)).status == ENDED


def test_notice_the_day_after_the_deadline_stops_only_the_extension_after():
    state = document_on(D(2022, 9, 15), D(2022, 9, 15))
    assert state.ends_on == D(2023, 12, 14)
    assert document_on(D(2022, 12, 15), D(2022, 9, 15)).status == ACTIVE
    assert document_on(D(2023, 12, 15), D(2022, 9, 15)).status == ENDED


def test_notice_in_the_last_period_changes_nothing():
    state = document_on(D(2024, 12, 14), D(2024, 1, 10))
    assert state.status == ACTIVE and state.ends_on == D(2024, 12, 14)
    assert document_on(D(2024, 12, 15), D(2024, 1, 10)).status == ENDED


def test_the_earliest_notice_decides():
    notices = [GivenNotice(D(2023, 9, 10), "Staden"), GivenNotice(D(2022, 9, 1), "Stiftelsen")]
    state = calendar_on(DOCUMENT_PERIODS, notices, D(2023, 10, 1), final_end=D(2024, 12, 14))
    assert state.ends_on == D(2022, 12, 14) and state.status == ENDED
    assert state.notice_given.given_by == "Stiftelsen"


def leap_periods(first_end, final_end, notice_month=2, notice_day=29):
    return agreement_periods(
        starts_on=D(first_end.year - 1, first_end.month, 1),
        first_period_ends_on=first_end,
        extension_months=12,
        final_end_on=final_end,
        notice_month=notice_month,
        notice_day=notice_day,
    )


def test_a_notice_day_of_29_february_is_the_28th_in_other_years():
    periods = leap_periods(D(2024, 5, 31), D(2027, 5, 31))
    assert [p.notice_deadline for p in periods] == [
        D(2024, 2, 29),
        D(2025, 2, 28),
        D(2026, 2, 28),
        None,
    ]

    def on(day, notice_on=None):
        notices = [GivenNotice(notice_on, "X")] if notice_on else []
        return calendar_on(periods, notices, day, final_end=D(2027, 5, 31))

    assert on(D(2025, 2, 28)).notice_deadline == D(2025, 2, 28)
    assert on(D(2025, 3, 1)).notice_deadline == D(2026, 2, 28)
    assert on(D(2024, 2, 29)).notice_deadline == D(2024, 2, 29)
    assert on(D(2024, 3, 1)).notice_deadline == D(2025, 2, 28)
    # Notice on the 28th of a common year is on the deadline; on 1 March, a day late.
    assert on(D(2025, 3, 1), D(2025, 2, 28)).ends_on == D(2025, 5, 31)
    assert on(D(2025, 3, 1), D(2025, 3, 1)).ends_on == D(2026, 5, 31)


def test_a_period_ending_on_29_february_ends_on_the_29th_again_in_the_next_leap_year():
    periods = leap_periods(D(2024, 2, 29), D(2028, 2, 29), notice_month=11, notice_day=30)
    assert [(p.starts_on, p.ends_on) for p in periods] == [
        (D(2023, 2, 1), D(2024, 2, 29)),
        (D(2024, 3, 1), D(2025, 2, 28)),
        (D(2025, 3, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2027, 2, 28)),
        (D(2027, 3, 1), D(2028, 2, 29)),
    ]
    state = calendar_on(periods, [], D(2028, 2, 29), final_end=D(2028, 2, 29))
    assert state.status == ACTIVE and state.period_start == D(2027, 3, 1)
    assert calendar_on(periods, [], D(2028, 3, 1), final_end=D(2028, 2, 29)).status == ENDED


def test_an_agreement_may_name_29_february_as_its_notice_day():
    agreement = Agreement(
        starts_on=D(2023, 6, 1),
        first_period_ends_on=D(2024, 5, 31),
        final_end_on=D(2027, 5, 31),
        notice_month=2,
        notice_day=29,
        yearly_compensation=1,
    )
    agreement.clean()
    agreement.notice_day = 30
    with pytest.raises(ValidationError):
        agreement.clean()


def test_an_open_ended_agreement_runs_on_and_has_a_deadline_every_year():
    periods = agreement_periods(
        starts_on=D(2020, 1, 1),
        first_period_ends_on=D(2020, 12, 31),
        extension_months=12,
        final_end_on=None,
        notice_month=10,
        notice_day=1,
        list_until=D(2042, 1, 1),
    )
    state = calendar_on(periods, [], D(2040, 10, 2), final_end=None, open_ended=True)
    assert state.status == ACTIVE and state.ends_on is None
    assert state.notice_deadline == D(2041, 10, 1)


@pytest.mark.django_db
def test_the_demo_agreement_and_a_registered_notice():
    demo = demo_partnership_create()
    agreement = demo.partnership.agreements.get()
    assert agreement_on(agreement, D(2022, 9, 1)).as_dict() == {
        "on": "2022-09-01",
        "status": "active",
        "period": 1,
        "period_start": "2021-12-15",
        "period_end": "2022-12-14",
        "notice_deadline": "2022-09-14",
        "final_end": "2024-12-14",
        "ends_on": "2024-12-14",
        "notice_given": None,
    }
    Notice.objects.create(
        agreement=agreement,
        given_by=demo.support_centre.organisation,
        given_on=D(2023, 9, 1),
    )
    assert agreement_on(agreement, D(2023, 12, 15)).status == ENDED
    assert agreement_on(agreement, D(2023, 1, 10)).status == ACTIVE


def run_agreement(*args):
    out = io.StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_agreement_command_prints_json_and_swedish_text():
    demo_partnership_create()
    state = json.loads(run_agreement("--on", "2023-01-10", "--format", "json"))
    assert (state["status"], state["period_end"], state["notice_deadline"]) == (
        "active",
        "2023-12-14",
        "2023-09-14",
    )
    assert json.loads(run_agreement("--on", "2024-12-15", "--format", "json"))["status"] == "ended"
    with translation.override("sv"):
        text = run_agreement("--on", "2022-09-01", "--partnership", "iop-vald-i-ungas-relationer")
    assert "2022-09-14" in text and "2022-12-14" in text


@pytest.mark.django_db
def test_the_agreement_command_refuses_a_bad_date_and_a_missing_partnership():
    with pytest.raises(CommandError):
        run_agreement("--on", "2023-02-30")
    demo_partnership_create()
    with pytest.raises(CommandError):
        run_agreement("--partnership", "nobody")


def test_text_names_the_status_and_the_deadline():
    with translation.override("en"):
        text = agreement_day_as_text(document_on(D(2022, 9, 1)))
    assert "active" in text and "2022-09-14" in text and "2024-12-14" in text
