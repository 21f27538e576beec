import datetime

import pytest
from django.test import override_settings

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import local
from samverkan.core.errors import Forbidden, SamverkanError
from samverkan.partnership.models import Service
from samverkan.records import services as records
from samverkan.referrals import codes
from samverkan.referrals.codes import MalformedCode, MistypedCode
from samverkan.referrals.models import Referral
from samverkan.referrals.services import (
    AlreadyArrived,
    ExpiredCode,
    OtherDestination,
    UnknownCode,
    attach_to_conversation,
    issue_referral,
    register_arrival,
)

pytestmark = pytest.mark.django_db
ISSUED = local(2022, 3, 1, 19, 30)


def _audit(action):
    return list(AuditEntry.objects.filter(action=action).values_list("user__username", "target_id"))


def test_a_volunteer_issues_a_code_valid_for_ninety_days(small, cast):
    referral = issue_referral(destination=small.clinic_service, by=cast["volunteer"], now=ISSUED)
    assert codes.is_well_formed(referral.code)
    assert referral.display_code == f"{referral.code[:4]}-{referral.code[4:]}"
    assert referral.issued_at == ISSUED
    assert referral.expires_at == ISSUED + datetime.timedelta(days=90)
    assert referral.issuing_unit == small.chat
    assert referral.conversation is None and referral.arrived_at is None
    assert _audit("referrals.referral.issued") == [("volunteer", referral.pk)]


@override_settings(SAMVERKAN_REFERRAL_DAYS=14)
def test_the_validity_comes_from_the_setting(small, cast):
    referral = issue_referral(destination=small.rvc_service, by=cast["volunteer"], now=ISSUED)
    assert referral.expires_at == ISSUED + datetime.timedelta(days=14)


@pytest.mark.parametrize("who", ["counsellor", "officer"])
def test_only_the_chat_issues_codes(small, cast, who):
    with pytest.raises(Forbidden):
        issue_referral(destination=small.clinic_service, by=cast[who])
    assert not Referral.objects.exists()


def test_a_destination_of_another_partnership_is_refused(small, cast):
    from samverkan.partnership.models import Partnership

    elsewhere = Partnership.objects.create(key="other", name="Other", municipality="Else")
    service = Service.objects.create(partnership=elsewhere, key="x", name="X")
    with pytest.raises(SamverkanError, match="partnership"):
        issue_referral(destination=service, by=cast["volunteer"])


def test_a_collision_is_retried_with_a_new_code(small, cast, monkeypatch):
    taken = issue_referral(destination=small.clinic_service, by=cast["volunteer"]).code
    fresh = "2222222" + codes.check_symbol("2222222")
    offered = iter([taken, taken, fresh])
    monkeypatch.setattr("samverkan.referrals.services.new_code", lambda: next(offered))
    referral = issue_referral(destination=small.clinic_service, by=cast["volunteer"])
    assert referral.code == fresh
    assert Referral.objects.count() == 2


def test_codes_are_attached_to_the_saved_post_chat_record(small, cast):
    volunteer = cast["volunteer"]
    first = issue_referral(destination=small.clinic_service, by=volunteer)
    second = issue_referral(destination=small.rvc_service, by=volunteer)
    conversation = records.chat_conversation_create(
        unit=small.chat, started_at=ISSUED, concern="perpetrator", by=volunteer
    )
    typed = [first.display_code.lower(), second.code]
    linked = attach_to_conversation(codes=typed, conversation=conversation, by=volunteer)
    assert [r.pk for r in linked] == [first.pk, second.pk]
    assert set(conversation.referral_codes.all()) == {first, second}
    assert sorted(_audit("referrals.referral.attached")) == sorted(
        [("volunteer", first.pk), ("volunteer", second.pk)]
    )
    # Attaching again changes nothing and writes no new entry.
    attach_to_conversation(codes=[first.code], conversation=conversation, by=volunteer)
    assert len(_audit("referrals.referral.attached")) == 2


def test_attach_refuses_codes_of_another_unit_or_another_conversation(small, cast):
    volunteer, outsider = cast["volunteer"], cast["outsider"]
    theirs = issue_referral(destination=small.clinic_service, by=outsider)
    conversation = records.chat_conversation_create(
        unit=small.chat, started_at=ISSUED, concern="victim", by=volunteer
    )
    with pytest.raises(UnknownCode):
        attach_to_conversation(codes=[theirs.code], conversation=conversation, by=volunteer)
    with pytest.raises(Forbidden):
        attach_to_conversation(codes=[theirs.code], conversation=conversation, by=outsider)
    ours = issue_referral(destination=small.clinic_service, by=volunteer)
    attach_to_conversation(codes=[ours.code], conversation=conversation, by=volunteer)
    another = records.chat_conversation_create(
        unit=small.chat, started_at=ISSUED, concern="friend", by=volunteer
    )
    with pytest.raises(SamverkanError, match="another conversation"):
        attach_to_conversation(codes=[ours.code], conversation=another, by=volunteer)


def test_deleting_the_record_keeps_the_code(small, cast):
    volunteer = cast["volunteer"]
    conversation = records.chat_conversation_create(
        unit=small.chat, started_at=ISSUED, concern="victim", by=volunteer
    )
    referral = issue_referral(
        destination=small.clinic_service, by=volunteer, conversation=conversation
    )
    records.chat_conversation_delete(conversation=conversation, by=volunteer)
    referral.refresh_from_db()
    assert referral.conversation is None


def test_staff_of_the_receiving_unit_register_an_arrival(small, cast):
    referral = issue_referral(destination=small.clinic_service, by=cast["volunteer"], now=ISSUED)
    arrived = local(2022, 3, 9, 10)
    typed = f"  {referral.code[:4].lower()} {referral.code[4:]} "
    result = register_arrival(typed, by=cast["counsellor"], now=arrived)
    assert result.pk == referral.pk
    referral.refresh_from_db()
    assert referral.arrived_at == arrived
    assert referral.arrival_unit == small.clinic
    assert _audit("referrals.referral.arrived") == [("counsellor", referral.pk)]


def _mistyped(code: str) -> str:
    """The code with its first symbol changed."""
    other = codes.ALPHABET[(codes.VALUE[code[0]] + 1) % codes.BASE]
    return other + code[1:]


def test_each_refusal_says_what_is_wrong(small, cast):
    volunteer, counsellor = cast["volunteer"], cast["counsellor"]
    referral = issue_referral(destination=small.clinic_service, by=volunteer, now=ISSUED)
    with pytest.raises(MalformedCode, match="“O” \\(character 1\\)"):
        register_arrival("O" + referral.code[1:], by=counsellor)
    with pytest.raises(MistypedCode, match="mistyped"):
        register_arrival(_mistyped(referral.code), by=counsellor)
    unknown = "2222222" + codes.check_symbol("2222222")
    with pytest.raises(UnknownCode, match="There is no referral code 2222-222"):
        register_arrival(unknown, by=counsellor)
    to_rvc = issue_referral(destination=small.rvc_service, by=volunteer, now=ISSUED)
    with pytest.raises(OtherDestination, match="is for RVC, which Clinic does not receive"):
        register_arrival(to_rvc.code, by=counsellor)
    with pytest.raises(ExpiredCode, match="expired on May 30, 2022"):
        register_arrival(referral.code, by=counsellor, now=local(2022, 6, 1, 9))
    register_arrival(referral.code, by=counsellor, now=local(2022, 3, 9, 10, 15))
    with pytest.raises(
        AlreadyArrived, match="already registered as arrived on March 9, 2022, 10:15 a.m."
    ):
        register_arrival(referral.code, by=counsellor, now=local(2022, 3, 10, 10))
    assert len(_audit("referrals.referral.arrived")) == 1


def test_dates_in_refusals_follow_the_readers_language(small, cast):
    from django.utils import translation

    referral = issue_referral(destination=small.clinic_service, by=cast["volunteer"], now=ISSUED)
    with translation.override("sv"), pytest.raises(ExpiredCode, match="30 maj 2022"):
        register_arrival(referral.code, by=cast["counsellor"], now=local(2022, 6, 1))


def test_arrival_needs_staff_of_a_unit(small, cast):
    referral = issue_referral(destination=small.clinic_service, by=cast["volunteer"])
    steering = User.objects.create_user("s", role=Role.STEERING_MEMBER, unit=small.clinic)
    with pytest.raises(Forbidden):
        register_arrival(referral.code, by=steering)
    # The support centre receives no service: refused before the code is looked up.
    with pytest.raises(Forbidden):
        register_arrival(referral.code, by=cast["officer"])
    referral.refresh_from_db()
    assert referral.arrived_at is None
