"""The web application's hardening: CSP without inline script, frames refused, cookies, session
expiry, CSRF, password rules and a clean deployment check with the documented production settings."""

import datetime
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts.models import Role, User
from samverkan.conftest import sign_in

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_every_page_has_a_policy_that_runs_no_inline_script_and_refuses_frames(client):
    response = client.get(reverse("accounts:login"))
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_an_inline_script_or_event_handler():
    offending = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offending.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offending.append(f"{path.relative_to(TEMPLATES)}: event handler or javascript: URL")
    assert offending == []


@pytest.mark.django_db
def test_a_session_ends_after_30_minutes_without_a_request(client):
    user = User.objects.create_user("c", password="x" * 16, role=Role.COORDINATOR)
    sign_in(client, user)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # The end is kept by samverkan.accounts.sessions (a save once it would move by a minute).
    assert settings.SESSION_ENGINE == "samverkan.accounts.sessions"
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=20))
    response = client.get(reverse("home"))
    assert reverse("accounts:login") not in response.get("Location", "")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # ends with the browser, too
    # A request pushes the end forward (to the minute); 31 minutes without one and it is gone.
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + datetime.timedelta(minutes=29)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403


@pytest.mark.parametrize("password", ["short", "elvatecken1", "12345678901234", "password12345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_password_passes():
    validate_password("Lingonsylt på fredagar 47")


def _check_deploy(**environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **environment}
    return subprocess.run(
        [sys.executable, "-m", "samverkan", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deployment_check_is_clean_with_the_documented_production_settings(tmp_path):
    result = _check_deploy(
        SAMVERKAN_VAR_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="samverkan.example.se",
        SAMVERKAN_HTTPS="1",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # And without them it says what is missing rather than passing.
    result = _check_deploy(SAMVERKAN_VAR_DIR=str(tmp_path), DEBUG="0")
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr + result.stdout


@pytest.mark.django_db
def test_the_api_documentation_runs_no_inline_script(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag] == []
    assert "redoc" in html.lower()
