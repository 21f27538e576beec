"""A partnership is configuration: a second one is set up as data and keeps its own figures."""

import datetime

import pytest
from django.urls import reverse

from samverkan.conftest import local
from samverkan.partnership.models import Organisation, Partnership, Service, Unit
from samverkan.records import services
from samverkan.statistics.engine import statistics_compute

pytestmark = pytest.mark.django_db


def test_a_second_partnership_needs_no_code_and_counts_only_its_own_units(small):
    other_org = Organisation.objects.create(key="other", name="Other foundation", kind="non-profit")
    other_chat = Unit.objects.create(
        key="other-chat", name="Other chat", kind=Unit.Kind.CHAT, organisation=other_org
    )
    second = Partnership.objects.create(key="second", name="Second", municipality="Elsewhere")
    second.units.set([other_chat])
    Service.objects.create(partnership=second, key="counselling", name="Counselling")

    services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    for day in (1, 2):
        services.chat_conversation_create(
            unit=other_chat, started_at=local(2022, 3, day, 19), concern="perpetrator"
        )
    period = {"date_from": datetime.date(2022, 3, 1), "date_to": datetime.date(2022, 3, 31)}
    first = statistics_compute(partnership=small.partnership, disclosure="internal", **period)
    other = statistics_compute(partnership=second, disclosure="internal", **period)
    assert first["chat"]["conversations"] == 1
    assert other["chat"]["conversations"] == 2
    assert other["chat"]["by_concern"]["perpetrator"] == 2
    assert set(other["referrals"]["by_destination"]) == {"counselling"}


def test_a_record_cannot_point_at_another_partnerships_service(small):
    from samverkan.core.errors import SamverkanError

    second = Partnership.objects.create(key="second", name="Second", municipality="Elsewhere")
    foreign = Service.objects.create(partnership=second, key="x", name="X")
    with pytest.raises(SamverkanError):
        services.chat_conversation_create(
            unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim", referred_to=foreign
        )


@pytest.mark.parametrize(
    "name",
    [
        "admin:partnership_partnership_add",
        "admin:partnership_partnership_changelist",
        "admin:partnership_organisation_add",
        "admin:partnership_unit_add",
        "admin:partnership_group_add",
        "admin:records_chatconversation_changelist",
        "admin:records_clinicclient_changelist",
        "admin:records_supportcentrecase_changelist",
        "admin:accounts_user_changelist",
        "admin:accounts_auditentry_changelist",
    ],
)
def test_the_admin_pages_to_configure_a_partnership_open(small, admin_client, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 200


def test_the_admin_speaks_swedish_by_default(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert 'lang="sv"' in response.content.decode()


def test_records_are_repaired_in_the_admin_only_through_the_services(small, admin_client):
    """The admin can repair what staff cannot (issue 16), but never add a record, and its
    writes go through the services, which keep the anonymous counts true and audit them."""
    from samverkan.accounts.models import AuditEntry  # noqa: PLC0415
    from samverkan.records.models import ChatConversation  # noqa: PLC0415
    from samverkan.statistics.engine import statistics_compute  # noqa: PLC0415

    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    assert admin_client.get(reverse("admin:records_chatconversation_add")).status_code == 403
    url = reverse("admin:records_chatconversation_delete", args=[conversation.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not ChatConversation.objects.filter(pk=conversation.pk).exists()
    assert AuditEntry.objects.filter(action="records.repair_deleted").count() == 1
    march = statistics_compute(
        partnership=small.partnership,
        date_from=local(2022, 3, 1, 0).date(),
        date_to=local(2022, 3, 31, 0).date(),
        disclosure="internal",
    )
    assert march["chat"]["conversations"] == 0
