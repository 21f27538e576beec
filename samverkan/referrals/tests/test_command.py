import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samverkan.conftest import local
from samverkan.referrals import codes
from samverkan.referrals.services import issue_referral

pytestmark = pytest.mark.django_db


def _arrive(*args):
    out = io.StringIO()
    call_command("referral", "arrive", *args, stdout=out)
    return out.getvalue()


def test_the_command_registers_an_arrival(small, cast):
    referral = issue_referral(
        destination=small.clinic_service, by=cast["volunteer"], now=local(2026, 11, 2, 20)
    )
    printed = _arrive(referral.display_code.lower(), "--unit", "clinic")
    assert printed == f"{referral.display_code} arrived at Clinic (Clinic); issued Nov. 2, 2026.\n"
    referral.refresh_from_db()
    assert referral.arrival_unit == small.clinic and referral.arrived_at is not None


def test_the_command_fails_with_a_clear_message(small, cast):
    referral = issue_referral(destination=small.clinic_service, by=cast["volunteer"])
    with pytest.raises(CommandError, match="'nowhere'"):
        _arrive(referral.code, "--unit", "nowhere")
    with pytest.raises(CommandError, match="does not receive"):
        _arrive(referral.code, "--unit", "support")
    wrong = codes.ALPHABET[(codes.VALUE[referral.code[0]] + 1) % 31] + referral.code[1:]
    with pytest.raises(CommandError, match="mistyped"):
        _arrive(wrong, "--unit", "clinic")
    _arrive(referral.code, "--unit", "clinic")
    with pytest.raises(CommandError, match="already registered as arrived"):
        _arrive(referral.code, "--unit", "clinic")


def test_the_command_exits_non_zero(small, cast, capsys):
    from samverkan.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(["samverkan", "referral", "arrive", "2222-2223", "--unit", "clinic"])
    assert exit_.value.code != 0
    assert "mistyped" in capsys.readouterr().err
