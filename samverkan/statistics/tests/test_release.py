"""The public level's mechanism (statistics.release, statistics.perturbation): which periods it
answers, that a period is the sum of its months, and what the perturbation can and cannot publish.
The attacks a reader would try are in statistics/tests/adversary/."""

import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from samverkan.conftest import local
from samverkan.records import services
from samverkan.statistics.engine import month_starts, statistics_compute
from samverkan.statistics.models import DisclosureKey
from samverkan.statistics.perturbation import MAX_NOISE, disclosure_key, perturb, preimage
from samverkan.statistics.release import (
    PublicPeriodError,
    calendar_span,
    check_public_period,
    nearest_public_period,
)

D = datetime.date
TODAY = D(2022, 12, 3)


def _leaves(tree, prefix=""):
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _leaves(value, f"{path}.")
        else:
            yield path, value


def _counts(result):
    """Every count of a result (the statistics are not sums), by path."""
    skip = ("mean_age", "median_days", "youngest_age")
    return {
        path: value
        for path, value in _leaves(
            {k: result[k] for k in ("chat", "clinic", "support_centre", "referrals")}
        )
        if not any(word in path for word in skip)
    }


@given(st.integers(0, 10_000), st.floats(0, 1, exclude_max=True), st.integers(3, 10))
def test_perturbation_never_publishes_a_small_count_and_its_preimage_holds_the_truth(n, u, t):
    published = perturb(n, u, t)
    assert published == 0 or published >= t
    low, high = preimage(published, t)
    assert low <= n <= high
    if n >= t:
        assert abs(published - n) <= MAX_NOISE and published >= t
    if n == 0:
        assert published == 0


@pytest.mark.parametrize("published", [0, 5])
def test_a_reader_cannot_tell_a_small_count_from_zero_or_from_the_threshold(published):
    low, high = preimage(published, 5)
    assert low <= 1 and high >= 4  # "0 to 4" or "1 to 8": 1 and 4 are both possible


def test_small_counts_are_published_as_zero_or_the_threshold_about_as_often_as_they_are_true():
    # Unbiased: n from 1 to t-1 is t with probability n/t.
    draws = [i / 1000 for i in range(1000)]
    for n in range(1, 5):
        mean = sum(perturb(n, u, 5) for u in draws) / len(draws)
        assert abs(mean - n) < 0.01


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (D(2022, 1, 1), D(2022, 1, 31)),
        (D(2022, 1, 1), D(2022, 5, 31)),
        (D(2021, 12, 1), D(2022, 11, 30)),
    ],
)
def test_whole_months_that_have_ended_are_public(date_from, date_to):
    check_public_period(date_from, date_to, TODAY)


@pytest.mark.parametrize(
    ("date_from", "date_to", "nearest"),
    [
        # A day, days at the edges: the whole months inside, or the month around.
        (D(2022, 5, 14), D(2022, 5, 14), (D(2022, 5, 1), D(2022, 5, 31))),
        (D(2022, 1, 1), D(2022, 5, 30), (D(2022, 1, 1), D(2022, 4, 30))),
        (D(2021, 12, 15), D(2022, 12, 14), (D(2022, 1, 1), D(2022, 11, 30))),
        # The month in progress is not published while it fills up.
        (D(2022, 12, 1), D(2022, 12, 31), (D(2022, 11, 1), D(2022, 11, 30))),
        (D(2022, 1, 1), D(2022, 12, 31), (D(2022, 1, 1), D(2022, 11, 30))),
    ],
)
def test_other_periods_are_refused_naming_the_nearest_public_one(date_from, date_to, nearest):
    with translation.override("sv"), pytest.raises(PublicPeriodError) as refused:
        check_public_period(date_from, date_to, TODAY)
    assert refused.value.suggestion == nearest
    assert nearest_public_period(date_from, date_to, TODAY) == nearest
    assert "hela kalendermånader" in str(refused.value)  # Swedish by default
    assert nearest[0].isoformat() in str(refused.value)


def test_a_month_is_released_some_days_after_it_ends(settings):
    # Time for the support centre's monthly import and late registrations (default 14 days).
    settings.SAMVERKAN_PUBLIC_AFTER_DAYS = 14
    with pytest.raises(PublicPeriodError) as refused:
        check_public_period(D(2022, 11, 1), D(2022, 11, 30), D(2022, 12, 14))
    assert refused.value.suggestion == (D(2022, 10, 1), D(2022, 10, 31))
    check_public_period(D(2022, 11, 1), D(2022, 11, 30), D(2022, 12, 15))


def test_distinct_counts_have_the_calendar_periods_only():
    assert calendar_span(D(2022, 5, 1), D(2022, 5, 31)) == "2022-05..2022-05"
    assert calendar_span(D(2022, 4, 1), D(2022, 6, 30)) == "2022-04..2022-06"  # a quarter
    assert calendar_span(D(2022, 7, 1), D(2022, 12, 31)) == "2022-07..2022-12"  # a half-year
    assert calendar_span(D(2022, 1, 1), D(2022, 5, 31)) == "2022-01..2022-05"  # the year so far
    assert calendar_span(D(2022, 2, 1), D(2022, 5, 31)) is None
    assert calendar_span(D(2022, 5, 1), D(2022, 6, 30)) is None
    assert calendar_span(D(2021, 12, 1), D(2022, 1, 31)) is None


@pytest.mark.django_db
def test_the_key_is_made_once_and_kept_in_the_database(settings):
    settings.SAMVERKAN_DISCLOSURE_KEY = ""
    first = disclosure_key()
    assert len(first) == 32 and disclosure_key() == first
    assert DisclosureKey.objects.count() == 1
    settings.SAMVERKAN_DISCLOSURE_KEY = "operator's own"
    assert disclosure_key() != first


def _chats(small, month, count, **values):
    for i in range(count):
        services.chat_conversation_create(
            unit=small.chat,
            started_at=local(2022, month, 1 + i % 28, 18, i // 28),
            concern=values.get("concern", "victim"),
            resident="yes",
            gender=values.get("gender", "girl"),
            age=values.get("age", 16),
        )


def _public(small, date_from, date_to):
    return statistics_compute(
        partnership=small.partnership,
        date_from=date_from,
        date_to=date_to,
        disclosure="public",
        today=TODAY,
    )


@pytest.mark.django_db
def test_a_period_is_the_sum_of_its_months_and_asking_again_changes_nothing(small):
    _chats(small, 1, 40)
    _chats(small, 2, 3, concern="perpetrator", gender="boy", age=19)
    _chats(small, 3, 12, concern="friend")
    _chats(small, 4, 1, concern="perpetrator", gender="other", age=14)
    quarter = _public(small, D(2022, 1, 1), D(2022, 3, 31))
    months = [
        _public(small, D(2022, m, 1), D(2022, m + 1, 1) - datetime.timedelta(days=1))
        for m in (1, 2, 3)
    ]
    for path, value in _counts(quarter).items():
        if path.startswith(("clinic.clients", "clinic.residents.")):
            continue  # distinct clients: no sum of months
        summed = sum(_counts(month).get(path) or 0 for month in months)
        # A hidden sum is below the threshold, i.e. 0: every month of it was published as 0.
        assert (value or 0) == summed, path
    assert _public(small, D(2022, 1, 1), D(2022, 3, 31)) == quarter
    # The chart's month is that month's own count: the same cell wherever it is shown.
    for month, number in zip(("2022-01", "2022-02", "2022-03"), months, strict=True):
        assert quarter["chat"]["by_month"][month]["total"] == number["chat"]["conversations"]


@pytest.mark.django_db
def test_no_public_count_is_small_and_a_breakdown_of_a_hidden_total_is_hidden(small):
    _chats(small, 4, 3, concern="perpetrator", gender="boy")
    result = _public(small, D(2022, 4, 1), D(2022, 4, 30))
    assert not [v for v in _counts(result).values() if v is not None and 0 < v < 5]
    rules = {entry["path"]: entry["rule"] for entry in result["disclosure"]["suppressed"]}
    chat = result["chat"]["residents"]
    if chat["conversations"] is None:
        assert rules["chat.residents.conversations"] == "small"
        assert chat["by_gender"]["boy"] is None
        assert rules["chat.residents.by_gender.boy"] in ("small", "collapsed")
    # Youngest ages are never public; means of fewer than 10 neither.
    assert rules["support_centre.partner_violence.victims.youngest_age"] == "not-public"
    assert chat["mean_age"] is None and rules["chat.residents.mean_age"] == "small-base"


@pytest.mark.django_db
def test_a_released_month_stays_as_released(small):
    """Later registrations and corrections change the exact figures, not what was released: a
    reader watching the figures, or an insider adding and removing records of their own, sees
    no change to learn from."""
    _chats(small, 3, 12)
    before = _public(small, D(2022, 3, 1), D(2022, 3, 31))
    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 20, 19), concern="perpetrator", resident="no"
    )
    assert _public(small, D(2022, 3, 1), D(2022, 3, 31)) == before
    assert (
        _public(small, D(2022, 1, 1), D(2022, 3, 31))["chat"]["by_month"]["2022-03"]
        == (before["chat"]["by_month"]["2022-03"])
    )
    services.chat_conversation_delete(conversation=conversation)
    assert _public(small, D(2022, 3, 1), D(2022, 3, 31)) == before
    exact = statistics_compute(
        partnership=small.partnership,
        date_from=D(2022, 3, 1),
        date_to=D(2022, 3, 31),
        disclosure="internal",
    )
    assert exact["chat"]["conversations"] == 12


@pytest.mark.django_db
def test_a_period_already_released_reads_no_record_and_gives_the_same_figures(small, monkeypatch):
    """Once every month, calendar period and statistic of a period has been released, the
    public level answers from what was released (the structure of the figures needs no query):
    the same result, byte for byte, as from the exact figures, and no record table is read."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from samverkan.statistics import release  # noqa: PLC0415

    _chats(small, 1, 40)
    _chats(small, 2, 7, concern="perpetrator", gender="boy", age=19)
    _chats(small, 5, 12, concern="friend")
    periods = [
        (D(2022, 1, 1), D(2022, 5, 31)),  # the year so far: distinct clients too
        (D(2022, 2, 1), D(2022, 4, 30)),  # not a calendar period
        (D(2021, 12, 1), D(2022, 2, 28)),  # over a year's end
    ]
    first = [_public(small, *period) for period in periods]
    with CaptureQueriesContext(connection) as queries:
        again = [_public(small, *period) for period in periods]
    assert again == first
    read = " ".join(query["sql"] for query in queries.captured_queries)
    for table in ("records_", "referrals_referral", "statistics_monthlycount", "dailycount"):
        assert table not in read, table
    # The same as computed from the exact figures, every time.
    monkeypatch.setattr(release, "_structure_if_released", lambda *args, **kwargs: None)
    assert [_public(small, *period) for period in periods] == first


@pytest.mark.django_db
def test_means_are_given_from_ten_records_to_the_half_year(small):
    _chats(small, 5, 6, age=15)
    _chats(small, 5, 6, age=16)  # 15.5 exactly
    result = _public(small, D(2022, 5, 1), D(2022, 5, 31))
    assert result["chat"]["residents"]["mean_age"] == 15.5
    assert result["chat"]["residents"]["mean_age_by_gender"]["girl"] == 15.5


@pytest.mark.django_db
def test_the_clinic_is_given_for_calendar_periods_only(small):
    client = services.clinic_client_create(
        unit=small.clinic,
        ref="K1",
        first_visit=D(2022, 2, 3),
        resident="yes",
        gender="girl",
        concern="victim",
    )
    for day in (D(2022, 2, 3), D(2022, 3, 3)):
        services.clinic_session_add(client=client, date=day)
    odd = _public(small, D(2022, 2, 1), D(2022, 3, 31))  # two months, no calendar period
    rules = {entry["path"]: entry["rule"] for entry in odd["disclosure"]["suppressed"]}
    assert odd["clinic"]["clients"] is None and rules["clinic.clients"] == "not-public"
    assert odd["clinic"]["residents"]["by_gender"]["girl"] is None
    quarter = _public(small, D(2022, 1, 1), D(2022, 3, 31))
    assert quarter["clinic"]["clients"] in (None, 5)  # one client: hidden, or 5


@pytest.mark.django_db
def test_internal_figures_stay_exact_for_any_period(small):
    _chats(small, 4, 3, concern="perpetrator")
    result = statistics_compute(
        partnership=small.partnership,
        date_from=D(2022, 4, 1),
        date_to=D(2022, 4, 20),
        disclosure="internal",
    )
    assert result["chat"]["by_concern"]["perpetrator"] == 3
    assert result["disclosure"] == {"level": "internal", "threshold": None, "suppressed": []}


def test_month_starts():
    assert month_starts(D(2021, 12, 15), D(2022, 2, 1)) == [
        D(2021, 12, 1),
        D(2022, 1, 1),
        D(2022, 2, 1),
    ]
