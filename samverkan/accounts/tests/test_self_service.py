"""Self-service for local accounts: change the password (the current one required), a new
authenticator app, one's sessions seen and ended, e-mail after each change of credentials, and
account recovery through the unit manager with an audit entry. Real sign-ins (password, then a
code) in two clients stand for two browsers."""

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import AuditEntry, ExternalIdentity, Role, User, UserSession
from samverkan.accounts.tests.test_sign_in import PASSWORD, code_for

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "ett annat långt lösenord 2026"


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def volunteer(small):
    user = User.objects.create_user(
        "volontar", password=PASSWORD, role=Role.VOLUNTEER, unit=small.chat, email="v@ex.se"
    )
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user


def signed_in(user, password=PASSWORD) -> Client:
    """A browser of its own, signed in with both factors through the forms."""
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    # A code is good once: a second browser within the same 30 seconds would be refused it.
    device.last_t = -1
    device.save(update_fields=["last_t"])
    response = client.post(reverse("accounts:verify"), {"code": code_for(device)})
    assert response.status_code == 302 and response.url == reverse("home")
    return client


def can_read(client) -> bool:
    return client.get(reverse("records:chat_list")).status_code == 200


def test_change_password_needs_the_current_one_and_ends_the_other_sessions(volunteer):
    here, elsewhere = signed_in(volunteer), signed_in(volunteer)
    refused = here.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert refused.status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.check_password(PASSWORD)
    changed = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.check_password(NEW_PASSWORD)
    assert can_read(here) and not can_read(elsewhere)
    assert AuditEntry.objects.filter(user=volunteer, action="accounts.password.changed").exists()
    assert [m.to for m in mail.outbox] == [["v@ex.se"]]
    assert "lösenord" in mail.outbox[0].subject.lower()


def test_a_weak_new_password_is_refused(volunteer):
    here = signed_in(volunteer)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "kort", "new_password2": "kort"},
    )
    assert response.status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.check_password(PASSWORD) and mail.outbox == []


def test_a_new_authenticator_replaces_the_old_with_password_and_code(volunteer):
    here = signed_in(volunteer)
    old = TOTPDevice.objects.get(user=volunteer, confirmed=True)
    assert here.get(reverse("accounts:authenticator_replace")).status_code == 200
    new = TOTPDevice.objects.get(user=volunteer, confirmed=False)
    wrong_password = here.post(
        reverse("accounts:authenticator_replace"),
        {"password": "wrong", "code": code_for(new)},
    )
    assert wrong_password.status_code == 200
    assert TOTPDevice.objects.filter(pk=old.pk).exists()
    done = here.post(
        reverse("accounts:authenticator_replace"), {"password": PASSWORD, "code": code_for(new)}
    )
    assert done.status_code == 302
    assert list(TOTPDevice.objects.filter(user=volunteer).values_list("pk", "confirmed")) == [
        (new.pk, True)
    ]
    assert AuditEntry.objects.filter(
        user=volunteer, action="accounts.authenticator.replaced"
    ).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["v@ex.se"]


def test_one_sees_and_ends_ones_other_sessions_but_nobody_elses(volunteer, small):
    here, elsewhere = signed_in(volunteer), signed_in(volunteer)
    page = here.get(reverse("accounts:account"))
    assert page.status_code == 200
    sessions = UserSession.objects.filter(user=volunteer)
    assert sessions.count() == 2
    other = sessions.exclude(session_key=here.session.session_key).get()
    this = sessions.get(session_key=here.session.session_key)
    assert reverse("accounts:session_end", args=[other.pk]) in page.content.decode()
    # Not this one (sign out instead), and not another person's.
    assert here.post(reverse("accounts:session_end", args=[this.pk])).status_code == 404
    stranger = User.objects.create_user(
        "annan", password=PASSWORD, role=Role.VOLUNTEER, unit=small.chat
    )
    TOTPDevice.objects.create(user=stranger, name="app", confirmed=True)
    theirs = signed_in(stranger)
    their_session = UserSession.objects.get(user=stranger)
    assert here.post(reverse("accounts:session_end", args=[their_session.pk])).status_code == 404
    assert can_read(theirs)
    assert here.post(reverse("accounts:session_end", args=[other.pk])).status_code == 302
    assert not can_read(elsewhere) and can_read(here)
    assert not Session.objects.filter(session_key=other.session_key).exists()
    assert AuditEntry.objects.filter(user=volunteer, action="accounts.session.ended").exists()
    # Signing out forgets the session.
    here.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=volunteer).exists()


def test_the_unit_manager_gives_a_new_start_with_an_audit_entry(volunteer, small):
    manager = User.objects.create_user(
        "chef", password=PASSWORD, role=Role.UNIT_MANAGER, unit=small.chat
    )
    TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    lost = signed_in(volunteer)
    page = signed_in(manager)
    listing = page.get(reverse("accounts:recovery"))
    assert listing.status_code == 200 and "volontar" in listing.content.decode()
    response = page.post(reverse("accounts:recovery"), {"user": volunteer.pk})
    temporary = response.context["temporary"]
    assert temporary and temporary in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.check_password(temporary)
    assert not TOTPDevice.objects.filter(user=volunteer).exists()
    assert not can_read(lost)  # every session of theirs ended
    entry = AuditEntry.objects.get(action="accounts.recovered")
    assert (entry.user, entry.target_type, entry.target_id) == (
        manager,
        "accounts.user",
        volunteer.pk,
    )
    assert mail.outbox[-1].to == ["v@ex.se"]
    # With the one-time password, the next sign-in sets up a new authenticator first.
    fresh = Client()
    fresh.post(reverse("accounts:login"), {"username": "volontar", "password": temporary})
    assert fresh.get(reverse("records:chat_list")).url.startswith(reverse("accounts:setup"))


def test_recovery_only_for_the_managers_own_units_staff(volunteer, small):
    manager = User.objects.create_user(
        "chef", password=PASSWORD, role=Role.UNIT_MANAGER, unit=small.support_centre
    )
    TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    peer = User.objects.create_user(
        "chef2", password=PASSWORD, role=Role.UNIT_MANAGER, unit=small.support_centre
    )
    page = signed_in(manager)
    # Another unit's volunteer, and a fellow manager: no such person here.
    for person in (volunteer, peer):
        assert page.post(reverse("accounts:recovery"), {"user": person.pk}).status_code == 404
    assert not AuditEntry.objects.filter(action="accounts.recovered").exists()
    assert signed_in(volunteer).get(reverse("accounts:recovery")).status_code == 404


def test_accounts_from_a_provider_have_no_password_pages(volunteer):
    here = signed_in(volunteer)
    ExternalIdentity.objects.create(user=volunteer, provider="stad", subject="v")
    assert here.get(reverse("accounts:password_change")).status_code == 404
    assert here.get(reverse("accounts:authenticator_replace")).status_code == 404
