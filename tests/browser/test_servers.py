"""Both servers the browser tests use serve the application: Django's live server (WSGI, in a
thread) and daphne (ASGI, in a process of its own, for pages with WebSockets)."""

from browsing import sign_in_by_form
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import Role, User


def test_the_asgi_server_shares_the_test_database(browser, asgi_site, small):
    user = User.objects.create_user(
        "volunteer", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    page = browser.new_page()
    sign_in_by_form(page, asgi_site, user, "x" * 16)
    assert page.locator("header form.logout").count() == 1
    page.goto(asgi_site.url(reverse("records:chat_list")))
    assert page.url == asgi_site.url(reverse("records:chat_list"))
    page.close()
