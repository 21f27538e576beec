"""Each organisation's records are its own: the cast of a unit's user, a colleague in a role
without records, and an outsider from another unit, against every read and write."""

import datetime

import pytest

from samverkan.accounts.audit import ACTIONS, action_label, log_action
from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import local
from samverkan.core.errors import Forbidden, NotFound, SamverkanError
from samverkan.partnership.models import Unit
from samverkan.records import selectors, services
from samverkan.records.models import ChatConversation
from samverkan.statistics.models import DailyCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(small):
    other_chat = Unit.objects.create(
        key="chat-2", name="Other chat", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )
    small.partnership.units.add(other_chat)

    def user(name, role, unit):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=unit)

    return {
        "volunteer": user("volunteer", Role.VOLUNTEER, small.chat),
        "colleague": user("steering", Role.STEERING_MEMBER, small.chat),
        "outsider": user("outsider", Role.VOLUNTEER, other_chat),
        "counsellor": user("counsellor", Role.COUNSELLOR, small.clinic),
        "other_chat": other_chat,
    }


def test_a_user_reads_their_own_units_records_and_the_read_is_audited(small, cast):
    volunteer = cast["volunteer"]
    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim", by=volunteer
    )
    assert list(selectors.chat_conversations_for_user(volunteer)) == [conversation]
    assert selectors.get_chat_conversation_for_user(volunteer, conversation.pk) == conversation
    entries = list(
        AuditEntry.objects.order_by("at", "id").values_list("action", "target_id", "user")
    )
    assert entries == [
        ("records.chat_conversation.created", conversation.pk, volunteer.pk),
        ("records.chat_conversation.viewed", conversation.pk, volunteer.pk),
    ]
    assert AuditEntry.objects.filter(unit=small.chat).count() == 2


@pytest.mark.parametrize("who", ["colleague", "outsider", "counsellor"])
def test_others_cannot_tell_a_forbidden_record_from_a_missing_one(small, cast, who):
    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    user = cast[who]
    assert not selectors.chat_conversations_for_user(user).exists()
    with pytest.raises(NotFound) as forbidden:
        selectors.get_chat_conversation_for_user(user, conversation.pk)
    with pytest.raises(NotFound) as missing:
        selectors.get_chat_conversation_for_user(user, conversation.pk + 1000)
    assert str(forbidden.value) == str(missing.value)
    assert not AuditEntry.objects.filter(action__endswith=".viewed").exists()


@pytest.mark.parametrize("bad_id", ["abc", "", None, "1; DROP TABLE x", 10**30])
def test_malformed_ids_are_simply_not_found(cast, bad_id):
    with pytest.raises(NotFound):
        selectors.get_chat_conversation_for_user(cast["volunteer"], bad_id)


def test_an_inactive_user_reads_nothing(small, cast):
    volunteer = cast["volunteer"]
    services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    volunteer.is_active = False
    assert not selectors.chat_conversations_for_user(volunteer).exists()


@pytest.mark.parametrize("who", ["colleague", "outsider", "counsellor"])
def test_nobody_writes_into_another_units_records(small, cast, who):
    with pytest.raises(Forbidden):
        services.chat_conversation_create(
            unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim", by=cast[who]
        )
    assert not ChatConversation.objects.exists()
    assert not DailyCount.objects.exists()
    assert not AuditEntry.objects.exists()
    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    with pytest.raises(Forbidden):
        services.chat_conversation_update(conversation=conversation, age=15, by=cast[who])
    with pytest.raises(Forbidden):
        services.chat_conversation_delete(conversation=conversation, by=cast[who])
    conversation.refresh_from_db()
    assert conversation.age is None


def test_a_record_cannot_be_moved_to_another_unit(small, cast):
    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    with pytest.raises(SamverkanError):
        services.chat_conversation_update(conversation=conversation, unit=cast["other_chat"])


def test_clinic_writes_are_audited_for_the_counsellor(small, cast):
    counsellor = cast["counsellor"]
    client = services.clinic_client_create(
        unit=small.clinic,
        ref="SM-1",
        first_visit=datetime.date(2022, 1, 10),
        concern="victim",
        by=counsellor,
    )
    services.clinic_session_add(client=client, date=datetime.date(2022, 1, 10), by=counsellor)
    services.clinic_client_close(
        client=client, closed_on=datetime.date(2022, 2, 1), closure="completed", by=counsellor
    )
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "records.clinic_client.created",
        "records.clinic_session.created",
        "records.clinic_client.closed",
    ]
    with pytest.raises(Forbidden):
        services.clinic_session_add(
            client=client, date=datetime.date(2022, 1, 17), by=cast["volunteer"]
        )


def test_an_import_is_audited_with_its_count(small, tmp_path):
    from samverkan.records.imports import records_import

    path = tmp_path / "chat.csv"
    path.write_text(
        "ref,started_at,resident,district,gender,age,concern,violence,referred_to\n"
        "c1,2022-01-03 18:45,yes,,girl,16,victim,,\n",
        encoding="utf-8",
    )
    records_import(kind="chat", path=path)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.count, entry.user) == ("records.imported", 1, None)


def test_audit_actions_are_known_and_read_as_sentences():
    with pytest.raises(ValueError, match="Unknown audit action"):
        log_action("records.peeked", user=None)
    from django.utils import translation

    with translation.override("sv"):
        labels = {action_label(action) for action in ACTIONS}
    assert "visade ett chattsamtal" in labels
    assert len(labels) == len(ACTIONS)  # every action reads as its own sentence
