"""The admin reads in Swedish: the sign-in libraries' parts too, and one "Grupper"."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_shows_no_untranslated_axes_access_attempts_or_totp_devices(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    for english in ("AXES", "Axes", "Access attempts", "Access logs", "TOTP devices", "Otp_Totp"):
        assert english not in page, english
    assert "Autentiseringsappar" in page
    assert "spärr vid inloggning" in page
    assert "Django" not in page.split("<body", 1)[1].split("<!-- END SVGs", 1)[0]
    assert "Samverkan: administration" in page


def test_the_admin_shows_groups_once(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    headings = re.findall(r'<a href="[^"]*" class="[^"]*">(?:Grupper)</a>|>Grupper<', page)
    assert len(headings) == 1, headings


def test_the_authenticator_apps_and_lock_out_pages_open_in_the_admin(admin_client):
    for name in ("admin:otp_totp_totpdevice_changelist", "admin:axes_accessattempt_changelist"):
        response = admin_client.get(reverse(name))
        assert response.status_code == 200, name
        assert "TOTP device" not in response.content.decode()


def test_naming_them_leaves_the_migrations_alone():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "otp_totp", "axes", "--check", "--dry-run", stdout=out)
