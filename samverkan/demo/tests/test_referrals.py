"""The demo's referral codes: valid, deterministic, plausible, and no other figure moves."""

from datetime import date

import pytest
from django.db import transaction

from samverkan.demo.partnership import demo_partnership_create
from samverkan.demo.records import demo_records_create
from samverkan.demo.referrals import demo_referrals_create
from samverkan.records.models import ChatConversation
from samverkan.referrals.codes import is_well_formed
from samverkan.referrals.models import Referral
from samverkan.statistics.engine import statistics_compute

pytestmark = pytest.mark.django_db
REPORT = (date(2022, 1, 1), date(2022, 5, 31))


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo = demo_partnership_create()
        demo_records_create(demo)
        before = _figures(demo)
        created = demo_referrals_create(demo)
        yield demo, before, created
        transaction.set_rollback(True)


def _figures(demo, period=REPORT):
    return statistics_compute(
        partnership=demo.partnership, date_from=period[0], date_to=period[1], disclosure="internal"
    )


def _rows():
    return list(
        Referral.objects.order_by("issued_at", "pk").values_list(
            "code", "destination__key", "issued_at", "arrived_at", "conversation__concern"
        )
    )


def test_codes_are_valid_and_follow_their_conversations(built):
    demo, _before, created = built
    referrals = Referral.objects.select_related("conversation", "destination")
    assert referrals.count() == created
    for referral in referrals:
        assert is_well_formed(referral.code)
        assert referral.destination == referral.conversation.referred_to
        assert referral.issued_at > referral.conversation.started_at
        if referral.arrived_at:
            assert referral.issued_at < referral.arrived_at < referral.expires_at
            assert referral.arrival_unit == referral.destination.unit


def test_a_realistic_share_gets_a_code_and_some_arrive(built):
    demo, _before, created = built
    referred = ChatConversation.objects.filter(unit=demo.chat, referred_to__isnull=False).count()
    assert 0.6 * referred < created < 0.8 * referred
    figures = _figures(demo, (date(2022, 1, 1), date(2022, 12, 31)))["referrals"]
    arrived, issued = figures["arrived"]["count"], figures["issued"]["count"]
    assert 0.2 * issued < arrived < 0.5 * issued
    assert figures["arrived"]["by_concern"]["perpetrator"] > 0
    assert 3 <= figures["median_days_to_arrival"] <= 14


def test_no_existing_figure_changes(built):
    demo, before, _created = built
    after = _figures(demo)
    codes = {"issued", "arrived", "not_arrived", "median_days_to_arrival"}
    unchanged = {k: v for k, v in before["referrals"].items() if k not in codes}
    assert {k: v for k, v in after["referrals"].items() if k not in codes} == unchanged
    assert {k: v for k, v in after.items() if k != "referrals"} == {
        k: v for k, v in before.items() if k != "referrals"
    }


def test_the_same_seed_gives_the_same_codes(built):
    demo, _before, _created = built
    first = _rows()
    Referral.objects.all().delete()
    demo_referrals_create(demo, seed=2022)
    assert _rows() == first
    Referral.objects.all().delete()
    demo_referrals_create(demo, seed=7)
    assert _rows() != first
