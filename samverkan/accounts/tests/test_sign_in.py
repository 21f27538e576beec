"""Signing in: password (Argon2), then the second factor; lock-out after repeated failures.

Pages speak Swedish by default (the browser sends no language here), so that is what is read."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "ett långt lösenord 2022"


@pytest.fixture
def volunteer(small):
    return User.objects.create_user(
        "volontar", password=PASSWORD, role=Role.VOLUNTEER, unit=small.chat
    )


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in_with_password(client, username="volontar", password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2(volunteer):
    assert volunteer.password.startswith("argon2")


def test_pages_ask_for_sign_in_first(client, volunteer):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_first_sign_in_sets_up_the_authenticator_before_anything_else(client, volunteer):
    response = sign_in_with_password(client)
    assert response.status_code == 302
    # Every page now leads to the set-up of the second factor.
    for page in (reverse("home"), reverse("admin:index")):
        assert client.get(page).url.split("?")[0] == reverse("accounts:setup")
    setup = client.get(reverse("accounts:setup"))
    assert setup.status_code == 200
    assert b"<svg" in setup.content  # the QR code, inline, no script
    device = TOTPDevice.objects.get(user=volunteer)
    assert not device.confirmed

    wrong = client.post(reverse("accounts:setup"), {"code": "000000"})
    assert wrong.status_code == 200 and "Koden stämmer inte" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302
    # A wrong code makes the next try wait (django-otp's throttling) ...
    too_soon = client.post(reverse("accounts:setup"), {"code": code_for(device)})
    assert "vänta några sekunder" in too_soon.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # ... here, as if the seconds had passed

    right = client.post(reverse("accounts:setup"), {"code": code_for(device)})
    assert right.url == reverse("home")
    device.refresh_from_db()
    assert device.confirmed
    # Past both factors, the start page leads on to the volunteer's own unit's conversations.
    assert client.get(reverse("home")).url == reverse("records:chat_list")
    assert client.get(reverse("records:chat_list")).status_code == 200


def test_later_sign_ins_ask_for_a_code_from_the_app(client, volunteer):
    device = TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    sign_in_with_password(client)
    assert client.get(reverse("home")).url == reverse("accounts:verify")
    assert client.get(reverse("accounts:setup")).url == reverse("accounts:verify")
    assert client.post(reverse("accounts:verify"), {"code": "12 34 56"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(reverse("accounts:verify"), {"code": code_for(device)}).status_code == 302
    assert client.get(reverse("home")).url == reverse("records:chat_list")


def test_a_code_cannot_be_used_twice(client, volunteer):
    device = TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    code = code_for(device)
    sign_in_with_password(client)
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    sign_in_with_password(client)
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 200


def test_the_account_locks_after_five_failed_sign_ins(client, volunteer):
    for _ in range(5):
        response = sign_in_with_password(client, password="fel lösenord")
        assert response.status_code in (200, 429)
    locked = sign_in_with_password(client)  # even the right password, now
    assert locked.status_code == 429
    assert "Kontot är låst" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302  # not signed in
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get().ip_address is None  # no address kept


def test_signing_out_ends_the_session(client, volunteer):
    from samverkan.conftest import sign_in

    sign_in(client, volunteer)
    assert client.get(reverse("records:chat_list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("records:chat_list")).url.startswith(reverse("accounts:login"))


def test_pages_are_swedish_even_for_an_english_browser_and_english_by_the_switch(client):
    content = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US").content
    assert 'lang="sv"' in content.decode()
    assert "Logga in" in content.decode()
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302
    english = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="en"' in english
    assert "Sign in" in english


def test_a_role_without_pages_sees_who_it_is_signed_in_as(client, small):
    from samverkan.conftest import sign_in

    user = User.objects.create_user("okand", password=PASSWORD, role=Role.VOLUNTEER, unit=None)
    sign_in(client, user)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert "chattvolontär" in page.content.decode()


def test_a_code_used_twice_says_it_was_just_used_not_that_the_phone_is_wrong(client, volunteer):
    """Seen: the right code given a second time within its 30 seconds (signed out and in again,
    or a second window) answered "Koden stämmer inte. Kontrollera tiden i din telefon"."""
    device = TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    code = code_for(device)
    sign_in_with_password(client)
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    sign_in_with_password(client)
    again = client.post(reverse("accounts:verify"), {"code": code})
    text = again.content.decode()
    assert again.status_code == 200
    assert "Koden har just använts" in text
    assert "Vänta tills appen visar nästa kod" in text
    assert "Kontrollera tiden" not in text
    assert client.get(reverse("records:chat_list")).status_code == 302  # still not signed in
    # A wrong code still says that it is wrong.
    device.refresh_from_db()
    device.throttle_reset()
    wrong = client.post(reverse("accounts:verify"), {"code": f"{(int(code) + 1) % 10**6:06d}"})
    assert "Koden stämmer inte" in wrong.content.decode()


def test_after_the_code_the_page_asked_for_opens_not_the_start_page(client, volunteer):
    """Seen: a link to a page, then the password and the code, and the person was on the start
    page instead of the page the link named."""
    device = TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    wanted = reverse("records:chat_create")
    asked = client.get(wanted)
    assert _path_and_next(asked.url) == (reverse("accounts:login"), wanted)
    password = client.post(
        asked.url, {"username": "volontar", "password": PASSWORD, "next": wanted}
    )
    step_two = client.get(password.url)
    assert _path_and_next(step_two.url) == (reverse("accounts:verify"), wanted)
    done = client.post(step_two.url, {"code": code_for(device)})
    assert done.status_code == 302 and done.url == wanted
    assert client.get(wanted).status_code == 200


def _path_and_next(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)["next"][0]


def test_a_volunteer_who_asked_for_the_chat_console_lands_on_it(client, volunteer):
    """Seen: a volunteer opened the console's address, signed in, and landed on the list of
    conversations instead of the console."""
    device = TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    console = reverse("chat:console")
    client.post(
        reverse("accounts:login"), {"username": "volontar", "password": PASSWORD, "next": console}
    )
    step_two = client.get(console).url
    done = client.post(step_two, {"code": code_for(device)})
    assert done.url == console
    page = client.get(console)
    assert page.status_code == 200
    assert page.resolver_match.view_name == "chat:console"


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/", "//evil.example/konto/", "/\\evil.example", "javascript:alert(1)"],
)
def test_the_page_kept_through_the_code_is_only_ever_a_page_of_this_site(
    client, volunteer, elsewhere
):
    device = TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    sign_in_with_password(client)
    done = client.post(
        reverse("accounts:verify") + "?" + urlencode({"next": elsewhere}),
        {"code": code_for(device)},
    )
    assert done.status_code == 302
    assert done.url == reverse("home")


def test_a_first_authenticator_set_up_leads_on_to_the_page_asked_for(client, volunteer):
    wanted = reverse("records:chat_list")
    sign_in_with_password(client)
    setup = client.get(wanted).url
    assert setup.startswith(reverse("accounts:setup"))
    client.get(setup)
    device = TOTPDevice.objects.get(user=volunteer)
    assert client.post(setup, {"code": code_for(device)}).url == wanted
