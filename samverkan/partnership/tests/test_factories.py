"""The test factories make what the application makes: records through their services, with
their counts, in a partnership whose users sign in with two factors."""

import datetime

import pytest
from django.urls import reverse

from samverkan.accounts.models import AuditEntry, Role
from samverkan.conftest import sign_in
from samverkan.factories import (
    ChatConversationFactory,
    ClinicClientFactory,
    PartnershipFactory,
    SupportCentreCaseFactory,
    UnitFactory,
    UserFactory,
)
from samverkan.partnership.models import Partnership, Unit
from samverkan.statistics.engine import statistics_compute

pytestmark = pytest.mark.django_db


def test_records_made_by_the_factories_are_counted_as_the_services_count_them():
    chat = UnitFactory(kind=Unit.Kind.CHAT)
    support = UnitFactory(kind=Unit.Kind.SUPPORT_CENTRE)
    clinic = UnitFactory(kind=Unit.Kind.CLINIC)
    partnership = PartnershipFactory(units=[chat, support, clinic])
    ChatConversationFactory.create_batch(3, unit=chat)
    ChatConversationFactory(unit=chat, concern="perpetrator", gender="boy")
    SupportCentreCaseFactory(unit=support)
    ClinicClientFactory(unit=clinic, first_session=True)

    figures = statistics_compute(
        partnership=partnership,
        date_from=datetime.date(2022, 3, 1),
        date_to=datetime.date(2022, 3, 31),
        disclosure="internal",
    )
    assert figures["chat"]["conversations"] == 4
    assert figures["chat"]["by_concern"]["perpetrator"] == 1
    assert figures["support_centre"]["cases"] == 1
    assert Partnership.objects.for_user(UserFactory(unit=clinic)).get() == partnership


def test_a_partnership_without_referral_destinations_yet_has_figures():
    chat = UnitFactory(kind=Unit.Kind.CHAT)
    partnership = PartnershipFactory(units=[chat])
    ChatConversationFactory(unit=chat)
    figures = statistics_compute(
        partnership=partnership,
        date_from=datetime.date(2022, 3, 1),
        date_to=datetime.date(2022, 3, 31),
        disclosure="internal",
    )
    assert figures["chat"]["conversations"] == 1
    assert figures["referrals"]["issued"]["count"] == 0
    assert "by_destination" not in figures["referrals"]["issued"]  # none configured


def test_a_record_cannot_be_built_beside_its_counts():
    with pytest.raises(TypeError, match="services"):
        ChatConversationFactory.build()


def test_a_user_from_the_factory_signs_in_and_sees_their_units_list(client):
    chat = UnitFactory(kind=Unit.Kind.CHAT)
    PartnershipFactory(units=[chat])
    conversation = ChatConversationFactory(unit=chat)
    ChatConversationFactory(unit=UnitFactory(kind=Unit.Kind.CHAT))  # another unit's
    volunteer = UserFactory(role=Role.VOLUNTEER, unit=chat)
    sign_in(client, volunteer)

    response = client.get(reverse("records:chat_list"))
    assert response.status_code == 200
    assert reverse("records:chat_detail", args=[conversation.pk]) in response.content.decode()
    assert AuditEntry.objects.get(action="records.listed").count == 1
