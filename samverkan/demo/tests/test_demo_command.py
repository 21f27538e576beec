"""`samverkan demo` builds (and rebuilds) a demo from which `samverkan stats` gives the report's
figures: the whole path a new user takes."""

import io
import json

import pytest
from django.core.management import call_command

from samverkan.accounts.models import Role, User
from samverkan.chat.models import DirectoryEntry
from samverkan.chat.services import is_open
from samverkan.partnership.models import Partnership

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_builds_twice_and_stats_reproduce_the_interim_report():
    run("demo", "--no-serve")
    printed = run("demo", "--no-serve")  # a refresh replaces the demo, it does not add to it
    assert Partnership.objects.count() == 1
    # A user per role; two unit managers: the support centre's and the foundation's.
    roles = list(User.objects.values_list("role", flat=True))
    assert sorted(set(roles)) == sorted(Role.values) and roles.count(Role.UNIT_MANAGER) == 2
    assert len(roles) == len(Role.values) + 1
    for user in User.objects.all():
        assert f"demo-{user.username}-2022" in printed
        assert user.check_password(f"demo-{user.username}-2022")
    # The live chat is tried in two windows, and is open whenever the demo is tried.
    assert "http://127.0.0.1:8000/chatt/konsol/" in printed and "volontar" in printed
    assert is_open() and DirectoryEntry.objects.count() == 4

    figures = json.loads(run("stats", "--from", "2022-01-01", "--to", "2022-05-31"))
    chat = figures["chat"]
    assert chat["conversations"] == 612
    residents = chat["residents"]
    assert residents["conversations"] == 228
    assert (residents["by_gender"]["girl"], residents["by_gender"]["boy"]) == (151, 35)
    assert residents["by_gender"]["other"] + residents["by_gender"]["unknown"] == 42
    assert (residents["by_concern"]["victim"], residents["by_concern"]["perpetrator"]) == (152, 13)
    assert 17.0 < residents["mean_age"] < 17.5
    assert 17.0 < residents["mean_age_by_gender"]["girl"] < 17.5
    assert 17.0 < residents["mean_age_by_gender"]["boy"] < 17.5

    clinic = figures["clinic"]
    assert (clinic["clients"], clinic["residents"]["clients"]) == (21, 16)
    assert clinic["residents"]["by_gender_and_concern"]["girl"]["victim"] == 12
    assert clinic["residents"]["by_gender_and_concern"]["boy"]["perpetrator"] == 4
    assert clinic["residents"]["ongoing"] == 16

    support = figures["support_centre"]
    assert support["cases"] == 813
    assert (support["by_gender"]["girl"], support["by_gender"]["boy"]) == (389, 413)
    assert 15.5 <= support["mean_age_by_gender"]["girl"] < 16.0
    assert 15.0 < support["mean_age_by_gender"]["boy"] < 15.5
    victims = support["partner_violence"]["victims"]
    assert (victims["count"], victims["by_gender"]["boy"], victims["youngest_age"]) == (10, 2, 13)

    # The published version of the same figures: each month's cells perturbed and summed, so
    # close to the report's (about ±10 over five months, where small monthly cells such as the
    # perpetrators' add their 0-or-5), small ones hidden.
    public = json.loads(
        run("stats", "--from", "2022-01-01", "--to", "2022-05-31", "--disclosure", "public")
    )
    assert abs(public["chat"]["conversations"] - 612) <= 30
    assert abs(public["chat"]["residents"]["conversations"] - 228) <= 30
    assert abs(public["support_centre"]["cases"] - 813) <= 30
    assert abs(public["clinic"]["clients"] - 21) <= 10  # the year so far, a sum of small cells
    assert public["support_centre"]["partner_violence"]["victims"]["youngest_age"] is None
    rules = {entry["path"]: entry["rule"] for entry in public["disclosure"]["suppressed"]}
    assert rules["support_centre.partner_violence.victims.youngest_age"] == "not-public"
    # The demo's key is fixed, so its public figures (and documents) are the same everywhere.
    again = json.loads(
        run("stats", "--from", "2022-01-01", "--to", "2022-05-31", "--disclosure", "public")
    )
    assert again == public


def test_demo_users_pass_the_second_factor_with_democode(client):
    from django.urls import reverse

    run("demo", "--no-serve")
    client.post(
        reverse("accounts:login"), {"username": "volontar", "password": "demo-volontar-2022"}
    )
    assert client.get(reverse("home")).url == reverse("accounts:verify")
    code = run("democode", "volontar").strip()
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 302
    assert client.get(reverse("home")).url == reverse("records:chat_list")


def test_democode_shows_no_code_for_other_accounts():
    from django.core.management import CommandError

    run("demo", "--no-serve")
    User.objects.create_user("real", password="x" * 16, role=Role.VOLUNTEER)
    with pytest.raises(CommandError):
        run("democode", "real")
