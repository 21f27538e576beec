"""Figures computed by hand for small fixtures, edges included."""

import datetime

import pytest

from samverkan.conftest import local
from samverkan.partnership.models import Partnership
from samverkan.records import services
from samverkan.statistics.counters import counts_from_records, stored_counts
from samverkan.statistics.engine import configuration_for, statistics_compute

pytestmark = pytest.mark.django_db
D = datetime.date


def figures(small, date_from, date_to, **kwargs):
    return statistics_compute(
        partnership=small.partnership,
        date_from=date_from,
        date_to=date_to,
        disclosure=kwargs.pop("disclosure", "internal"),
        **kwargs,
    )


def chat(small, started_at, **fields):
    fields.setdefault("concern", "victim")
    return services.chat_conversation_create(unit=small.chat, started_at=started_at, **fields)


def test_chat_period_bounds_are_stockholm_calendar_days(small):
    chat(small, local(2021, 12, 31, 23, 59))  # before
    chat(small, local(2022, 1, 1, 0, 0))  # first moment of the period
    chat(small, local(2022, 1, 31, 23, 59))  # 22:59 UTC, still 31 January in Stockholm
    chat(small, local(2022, 2, 1, 0, 30))  # 31 January 23:30 UTC, but 1 February here
    result = figures(small, D(2022, 1, 1), D(2022, 1, 31))
    assert result["chat"]["conversations"] == 2
    assert result["chat"]["by_month"] == {
        "2022-01": {"victim": 2, "perpetrator": 0, "friend": 0, "other": 0, "total": 2}
    }


def test_chat_residents_breakdowns_and_means_ignore_unknown_ages(small):
    chat(
        small,
        local(2022, 3, 1, 19),
        resident="yes",
        gender="girl",
        age=16,
        violence=["physical", "digital"],
    )
    chat(small, local(2022, 3, 2, 20), resident="yes", gender="girl", age=19, concern="friend")
    chat(small, local(2022, 3, 3, 21), resident="yes", gender="girl", age=None)
    chat(
        small,
        local(2022, 3, 4, 22),
        resident="yes",
        gender="boy",
        age=15,
        concern="perpetrator",
        violence=["psychological"],
        referred_to=small.clinic_service,
        district=small.district,
    )
    chat(
        small,
        local(2022, 3, 5, 18),
        resident="no",
        gender="boy",
        age=30,
        concern="perpetrator",
        referred_to=small.rvc_service,
    )
    chat(small, local(2022, 3, 6, 18), resident="unknown", gender="unknown")
    result = figures(small, D(2022, 3, 1), D(2022, 3, 31))
    c = result["chat"]
    r = c["residents"]
    assert c["conversations"] == 6
    assert c["by_concern"] == {"victim": 3, "perpetrator": 2, "friend": 1, "other": 0}
    assert r["conversations"] == 4
    assert r["by_gender"] == {"girl": 3, "boy": 1, "other": 0, "unknown": 0}
    assert r["by_concern"] == {"victim": 2, "perpetrator": 1, "friend": 1, "other": 0}
    assert r["by_gender_and_concern"]["girl"] == {
        "victim": 2,
        "perpetrator": 0,
        "friend": 1,
        "other": 0,
    }
    assert r["by_district"] == {"north": 1, "unknown": 3}
    assert r["by_violence"] == {
        "physical": 1,
        "psychological": 1,
        "sexual": 0,
        "digital": 1,
        "economic": 0,
        "other": 0,
    }
    # (16 + 19 + 15) / 3; the girl of unknown age and the non-residents do not count.
    assert r["mean_age"] == 16.7
    assert r["mean_age_by_gender"] == {"girl": 17.5, "boy": 15.0}
    assert result["referrals"]["by_destination"] == {"clinic": 1, "rvc": 1}
    assert result["referrals"]["by_source"]["chat"] == {"clinic": 1, "rvc": 1}


def test_empty_period_gives_zeros_and_no_means(small):
    chat(small, local(2022, 3, 1, 19), resident="yes", gender="girl", age=16)
    result = figures(small, D(2023, 1, 1), D(2023, 1, 31))
    assert result["chat"]["conversations"] == 0
    assert result["chat"]["residents"]["mean_age"] is None
    assert result["clinic"]["clients"] == 0
    assert result["support_centre"]["cases"] == 0
    assert result["support_centre"]["partner_violence"]["victims"]["youngest_age"] is None


def test_clinic_counts_clients_with_a_session_in_the_period_and_ongoing_series(small):
    def client(ref, *, sessions, closed_on=None, **fields):
        fields.setdefault("concern", "victim")
        created = services.clinic_client_create(
            unit=small.clinic, ref=ref, first_visit=sessions[0], resident="yes", **fields
        )
        for day in sessions:
            services.clinic_session_add(client=created, date=day)
        if closed_on:
            services.clinic_client_close(client=created, closed_on=closed_on, closure="completed")

    client("A", sessions=[D(2022, 1, 10), D(2022, 2, 10)], gender="girl")
    client(
        "B", sessions=[D(2022, 5, 2)], gender="boy", concern="perpetrator", closed_on=D(2022, 5, 31)
    )
    client(
        "C", sessions=[D(2022, 5, 20)], gender="boy", concern="perpetrator", closed_on=D(2022, 6, 1)
    )
    client("D", sessions=[D(2021, 11, 1)], gender="girl")  # no session in the period
    client("E", sessions=[D(2021, 12, 1), D(2022, 1, 1)], gender="girl")  # first day counts
    client("F", sessions=[D(2022, 6, 1)], gender="girl")  # day after the period
    outsider = services.clinic_client_create(
        unit=small.clinic, ref="G", first_visit=D(2022, 3, 1), resident="no", concern="victim"
    )
    services.clinic_session_add(client=outsider, date=D(2022, 3, 1))
    result = figures(small, D(2022, 1, 1), D(2022, 5, 31))["clinic"]
    assert result["clients"] == 5  # A, B, C, E and the non-resident G
    assert result["sessions"] == 6
    assert result["residents"]["clients"] == 4
    assert result["residents"]["by_gender_and_concern"]["girl"] == {"victim": 2, "perpetrator": 0}
    assert result["residents"]["by_gender_and_concern"]["boy"] == {"victim": 0, "perpetrator": 2}
    # B closed on the period's last day: not ongoing. C closes the day after: ongoing.
    assert result["residents"]["ongoing"] == 3


def test_support_centre_figures(small):
    def case(day, **fields):
        fields.setdefault("category", "victim")
        return services.support_centre_case_create(
            unit=small.support_centre, received_on=day, **fields
        )

    case(D(2022, 1, 1), gender="girl", age=13, screened=True, screening_answer="victim")
    case(
        D(2022, 2, 1),
        gender="girl",
        age=17,
        screened=True,
        screening_answer="both",
        referred_to=small.clinic_service,
    )
    case(
        D(2022, 3, 1),
        gender="boy",
        age=15,
        screened=True,
        screening_answer="perpetrator",
        category="suspect-interrogation",
    )
    case(D(2022, 3, 2), gender="boy", age=16, screened=True, screening_answer="none")
    case(D(2022, 3, 3), gender="boy", age=None, screened=False)
    case(D(2022, 5, 31), gender="other", age=20)
    case(D(2022, 6, 1), gender="girl", age=10, screened=True, screening_answer="victim")  # after
    s = figures(small, D(2022, 1, 1), D(2022, 5, 31))["support_centre"]
    assert s["cases"] == 6
    assert s["by_gender"] == {"girl": 2, "boy": 3, "other": 1, "unknown": 0}
    assert s["by_category"]["victim"] == 5 and s["by_category"]["suspect-interrogation"] == 1
    assert s["mean_age_by_gender"] == {"girl": 15.0, "boy": 15.5}
    assert s["mean_age"] == 16.2  # (13 + 17 + 15 + 16 + 20) / 5
    assert s["screened"] == 4
    assert s["screening"] == {
        "none": 1,
        "victim": 1,
        "perpetrator": 1,
        "both": 1,
        "declined": 0,
        "unknown": 0,
    }
    pv = s["partner_violence"]
    assert pv["victims"]["count"] == 2
    assert pv["victims"]["by_gender"] == {"girl": 2, "boy": 0, "other": 0, "unknown": 0}
    assert pv["victims"]["youngest_age"] == 13
    assert pv["perpetrators"]["count"] == 2
    assert pv["perpetrators"]["by_gender"]["boy"] == 1


def test_updates_and_deletes_keep_the_counts_true(small):
    first = chat(small, local(2022, 3, 1, 19), resident="yes", gender="girl", age=16)
    second = chat(small, local(2022, 3, 2, 19), resident="yes", gender="boy", age=17)
    services.chat_conversation_update(
        conversation=first,
        gender="boy",
        age=18,
        started_at=local(2022, 4, 1, 12),
        violence=["sexual"],
    )
    services.chat_conversation_delete(conversation=second)
    case = services.support_centre_case_create(
        unit=small.support_centre,
        received_on=D(2022, 3, 1),
        category="victim",
        gender="girl",
        age=14,
    )
    services.support_centre_case_update(case=case, screened=True, screening_answer="victim")
    unit_ids = [small.chat.id, small.support_centre.id]
    assert dict(stored_counts(unit_ids)) == counts_from_records(unit_ids)
    result = figures(small, D(2022, 3, 1), D(2022, 4, 30))
    assert result["chat"]["residents"]["by_gender"]["boy"] == 1
    assert result["chat"]["residents"]["mean_age_by_gender"]["boy"] == 18.0
    assert result["chat"]["by_month"]["2022-03"]["total"] == 0
    assert result["chat"]["by_month"]["2022-04"]["total"] == 1
    assert result["support_centre"]["partner_violence"]["victims"]["count"] == 1


def test_disposed_records_leave_their_figures_behind(small):
    """Disposal after the retention period removes records but not the anonymous counts."""
    conversation = chat(small, local(2021, 3, 1, 19), resident="yes", gender="girl", age=16)
    conversation.delete()  # what disposal does, unlike chat_conversation_delete
    result = figures(small, D(2021, 1, 1), D(2021, 12, 31))
    assert result["chat"]["residents"]["by_gender"]["girl"] == 1


def test_public_disclosure_hides_small_counts_and_says_which(small):
    for day in range(1, 11):
        chat(small, local(2022, 3, day, 19), resident="yes", gender="girl", age=16)
    for day in range(1, 3):
        chat(small, local(2022, 3, day, 20), resident="yes", gender="boy", age=17)
    result = figures(small, D(2022, 3, 1), D(2022, 3, 31), disclosure="public", threshold=5)
    r = result["chat"]["residents"]
    # Perturbed (statistics.perturbation): within MAX_NOISE of the truth, never 1 to 4.
    assert abs(r["conversations"] - 12) <= 3
    assert abs(r["by_gender"]["girl"] - 10) <= 3
    assert r["by_gender"]["boy"] in (None, 5)  # 2 boys publish as 0 (hidden) or 5
    assert r["mean_age_by_gender"]["boy"] is None  # two ages: fewer than 2 * 5
    assert r["mean_age_by_gender"]["girl"] == 16.0  # ten ages: shown, to the half year
    rules = {entry["path"]: entry["rule"] for entry in result["disclosure"]["suppressed"]}
    assert rules["chat.residents.mean_age_by_gender.boy"] == "small-base"
    assert rules["chat.residents.by_gender.other"] == "small"  # zeros read as hidden too
    assert rules["support_centre.partner_violence.victims.youngest_age"] == "not-public"
    assert result["disclosure"] == {**result["disclosure"], "level": "public", "threshold": 5}


def test_a_period_that_ends_before_it_starts_is_refused(small):
    from samverkan.core.errors import SamverkanError

    with pytest.raises(SamverkanError):
        figures(small, D(2022, 2, 1), D(2022, 1, 1))


def test_clinic_counts_clients_alike_in_every_value_once_each(small):
    # Found by the property test of disposal: a DISTINCT over the values counted (and the first
    # visit the ordering adds) took two such clients for one.
    for ref in ("A", "B"):
        client = services.clinic_client_create(
            unit=small.clinic,
            ref=ref,
            first_visit=D(2022, 2, 1),
            resident="yes",
            gender="girl",
            concern="victim",
        )
        services.clinic_session_add(client=client, date=D(2022, 2, 1))
    result = figures(small, D(2022, 1, 1), D(2022, 12, 31))["clinic"]
    assert result["clients"] == 2
    assert result["residents"]["by_gender_and_concern"]["girl"]["victim"] == 2
    assert result["residents"]["ongoing"] == 2


def test_a_configuration_read_once_gives_the_same_figures_and_only_for_its_partnership(small):
    # The dashboard reads the units, districts and services once for two periods.
    chat(small, local(2022, 3, 1, 19), resident="yes", district=small.district)
    chat(small, local(2022, 3, 2, 19), referred_to=small.rvc_service)
    configuration = configuration_for(small.partnership)
    for level in ("internal", "public"):
        assert figures(
            small, D(2022, 1, 1), D(2022, 12, 31), disclosure=level, configuration=configuration
        ) == figures(small, D(2022, 1, 1), D(2022, 12, 31), disclosure=level)
    other = Partnership.objects.create(key="other", name="Other", municipality="Town")
    with pytest.raises(ValueError, match="another partnership"):
        figures(small, D(2022, 1, 1), D(2022, 12, 31), configuration=configuration_for(other))
